import { AppConfig, BuiltinMetric, MetricConfig, WatchdogConfig } from "../stacks/types";
import { goDurationSeconds, promDurationSeconds } from "./duration";

/**
 * The watchdog's measurement defaults (`analysis.watchdog`, stacks/watchdog.ts): every 15 s over
 * the last 30 s, the first time once the canary has served a whole window. A broken canary fails
 * its second measurement 45 s after its first traffic (450 %·s at 10%). A 30 s `rate()` needs the
 * app scraped at least every 15 s (two samples in the window).
 */
export const WATCHDOG_DEFAULTS = {
    interval: "15s",
    window: "30s",
    failureLimit: 1,
    /** Fewer requests than the analysis's default: the window is shorter. */
    minRequests: 10,
};

const isWindowed = (m: MetricConfig) => m.kind !== "custom" && m.kind !== "targetsUp";

/**
 * The watchdog `watchdog: {}` would add, for the exposure model: the app's built-in metrics with the
 * default timing. Undefined where config would refuse it (background mode, no built-in metric, no
 * traffic step, a window shorter than two scrapes). The queries are not rewritten: the model reads
 * only the timing.
 */
export function defaultWatchdog(app: AppConfig): WatchdogConfig | undefined {
    if (app.analysis.mode !== "inline" || app.analysis.watchdog) return undefined;
    const startingStep = app.steps.findIndex((s) => "setWeight" in s && s.setWeight > 0);
    const builtins = app.analysis.metrics.filter((m): m is BuiltinMetric => m.kind !== "custom");
    const scrape = app.metrics ? goDurationSeconds(app.metrics.scrapeInterval) ?? 0 : 0;
    const window = promDurationSeconds(WATCHDOG_DEFAULTS.window) ?? 0;
    if (startingStep === -1 || builtins.length === 0 || (builtins.some(isWindowed) && window < 2 * scrape)) return undefined;
    const metrics = builtins.map((m): BuiltinMetric => ({
        ...m, interval: WATCHDOG_DEFAULTS.interval, count: undefined, initialDelay: `${window}s`, failureLimit: WATCHDOG_DEFAULTS.failureLimit,
        window: WATCHDOG_DEFAULTS.window,
        minRequests: WATCHDOG_DEFAULTS.minRequests,
    }));
    return { startingStep, metrics };
}
