import { AppConfig, MetricConfig } from "../stacks/types";
import { formatShare } from "./canaryShare";
import { NeverReadyRelease, neverReadyRelease } from "./exposureNeverReady";
import {
    abortTraffic,
    analysisRunSeconds,
    delaySeconds,
    firstLimitReached,
    firstServedAt,
    intervalSeconds,
    LadderEvent,
    shareAt,
    signalDelaySeconds,
    Timeline,
    timeline,
    trafficUntil,
    weightSeconds,
} from "./exposureTimeline";

/**
 * How far a canary ladder lets a release get, known at `pulumi preview`.
 *
 * Four releases are played through the ladder and the app's own
 * AnalysisTemplate: a healthy one, a fully broken one (every measurement of
 * every metric fails once the signal can see the canary), one with no
 * traffic (every measurement inconclusive), and one whose pods never become
 * Ready (exposureNeverReady.ts: no traffic either, and the ladder stops at the
 * first step that needs canary pods until the progress deadline).
 *
 * Assumptions (Argo Rollouts semantics, worst case where there is a choice):
 * - Time 0 is the image change. The canary gets no traffic until the first
 *   setWeight's pods are Ready, `podReadySeconds` after the controller
 *   creates them (podStartup.ts). A setWeight or setCanaryScale step that
 *   adds canary pods ends only once they are Ready; until then the canary
 *   serves as before: with traffic routing the previous weight, without it
 *   its Ready pods' share of all Ready pods, which rises in rounds when the
 *   surge lets only some new pods start at once. A step that adds no pod
 *   takes no time. Once settled, a step runs at the share the controller
 *   really runs (ladderShares.ts): with traffic routing the weight as
 *   written, without it the canary's share of the pods, which Argo rounds to
 *   whole pods and may surge by one (4 replicas at setWeight 10: 1 pod of 5,
 *   20%). Every "weight" below is the share the canary really serves at that
 *   moment. The promotion comes once the canary has all its pods Ready.
 *   Analysis steps that name other templates take no time and never fail:
 *   the model cannot see them, and lists them in `untimedAnalyses`.
 * - A pause with a duration waits that long. A pause without one waits for a
 *   human: it counts 0 seconds (the human promotes at once, which for a
 *   rising ladder is the worst case for weight and exposure) and is listed in
 *   `humanPauses`.
 * - Measurement k (0-based) of a metric is taken at initialDelay + k×interval
 *   after its run starts, and takes no time. An inline analysis step starts
 *   a run and blocks the ladder until the run has taken `count` measurements
 *   or ends early. Background analysis starts one run when the ladder reaches
 *   startingStep (0 when unset) and runs beside it until the promotion. The
 *   watchdog is such a run beside an inline ladder, of its own metrics, from
 *   its config's startingStep.
 * - A metric fails at its failureLimit+1-th failed measurement and gives up
 *   at its inconclusiveLimit+1-th inconclusive one; Argo then ends the whole
 *   run, so the earliest metric decides. Failed: the rollout aborts; with
 *   traffic routing the weight is 0 from that moment, without it the canary
 *   serves on until stable pods are Ready to replace its own, and that
 *   traffic counts in the exposure. Inconclusive: the rollout pauses there,
 *   and the progress deadline does not run while it is paused
 *   (`RolloutTimedOut` in utils/conditions of Argo Rollouts v1.8.3 skips a
 *   Progressing condition with reason RolloutPaused), so it waits for a human.
 *   A metric whose count is reached first passes, even if every measurement
 *   was failed or inconclusive (count <= failureLimit lets a broken release
 *   through).
 * - When a background measurement falls on the same second as a ladder step
 *   or pods becoming Ready, those come first (higher weight); a measurement
 *   at the second of the promotion is never taken.
 * - Signal delay: a built-in rate metric (successRate, errorRate,
 *   latencyP95) sees a broken canary only once the canary has served traffic
 *   for its whole `window`, counted from its first traffic (not from its
 *   setWeight step); earlier measurements pass. targetsUp, custom and New
 *   Relic metrics see it from the first second of traffic. Scrape lag is not
 *   added.
 * - Healthy worst case: inconclusive measurements count towards `count` in
 *   Argo, so they add no time. Errored measurements do not: each is retried
 *   one interval later. The slowest passing run has consecutiveErrorLimit
 *   errors before each of its `count` measurements.
 * - Weight decreases are followed as the controller runs them: with traffic
 *   routing at once, without it the canary keeps its pods until stable ones
 *   are Ready to replace them (podStartup.ts). Adding an analysis step never
 *   raises weight or exposure on a rising ladder when the step comes after
 *   the signal can see the canary (tested as a property); earlier, the new
 *   run's measurement grid can catch the canary later than the run it
 *   delays would have (e.g. 600 instead of 500 %·s, also tested).
 */

