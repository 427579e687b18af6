// The exposure model's test ladders and helpers (test/exposure*.test.ts, test/exposureLadders.ts): the demo app parsed as a stack
// would have it, steps, metrics, and the shapes of the expected outcomes.
import { parseStackConfig } from "../stacks";
import { AnalysisMode, AppConfig, BuiltinMetric, CanaryStep, MeasurementSettings, MetricConfig } from "../stacks/types";
import { existingPlatform, validApp } from "./fixtures";
/** 4 replicas, no traffic routing: setWeight 10 runs at 20% (1 canary pod of 5), setWeight 50 at 50%; pods Ready in 30 s (the default). */
export const parsed = parseStackConfig({ platform: existingPlatform(), apps: [validApp()] }).apps[0];
/** The same with pods Ready the moment they exist: the model before it knew start-up time, and its figures. */
export const base: AppConfig = { ...parsed, podReadySeconds: 0 };
/** The same app behind nginx routing: every weight runs as written. */
export const routed: AppConfig = { ...base, stableIngress: "demo" };
/** Routed, gated by its 2m error rate alone, with a 5-minute first pause before the first analysis step. */
export const longFirstPause = (() => {
    const raw = { ...validApp(), stableIngress: "demo" };
    raw.analysis.metrics = [raw.analysis.metrics[1]];
    raw.steps[1] = { pause: { duration: "5m" } };
    return parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0];
})();

export const w = (setWeight: number): CanaryStep => ({ setWeight });
export const pause = (seconds?: number): CanaryStep => ({ pause: seconds === undefined ? {} : { duration: `${seconds}s` } });
export const A: CanaryStep = { analysis: { templates: [] } };
export const other: CanaryStep = { analysis: { templates: [{ templateName: "smoke" }] } };

export const SETTINGS: MeasurementSettings = { interval: "30s", count: 3, failureLimit: 1, inconclusiveLimit: 1, consecutiveErrorLimit: 2 };

export function custom(settings: Partial<MeasurementSettings> = {}): MetricConfig {
    return {
        name: "custom",
        kind: "custom",
        provider: "prometheus",
        prometheusAddress: "http://prometheus:9090",
        query: "vector(1)",
        successCondition: "result[0] == 1",
        ...SETTINGS,
        ...settings,
    };
}

export function builtin(kind: BuiltinMetric["kind"], window: string, settings: Partial<MeasurementSettings> = {}): MetricConfig {
    return {
        name: kind.toLowerCase(),
        kind,
        provider: "prometheus",
        prometheusAddress: "http://prometheus:9090",
        threshold: 0.01,
        window,
        minRequests: 20,
        canaryScoped: true,
        query: "vector(0)",
        ...SETTINGS,
        ...settings,
    };
}

/** A ladder with traffic routing, so that the rows below test the timeline with every weight as written. */
export function ladder(steps: CanaryStep[], metrics: MetricConfig[], mode: AnalysisMode = "inline", startingStep?: number): AppConfig {
    return { ...routed, steps, analysis: { mode, startingStep, metrics } };
}

export const neverAborted = (steps: number, seconds: number) => ({ step: steps, weight: 100, seconds, aborted: false, maxWeight: 100, exposure: Infinity });
export const aborted = (step: number, weight: number, seconds: number, maxWeight: number, exposure: number) => ({
    step,
    weight,
    seconds,
    aborted: true,
    maxWeight,
    exposure,
});
export const waits = (step: number, weight: number, seconds: number) => ({ step, weight, seconds, waits: true });
export const neverWaits = (steps: number, seconds: number) => ({ step: steps, weight: 100, seconds, waits: false });
export const healthy = (bestSeconds: number, worstSeconds: number, humanPauses: number[] = [], untimedAnalyses: number[] = []) => ({
    bestSeconds,
    worstSeconds,
    humanPauses,
    untimedAnalyses,
});
/** Pods never Ready: the ladder stops at `step` and the progress deadline (600 s unless set) aborts, or a run gives up first. */
export const abortsAt = (step: number, seconds: number) => ({ step, outcome: "aborted" as const, seconds });
export const pausesAt = (step: number, seconds: number) => ({ step, outcome: "paused" as const, seconds });

export const LADDER = [w(10), pause(60), A, w(50), pause(30), A];
export const BRIEF = [w(25), pause(60), w(50), pause(60), w(75), pause(60)];
