import { approximateCounts } from "./canaryShare";

/**
 * One reconcile of a Rollout without traffic routing, as the Argo Rollouts
 * controller v1.8.3 runs it: `CalculateReplicaCountsForBasicCanary`
 * (utils/replicaset/canary.go, lines 94-181, and its helpers), with no older ReplicaSets (a
 * release of the stable version) and the fenceposts resolved (`MaxSurge`,
 * `MaxUnavailable`). The controller calls it for the stable ReplicaSet
 * (`reconcileCanaryStableReplicaSet`) and, once that one needs no scaling,
 * for the canary (`reconcileNewReplicaSet` through `NewRSNewReplicas`;
 * rollout/canary.go `reconcileCanaryReplicaSets`). Where canaryShare.ts
 * gives the counts a step settles at, this gives every count on the way,
 * which depends on how many pods are available: test/podStartup.test.ts
 * checks it against the controller's own test table.
 */

/** A ReplicaSet as the function reads it: `spec.replicas` and `status.availableReplicas`. */
export interface ReplicaSetCounts {
    spec: number;
    available: number;
}

export interface BasicCanaryLimits {
    replicas: number;
    /** Resolved maxSurge, in pods. */
    maxSurge: number;
    /** Resolved maxUnavailable, in pods. */
    maxUnavailable: number;
}

/** `GetReplicasForScaleDown`: what a ReplicaSet may give up, counting pods that are not available yet only when `ignoreAvailability`. */
function replicasForScaleDown(rs: ReplicaSetCounts, ignoreAvailability: boolean): number {
    if (rs.spec < rs.available || ignoreAvailability) return rs.spec;
    return rs.available;
}

/** `calculateScaleDownReplicaCount` */
function scaledDown(drain: ReplicaSetCounts, desired: number, scaleDown: number, count: number): number {
    return drain.spec > desired ? Math.max(desired, drain.spec - scaleDown) : count;
}

/** `adjustReplicaWithinLimits`: [drain count, adjust count] within maxSurge, without going below the available minimum. */
function withinLimits(
    drain: ReplicaSetCounts,
    adjust: ReplicaSetCounts,
    drainCount: number,
    adjustCount: number,
    maxAllowed: number,
    minAvailable: number,
): [number, number] {
    let over = Math.max(0, adjustCount + drainCount - maxAllowed);
    let available = Math.min(drain.available, drainCount);
    let adjusted = adjustCount - over;
    available += Math.min(adjust.available, adjusted);
    const extraAvailable = Math.max(0, adjust.available - adjusted);
    adjusted += Math.min(extraAvailable, Math.max(0, minAvailable - available));
    over = Math.max(0, adjusted + drainCount - maxAllowed);
    return [drainCount - over, adjusted];
}

/** The counts the controller scales the canary and the stable ReplicaSets to next, at `weight`. */
export function basicCanaryCounts(
    limits: BasicCanaryLimits,
    weight: number,
    canary: ReplicaSetCounts,
    stable: ReplicaSetCounts,
): { canary: number; stable: number } {
    const { replicas, maxSurge, maxUnavailable } = limits;
    const desired = approximateCounts(replicas, weight, 100, maxSurge);
    let canaryCount = canary.spec;
    let stableCount = stable.spec;
    const maxAllowed = replicas + maxSurge;
    let scaleUp = maxAllowed - canary.spec - stable.spec;
    if (stable.spec < desired.stable && scaleUp > 0) {
        stableCount = Math.min(desired.stable, stable.spec + scaleUp);
        scaleUp -= stableCount - stable.spec;
    }
    if (canary.spec < desired.canary && scaleUp > 0) canaryCount = Math.min(desired.canary, canary.spec + scaleUp);

    const minAvailable = replicas - maxUnavailable;
    const increasing = desired.canary >= canary.spec;
    const toScaleDown = replicasForScaleDown(canary, !increasing) + replicasForScaleDown(stable, increasing);
    if (toScaleDown <= minAvailable) return { canary: canaryCount, stable: stableCount };
    const scaleDown = toScaleDown - minAvailable;
    if (!increasing) {
        canaryCount = scaledDown(canary, desired.canary, scaleDown, canaryCount);
        [canaryCount, stableCount] = withinLimits(canary, stable, canaryCount, stableCount, maxAllowed, minAvailable);
    } else {
        stableCount = scaledDown(stable, desired.stable, scaleDown, stableCount);
        [stableCount, canaryCount] = withinLimits(stable, canary, stableCount, canaryCount, maxAllowed, minAvailable);
    }
    return { canary: canaryCount, stable: stableCount };
}