export interface HealthyRelease {
    /** Seconds from the image change to full promotion when every measurement passes at once. */
    bestSeconds: number;
    /** The same when every inline run is as slow as a passing run can be. */
    worstSeconds: number;
    /** Indexes of pauses without duration; each counts 0 seconds above. */
    humanPauses: number[];
    /** Indexes of analysis steps that run other templates; each counts 0 seconds above, and passes in every release. */
    untimedAnalyses: number[];
}

/** Where a release stops on the ladder. */
export interface LadderStop {
    /** Index into `steps` of the step the ladder is at; the step count when the ladder completes. */
    step: number;
    /** The canary's share of traffic (%) at that moment; 100 once the ladder completes. */
    weight: number;
    /** Seconds from the image change. */
    seconds: number;
}

export interface BrokenRelease extends LadderStop {
    /** False: the ladder completes first and promotes the broken version to 100%. */
    aborted: boolean;
    /** The canary's highest share of traffic (%) before the abort. */
    maxWeight: number;
    /** Canary share % × seconds served, until the canary serves nothing after the abort; Infinity when never aborted. */
    exposure: number;
}

export interface NoTrafficRelease extends LadderStop {
    /** False: no run gives up before the ladder completes (every count is reached within inconclusiveLimit). */
    waits: boolean;
}

export interface ExposureReport {
    healthy: HealthyRelease;
    broken: BrokenRelease;
    noTraffic: NoTrafficRelease;
    neverReady: NeverReadyRelease;
    /** With a watchdog: the broken release on the same ladder without it, for comparison. */
    brokenWithoutWatchdog?: BrokenRelease;
}

/** The app without its watchdog (the ladder and inline analysis as they are). */
export function withoutWatchdog(app: AppConfig): AppConfig {
    const { watchdog: _watchdog, ...analysis } = app.analysis;
    return { ...app, analysis };
}

/** Seconds from a run's start to its last measurement when every measurement errors as often as Argo tolerates. */
export function slowestPassingRunSeconds(metrics: MetricConfig[]): number {
    return Math.max(
        0,
        ...metrics.map((m) => {
            const measurements = (m.count ?? 1) * (1 + m.consecutiveErrorLimit);
            return delaySeconds(m) + intervalSeconds(m) * (measurements - 1);
        }),
    );
}

function bestTimeline(app: AppConfig): Timeline {
    return timeline(app, analysisRunSeconds(app.analysis.metrics));
}

export function healthyRelease(app: AppConfig): HealthyRelease {
    const best = bestTimeline(app);
    return {
        bestSeconds: best.end,
        worstSeconds: timeline(app, slowestPassingRunSeconds(app.analysis.metrics)).end,
        humanPauses: best.humanPauses,
        untimedAnalyses: best.untimedAnalyses,
    };
}

function stopAt(line: Timeline, event: LadderEvent): LadderStop {
    return { step: event.step, weight: shareAt(line, event), seconds: event.seconds };
}

function completed(line: Timeline): LadderStop {
    return { step: line.steps.length, weight: 100, seconds: line.end };
}

/**
 * A fully broken release: passing runs take as long as healthy ones, so it
 * follows the healthy timeline until the first run fails.
 */
export function brokenRelease(app: AppConfig): BrokenRelease {
    const line = bestTimeline(app);
    const servedAt = firstServedAt(line);
    const abort = firstLimitReached(
        line,
        app.analysis.metrics,
        (m) => servedAt + signalDelaySeconds(m),
        (m) => m.failureLimit,
    );
    if (!abort) return { ...completed(line), aborted: false, maxWeight: 100, exposure: Infinity };
    const served = trafficUntil(line, abort);
    return {
        ...stopAt(line, abort),
        aborted: true,
        maxWeight: Math.max(0, ...served.map((s) => s.share)),
        exposure: weightSeconds(served, abort.seconds) + weightSeconds(abortTraffic(app, line, abort)),
    };
}

