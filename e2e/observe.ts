import { Kubectl } from "./lib/kubectl";
import { MeasurementMark, WeightSample } from "./report/types";

/** The pause condition an Inconclusive AnalysisRun sets (`PauseReasonInconclusiveAnalysis`, pkg/apis/rollouts/v1alpha1/types.go, v1.8.3). */
const INCONCLUSIVE_PAUSE = "InconclusiveAnalysisRun";

/** The Rollout status is paused by an Inconclusive AnalysisRun. */
export function pausedInconclusive(status: any): boolean {
    return (status?.pauseConditions ?? []).some((c: any) => c.reason === INCONCLUSIVE_PAUSE);
}

/** The canary weight Argo has set: the last setWeight reached, 0 after an abort, 100 once promoted. */
export function rolloutWeight(rollout: any, previousStable: string): number {
    const status = rollout.status ?? {};
    if (status.abort) return 0;
    const done = status.currentPodHash && status.stableRS === status.currentPodHash;
    if (done) return status.currentPodHash === previousStable ? 0 : 100;
    const steps: any[] = rollout.spec?.strategy?.canary?.steps ?? [];
    const index = status.currentStepIndex ?? 0;
    let weight = 0;
    for (const step of steps.slice(0, index + 1)) if (step.setWeight !== undefined) weight = step.setWeight;
    return weight;
}

/** Samples the Rollout and collects its AnalysisRuns' measurements, relative to the image change. */
export class RolloutObserver {
    readonly samples: WeightSample[] = [];
    private timer?: NodeJS.Timeout;
    /** When the image changed (epoch ms). */
    readonly t0 = Date.now();
    latest: any;

    /** `previousStable`: the stable hash before the image change; `ignored`: other hashes whose runs are not this canary's. */
    constructor(
        private readonly kubectl: Kubectl,
        private readonly namespace: string,
        private readonly name: string,
        private readonly previousStable: string,
        private readonly ignored: string[] = [],
    ) {}

    seconds(at = Date.now()): number {
        return Math.round((at - this.t0) / 100) / 10;
    }

    sample(): any {
        const rollout = this.kubectl.get("rollout", this.name, this.namespace);
        this.latest = rollout;
        this.samples.push({
            t: this.seconds(),
            weight: rolloutWeight(rollout, this.previousStable),
            phase: rollout?.status?.phase ?? "Unknown",
            step: rollout?.status?.currentStepIndex,
        });
        return rollout;
    }

    start(everyMs = 500): void {
        const tick = () => {
            try {
                this.sample();
            } catch {
                // A transient kubectl failure loses one sample, not the run.
            }
            this.timer = setTimeout(tick, everyMs);
        };
        tick();
    }

    stop(): void {
        if (this.timer) clearTimeout(this.timer);
    }

    maxWeight(): number {
        return Math.max(0, ...this.samples.map((s) => s.weight));
    }

    /** AnalysisRuns of this canary (created since the image change, not of the old stable), oldest first. */
    analysisRuns(): any[] {
        // creationTimestamp has whole seconds: compare against the second the image changed in.
        const since = Math.floor(this.t0 / 1000) * 1000;
        return this.kubectl
            .list("analysisrun", this.namespace)
            .filter((run) => Date.parse(run.metadata.creationTimestamp) >= since)
            .filter((run) => ![this.previousStable, ...this.ignored].includes(run.metadata.labels?.["rollouts-pod-template-hash"]))
            .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
    }

    measurements(): MeasurementMark[] {
        return this.analysisRuns().flatMap((run) =>
            (run.status?.metricResults ?? []).flatMap((result: any) =>
                (result.measurements ?? []).map((m: any) => ({
                    t: this.seconds(Date.parse(m.finishedAt ?? m.startedAt)),
                    metric: result.name,
                    phase: m.phase,
                    value: m.value,
                    run: run.metadata.labels?.["rollout-type"],
                })),
            ),
        );
    }
}
