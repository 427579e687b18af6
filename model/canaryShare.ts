/**
 * The share of traffic a canary really gets at a `setWeight`, as the Argo
 * Rollouts controller v1.8.3 runs it.
 *
 * With traffic routing (nginx, `stableIngress`) the router splits requests by
 * the weight as written, whatever the pod counts. Without it the Services
 * select pods, so the split is canary pods / all ready pods, and the
 * controller sizes the two ReplicaSets by
 * `approximateWeightedCanaryStableReplicaCounts` in `utils/replicaset/canary.go`
 * (called by `CalculateReplicaCountsForBasicCanary`): the whole-pod counts
 * closest to the weight, among `replicas` pods or, when maxSurge resolves
 * above 0, `replicas + 1`; a weight from 1 to 99 keeps at least one pod on
 * each side. 4 replicas at setWeight 10 run 1 canary pod beside 4 stable
 * ones: 20% of the traffic.
 *
 * maxSurge comes from `MaxSurge` (`utils/replicaset/replicaset.go`):
 * `spec.strategy.canary.maxSurge`, default "25" (`utils/defaults`), which
 * k8s.io/apimachinery's deprecated `GetValueFromIntOrPercent` reads as 25%,
 * rounded up. maxUnavailable (default 25%, rounded down) only paces the
 * reconciles on the way to these counts (`CalculateReplicaCountsForBasicCanary`
 * lines 158-179); it never changes where a step settles, so it is no input here.
 *
 * Checked against the controller's own functions over a grid of replicas,
 * weights and fenceposts: test/argoCanaryCounts.json, written by
 * scripts/argo-canary-counts/run (test/canaryShare.test.ts).
 */

/** A Rollout's maxSurge as written: a count, or a percentage ("25%"; Argo's default is the string "25", also a percentage). */
export type Fencepost = number | string;

/** Argo's `DefaultMaxSurge` (utils/defaults/defaults.go). */
export const DEFAULT_MAX_SURGE: Fencepost = "25";

/** What decides the split: the Rollout's replicas, its maxSurge, and whether a traffic router sets the weight. */
export interface RolloutScaling {
    replicas: number;
    /** Unset: the field is left out of the Rollout and Argo's default applies. */
    maxSurge?: Fencepost;
    trafficRouting: boolean;
}

/** The ReplicaSet sizes a step settles at, and the canary's share of requests (%). */
export interface CanarySplit {
    canary: number;
    stable: number;
    share: number;
}

/** Argo's `weightutil.MaxTrafficWeight` without `trafficRouting.maxTrafficWeight`, which the stack never sets. */
const MAX_WEIGHT = 100;

/** k8s.io/apimachinery `intstr.GetValueFromIntOrPercent` (deprecated): any string is a percentage, "%" or not. */
function valueFromIntOrPercent(value: Fencepost, total: number, roundUp: boolean): number {
    if (typeof value === "number") return value;
    const digits = value.replace(/%/g, "");
    if (!/^[+-]?\d+$/.test(digits)) throw new Error(`invalid value for IntOrString: ${JSON.stringify(value)}`);
    const scaled = (Number(digits) * total) / 100;
    return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** `replicaset.MaxSurge`: the resolved fencepost (resolveFenceposts only raises maxUnavailable when both are 0). */
export function maxSurgePods(replicas: number, maxSurge: Fencepost = DEFAULT_MAX_SURGE): number {
    return valueFromIntOrPercent(maxSurge, replicas, true);
}

/** `floorCeilingTied`: `math.Modf(total * (weight / maxWeight))` has fraction exactly 0.5. */
function floorCeilingTied(weight: number, maxWeight: number, total: number): boolean {
    const x = total * (weight / maxWeight);
    return x - Math.trunc(x) === 0.5;
}

/** `weightDelta`: how far `canary` pods of `total` are from the weight. */
function weightDelta(weight: number, maxWeight: number, canary: number, total: number): number {
    return Math.abs((canary * maxWeight) / total - weight);
}

/**
 * `approximateWeightedCanaryStableReplicaCounts` (utils/replicaset/canary.go,
 * v1.8.3, lines 188-243), option for option: ceiling and floor canary counts
 * among `replicas` pods, then among `replicas + 1` when surge is allowed; the
 * first option with the smallest distance from the weight wins.
 */
export function approximateCounts(replicas: number, weight: number, maxWeight: number, maxSurge: number): { canary: number; stable: number } {
    if (replicas === 0) return { canary: 0, stable: 0 };
    const ceil = Math.ceil((replicas * weight) / maxWeight);
    const floor = Math.floor((replicas * weight) / maxWeight);
    const tied = floorCeilingTied(weight, maxWeight, replicas);
    const zeroAllowed = weight === maxWeight || weight === 0 || (replicas === 1 && maxSurge === 0);
    const options: { canary: number; total: number }[] = [];
    if (ceil < replicas || zeroAllowed) options.push({ canary: ceil, total: replicas });
    if (!tied && (floor !== 0 || zeroAllowed)) options.push({ canary: floor, total: replicas });
    if (maxSurge > 0) {
        options.push({ canary: ceil, total: replicas + 1 });
        const surgeTied = floorCeilingTied(weight, maxWeight, replicas + 1);
        if (!surgeTied && (floor !== 0 || zeroAllowed)) options.push({ canary: floor, total: replicas + 1 });
    }
    if (options.length === 0) return { canary: 0, stable: replicas };
    let best = options[0];
    let bestDelta = weightDelta(weight, maxWeight, best.canary, best.total);
    for (const option of options.slice(1)) {
        const delta = weightDelta(weight, maxWeight, option.canary, option.total);
        if (delta < bestDelta) {
            best = option;
            bestDelta = delta;
        }
    }
    return { canary: best.canary, stable: best.total - best.canary };
}

/**
 * `CalculateReplicaCountsForTrafficRoutedCanary` without setCanaryScale,
 * minPodsPerReplicaSet and dynamicStableScale (the stack writes none of them
 * as a split): canary `ceil(weight × replicas / 100)`, stable fully scaled.
 */
function routedCounts(replicas: number, weight: number): { canary: number; stable: number } {
    return { canary: Math.ceil((weight * replicas) / MAX_WEIGHT), stable: replicas };
}

/** The split at a `setWeight` once the step has settled and every pod is Ready. */
export function canarySplit(scaling: RolloutScaling, weight: number): CanarySplit {
    if (scaling.trafficRouting) return { ...routedCounts(scaling.replicas, weight), share: weight };
    const counts = approximateCounts(scaling.replicas, weight, MAX_WEIGHT, maxSurgePods(scaling.replicas, scaling.maxSurge));
    const pods = counts.canary + counts.stable;
    return { ...counts, share: pods === 0 ? 0 : (counts.canary * 100) / pods };
}

/** The canary's real share of traffic (%) at a `setWeight`. */
export function canaryShare(scaling: RolloutScaling, weight: number): number {
    return canarySplit(scaling, weight).share;
}

/** A share as a message prints it: whole, or to one decimal (33.3). */
export function formatShare(share: number): string {
    return String(Math.round(share * 10) / 10);
}
