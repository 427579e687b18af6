import { AppConfig, CanaryStep, MetricConfig } from "../stacks/types";
import { goDurationSeconds, pauseSeconds, promDurationSeconds } from "./duration";
import { appScaling } from "./ladderShares";
import { RolloutClock, TrafficSpan } from "./podStartup";

/**
 * The ladder laid out in time, with the canary's traffic as its pods start
 * (podStartup.ts), and when an AnalysisRun's measurements reach a limit. The
 * scenarios in `exposure.ts` are this one timeline cut short at the first run
 * that fails or gives up; see the assumptions there.
 */

/** One ladder step: `[start, end)` in seconds from the image change. A step that adds pods ends once they are Ready. */
export interface StepSpan {
    start: number;
    end: number;
    /** The last setWeight reached, as written. */
    setWeight: number;
}

/** One AnalysisRun of the app's own template. */
export interface RunSpan {
    start: number;
    /** A measurement at or after this moment is never taken: the ladder has completed and terminated the run. */
    deadline: number;
    /** The analysis step it blocks, or for background analysis its startingStep. */
    step: number;
    inline: boolean;
    /** The watchdog's run measures its own metrics; every other run the app's template. */
    metrics?: MetricConfig[];
}

export interface Timeline {
    steps: StepSpan[];
    /** When the canary is promoted to 100%: after the last step, once every one of its pods is available. */
    end: number;
    runs: RunSpan[];
    /** Indexes of pauses without duration; each takes 0 seconds here. */
    humanPauses: number[];
    /** Indexes of analysis steps that run other templates, which the model cannot see: each takes 0 seconds and passes. */
    untimedAnalyses: number[];
    /** The canary's share of requests from the image change to the promotion (its last span ends at Infinity). */
    traffic: TrafficSpan[];
}

/** A moment the ladder stops: the step it is at and the time. */
export interface LadderEvent {
    step: number;
    seconds: number;
}

export function isOwnAnalysis(step: CanaryStep): boolean {
    return "analysis" in step && step.analysis.templates.length === 0;
}

function stepSeconds(step: CanaryStep, runSeconds: number): number {
    if ("pause" in step) return pauseSeconds(step.pause.duration) ?? 0;
    return isOwnAnalysis(step) ? runSeconds : 0;
}

/**
 * The background run: it starts once the ladder reaches startingStep (past the last step, during the full
 * promotion: `BeforeStartingStep` is false without a current step) and ends at the promotion
 * (`reconcileBackgroundAnalysisRun`, rollout/analysis.go).
 */
function backgroundRun(app: AppConfig, steps: StepSpan[], end: number): RunSpan[] {
    const watchdog = app.analysis.watchdog;
    const step = watchdog ? watchdog.startingStep : app.analysis.mode === "background" ? (app.analysis.startingStep ?? 0) : undefined;
    if (step === undefined) return [];
    const start = steps[step]?.start ?? ladderEnd(steps);
    return [{ start, deadline: end, step, inline: false, ...(watchdog ? { metrics: watchdog.metrics } : {}) }];
}

/** When the ladder has taken its last step (the full promotion may still wait for pods). */
export function ladderEnd(steps: StepSpan[]): number {
    return steps.length ? steps[steps.length - 1].end : 0;
}

/** The ladder when each inline run of the app's template takes `runSeconds`. */
export function timeline(app: AppConfig, runSeconds: number): Timeline {
    const clock = new RolloutClock(app);
    let setWeight = 0;
    const steps = app.steps.map((step, i): StepSpan => {
        if ("setWeight" in step) setWeight = step.setWeight;
        const start = clock.now;
        clock.enter({ step: i, aborted: false });
        if ("setWeight" in step || "setCanaryScale" in step) clock.runUntilStepDone();
        else clock.runUntil(start + stepSeconds(step, runSeconds));
        return { start, end: clock.now, setWeight };
    });
    clock.runUntilPromoted();
    const end = clock.now;
    const inline = app.steps.flatMap((step, i) => (isOwnAnalysis(step) ? [{ start: steps[i].start, deadline: Infinity, step: i, inline: true }] : []));
    return {
        steps,
        end,
        runs: [...inline, ...backgroundRun(app, steps, end)],
        humanPauses: app.steps.flatMap((step, i) => ("pause" in step && step.pause.duration === undefined ? [i] : [])),
        untimedAnalyses: app.steps.flatMap((step, i) => ("analysis" in step && !isOwnAnalysis(step) ? [i] : [])),
        traffic: clock.spans,
    };
}

export function delaySeconds(metric: MetricConfig): number {
    return metric.initialDelay ? (goDurationSeconds(metric.initialDelay) ?? 0) : 0;
}

export function intervalSeconds(metric: MetricConfig): number {
    return goDurationSeconds(metric.interval) ?? 0;
}

