import { AppConfig, CanaryStep, ExposureBudgetConfig, MetricConfig } from "../stacks/types";
import { goDurationSeconds, promDurationSeconds } from "./duration";
import { BrokenRelease, brokenRelease, brokenText, formatSeconds } from "./exposure";
import { intervalSeconds, isOwnAnalysis, signalDelaySeconds } from "./exposureTimeline";

/** The config's budget (stacks/types.ts), with allowNoAnalysis defaulting to false. */
export type ExposureBudget = Omit<ExposureBudgetConfig, "allowNoAnalysis"> & Partial<Pick<ExposureBudgetConfig, "allowNoAnalysis">>;

/** A change to the app tried with the same model, and how to tell the operator. */
interface Candidate {
    advice: string;
    app: AppConfig;
}

const OWN_ANALYSIS: CanaryStep = { analysis: { templates: [] } };
/** Interval halvings tried; a quarter of a minute interval is still a sane query rate. */
const MAX_HALVINGS = 2;

/** The ladder runs the app's AnalysisTemplate: in the background, or in an analysis step. */
export function hasOwnAnalysis(app: AppConfig): boolean {
    return app.analysis.mode === "background" || app.steps.some(isOwnAnalysis);
}

/** `app` with `inserted` placed before `steps[at]`; a background startingStep keeps pointing at the same step. */
export function insertSteps(app: AppConfig, at: number, inserted: CanaryStep[]): AppConfig {
    const steps = [...app.steps.slice(0, at), ...inserted, ...app.steps.slice(at)];
    const start = app.analysis.startingStep;
    const startingStep = start !== undefined && start >= at ? start + inserted.length : start;
    return { ...app, steps, analysis: { ...app.analysis, startingStep } };
}

function withMetrics(app: AppConfig, change: (m: MetricConfig) => MetricConfig): AppConfig {
    return { ...app, analysis: { ...app.analysis, metrics: app.analysis.metrics.map(change) } };
}

function weightOf(step: CanaryStep): number | undefined {
    return "setWeight" in step ? step.setWeight : undefined;
}

/** An analysis step just before the first setWeight above `cap`, or a setWeight `cap` and one when nothing lower serves yet. */
function analysisBeforeWeightAbove(app: AppConfig, cap: number): Candidate[] {
    const at = app.steps.findIndex((s) => (weightOf(s) ?? 0) > cap);
    if (at === -1 || (at > 0 && isOwnAnalysis(app.steps[at - 1]))) return [];
    const where = `before steps[${at}] (setWeight ${weightOf(app.steps[at])})`;
    const servesBefore = app.steps.slice(0, at).some((s) => (weightOf(s) ?? 0) > 0);
    if (servesBefore) return [{ advice: `add an analysis step ${where}`, app: insertSteps(app, at, [OWN_ANALYSIS]) }];
    if (cap <= 0) return [];
    return [{ advice: `add setWeight ${cap} and an analysis step ${where}`, app: insertSteps(app, at, [{ setWeight: cap }, OWN_ANALYSIS]) }];
}

/** An analysis step right after the first setWeight that serves traffic. */
function analysisAfterFirstWeight(app: AppConfig): Candidate[] {
    const at = app.steps.findIndex((s) => (weightOf(s) ?? 0) > 0);
    const next = app.steps[at + 1];
    if (at === -1 || (next && isOwnAnalysis(next))) return [];
    return [{
        advice: `add an analysis step after steps[${at}] (setWeight ${weightOf(app.steps[at])})`,
        app: insertSteps(app, at + 1, [OWN_ANALYSIS]),
    }];
}

function analysisStepCandidates(app: AppConfig, cap: number): Candidate[] {
    // Config rejects an analysis step while a metric has no count: that step would never finish.
    if (app.analysis.metrics.some((m) => m.count === undefined)) return [];
    return [...analysisBeforeWeightAbove(app, cap), ...analysisAfterFirstWeight(app)];
}

function intervalCandidates(app: AppConfig): Candidate[] {
    const intervals = new Set(app.analysis.metrics.map((m) => m.interval));
    return Array.from({ length: MAX_HALVINGS }, (_, i) => 2 ** (i + 1)).map((divisor) => ({
        advice: intervals.size === 1
            ? `lower interval to ${formatSeconds(intervalSeconds(app.analysis.metrics[0]) / divisor)}`
            : `divide every metric's interval by ${divisor}`,
        app: withMetrics(app, (m) => ({ ...m, interval: formatSeconds(intervalSeconds(m) / divisor) })),
    }));
}

