import { brokenRelease } from "../model/exposure";
import { AppConfig } from "../stacks/types";
import { DEMO, demoImage, setImageArgs } from "./demoApp";
import { BASE_LATENCY_SECONDS, Env, PROMETHEUS_PORT, restartPrometheus, setBehaviour, stopPrometheus } from "./environment";
import { sleep, waitFor } from "./lib/proc";
import { pausedInconclusive, RolloutObserver } from "./observe";
import { observedShares, sharesText, SplitSample, SplitSampler } from "./podSplit";
import { query } from "./prometheus";
import { neverReadyScenario } from "./readinessScenario";
import { ScenarioResult, TimelineEvent } from "./report/types";
import { Behaviour } from "./traffic/split";

export type Outcome = "promoted" | "aborted" | "paused";

/** What a scenario's own check gets once the outcome is known. */
export interface CanaryRun {
    env: Env;
    observer: RolloutObserver;
    /** The Rollout and its ReplicaSets' pods, every 250 ms from the image change. */
    split: SplitSample[];
    outcome?: Outcome;
    /** Seconds from the image change to the outcome. */
    seconds: number;
    previousStable: string;
}

export interface Check {
    text: string;
    passed: boolean;
    extra?: Record<string, unknown>;
}

export interface CanaryScenario {
    name: string;
    tag: string;
    behaviour: Behaviour;
    expected: Outcome;
    expectedText: string;
    /** Runs beside the canary, e.g. to stop Prometheus; gets the observer. */
    during?: (env: Env, observer: RolloutObserver, events: TimelineEvent[]) => Promise<void>;
    /** Sampled once a second while the canary runs: named PromQL values, given the canary's pod-template hash. */
    probes?: (canaryHash: string) => Record<string, string>;
    /** Probes start without waiting for a window free of errors (the stable version is meant to fail some). */
    errorsBeforehand?: boolean;
    /** Start only once the Rollout is at rest: the stable ReplicaSet at full strength, no other pods (not after a canary left paused). */
    fromRest?: boolean;
    /** Runs after the outcome (and `during`); its text joins the observed text, and it must pass too. */
    check?: (run: CanaryRun) => Promise<Check>;
    /** How long to wait for the outcome (default 240 s: the local ladder's). */
    timeoutSeconds?: number;
    extra?: Record<string, unknown>;
}

/** The app's absolute error-rate gate (0.02 in Pulumi.local.yaml): what the detection-power table measures against. */
export function errorThreshold(app: AppConfig): number {
    const gate = app.analysis.metrics.find((m) => "kind" in m && m.kind === "errorRate");
    if (!gate || !("threshold" in gate)) throw new Error(`${app.name}: no errorRate metric in the analysis`);
    return gate.threshold;
}
const window = "30s";
/** The demo app's 5xx share over the last 30 s; `labels` (e.g. `ofHash(h)`) narrows it to some of its pods. */
export const errorShare = (labels = "") =>
    `(sum(rate(http_requests_total{job="demo"${labels}, code=~"5.."}[${window}])) or vector(0)) / sum(rate(http_requests_total{job="demo"${labels}}[${window}]))`;
export const ofHash = (hash: string) => `, rollouts_pod_template_hash="${hash}"`;

/**
 * Detection power: the canary's error rate through a query scoped to its pods and through one over the
 * whole Service, beside what was injected into the canary and the stable pods and the absolute threshold.
 */
export function errorDetection(injected: number, injectedStable: number, threshold: number): Pick<CanaryScenario, "probes" | "extra"> {
    return {
        probes: (hash: string) => ({ canaryErrorRate: errorShare(ofHash(hash)), wholeServiceErrorRate: errorShare() }),
        extra: { injectedErrorRate: injected, injectedStableErrorRate: injectedStable, threshold },
    };
}

/**
 * `previousCanary`: the hash of a canary aborted before the image change. Until the controller has seen the new
 * template the Rollout still reads `abort: true` for that one: not this canary's outcome.
 */
export function outcomeOf(rollout: any, previousStable: string, runs: () => any[], previousCanary?: string): Outcome | undefined {
    const status = rollout?.status ?? {};
    if (status.abort) return previousCanary !== undefined && status.currentPodHash === previousCanary ? undefined : "aborted";
    if (status.phase === "Healthy" && status.currentPodHash && status.stableRS === status.currentPodHash && status.stableRS !== previousStable) {
        return "promoted";
    }
    if (pausedInconclusive(status) || (status.phase === "Paused" && runs().some((r) => r.status?.phase === "Inconclusive"))) return "paused";
    return undefined;
}

