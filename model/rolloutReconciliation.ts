import type { IRollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout" with { "resolution-mode": "import" };
import type { IReplicaSet } from "kubernetes-models/apps/v1/ReplicaSet" with { "resolution-mode": "import" };

/**
 * How far the Argo Rollouts controller got with a Rollout, read from what it
 * writes: the Rollout's status and the ReplicaSets it owns. A destroy must
 * tell a canary in progress from a Rollout the controller never reconciled or
 * has stopped reconciling, since the rollback is most needed when the
 * controller is down. Files named below are in argoproj/argo-rollouts v1.8.3.
 */

/** The label Argo Rollouts puts on the ReplicaSets it owns; `status.stableRS` and `status.currentPodHash` are its values. */
export const ROLLOUT_HASH_LABEL = "rollouts-pod-template-hash";

function isOwnedBy(replicaSet: IReplicaSet, rollout: IRollout): boolean {
    return (replicaSet.metadata?.ownerReferences ?? []).some(
        (o) => o.kind === "Rollout" && o.name === rollout.metadata?.name && (!rollout.metadata?.uid || o.uid === rollout.metadata.uid),
    );
}

/** The Rollout's own ReplicaSet for a pod-template hash. */
export function ownedReplicaSet(rollout: IRollout, replicaSets: IReplicaSet[], hash: string): IReplicaSet | undefined {
    return replicaSets.find((rs) => rs.metadata?.labels?.[ROLLOUT_HASH_LABEL] === hash && isOwnedBy(rs, rollout));
}

/**
 * Why the Rollout has no stable ReplicaSet, or undefined when it has one.
 * Without `status.stableRS` there is no canary to protect: the controller
 * sets stableRS only in `promoteStable` (rollout/sync.go), and promotes the
 * first ReplicaSet straight to stable ("Initial deploy" in
 * `shouldFullPromote`), so no canary exists before it. A canary's phase is
 * Progressing while stableRS is empty (`CalculateRolloutPhase`,
 * utils/rollout/rolloututil.go), and `scaleDown: onsuccess` scales the
 * Deployment down only after a Healthy status (`promoteStable` again);
 * `progressively` only by pods of the Rollout that are ready
 * (`reconcileNewReplicaSet`, rollout/replicaset.go). The controller's first
 * status write has no stableRS yet (`checkStepHashChange`,
 * utils/replicaset/replicaset.go, sends it through the reset branch of
 * `syncRolloutStatusCanary`, rollout/canary.go); every write carries
 * `observedGeneration` (`persistRolloutStatus` and `patchCondition`,
 * rollout/sync.go).
 */
export function neverReconciled(rollout: IRollout): string | undefined {
    const status = rollout.status;
    if (status?.stableRS) return undefined;
    if (!status?.observedGeneration) return "the Argo Rollouts controller has never written its status";
    return `the Argo Rollouts controller wrote a status, phase ${status.phase ?? "unset"}, but no status.stableRS`;
}

/**
 * Why the status is not the controller's view of the current spec, or
 * undefined when it is. The controller writes `observedGeneration` =
 * `metadata.generation` on every status write (rollout/sync.go), and the CRD
 * says to rely on `status.phase` only when they are equal
 * (pkg/apis/rollouts/v1alpha1/types.go; utils/conditions/conditions.go
 * `RolloutComplete` requires it too). A status behind the generation means
 * the controller is not running, or not keeping up.
 */
export function controllerBehind(rollout: IRollout): string | undefined {
    const observed = rollout.status?.observedGeneration;
    const generation = rollout.metadata?.generation;
    if (generation === undefined || observed === String(generation)) return undefined;
    return `the Argo Rollouts controller last updated its status for generation ${observed ?? "(none)"}, the Rollout is at generation ${generation}`;
}

/**
 * The canary ReplicaSet when it has ready pods, which get traffic: the
 * Rollout's own ReplicaSet of `status.currentPodHash`, when that is not the
 * stable hash. Live ReplicaSet status comes from Kubernetes' ReplicaSet
 * controller, so it holds while the Argo Rollouts controller is down.
 */
export function canaryWithTraffic(rollout: IRollout, replicaSets: IReplicaSet[]): IReplicaSet | undefined {
    const { currentPodHash, stableRS } = rollout.status ?? {};
    if (!currentPodHash || currentPodHash === stableRS) return undefined;
    const canary = ownedReplicaSet(rollout, replicaSets, currentPodHash);
    return (canary?.status?.readyReplicas ?? 0) > 0 ? canary : undefined;
}
