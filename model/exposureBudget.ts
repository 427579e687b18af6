import { AppConfig, CanaryStep, ExposureBudgetConfig, MetricConfig } from "../stacks/types";
import { promDurationSeconds } from "./duration";
import { canarySplit, formatShare } from "./canaryShare";
import { BrokenRelease, brokenRelease, brokenText, formatSeconds } from "./exposure";
import { intervalSeconds, isOwnAnalysis, signalDelaySeconds } from "./exposureTimeline";
import { appScaling, appShare, ladderShares } from "./ladderShares";
import { minWindowSeconds } from "./scrapeWindow";
import { defaultWatchdog, defaultWatchdogAdvice } from "./watchdog";

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

/** The canary's real share of traffic at a step that sets a weight (ladderShares.ts); 0 for other steps. */
function shareOf(app: AppConfig, step: CanaryStep): number {
    return "setWeight" in step ? appShare(app, step.setWeight) : 0;
}

/**
 * A setWeight for the highest share that serves traffic and stays within `cap`, if the app's replicas can
 * run one: of the weights that run at that share, the nearest to it (the lowest on a tie).
 */
function weightWithin(app: AppConfig, cap: number): number | undefined {
    const weights = Array.from({ length: 100 }, (_, i) => i + 1).filter((w) => appShare(app, w) > 0 && appShare(app, w) <= cap);
    if (weights.length === 0) return undefined;
    const best = Math.max(...weights.map((w) => appShare(app, w)));
    const atBest = weights.filter((w) => appShare(app, w) === best);
    return atBest.reduce((nearest, w) => (Math.abs(w - best) < Math.abs(nearest - best) ? w : nearest));
}

/** `setWeight 12`, and its share when the pods make it another (`setWeight 12 (12.5% of traffic)`). */
function setWeightText(app: AppConfig, weight: number): string {
    const share = formatShare(appShare(app, weight));
    return share === String(weight) ? `setWeight ${weight}` : `setWeight ${weight} (${share}% of traffic)`;
}

/** An analysis step just before the first setWeight whose share is above `cap`, or a setWeight within `cap` and one when nothing lower serves yet. */
function analysisBeforeWeightAbove(app: AppConfig, cap: number): Candidate[] {
    const at = app.steps.findIndex((s) => shareOf(app, s) > cap);
    if (at === -1 || (at > 0 && isOwnAnalysis(app.steps[at - 1]))) return [];
    const where = `before steps[${at}] (setWeight ${weightOf(app.steps[at])})`;
    const servesBefore = app.steps.slice(0, at).some((s) => shareOf(app, s) > 0);
    if (servesBefore) return [{ advice: `add an analysis step ${where}`, app: insertSteps(app, at, [OWN_ANALYSIS]) }];
    const lower = weightWithin(app, cap);
    if (lower === undefined) return [];
    return [
        {
            advice: `add ${setWeightText(app, lower)} and an analysis step ${where}`,
            app: insertSteps(app, at, [{ setWeight: lower }, OWN_ANALYSIS]),
        },
    ];
}

/** An analysis step right after the first setWeight that serves traffic. */
function analysisAfterFirstWeight(app: AppConfig): Candidate[] {
    const at = app.steps.findIndex((s) => shareOf(app, s) > 0);
    const next = app.steps[at + 1];
    if (at === -1 || (next && isOwnAnalysis(next))) return [];
    return [
        {
            advice: `add an analysis step after steps[${at}] (setWeight ${weightOf(app.steps[at])})`,
            app: insertSteps(app, at + 1, [OWN_ANALYSIS]),
        },
    ];
}

function analysisStepCandidates(app: AppConfig, cap: number): Candidate[] {
    // Config rejects an analysis step while a metric has no count: that step would never finish.
    if (app.analysis.metrics.some((m) => m.count === undefined)) return [];
    return [...analysisBeforeWeightAbove(app, cap), ...analysisAfterFirstWeight(app)];
}