function failureLimitCandidates(app: AppConfig): Candidate[] {
    const highest = Math.max(...app.analysis.metrics.map((m) => m.failureLimit));
    return Array.from({ length: Math.max(0, highest) }, (_, i) => highest - 1 - i).map((limit) => ({
        advice: `lower failureLimit to ${limit}`,
        app: withMetrics(app, (m) => ({ ...m, failureLimit: Math.min(m.failureLimit, limit) })),
    }));
}

/** Halved windows of the rate metrics, in whole seconds and no shorter than two scrapes (rate() needs two samples). */
function windowCandidates(app: AppConfig): Candidate[] {
    const windows = new Set(app.analysis.metrics.filter((m) => signalDelaySeconds(m) > 0).map(signalDelaySeconds));
    if (windows.size !== 1) return [];
    const floor = 2 * (app.metrics ? goDurationSeconds(app.metrics.scrapeInterval) ?? 0 : 0);
    const candidates: Candidate[] = [];
    for (let seconds = [...windows][0] / 2; Number.isInteger(seconds) && seconds >= floor && seconds > 0; seconds /= 2) {
        const window = formatSeconds(seconds);
        candidates.push({
            advice: `shorten window to ${window}`,
            app: withMetrics(app, (m) => (m.kind !== "custom" && promDurationSeconds(m.window) ? { ...m, window } : m)),
        });
    }
    return candidates;
}

function withinBudget(broken: BrokenRelease, budget: ExposureBudget): boolean {
    return broken.maxWeight <= budget.maxBadCanaryWeight &&
        (budget.maxBadCanaryExposure === undefined || broken.exposure <= budget.maxBadCanaryExposure);
}

/** The first candidate change (in the order an operator would rather make them) that brings the app within budget. */
function smallestFix(app: AppConfig, budget: ExposureBudget, broken: BrokenRelease): string | undefined {
    const cap = broken.maxWeight > budget.maxBadCanaryWeight ? budget.maxBadCanaryWeight : firstServedWeight(app);
    const candidates = hasOwnAnalysis(app)
        ? [...analysisStepCandidates(app, cap), ...intervalCandidates(app), ...failureLimitCandidates(app), ...windowCandidates(app)]
        : analysisStepCandidates(app, cap);
    return candidates.find((c) => withinBudget(brokenRelease(c.app), budget))?.advice;
}

function firstServedWeight(app: AppConfig): number {
    return app.steps.map(weightOf).find((w) => (w ?? 0) > 0) ?? 0;
}

function brokenFigures(broken: BrokenRelease): string {
    return broken.aborted
        ? `a broken release reaches ${broken.maxWeight}% before the abort at ${formatSeconds(broken.seconds)} (exposure ${Math.round(broken.exposure)} %·s)`
        : brokenText(broken);
}

function limitsText(broken: BrokenRelease, budget: ExposureBudget): string {
    const limits: string[] = [];
    if (broken.maxWeight > budget.maxBadCanaryWeight) limits.push(`maxBadCanaryWeight is ${budget.maxBadCanaryWeight}`);
    if (budget.maxBadCanaryExposure !== undefined && broken.exposure > budget.maxBadCanaryExposure) {
        limits.push(`maxBadCanaryExposure is ${budget.maxBadCanaryExposure} %·s`);
    }
    return `budget ${limits.join(" and ")}`;
}

const NO_FIX = "no single change (an analysis step, a shorter interval, a lower failureLimit, a shorter window) is enough; lower the ladder's weights";

/**
 * Undefined when a fully broken release stays within `budget`, else one
 * message with the computed figures and the smallest change that fixes it.
 * The caller prefixes where the app is configured.
 */
export function budgetViolation(app: AppConfig, budget: ExposureBudget): string | undefined {
    const broken = brokenRelease(app);
    if (!hasOwnAnalysis(app)) {
        if (budget.allowNoAnalysis) return undefined;
        const fix = smallestFix(app, budget, broken) ?? "add an analysis step";
        return `no step runs the app's analysis and analysis.mode is not background, so ${brokenText(broken)}; ${fix}, or set allowNoAnalysis`;
    }
    if (withinBudget(broken, budget)) return undefined;
    return `${brokenFigures(broken)}; ${limitsText(broken, budget)}: ${smallestFix(app, budget, broken) ?? NO_FIX}`;
}