/**
 * Seconds of bad traffic before a measurement sees a broken canary: the
 * `rate()` window of the traffic built-ins; targetsUp reads `up` at an
 * instant, and custom and New Relic queries are opaque, so 0.
 */
export function signalDelaySeconds(metric: MetricConfig): number {
    if (metric.kind === "custom" || metric.kind === "targetsUp") return 0;
    return promDurationSeconds(metric.window) ?? 0;
}

/** Seconds from an AnalysisRun's start to its last measurement when every measurement passes (unset count: 1). */
export function analysisRunSeconds(metrics: MetricConfig[]): number {
    return Math.max(0, ...metrics.map((m) => delaySeconds(m) + intervalSeconds(m) * ((m.count ?? 1) - 1)));
}

/** Inline runs end after `count` measurements (config requires one; unset counts as 1, as in `analysisRunSeconds`). */
function runCount(run: RunSpan, metric: MetricConfig): number | undefined {
    return run.inline ? (metric.count ?? 1) : metric.count;
}

/** Float slack, so that 120/60 is 2 and not 2.0000000001. */
const EPSILON = 1e-9;

/**
 * When a metric of `run` records its `limit + 1`-th counted measurement, if
 * only measurements taken at or after `from` count (earlier ones pass);
 * undefined if the run ends first.
 */
export function metricLimitReached(run: RunSpan, metric: MetricConfig, from: number, limit: number): number | undefined {
    const first = run.start + delaySeconds(metric);
    const interval = intervalSeconds(metric);
    let skipped = 0;
    if (from > first) {
        if (interval <= 0) return undefined;
        skipped = Math.ceil((from - first) / interval - EPSILON);
    }
    const index = skipped + limit;
    const count = runCount(run, metric);
    if (count !== undefined && index >= count) return undefined;
    const at = first + index * interval;
    return at < run.deadline ? at : undefined;
}

/**
 * The first moment any run of the app's template (or the watchdog's) reaches `limit(metric) + 1`
 * counted measurements (Argo ends the whole run on its first such metric).
 * The step is the one the ladder is at: an inline run blocks its analysis
 * step; beside a background run, the ladder has already taken every step
 * that starts at that same second.
 */
export function firstLimitReached(
    line: Timeline,
    metrics: MetricConfig[],
    from: (m: MetricConfig) => number,
    limit: (m: MetricConfig) => number,
): LadderEvent | undefined {
    let first: LadderEvent | undefined;
    for (const run of line.runs) {
        for (const metric of run.metrics ?? metrics) {
            const seconds = metricLimitReached(run, metric, from(metric), limit(metric));
            if (seconds === undefined) continue;
            const step = run.inline ? run.step : stepAt(line, seconds);
            if (!first || seconds < first.seconds || (seconds === first.seconds && step < first.step)) first = { step, seconds };
        }
    }
    return first;
}

/** The step that runs at `seconds` (steps that start then have been taken); the step count once the ladder is over. */
export function stepAt(line: Timeline, seconds: number): number {
    const index = line.steps.findIndex((s) => s.start <= seconds && seconds < s.end);
    return index === -1 ? line.steps.length : index;
}

/** When the canary first serves traffic (its first Ready pod, or the router's first weight above 0), or Infinity. */
export function firstServedAt(line: Timeline): number {
    return line.traffic.find((s) => s.share > 0)?.start ?? Infinity;
}

/**
 * The traffic until `event`: spans that began by its second at a step up to its step (an inline run
 * blocks the ladder, so a step that would begin the second it fails never does).
 */
export function trafficUntil(line: Timeline, event: LadderEvent): TrafficSpan[] {
    return line.traffic.filter((s) => s.step <= event.step && s.start <= event.seconds);
}

/** The canary's share of requests (%) at `event`. */
export function shareAt(line: Timeline, event: LadderEvent): number {
    const spans = trafficUntil(line, event);
    return spans.length ? spans[spans.length - 1].share : 0;
}

/** Canary share % × seconds over `spans`, until `seconds`. */
export function weightSeconds(spans: TrafficSpan[], seconds = Infinity): number {
    return spans.reduce((sum, s) => sum + (s.share === 0 ? 0 : s.share * Math.max(0, Math.min(s.end, seconds) - s.start)), 0);
}

/**
 * The canary's traffic from an abort at `event` on: none with traffic routing (the router sends it
 * nothing at once); without it, its pods serve until the stable has pods Ready to replace them.
 */
export function abortTraffic(app: AppConfig, line: Timeline, event: LadderEvent): TrafficSpan[] {
    const spans = trafficUntil(line, event);
    if (appScaling(app).trafficRouting || spans.length === 0) return [];
    const clock = new RolloutClock(app, { pods: spans[spans.length - 1].pods, now: event.seconds, phase: { step: event.step, aborted: true } });
    clock.runUntilCanaryIdle();
    return clock.spans;
}
