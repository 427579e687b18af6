import { AppConfig } from "../stacks/types";
import { analysisRunSeconds, firstLimitReached, ladderEnd, Timeline, timeline } from "./exposureTimeline";
import { canaryPodsAt } from "./ladderShares";

/**
 * A release whose canary pods never become Ready (a readiness probe that
 * always fails, e.g. config pointing at a backend that is not there), as the
 * Argo Rollouts controller v1.8.3 runs it. Cited functions are in its
 * rollout/ and utils/ packages.
 *
 * - The canary serves nothing: Services and traffic routers only send to
 *   ready endpoints. Every measurement is inconclusive, as in the no-traffic
 *   release.
 * - The ladder stops at the first step that needs canary pods: a setWeight or
 *   setCanaryScale step completes only once its canary pods are available
 *   (`completedCurrentCanaryStep`, `AtDesiredReplicaCountsForCanary`). A step
 *   that wants none (setWeight 0) completes. If no step wants any, the full
 *   promotion waits for every new pod (`shouldFullPromote`). The release is
 *   never promoted.
 * - The progress deadline counts from the last progress, here the moment the
 *   ladder reaches that step and scales the canary up (the Progressing
 *   condition's lastUpdateTime, `RolloutProgressing`), and only outside pauses,
 *   analysis and experiment steps (`isIndefiniteStep`, and `RolloutTimedOut`
 *   skips a paused Rollout). When it passes, `calculateRolloutConditions` sets
 *   ProgressDeadlineExceeded (phase Degraded) and, with progressDeadlineAbort,
 *   aborts: the weight goes to 0 (`GetCurrentSetWeight`) and the canary
 *   ReplicaSet is scaled to 0 (with traffic routing after
 *   abortScaleDownDelaySeconds, default 30). The controller requeues a stuck
 *   Rollout for the moment its deadline passes (`requeueStuckRollout`), so the
 *   abort does not wait for the periodic resync (`--rollout-resync`, default
 *   900 s, `controller.DefaultRolloutResyncPeriod`), which is only the backstop.
 * - Runs that reach their inconclusiveLimit first pause the Rollout instead
 *   (an inline analysis step before the stuck step, or background analysis
 *   from a startingStep at or before it); the deadline does not run while it
 *   is paused, so it waits for a human. A background run from a later step,
 *   such as a watchdog that starts after the first setWeight, never starts.
 * - podReadySeconds changes nothing here: no step before the stuck one adds a
 *   canary pod, so the ladder reaches it when a healthy release would reach
 *   it, and from there no pod ever becomes Ready.
 */
export interface NeverReadyRelease {
    /** Index into `steps` of where the ladder stays; the step count when only the full promotion waits for the pods. */
    step: number;
    /** aborted: by the progress deadline; degraded: the deadline passed without progressDeadlineAbort, the canary stays; paused: an inconclusive run first. */
    outcome: "aborted" | "degraded" | "paused";
    /** Seconds from the image change to the outcome. */
    seconds: number;
}

/** The first step that waits for canary pods, or the step count when none does (the full promotion waits). */
export function stuckStep(app: AppConfig): number {
    const index = app.steps.findIndex((step, i) => ("setWeight" in step || "setCanaryScale" in step) && canaryPodsAt(app, i) > 0);
    return index === -1 ? app.steps.length : index;
}

/** The ladder as far as it gets: the stuck step lasts for ever, and no run is terminated by the ladder's end. */
function stuckTimeline(line: Timeline, stuck: number): Timeline {
    const steps = line.steps.slice(0, stuck + 1).map((s, i) => (i === stuck ? { ...s, end: Infinity } : s));
    const runs = line.runs.filter((r) => (r.inline ? r.step < stuck : r.step <= stuck)).map((r) => ({ ...r, deadline: Infinity }));
    return { ...line, steps, runs, end: Infinity };
}

export function neverReadyRelease(app: AppConfig): NeverReadyRelease {
    const line = timeline(app, analysisRunSeconds(app.analysis.metrics));
    const stuck = stuckStep(app);
    const reached = stuck < line.steps.length ? line.steps[stuck].start : ladderEnd(line.steps);
    const deadline = reached + app.progressDeadlineSeconds;
    const pause = firstLimitReached(
        stuckTimeline(line, stuck),
        app.analysis.metrics,
        () => -Infinity,
        (m) => m.inconclusiveLimit,
    );
    if (pause && pause.seconds < deadline) return { step: pause.step, outcome: "paused", seconds: pause.seconds };
    return { step: stuck, outcome: app.progressDeadlineAbort ? "aborted" : "degraded", seconds: deadline };
}