/** Waits until the last window holds no errors, so a previous bad image does not colour this scenario's numbers. */
async function cleanWindow(env: Env): Promise<void> {
    env.log(`waiting for a ${window} window without errors`);
    await waitFor(
        "a window without errors",
        120000,
        async () => {
            const values = await query(PROMETHEUS_PORT, errorShare());
            return values.length > 0 && values[0] === 0 ? true : undefined;
        },
        1000,
    );
}

/** Waits until the stable ReplicaSet runs every replica Ready and no other ReplicaSet has a pod, so a previous canary's pods do not count in this one. */
async function atRest(env: Env, app: AppConfig): Promise<void> {
    await waitFor(
        "the Rollout to be at rest on its stable ReplicaSet",
        120000,
        () => {
            const stable: string | undefined = env.kubectl.get("rollout", DEMO.name, DEMO.namespace)?.status?.stableRS;
            const sets = env.kubectl.list("replicaset", DEMO.namespace, "rollouts-pod-template-hash");
            const hash = (rs: any) => rs.metadata.labels["rollouts-pod-template-hash"];
            const ok =
                sets.some((rs) => hash(rs) === stable && (rs.status?.readyReplicas ?? 0) === app.replicas) &&
                sets.every((rs) => hash(rs) === stable || (rs.status?.replicas ?? 0) === 0);
            return ok ? true : undefined;
        },
        500,
    );
}

/**
 * Changes the image through the Deployment, as an operator's CI would, and watches the canary to its outcome.
 * At every setWeight step the ladder gets past, the ready canary and stable pods must be what
 * model/canaryShare.ts predicts for `app`.
 */
export async function runCanary(env: Env, scenario: CanaryScenario, app: AppConfig): Promise<ScenarioResult> {
    const image = demoImage(scenario.tag);
    setBehaviour(env, image, scenario.behaviour);
    if (scenario.fromRest) await atRest(env, app);
    if (scenario.probes && !scenario.errorsBeforehand) await cleanWindow(env);
    const before = env.kubectl.get("rollout", DEMO.name, DEMO.namespace);
    const previousStable: string = before.status.stableRS;
    // After an abort the aborted canary's hash is still current until the controller sees the new image.
    const previousCanary: string | undefined = before.status.currentPodHash;
    env.log(`${scenario.name}: set image ${image} (expect ${scenario.expected})`);
    env.kubectl.run(setImageArgs(image));
    const observer = new RolloutObserver(env.kubectl, DEMO.namespace, DEMO.name, previousStable, previousCanary ? [previousCanary] : []);
    const events: TimelineEvent[] = [{ t: 0, kind: "image-change", label: `image ${scenario.tag}` }];
    observer.start();
    const sampler = new SplitSampler(env.kubeconfig, DEMO.namespace, DEMO.name);
    await sampler.start();

    const probed: Record<string, number[]> = {};
    let probing = true;
    const probeLoop = (async () => {
        while (probing && scenario.probes) {
            const canaryHash: string | undefined = observer.latest?.status?.currentPodHash;
            const isNew = canaryHash && canaryHash !== previousStable && canaryHash !== previousCanary;
            const probes = isNew ? scenario.probes(canaryHash) : {};
            for (const [name, promql] of Object.entries(probes)) {
                const values = await query(PROMETHEUS_PORT, promql).catch(() => []);
                if (values.length > 0 && Number.isFinite(values[0])) (probed[name] ??= []).push(values[0]);
            }
            await sleep(1000);
        }
    })();
    const during = scenario.during?.(env, observer, events);

    let outcome: Outcome | undefined;
    let error: string | undefined;
    try {
        outcome = await waitFor(
            `${scenario.name} to be promoted, aborted or paused`,
            (scenario.timeoutSeconds ?? 240) * 1000,
            () => outcomeOf(observer.sample(), previousStable, () => observer.analysisRuns(), previousCanary),
            500,
        );
    } catch (err) {
        error = (err as Error).message;
    }
    const seconds = observer.seconds();
    if (outcome) events.push({ t: seconds, kind: outcome, label: outcome });
    probing = false;
    await probeLoop;
    await during;
    const check = await scenario.check?.({ env, observer, split: sampler.samples, outcome, seconds, previousStable });
    observer.stop();
    await sampler.stop();

    const runs = observer.analysisRuns().map((r) => `${r.metadata.name}: ${r.status?.phase ?? "?"}`);
    const shares = observedShares(sampler.samples, app);
    // The value each query had when the analysis decided: the last sample before the outcome.
    const last = (name: string) => probed[name]?.at(-1);
    const observed =
        `${outcome} after ${seconds}s; analysis runs: ${runs.join(", ") || "none"}; pods at each setWeight: ${sharesText(shares)}` +
        (check ? `; ${check.text}` : "");
    return {
        name: scenario.name,
        image,
        expected: `${scenario.expectedText}; at each setWeight step the ready canary and stable pods the model predicts`,
        observed: error ?? observed,
        passed: outcome === scenario.expected && shares.every((c) => c.matches) && (check?.passed ?? true),
        seconds,
        maxWeight: observer.maxWeight(),
        samples: observer.samples,
        measurements: observer.measurements(),
        events,
        extra: {
            ...scenario.extra,
            ...check?.extra,
            ...Object.fromEntries(Object.keys(probed).map((k) => [k, last(k)])),
            shares: shares.map((c) => ({ step: c.step, setWeight: c.setWeight, observed: c.observed, model: c.model })),
        },
    };
}