/** A release whose every measurement is inconclusive, from the first one on. */
export function noTrafficRelease(app: AppConfig): NoTrafficRelease {
    const line = bestTimeline(app);
    const pause = firstLimitReached(
        line,
        app.analysis.metrics,
        () => -Infinity,
        (m) => m.inconclusiveLimit,
    );
    return pause ? { ...stopAt(line, pause), waits: true } : { ...completed(line), waits: false };
}

export function exposureReport(app: AppConfig): ExposureReport {
    const report: ExposureReport = {
        healthy: healthyRelease(app),
        broken: brokenRelease(app),
        noTraffic: noTrafficRelease(app),
        neverReady: neverReadyRelease(app),
    };
    if (app.analysis.watchdog) report.brokenWithoutWatchdog = brokenRelease(withoutWatchdog(app));
    return report;
}

/** Seconds as a Go duration: "6m40s", "1h", "7.5s", "0s". */
export function formatSeconds(seconds: number): string {
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = Number((seconds % 60).toFixed(3));
    const parts = [hours ? `${hours}h` : "", minutes ? `${minutes}m` : "", rest ? `${rest}s` : ""].join("");
    return parts || "0s";
}

function healthyText(h: HealthyRelease): string {
    const range = h.bestSeconds === h.worstSeconds ? formatSeconds(h.bestSeconds) : `${formatSeconds(h.bestSeconds)}-${formatSeconds(h.worstSeconds)}`;
    const n = h.humanPauses.length;
    return `healthy ladder ${range}${n ? ` plus ${n} manual promotion${n > 1 ? "s" : ""}` : ""}`;
}

/** `; steps[4] runs templates the model cannot time (...)`, or nothing. */
function untimedText(h: HealthyRelease): string {
    const steps = h.untimedAnalyses.map((i) => `steps[${i}]`);
    if (steps.length === 0) return "";
    const list = steps.length === 1 ? steps[0] : `${steps.slice(0, -1).join(", ")} and ${steps[steps.length - 1]}`;
    return `; ${list} run${steps.length === 1 ? "s" : ""} templates the model cannot time (counted as passing at once)`;
}

export function brokenText(b: BrokenRelease): string {
    return b.aborted
        ? `a broken release aborts by ${formatSeconds(b.seconds)} at ${formatShare(b.maxWeight)}% (exposure ${Math.round(b.exposure)} %·s)`
        : `a broken release is never aborted: the ladder promotes it to 100% at ${formatSeconds(b.seconds)}`;
}

function noTrafficText(n: NoTrafficRelease): string {
    return n.waits
        ? `no traffic: waits at steps[${n.step}] (${formatShare(n.weight)}%) after ${formatSeconds(n.seconds)}, paused with no deadline`
        : `no traffic: never waits, promoted at ${formatSeconds(n.seconds)}`;
}

function neverReadyText(n: NeverReadyRelease, deadlineSeconds: number): string {
    const at = `steps[${n.step}]`;
    const deadline = `(progressDeadlineSeconds ${deadlineSeconds})`;
    switch (n.outcome) {
        case "aborted":
            return `pods never Ready: aborted at ${at} by ${formatSeconds(n.seconds)} ${deadline}`;
        case "degraded":
            return `pods never Ready: Degraded at ${at} by ${formatSeconds(n.seconds)} ${deadline}, not aborted`;
        case "paused":
            return `pods never Ready: waits at ${at} after ${formatSeconds(n.seconds)}, paused with no deadline`;
    }
}

/** One line for `pulumi preview` logs. */
export function exposureSummary(app: AppConfig): string {
    const r = exposureReport(app);
    const without = r.brokenWithoutWatchdog;
    const watchdog = without ? ` (without the watchdog: ${without.aborted ? `${Math.round(without.exposure)} %·s` : "never aborted"})` : "";
    return (
        `${app.name}: ${healthyText(r.healthy)}${untimedText(r.healthy)}; ${brokenText(r.broken)}${watchdog}; ${noTrafficText(r.noTraffic)}; ` +
        `${neverReadyText(r.neverReady, app.progressDeadlineSeconds)}`
    );
}
