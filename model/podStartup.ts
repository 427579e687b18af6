import { AppConfig } from "../stacks/types";
import { basicCanaryCounts, BasicCanaryLimits, ReplicaSetCounts } from "./basicCanaryScaling";
import { maxSurgePods } from "./canaryShare";
import { appScaling, canaryPodsAt } from "./ladderShares";

/**
 * The canary's and the stable's pods through a release when a new pod takes
 * `podReadySeconds` from its creation to Ready, as the Argo Rollouts
 * controller v1.8.3 scales them, and the canary's share of the requests.
 * Cited functions are in its rollout/ and utils/ packages.
 *
 * - A setWeight or setCanaryScale step completes only once the canary
 *   ReplicaSet is at the step's count with every pod available, and the
 *   stable at its count, created but not necessarily Ready
 *   (`completedCurrentCanaryStep` in rollout/canary.go ->
 *   `AtDesiredReplicaCountsForCanary` in utils/replicaset/canary.go). So a
 *   step that adds canary pods lasts podReadySeconds or more; one that adds
 *   none completes at once.
 * - Without traffic routing the Services send requests to the Ready pods: the
 *   canary's share is its Ready pods over all Ready pods. The controller scales
 *   by `CalculateReplicaCountsForBasicCanary` (basicCanaryScaling.ts) with the
 *   stack's maxUnavailable 0 and Argo's default maxSurge: new pods only within
 *   the surge, and the other side scaled down only as they become available.
 *   A step that needs more new pods than the surge allows takes several
 *   rounds of podReadySeconds, its share rising in each (4 replicas from
 *   setWeight 50 to 100: 2 rounds, the canary 3 of 4 Ready pods between). A
 *   lower weight, or the abort, adds stable pods first and takes canary pods
 *   away only as those become Ready: the canary serves on meanwhile.
 * - With traffic routing the canary is scaled to its count at once and the
 *   stable stays at `replicas` (`CalculateReplicaCountsForTrafficRoutedCanary`,
 *   utils/replicaset/canary.go); the router keeps the previous setWeight until
 *   the canary is at its count with every pod available, sends nothing to a
 *   canary without an available pod, and nothing from the abort on
 *   (`reconcileTrafficRouting`, rollout/trafficrouting.go).
 * - After the last step the canary is scaled to `replicas`
 *   (`GetCurrentSetWeight`, utils/replicaset/canary.go, is 100 past the
 *   steps), and promoted once they are all available (`shouldFullPromote`,
 *   rollout/sync.go).
 * - Start-up is the only delay: reconciles, scheduling and endpoint updates
 *   take no time, a pod scaled away stops serving at once, and a ReplicaSet
 *   scaled down loses its not-Ready pods first (the ReplicaSet controller's
 *   pod ranking), the newest first.
 */

/** The Rollout's maxUnavailable (components/manifests/rollout.ts writes this): the stable goes down only as canary pods become available. */
export const ROLLOUT_MAX_UNAVAILABLE = 0;

/** Pods created together, Ready `at` seconds from the image change. */
export interface StartingPods {
    at: number;
    count: number;
}

export interface ReplicaSetPods {
    /** Ready, and so available: the stack sets no minReadySeconds. */
    ready: number;
    /** Oldest first. */
    starting: StartingPods[];
}

export interface Pods {
    canary: ReplicaSetPods;
    stable: ReplicaSetPods;
}

/** Where the release is: the step the ladder is at (the step count once it has taken them all), and whether it is aborted. */
export interface Phase {
    step: number;
    aborted: boolean;
}

/** A stretch of time with the same pods; a span of no length is a state the controller passed through at once. */
export interface TrafficSpan {
    /** The step the ladder was at when the span began (the step count during the full promotion). */
    step: number;
    start: number;
    end: number;
    /** The canary's share of requests (%). */
    share: number;
    pods: Pods;
}

const startingCount = (rs: ReplicaSetPods) => rs.starting.reduce((n, s) => n + s.count, 0);
const specOf = (rs: ReplicaSetPods) => rs.ready + startingCount(rs);
const countsOf = (rs: ReplicaSetPods): ReplicaSetCounts => ({ spec: specOf(rs), available: rs.ready });

/** `rs` scaled to `to` pods: new ones Ready at `readyAt`; away, starting pods first, the newest first. */
function scaled(rs: ReplicaSetPods, to: number, readyAt: number): ReplicaSetPods {
    const spec = specOf(rs);
    if (to > spec) return { ready: rs.ready, starting: [...rs.starting, { at: readyAt, count: to - spec }] };
    let away = spec - to;
    const starting = rs.starting.map((s) => ({ ...s }));
    while (away > 0 && starting.length > 0) {
        const newest = starting[starting.length - 1];
        const n = Math.min(away, newest.count);
        newest.count -= n;
        away -= n;
        if (newest.count === 0) starting.pop();
    }
    return { ready: rs.ready - away, starting };
}

function readyBy(rs: ReplicaSetPods, seconds: number): ReplicaSetPods {
    const due = rs.starting.filter((s) => s.at <= seconds);
    if (due.length === 0) return rs;
    return { ready: rs.ready + due.reduce((n, s) => n + s.count, 0), starting: rs.starting.filter((s) => s.at > seconds) };
}

/** The last setWeight at or before `steps[index]`; 0 when there is none. */
function setWeightAt(app: AppConfig, index: number): number {
    for (let i = Math.min(index, app.steps.length - 1); i >= 0; i--) {
        const step = app.steps[i];
        if ("setWeight" in step) return step.setWeight;
    }
    return 0;
}