const healthy = (latency = BASE_LATENCY_SECONDS): Behaviour => ({ errorRate: 0, latencySeconds: latency });

/** The no-traffic canary stays paused past the progress deadline: the deadline does not run while a Rollout is paused. */
function pausedPastDeadline(app: AppConfig): (run: CanaryRun) => Promise<Check> {
    const hold = app.progressDeadlineSeconds + 5;
    return async ({ env, outcome }) => {
        if (outcome !== "paused") return { text: "not paused, nothing to hold", passed: false };
        await sleep(hold * 1000);
        const status = env.kubectl.get("rollout", DEMO.name, DEMO.namespace)?.status ?? {};
        const paused = pausedInconclusive(status);
        return {
            text:
                `${hold}s later (progressDeadlineSeconds ${app.progressDeadlineSeconds}): phase ${status.phase}, ` +
                `pause conditions ${(status.pauseConditions ?? []).map((c: any) => c.reason).join(", ") || "none"}, ${status.abort ? "aborted" : "not aborted"}`,
            passed: paused && !status.abort,
        };
    };
}

export function canaryScenarios(app: AppConfig): CanaryScenario[] {
    const predictedAbortSeconds = brokenRelease(app).seconds;
    const detection = (injected: number) => {
        const { probes, extra } = errorDetection(injected, 0, errorThreshold(app));
        return { probes, extra: { ...extra, predictedAbortSeconds } };
    };
    return [
        { name: "healthy image", tag: "v2", behaviour: healthy(), expected: "promoted", expectedText: "promoted to 100%, analysis Successful" },
        {
            name: "image failing 30% of requests",
            tag: "v3",
            behaviour: { errorRate: 0.3, latencySeconds: BASE_LATENCY_SECONDS },
            expected: "aborted",
            expectedText: "aborted, traffic back on stable",
            ...detection(0.3),
        },
        {
            name: "image failing 5% of requests",
            tag: "v4",
            behaviour: { errorRate: 0.05, latencySeconds: BASE_LATENCY_SECONDS },
            expected: "aborted",
            expectedText: "caught by the canary-scoped error rate",
            ...detection(0.05),
        },
        {
            name: "image with 2x latency",
            tag: "v5",
            behaviour: healthy(2 * BASE_LATENCY_SECONDS),
            expected: "aborted",
            expectedText: "caught by the p95 latency metric",
        },
        {
            name: "no traffic to the canary",
            tag: "v6",
            behaviour: { ...healthy(), noTraffic: true },
            expected: "paused",
            expectedText: "never promoted: inconclusive, paused, and still paused past the progress deadline (it does not run while paused)",
            check: pausedPastDeadline(app),
        },
        {
            name: "Prometheus stopped during analysis",
            tag: "v7",
            behaviour: healthy(),
            expected: "aborted",
            expectedText: "never promoted: measurements error, the analysis errors, the canary aborts",
            during: async (env, observer, events) => {
                await waitFor(
                    "the canary to reach its first analysis step",
                    120000,
                    () => ((observer.latest?.status?.currentStepIndex ?? 0) >= 2 ? true : undefined),
                    250,
                );
                await stopPrometheus(env);
                events.push({ t: observer.seconds(), kind: "prometheus-stopped", label: "Prometheus stopped" });
                await waitFor("the canary to be aborted", 180000, () => (observer.latest?.status?.abort ? true : undefined), 500).catch(() => undefined);
                await restartPrometheus(env);
                events.push({ t: observer.seconds(), kind: "prometheus-started", label: "Prometheus back" });
            },
        },
        neverReadyScenario(app),
    ];
}
