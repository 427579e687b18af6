import { promDurationSeconds } from "../model/duration";
import { durationText } from "../model/scrapeWindow";
import { defaultWatchdogWindow, firstTrafficStep, watchdogStartingStep } from "../model/watchdog";
import { WATCHDOG_DEFAULTS } from "./defaults";
import { MetricContext, parseMetric, parseMetricDefaults } from "./metrics";
import { AnalysisMode, CanaryStep, MetricConfig, WatchdogConfig } from "./types";
import { fail, isObj, list, Obj, obj, show } from "./reader";

/** What the watchdog may set for every metric it re-measures. */
const TIMING_KEYS = ["interval", "initialDelay", "window", "failureLimit", "inconclusiveLimit", "consecutiveErrorLimit", "minRequests"] as const;
const WATCHDOG_KEYS = ["metrics", ...TIMING_KEYS];
/**
 * Timing keys each metric keeps (its own, else the analysis's) unless the watchdog sets them: how many
 * inconclusive or errored measurements in a row the app tolerates does not change with the window.
 */
const INHERITED_KEYS: readonly string[] = ["inconclusiveLimit", "consecutiveErrorLimit"];
const BUILTIN_KINDS = ["successRate", "errorRate", "latencyP95", "targetsUp"];

/** Keys of a metric and of the analysis defaults that the watchdog replaces (count too: a background run goes on until the ladder ends). */
function replacedKeys(watchdog: Obj): string[] {
    return ["count", ...TIMING_KEYS.filter((key) => !INHERITED_KEYS.includes(key) || watchdog[key] !== undefined)];
}

export interface WatchdogContext {
    /** The raw `analysis` block (its `metrics` list is what the watchdog picks from). */
    analysis: Obj;
    analysisPath: string;
    mode: AnalysisMode;
    steps: CanaryStep[];
    stepsPath: string;
    metrics: Omit<MetricContext, "mode" | "defaults">;
}

/** Names of the analysis's enabled metrics (disabled ones are not measured inline either). */
function enabledMetrics(analysis: Obj): Obj[] {
    return list(analysis.metrics, "")
        .filter(isObj)
        .filter((m) => m.enabled !== false);
}

function chosen(watchdog: Obj, path: string, available: Obj[]): Obj[] {
    const names = available.map((m) => m.name as string);
    if (watchdog.metrics === undefined) {
        const builtins = available.filter((m) => BUILTIN_KINDS.includes(m.kind as string));
        if (builtins.length === 0) {
            fail(
                `${path}.metrics`,
                `missing (the analysis has no enabled built-in metric to watch by default; name the metrics to watch, of: ${names.join(", ")})`,
            );
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

/** The analysis's own defaults (canaryScoped, prometheusAddress, the inherited limits), with the watchdog's timing in place of the rest. */
function defaults(watchdog: Obj, analysis: Obj, scrapeInterval: string | undefined): Obj {
    const replaced = replacedKeys(watchdog);
    const kept = Object.entries(parseMetricDefaults(analysis)).filter(([key]) => !replaced.includes(key));
    const set: Obj = {};
    for (const key of TIMING_KEYS) if (watchdog[key] !== undefined) set[key] = watchdog[key];
    const merged: Obj = {
        ...Object.fromEntries(kept),
        interval: WATCHDOG_DEFAULTS.interval,
        window: defaultWatchdogWindow(scrapeInterval),
        failureLimit: WATCHDOG_DEFAULTS.failureLimit,
        minRequests: WATCHDOG_DEFAULTS.minRequests,
        ...set,
    };
    if (merged.initialDelay === undefined) {
        // The first measurement waits for a whole window of canary traffic (an invalid window is reported by the metric's parse).
        const window = typeof merged.window === "string" ? promDurationSeconds(merged.window) : undefined;
        if (window) merged.initialDelay = durationText(window);
    }
    return merged;
}

/** The watchdog's startingStep, or a refusal when the ladder leaves it nothing to watch. */
function startingStep(path: string, steps: CanaryStep[], stepsPath: string): number {
    const first = firstTrafficStep(steps);
    if (first === -1) fail(path, `the ladder (${stepsPath}) has no setWeight above 0: the canary never serves traffic to watch`);
    const start = watchdogStartingStep(steps);
    if (start >= steps.length) {
        const step = steps[first] as { setWeight: number };
        fail(
            path,
            `the ladder's first setWeight above 0 is its last step (${stepsPath}[${first}], setWeight ${step.setWeight}): the watchdog starts ` +
                "once that step's canary pods are Ready, and the rollout is promoted as that step completes, so it would never measure; " +
                "add a pause after that step, or leave the watchdog out",
        );
    }
    return start;
}

/** `analysis.watchdog`: which of the analysis's metrics to re-measure, and how often over what window. */
export function parseWatchdog(value: unknown, path: string, ctx: WatchdogContext): WatchdogConfig {
    const watchdog = obj(value, path, WATCHDOG_KEYS);
    if (ctx.mode !== "inline") {
        fail(
            path,
            `only with mode inline (mode ${ctx.mode} already runs the app's template beside the ladder; give its metrics a shorter interval and window instead)`,
        );
    }
    const start = startingStep(path, ctx.steps, ctx.stepsPath);
    const replaced = replacedKeys(watchdog);
    const metricContext: MetricContext = { ...ctx.metrics, mode: "background", defaults: defaults(watchdog, ctx.analysis, ctx.metrics.scrapeInterval) };
    // A window shorter than the app's scrapes allow is refused by parseMetric, at `${path}.window` (where the watchdog's window is written).
    const metrics = chosen(watchdog, path, enabledMetrics(ctx.analysis)).map((raw) => {
        const own = Object.fromEntries(Object.entries(raw).filter(([key]) => !replaced.includes(key)));
        const index = list(ctx.analysis.metrics, "").indexOf(raw);
        return parseMetric(own, `${ctx.analysisPath}.metrics[${index}]`, metricContext, path) as MetricConfig;
    });
    return { startingStep: start, metrics };
}