/** `resolveFenceposts` (utils/replicaset/replicaset.go) for the stack's Rollout: both fenceposts 0 would make maxUnavailable 1. */
function limitsOf(app: AppConfig): BasicCanaryLimits {
    const maxSurge = maxSurgePods(app.replicas, appScaling(app).maxSurge);
    return { replicas: app.replicas, maxSurge, maxUnavailable: maxSurge === 0 && ROLLOUT_MAX_UNAVAILABLE === 0 ? 1 : ROLLOUT_MAX_UNAVAILABLE };
}

const samePods = (a: Pods, b: Pods) => JSON.stringify(a) === JSON.stringify(b);

/** A release played through in time: enter a phase, then run the clock to a moment or until the controller is done. */
export class RolloutClock {
    now: number;
    readonly spans: TrafficSpan[] = [];
    private pods: Pods;
    private phase: Phase;
    private readonly routed: boolean;

    /** From the stable at full strength and no canary at the image change, or from a span of another clock at `now`. */
    constructor(
        private readonly app: AppConfig,
        from?: { pods: Pods; now: number; phase: Phase },
    ) {
        this.routed = appScaling(app).trafficRouting;
        this.pods = from?.pods ?? { canary: { ready: 0, starting: [] }, stable: { ready: app.replicas, starting: [] } };
        this.now = from?.now ?? 0;
        this.phase = from?.phase ?? { step: 0, aborted: false };
        this.settle();
    }

    enter(phase: Phase): void {
        this.phase = phase;
        this.settle();
    }

    /** Runs the clock to `seconds`, scaling as pods become Ready. */
    runUntil(seconds: number): void {
        for (let next = this.nextReady(); next !== undefined && next <= seconds; next = this.nextReady()) {
            this.now = next;
            this.settle();
        }
        this.now = Math.max(this.now, seconds);
    }

    /** Until the current setWeight or setCanaryScale step completes (`AtDesiredReplicaCountsForCanary`). */
    runUntilStepDone(): void {
        while (!this.atDesired()) this.runUntil(this.requireNextReady());
    }

    /** Past the steps: until every pod of the canary is available and the controller promotes it. */
    runUntilPromoted(): void {
        this.enter({ step: this.app.steps.length, aborted: false });
        while (this.pods.canary.ready < this.app.replicas) this.runUntil(this.requireNextReady());
    }

    /** After the abort: until the canary serves nothing. */
    runUntilCanaryIdle(): void {
        while (this.share() > 0) this.runUntil(this.requireNextReady());
    }

    private nextReady(): number | undefined {
        const times = [...this.pods.canary.starting, ...this.pods.stable.starting].map((s) => s.at);
        return times.length ? Math.min(...times) : undefined;
    }

    private requireNextReady(): number {
        const next = this.nextReady();
        // The controller always has a pod starting when it is not done: each reconcile scales within the surge until it is.
        if (next === undefined) throw new Error(`podStartup: ${this.app.name} waits at steps[${this.phase.step}] with no pod starting`);
        return next;
    }

    /** The counts the controller scales to next. */
    private wanted(): { canary: number; stable: number } {
        const { step, aborted } = this.phase;
        const steps = this.app.steps.length;
        if (this.routed) {
            const canary = aborted ? 0 : step >= steps ? this.app.replicas : canaryPodsAt(this.app, step);
            return { canary, stable: this.app.replicas };
        }
        const weight = aborted ? 0 : step >= steps ? 100 : setWeightAt(this.app, step);
        return basicCanaryCounts(limitsOf(this.app), weight, countsOf(this.pods.canary), countsOf(this.pods.stable));
    }

    /** `AtDesiredReplicaCountsForCanary`: the canary at its count with every pod available, the stable at its count. */
    private atDesired(): boolean {
        const wanted = this.wanted();
        const { canary, stable } = this.pods;
        return specOf(canary) === wanted.canary && canary.ready === wanted.canary && specOf(stable) === wanted.stable;
    }

    /** The controller's reconciles at `now`, until it scales nothing more: the stable first, then the canary (`reconcileCanaryReplicaSets`). */
    private settle(): void {
        const readyAt = this.now + this.app.podReadySeconds;
        for (let reconciles = 0; ; reconciles++) {
            // Each reconcile moves one ReplicaSet towards a count the last one did not undo; this many means a bug here.
            if (reconciles > 4 * (this.app.replicas + 10)) throw new Error(`podStartup: ${this.app.name} does not settle at steps[${this.phase.step}]`);
            this.pods = { canary: readyBy(this.pods.canary, this.now), stable: readyBy(this.pods.stable, this.now) };
            const wanted = this.wanted();
            if (wanted.stable !== specOf(this.pods.stable)) this.pods = { ...this.pods, stable: scaled(this.pods.stable, wanted.stable, readyAt) };
            else if (wanted.canary !== specOf(this.pods.canary)) this.pods = { ...this.pods, canary: scaled(this.pods.canary, wanted.canary, readyAt) };
            else break;
            this.record();
        }
        this.record();
    }

    /** The canary's share of requests now (%). */
    private share(): number {
        const { canary, stable } = this.pods;
        if (!this.routed) {
            const ready = canary.ready + stable.ready;
            return ready === 0 ? 0 : (canary.ready * 100) / ready;
        }
        if (this.phase.aborted || canary.ready === 0) return 0;
        if (!this.atDesired()) return setWeightAt(this.app, this.phase.step - 1);
        return this.phase.step >= this.app.steps.length ? 100 : setWeightAt(this.app, this.phase.step);
    }

    private record(): void {
        const last = this.spans[this.spans.length - 1];
        const share = this.share();
        if (last && last.share === share && samePods(last.pods, this.pods)) return;
        if (last) last.end = this.now;
        this.spans.push({ step: this.phase.step, start: this.now, end: Infinity, share, pods: this.pods });
    }
}
