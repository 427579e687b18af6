import { goDurationSeconds, promDurationSeconds } from "../model/duration";
import { WATCHDOG_DEFAULTS } from "../model/watchdog";
import { MetricContext, parseMetric, parseMetricDefaults } from "./metrics";
import { AnalysisMode, CanaryStep, MetricConfig, WatchdogConfig } from "./types";
import { fail, isObj, list, Obj, obj, show } from "./reader";

/** What the watchdog sets for every metric it re-measures; the rest of each metric (kind, threshold, query) is the analysis's own. */
const TIMING_KEYS = ["interval", "initialDelay", "window", "failureLimit", "inconclusiveLimit", "consecutiveErrorLimit", "minRequests"] as const;
const WATCHDOG_KEYS = ["metrics", ...TIMING_KEYS];
/** Keys of a metric the watchdog replaces (count too: a background run goes on until the ladder ends). */
const REPLACED_KEYS = ["count", ...TIMING_KEYS];
const BUILTIN_KINDS = ["successRate", "errorRate", "latencyP95", "targetsUp"];

export interface WatchdogContext {
    /** The raw `analysis` block (its `metrics` list is what the watchdog picks from). */
    analysis: Obj;
    analysisPath: string;
    mode: AnalysisMode;
    steps: CanaryStep[];
    stepsPath: string;
    metrics: Omit<MetricContext, "mode" | "defaults">;
    /** The app's `metrics.scrapeInterval`, when Prometheus scrapes it. */
    scrapeInterval?: string;
}

function firstTrafficStep(steps: CanaryStep[]): number {
    return steps.findIndex((s) => "setWeight" in s && s.setWeight > 0);
}

/** Names of the analysis's enabled metrics (disabled ones are not measured inline either). */
function enabledMetrics(analysis: Obj): Obj[] {
    return list(analysis.metrics, "").filter(isObj).filter((m) => m.enabled !== false);
}

function chosen(watchdog: Obj, path: string, available: Obj[]): Obj[] {
    const names = available.map((m) => m.name as string);
    if (watchdog.metrics === undefined) {
        const builtins = available.filter((m) => BUILTIN_KINDS.includes(m.kind as string));
        if (builtins.length === 0) {
            fail(`${path}.metrics`, `missing (the analysis has no enabled built-in metric to watch by default; name the metrics to watch, of: ${names.join(", ")})`);
        }
        return builtins;
    }
    const picked = list(watchdog.metrics, `${path}.metrics`);
    if (picked.length === 0) fail(`${path}.metrics`, "[] is empty (leave it out to watch every built-in metric of the analysis)");
    return picked.map((name, i) => {
        const found = available.find((m) => m.name === name);
        if (!found) fail(`${path}.metrics[${i}]`, `${show(name)} is not an enabled metric of the analysis (its enabled metrics: ${names.join(", ")})`);
        return found;
    });
}

/** The analysis's own defaults (canaryScoped, prometheusAddress), with the watchdog's timing in place of its own. */
function defaults(watchdog: Obj, analysis: Obj): Obj {
    const kept = Object.entries(parseMetricDefaults(analysis)).filter(([key]) => !REPLACED_KEYS.includes(key));
    const set: Obj = {};
    for (const key of TIMING_KEYS) if (watchdog[key] !== undefined) set[key] = watchdog[key];
    const merged: Obj = { ...Object.fromEntries(kept), ...WATCHDOG_DEFAULTS, ...set };
    if (merged.initialDelay === undefined) {
        // The first measurement waits for a whole window of canary traffic (an invalid window is reported by the metric's parse).
        const window = typeof merged.window === "string" ? promDurationSeconds(merged.window) : undefined;
        if (window) merged.initialDelay = `${window}s`;
    }
    return merged;
}

/** `analysis.watchdog`: which of the analysis's metrics to re-measure, and how often over what window. */
export function parseWatchdog(value: unknown, path: string, ctx: WatchdogContext): WatchdogConfig {
    const watchdog = obj(value, path, WATCHDOG_KEYS);
    if (ctx.mode !== "inline") {
        fail(path, `only with mode inline (mode ${ctx.mode} already runs the app's template beside the ladder; give its metrics a shorter interval and window instead)`);
    }
    const startingStep = firstTrafficStep(ctx.steps);
    if (startingStep === -1) fail(path, `the ladder (${ctx.stepsPath}) has no setWeight above 0: the canary never serves traffic to watch`);
    const metricContext: MetricContext = { ...ctx.metrics, mode: "background", defaults: defaults(watchdog, ctx.analysis) };
    const metrics = chosen(watchdog, path, enabledMetrics(ctx.analysis)).map((raw) => {
        const own = Object.fromEntries(Object.entries(raw).filter(([key]) => !REPLACED_KEYS.includes(key)));
        const index = list(ctx.analysis.metrics, "").indexOf(raw);
        return parseMetric(own, `${ctx.analysisPath}.metrics[${index}]`, metricContext, path) as MetricConfig;
    });
    checkWindow(metrics, path, watchdog, ctx.scrapeInterval);
    return { startingStep, metrics };
}

/** `rate()` over a window needs two samples in it: a window shorter than two scrapes is never measured. */
function checkWindow(metrics: MetricConfig[], path: string, watchdog: Obj, scrapeInterval: string | undefined): void {
    const scrape = scrapeInterval ? goDurationSeconds(scrapeInterval) : undefined;
    const windowed = metrics.find((m) => m.kind !== "custom" && m.kind !== "targetsUp");
    if (!scrape || !windowed || windowed.kind === "custom") return;
    const window = promDurationSeconds(windowed.window) ?? 0;
    if (window >= 2 * scrape) return;
    const given = watchdog.window === undefined ? " (the default)" : "";
    fail(`${path}.window`, `${show(windowed.window)}${given} holds fewer than two scrapes of the app (metrics.scrapeInterval ${scrapeInterval}), so rate() has no value; `
        + `use a window of at least ${2 * scrape}s or scrape more often`);
}
