import { WATCHDOG_DEFAULTS } from "../stacks/defaults";
import { AppConfig, BuiltinMetric, CanaryStep, WatchdogConfig } from "../stacks/types";
import { durationText, minWindowSeconds } from "./scrapeWindow";

/**
 * The watchdog's default window: 30 s, or four scrapes of the app when that is longer (1m at the
 * default 15 s), the shortest window config accepts for a rate (model/scrapeWindow.ts). A broken
 * canary fails its second measurement one window and one interval after the watchdog starts.
 */
export function defaultWatchdogWindow(scrapeInterval: string | undefined): string {
    return durationText(Math.ceil(Math.max(WATCHDOG_DEFAULTS.minWindowSeconds, minWindowSeconds(scrapeInterval))));
}

/** Index of the ladder's first setWeight above 0, or -1. */
export function firstTrafficStep(steps: CanaryStep[]): number {
    return steps.findIndex((s) => "setWeight" in s && s.setWeight > 0);
}

/**
 * The watchdog's `startingStep`: the step after the first setWeight above 0. Argo Rollouts v1.8.3
 * starts a background run as soon as the current step index reaches `startingStep`
 * (`reconcileBackgroundAnalysisRun` in rollout/analysis.go, `BeforeStartingStep` in
 * utils/replicaset/canary.go), so starting at the setWeight itself would measure before any canary
 * pod is Ready. The ladder leaves a setWeight step only when `completedCurrentCanaryStep`
 * (rollout/canary.go) finds `AtDesiredReplicaCountsForCanary` (utils/replicaset/canary.go): the canary
 * ReplicaSet at its desired count with that many pods available (`allDesiredAreAvailable`), so its
 * pods are Ready and behind the Services when the run starts. -1 when no step serves the canary;
 * the step count when that setWeight is the last step (nothing is left to watch).
 */
export function watchdogStartingStep(steps: CanaryStep[]): number {
    const first = firstTrafficStep(steps);
    return first === -1 ? -1 : first + 1;
}

/**
 * The watchdog `watchdog: {}` would add, for the exposure model: the app's built-in metrics with the
 * default timing. Undefined where config would refuse it (background mode, no built-in metric, no
 * traffic step, nothing after it). The queries are not rewritten: the model reads only the timing.
 */
export function defaultWatchdog(app: AppConfig): WatchdogConfig | undefined {
    if (app.analysis.mode !== "inline" || app.analysis.watchdog) return undefined;
    const startingStep = watchdogStartingStep(app.steps);
    const builtins = app.analysis.metrics.filter((m): m is BuiltinMetric => m.kind !== "custom");
    if (startingStep === -1 || startingStep >= app.steps.length || builtins.length === 0) return undefined;
    const window = defaultWatchdogWindow(app.metrics?.scrapeInterval);
    const metrics = builtins.map((m): BuiltinMetric => ({
        ...m,
        interval: WATCHDOG_DEFAULTS.interval,
        count: undefined,
        initialDelay: window,
        failureLimit: WATCHDOG_DEFAULTS.failureLimit,
        window,
        minRequests: WATCHDOG_DEFAULTS.minRequests,
    }));
    return { startingStep, metrics };
}

/** The budget's advice to add `watchdog: {}`, with what it measures: "... every 15s over 1m beside the ladder". */
export function defaultWatchdogAdvice(app: AppConfig): string {
    return `add analysis.watchdog: {} (its built-in metrics every ${WATCHDOG_DEFAULTS.interval} over ${defaultWatchdogWindow(app.metrics?.scrapeInterval)} beside the ladder)`;
}