function intervalCandidates(app: AppConfig): Candidate[] {
    const intervals = new Set(app.analysis.metrics.map((m) => m.interval));
    return Array.from({ length: MAX_HALVINGS }, (_, i) => 2 ** (i + 1)).map((divisor) => ({
        advice:
            intervals.size === 1
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

/** Halved windows of the rate metrics, in whole seconds and no shorter than config accepts (four scrapes, model/scrapeWindow.ts). */
function windowCandidates(app: AppConfig): Candidate[] {
    const windows = new Set(app.analysis.metrics.filter((m) => signalDelaySeconds(m) > 0).map(signalDelaySeconds));
    if (windows.size !== 1) return [];
    const floor = minWindowSeconds(app.metrics?.scrapeInterval);
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

/** The watchdog with its defaults (`analysis.watchdog: {}`), where config would take it. */
function watchdogCandidates(app: AppConfig): Candidate[] {
    const watchdog = defaultWatchdog(app);
    return watchdog ? [{ advice: defaultWatchdogAdvice(app), app: { ...app, analysis: { ...app.analysis, watchdog } } }] : [];
}

function withinBudget(broken: BrokenRelease, budget: ExposureBudget): boolean {
    return broken.maxWeight <= budget.maxBadCanaryWeight && (budget.maxBadCanaryExposure === undefined || broken.exposure <= budget.maxBadCanaryExposure);
}

/** The first candidate change (in the order an operator would rather make them) that brings the app within budget. */
function smallestFix(app: AppConfig, budget: ExposureBudget, broken: BrokenRelease): string | undefined {
    const cap = broken.maxWeight > budget.maxBadCanaryWeight ? budget.maxBadCanaryWeight : firstServedWeight(app);
    const candidates = hasOwnAnalysis(app)
        ? [
              ...analysisStepCandidates(app, cap),
              ...intervalCandidates(app),
              ...failureLimitCandidates(app),
              ...windowCandidates(app),
              ...watchdogCandidates(app),
          ]
        : analysisStepCandidates(app, cap);
    return candidates.find((c) => withinBudget(brokenRelease(c.app), budget))?.advice;
}

function firstServedWeight(app: AppConfig): number {
    return app.steps.map((s) => shareOf(app, s)).find((share) => share > 0) ?? 0;
}

const replicasText = (app: AppConfig) => `${app.replicas} replica${app.replicas === 1 ? "" : "s"}`;

/** `20% (setWeight 10 on 4 replicas without traffic routing)` when the pods make the share another number than the weight. */
function shareText(app: AppConfig, share: number): string {
    const step = ladderShares(app).find((s) => s.share === share);
    if (!step || formatShare(share) === String(step.setWeight)) return `${formatShare(share)}%`;
    return `${formatShare(share)}% (setWeight ${step.setWeight} on ${replicasText(app)} without traffic routing)`;
}

function brokenFigures(app: AppConfig, broken: BrokenRelease): string {
    return broken.aborted
        ? `a broken release reaches ${shareText(app, broken.maxWeight)} before the abort at ${formatSeconds(broken.seconds)} ` +
              `(exposure ${Math.round(broken.exposure)} %·s)`
        : brokenText(broken);
}

/** Replica counts beyond this are not worth suggesting (config allows up to 10000). */
const MAX_SUGGESTED_REPLICAS = 1000;

/**
 * Without traffic routing the smallest share a canary can get is one pod's:
 * when that is above maxBadCanaryWeight no ladder fits the budget, and the
 * message says what does (the smallest replica count that would).
 */
function unreachableWeightBudget(app: AppConfig, budget: ExposureBudget): string | undefined {
    const scaling = appScaling(app);
    if (scaling.trafficRouting) return undefined;
    const lowest = (replicas: number) => Math.min(...Array.from({ length: 100 }, (_, i) => canarySplit({ ...scaling, replicas }, i + 1).share));
    const share = lowest(app.replicas);
    if (share <= budget.maxBadCanaryWeight) return undefined;
    const split = Array.from({ length: 100 }, (_, i) => canarySplit(scaling, i + 1)).find((s) => s.share === share)!;
    let enough: number | undefined;
    for (let replicas = app.replicas + 1; replicas <= MAX_SUGGESTED_REPLICAS && enough === undefined; replicas++) {
        if (lowest(replicas) <= budget.maxBadCanaryWeight) enough = replicas;
    }
    const ways = [
        "set stableIngress (traffic routing splits by weight)",
        ...(enough ? [`run at least ${enough} replicas`] : []),
        `raise maxBadCanaryWeight to ${Math.ceil(share)}`,
    ];
    return (
        `no setWeight runs the canary below ${formatShare(share)}% on ${replicasText(app)} without traffic routing ` +
        `(${split.canary} canary pod beside ${split.stable} stable); ${ways.slice(0, -1).join(", ")}, or ${ways[ways.length - 1]}`
    );
}

function limitsText(broken: BrokenRelease, budget: ExposureBudget): string {
    const limits: string[] = [];
    if (broken.maxWeight > budget.maxBadCanaryWeight) limits.push(`maxBadCanaryWeight is ${budget.maxBadCanaryWeight}`);
    if (budget.maxBadCanaryExposure !== undefined && broken.exposure > budget.maxBadCanaryExposure) {
        limits.push(`maxBadCanaryExposure is ${budget.maxBadCanaryExposure} %·s`);
    }
    return `budget ${limits.join(" and ")}`;
}

const NO_FIX =
    "no single change (an analysis step, a shorter interval, a lower failureLimit, a shorter window, a watchdog) is enough; lower the ladder's weights";

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
    const fix = unreachableWeightBudget(app, budget) ?? smallestFix(app, budget, broken) ?? NO_FIX;
    return `${brokenFigures(app, broken)}; ${limitsText(broken, budget)}: ${fix}`;
}
