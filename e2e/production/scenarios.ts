/**
 * The production phase's canaries: images whose pods take 40 s to become
 * Ready, on Pulumi.prod.yaml's gates and watchdog. Each check puts the
 * model's prediction (model/exposure.ts, on the same app config) beside the
 * observation; they must agree within one interval of the analysis that
 * decides.
 */
import { brokenRelease, formatSeconds, healthyRelease } from "../../model/exposure";
import { intervalSeconds } from "../../model/exposureTimeline";
import { AppConfig, MetricConfig } from "../../stacks/types";
import { BASE_LATENCY_SECONDS } from "../environment";
import { CanaryRun, CanaryScenario, Check } from "../scenarios";
import { Behaviour } from "../traffic/split";
import { slowTag } from "./config";

const healthy: Behaviour = { errorRate: 0, latencySeconds: BASE_LATENCY_SECONDS };

/** The runs of this canary, as `name (Background|Step): phase [failed metrics]`. */
function runsText(run: CanaryRun): { text: string; failed: { type: string; metric: string }[]; phases: string[] } {
    const runs = run.observer.analysisRuns();
    const failed = runs.flatMap((r) =>
        (r.status?.metricResults ?? [])
            .filter((m: any) => m.phase === "Failed")
            .map((m: any) => ({ type: r.metadata.labels?.["rollout-type"] ?? "?", metric: m.name })),
    );
    const text = runs.map((r) => `${r.metadata.labels?.["rollout-type"] ?? "?"} ${r.status?.phase ?? "?"}`).join(", ");
    return { text, failed, phases: runs.map((r) => r.status?.phase ?? "?") };
}

function within(observed: number, predicted: number, slack: number): boolean {
    return Math.abs(observed - predicted) <= slack;
}

/** The app with only `metric` failing: what the model predicts when that gate alone sees the release. */
function onlyGate(app: AppConfig, name: string): AppConfig {
    return { ...app, analysis: { ...app.analysis, watchdog: undefined, metrics: app.analysis.metrics.filter((m) => m.name === name) } };
}

/** The counter a custom gate's query reads (its first `*_total` series). */
function gateCounter(metric: MetricConfig): string {
    const query = "query" in metric ? metric.query : "";
    const counter = /([a-zA-Z_:][a-zA-Z0-9_:]*_total)\b/.exec(query)?.[1];
    if (!counter) throw new Error(`${metric.name}: no *_total counter in its query`);
    return counter;
}

export function productionScenarios(app: AppConfig): CanaryScenario[] {
    const watchdog = app.analysis.watchdog;
    if (!watchdog) throw new Error(`${app.name}: Pulumi.prod.yaml's app has no watchdog`);
    const inline = intervalSeconds(app.analysis.metrics[0]);
    const watchdogInterval = intervalSeconds(watchdog.metrics[0]);
    const ladder = healthyRelease(app);
    const broken = brokenRelease(app);
    const gate = app.analysis.metrics.find((m) => m.kind === "custom" && m.provider === "prometheus");
    if (!gate) throw new Error(`${app.name}: no custom Prometheus gate`);
    const gateBroken = brokenRelease(onlyGate(app, gate.name));
    return [
        {
            name: "production: healthy image, pods Ready after 40 s, prod's gates and watchdog",
            tag: slowTag("v2"),
            behaviour: healthy,
            expected: "promoted",
            timeoutSeconds: ladder.bestSeconds + 300,
            expectedText: `promoted, never paused or aborted, every AnalysisRun Successful; the model: promoted ${formatSeconds(ladder.bestSeconds)} after the image change (within ${inline}s)`,
            extra: { predictedSeconds: ladder.bestSeconds },
            check: async (run): Promise<Check> => {
                const runs = runsText(run);
                return {
                    text: `runs: ${runs.text}; model ${ladder.bestSeconds}s, observed ${run.seconds}s`,
                    passed: runs.phases.length > 0 && runs.phases.every((p) => p === "Successful") && within(run.seconds, ladder.bestSeconds, inline),
                };
            },
        },
        {
            name: "production: image failing 30% of requests, pods Ready after 40 s, prod's watchdog",
            tag: slowTag("v3"),
            behaviour: { errorRate: 0.3, latencySeconds: BASE_LATENCY_SECONDS },
            expected: "aborted",
            timeoutSeconds: broken.seconds + 180,
            expectedText: `aborted by the watchdog's background run; the model: at ${broken.seconds}s, ${broken.maxWeight}% of traffic (within ${watchdogInterval}s)`,
            extra: { predictedAbortSeconds: broken.seconds, injectedErrorRate: 0.3 },
            check: async (run): Promise<Check> => {
                const runs = runsText(run);
                const byWatchdog = runs.failed.some((f) => f.type === "Background");
                return {
                    text: `runs: ${runs.text}; failed: ${runs.failed.map((f) => `${f.metric} (${f.type})`).join(", ") || "none"}; model ${broken.seconds}s, observed ${run.seconds}s`,
                    passed: byWatchdog && within(run.seconds, broken.seconds, watchdogInterval),
                };
            },
        },
        {
            name: `production: a counter created at its first failure (${gateCounter(gate)} counts 1 once per pod), caught by ${gate.name}`,
            tag: slowTag("v4"),
            behaviour: { ...healthy, failuresAtStart: { [gateCounter(gate)]: 1 } },
            expected: "aborted",
            timeoutSeconds: gateBroken.seconds + 240,
            expectedText: `aborted by ${gate.name} in the ladder's analysis step; the model: at ${gateBroken.seconds}s (within ${inline}s)`,
            extra: { predictedAbortSeconds: gateBroken.seconds },
            check: async (run): Promise<Check> => {
                const runs = runsText(run);
                const byGate = runs.failed.some((f) => f.metric === gate.name);
                return {
                    text: `runs: ${runs.text}; failed: ${runs.failed.map((f) => `${f.metric} (${f.type})`).join(", ") || "none"}; model ${gateBroken.seconds}s, observed ${run.seconds}s`,
                    passed: byGate && within(run.seconds, gateBroken.seconds, inline),
                };
            },
        },
    ];
}
