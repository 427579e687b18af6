import type { IRollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout" with { "resolution-mode": "import" };
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IReplicaSet } from "kubernetes-models/apps/v1/ReplicaSet" with { "resolution-mode": "import" };
import { canaryWithTraffic, controllerBehind, neverReconciled, ownedReplicaSet, ROLLOUT_HASH_LABEL } from "./rolloutReconciliation";

/**
 * What `pulumi destroy` does to hand an app back to its Deployment, decided
 * from the live objects alone: plain data in, plain data out, no I/O, so every
 * branch is testable without a cluster. `components/app/restore/` does the I/O.
 */

export type { IRollout, IDeployment, IReplicaSet };
export { ROLLOUT_HASH_LABEL };

/** Argo's default for a Rollout without `spec.replicas`, and Kubernetes' for a Deployment. */
const DEFAULT_REPLICAS = 1;

/** The Deployment as it was before the Rollout adopted it; taken once, at the first `pulumi up`. */
export interface DeploymentRecord {
    replicas: number;
    /** Container name -> image. */
    images: Record<string, string>;
}

export interface RestoreInput {
    rollout: IRollout;
    /** ReplicaSets carrying `rollouts-pod-template-hash` (the caller lists them by label); only the Rollout's own count. */
    replicaSets: IReplicaSet[];
    deployment: IDeployment;
    recordedReplicas: number;
    /** `DeploymentSnapshot.images`; absent in a state written before the restore took them. */
    recordedImages?: Record<string, string>;
    /** The app's `allowDestroyMidCanary`: restore the stable image even mid-canary. */
    allowUnhealthy: boolean;
}

export interface ContainerImage {
    name: string;
    image: string;
}

export interface RestorePlan {
    replicas: number;
    containers: ContainerImage[];
    initContainers: ContainerImage[];
}

/** Which restore a destroy takes; the restore's log line names it. */
export type RestoreCase =
    /** Healthy, at rest: the stable ReplicaSet's images. */
    | "at-rest"
    /** A canary in progress, restored because allowDestroyMidCanary is set: the stable ReplicaSet's images. */
    | "mid-canary-allowed"
    /** No stable ReplicaSet yet (`neverReconciled`): the images recorded before the migration. */
    | "never-reconciled"
    /** The controller has not observed the current generation and no canary pod is ready: the stable ReplicaSet's images. */
    | "controller-behind";

export type RestoreDecision =
    /** `why` says, for the log, which case and where the images come from. */
    { kind: "restore"; case: RestoreCase; why: string; plan: RestorePlan } | { kind: "refuse"; message: string };

export function deploymentRecord(deployment: IDeployment): DeploymentRecord {
    const containers = deployment.spec?.template.spec?.containers ?? [];
    return {
        replicas: deployment.spec?.replicas ?? DEFAULT_REPLICAS,
        images: Object.fromEntries(containers.filter((c) => c.image).map((c) => [c.name, c.image as string])),
    };
}

function rolloutId(rollout: IRollout): { name: string; namespace: string; path: string } {
    const name = rollout.metadata?.name ?? "";
    const namespace = rollout.metadata?.namespace ?? "";
    return { name, namespace, path: `${namespace}/${name}` };
}

/** Why the Rollout is not at rest, or undefined when it is: Healthy, not aborted, not paused, no canary in flight. */
export function unhealthyState(rollout: IRollout): string | undefined {
    const status = rollout.status;
    if (!status?.phase) return "without status.phase";
    if (status.abort) return `${status.phase} (aborted)`;
    const paused = (status.pauseConditions ?? []).length > 0;
    const canaryInFlight = status.currentPodHash !== status.stableRS;
    if (status.phase === "Healthy" && !paused && !canaryInFlight) return undefined;
    let phase: string = status.phase;
    if (paused && phase !== "Paused") phase += ` (paused: ${(status.pauseConditions ?? []).map((c) => c.reason).join(", ")})`;
    if (canaryInFlight && phase === "Healthy") phase += ` (pod template ${status.currentPodHash} is not the stable ${status.stableRS} yet)`;
    const steps = rollout.spec.strategy?.canary?.steps ?? [];
    const index = status.currentStepIndex;
    if (index === undefined || steps.length === 0) return phase;
    const where = index < steps.length ? `at steps[${index}] of ${steps.length}` : `past the last of ${steps.length} steps`;
    return `${phase} ${where} (${weightText(rollout)})`;
}

/**
 * The weight a traffic router reports (`canary weight 25%`), else the last setWeight reached (`setWeight 10`):
 * without traffic routing the canary's share is its share of the pods, which is not that number.
 */
function weightText(rollout: IRollout): string {
    const reported = rollout.status?.canary?.weights?.canary?.weight;
    return reported !== undefined ? `canary weight ${reported}%` : `setWeight ${lastSetWeight(rollout)}`;
}

/** The last `setWeight` reached, as `kubectl argo rollouts get` shows it as SetWeight. */
export function lastSetWeight(rollout: IRollout): number {
    const steps = rollout.spec.strategy?.canary?.steps ?? [];
    const index = Math.min(rollout.status?.currentStepIndex ?? 0, steps.length - 1);
    for (let i = index; i >= 0; i--) {
        const weight = steps[i].setWeight;
        if (weight !== undefined) return weight;
    }
    return 0;
}

const ALLOW_MID_CANARY =
    "or set allowDestroyMidCanary: true on the app to restore the stable image and go on " +
    "(run pulumi up after setting it: a destroy reads it from the stack's state).";

export function refusalMessage(rollout: IRollout, state: string): string {
    const { name, namespace, path } = rolloutId(rollout);
    const target = `${name} -n ${namespace}`;
    const way = rollout.status?.abort
        ? `Retry it and let it finish (kubectl argo rollouts retry rollout ${target})`
        : `Finish it first (kubectl argo rollouts promote ${target}) or abort it (kubectl argo rollouts abort ${target})`;
    return `Rollout ${path} is ${state}: refusing to destroy mid-canary. ${way}, ${ALLOW_MID_CANARY}`;
}

/** A canary with ready pods under a status the controller has not caught up with: promote and abort need it running again. */
function behindRefusalMessage(rollout: IRollout, canary: IReplicaSet, behind: string): string {
    const { name, namespace, path } = rolloutId(rollout);
    const target = `${name} -n ${namespace}`;
    return (
        `Rollout ${path} has a canary in progress: ReplicaSet ${canary.metadata?.name} (pod template ${rollout.status?.currentPodHash}, ` +
        `not the stable ${rollout.status?.stableRS}) has ${canary.status?.readyReplicas} ready pods, and ${behind}: ` +
        "refusing to destroy mid-canary. Start the Argo Rollouts controller again, then finish the canary " +
        `(kubectl argo rollouts promote ${target}) or abort it (kubectl argo rollouts abort ${target}), ${ALLOW_MID_CANARY}`
    );
}

/** The stable ReplicaSet: the Rollout's own, labelled with `status.stableRS`. */
export function stableReplicaSet(rollout: IRollout, replicaSets: IReplicaSet[]): IReplicaSet | undefined {
    const hash = rollout.status?.stableRS;
    return hash ? ownedReplicaSet(rollout, replicaSets, hash) : undefined;
}

/** The images to restore, by container name, for the containers the Deployment has. */
function forContainers(restored: ContainerImage[], current: { name: string }[]): ContainerImage[] {
    const names = new Set(current.map((c) => c.name));
    return restored.filter((c) => names.has(c.name));
}

function images(containers: { name: string; image?: string }[] | undefined): ContainerImage[] {
    return (containers ?? []).filter((c) => c.image).map((c) => ({ name: c.name, image: c.image as string }));
}

/**
 * Refuse, or plan the restore. A Rollout without a stable ReplicaSet gets the
 * images recorded before the migration. Otherwise the images are the stable
 * ReplicaSet's, never the Deployment's own template, which mid-canary holds
 * the unverified newest image. A canary in progress is refused unless
 * allowed: judged by the controller's status when it is current, and by the
 * canary ReplicaSet's ready pods when the controller has not caught up.
 */
export function restorePlan(input: RestoreInput): RestoreDecision {
    const { rollout } = input;
    const never = neverReconciled(rollout);
    if (never !== undefined) return snapshotRestore(input, never);

    const behind = controllerBehind(rollout);
    if (behind !== undefined) {
        const canary = canaryWithTraffic(rollout, input.replicaSets);
        if (!canary) return stableRestore(input, "controller-behind", `has no ready canary pods, and ${behind}`);
        if (!input.allowUnhealthy) return { kind: "refuse", message: behindRefusalMessage(rollout, canary, behind) };
        return stableRestore(
            input,
            "mid-canary-allowed",
            `has a canary in progress (ReplicaSet ${canary.metadata?.name} has ${canary.status?.readyReplicas} ready pods, and ${behind}), restored as allowDestroyMidCanary says`,
        );
    }

    const state = unhealthyState(rollout);
    if (state === undefined) return stableRestore(input, "at-rest", "is at rest (Healthy)");
    if (!input.allowUnhealthy) return { kind: "refuse", message: refusalMessage(rollout, state) };
    return stableRestore(input, "mid-canary-allowed", `is ${state}, restored as allowDestroyMidCanary says`);
}

/**
 * The recorded images and replicas, never fewer than the Deployment has. Init
 * containers keep their images: the record has none. A state without a
 * record keeps every image.
 */
function snapshotRestore(input: RestoreInput, never: string): RestoreDecision {
    const { deployment } = input;
    const recorded = Object.entries(input.recordedImages ?? {}).map(([name, image]) => ({ name, image }));
    const source = input.recordedImages
        ? "the images recorded before the migration"
        : "the Deployment's own images (the stack's state has none recorded: a pulumi up records them)";
    return {
        kind: "restore",
        case: "never-reconciled",
        why: `was never reconciled (${never}); ${source}`,
        plan: {
            replicas: Math.max(input.recordedReplicas, deployment.spec?.replicas ?? 0),
            containers: forContainers(recorded, deployment.spec?.template.spec?.containers ?? []),
            initContainers: [],
        },
    };
}

/** The stable ReplicaSet's images, and never fewer replicas than were recorded, than the Rollout runs, or than the Deployment has. */
function stableRestore(input: RestoreInput, restoreCase: RestoreCase, state: string): RestoreDecision {
    const { rollout, deployment } = input;
    const stable = stableReplicaSet(rollout, input.replicaSets);
    if (!stable) {
        const hash = rollout.status?.stableRS;
        return {
            kind: "refuse",
            message:
                `Rollout ${rolloutId(rollout).path} names stable ReplicaSet hash ${hash} (status.stableRS), but no ReplicaSet it owns ` +
                `carries ${ROLLOUT_HASH_LABEL}=${hash}: cannot tell which image is stable, so the Deployment was not touched. ` +
                "Set the stable image and replicas on the Deployment by hand (docs/rollback.md), then destroy again.",
        };
    }
    const template = stable.spec?.template?.spec;
    const current = deployment.spec?.template.spec;
    return {
        kind: "restore",
        case: restoreCase,
        why: `${state}; the images of its stable ReplicaSet ${stable.metadata?.name}`,
        plan: {
            replicas: Math.max(input.recordedReplicas, rollout.spec.replicas ?? DEFAULT_REPLICAS, deployment.spec?.replicas ?? 0),
            containers: forContainers(images(template?.containers), current?.containers ?? []),
            initContainers: forContainers(images(template?.initContainers), current?.initContainers ?? []),
        },
    };
}

/** A strategic merge patch: containers merge by name, so only the named images change. */
export function deploymentPatch(plan: RestorePlan): Record<string, unknown> {
    const podSpec: Record<string, ContainerImage[]> = {};
    if (plan.containers.length > 0) podSpec.containers = plan.containers;
    if (plan.initContainers.length > 0) podSpec.initContainers = plan.initContainers;
    return {
        spec: {
            replicas: plan.replicas,
            ...(Object.keys(podSpec).length > 0 ? { template: { spec: podSpec } } : {}),
        },
    };
}

/** Argo stops scaling the Deployment once this is applied; the restore scales it up only after. */
export const stopScaleDownPatch = { spec: { workloadRef: { scaleDown: "never" } } };

export interface Availability {
    available: boolean;
    /** What the status says, for a timeout message. */
    seen: string;
}

/**
 * Available as `kubectl rollout status` means it, counted against the PLANNED
 * replicas, never the live `spec.replicas`: a stale reconcile of the Argo
 * Rollouts controller may scale the Deployment back to 0 after the restore's
 * patch (v1.8.3 `rollout/scale_utils.go` `scaleDeployment`, called from
 * `rollout/replicaset.go` `reconcileNewReplicaSet` and `rollout/sync.go`
 * `promoteStable`), and a Deployment at 0 with 0 available would
 * otherwise count as rolled out. At least the planned (or the live, if more)
 * replicas, every one updated and available, no old pod left, on the current
 * generation, with `Available=True`.
 */
export function deploymentAvailability(deployment: IDeployment, plannedReplicas: number): Availability {
    const live = deployment.spec?.replicas ?? DEFAULT_REPLICAS;
    const wanted = Math.max(plannedReplicas, live);
    const generation = deployment.metadata?.generation ?? 0;
    const status = deployment.status ?? {};
    const condition = (status.conditions ?? []).find((c) => c.type === "Available");
    const updated = status.updatedReplicas ?? 0;
    const available =
        (status.observedGeneration ?? 0) >= generation &&
        live >= plannedReplicas &&
        updated >= wanted &&
        (status.replicas ?? 0) <= updated &&
        (status.availableReplicas ?? 0) >= wanted &&
        condition?.status === "True";
    const conditionText = condition ? `Available=${condition.status}${condition.reason ? ` (${condition.reason})` : ""}` : "no Available condition";
    return {
        available,
        seen:
            `generation ${generation}, observedGeneration ${status.observedGeneration ?? "unset"}, ` +
            `${plannedReplicas} replicas planned, ${live} in spec, ${updated} updated, ${status.availableReplicas ?? 0} available, ${conditionText}`,
    };
}

/**
 * How the live Deployment has drifted from the plan after the restore's patch
 * (scaled below the planned replicas, an image changed back), or undefined:
 * the restore then patches it again instead of waiting on a Deployment that
 * will never get there, or, worse, counting it Available.
 */
export function planDrift(deployment: IDeployment, plan: RestorePlan): string | undefined {
    const drifts: string[] = [];
    const live = deployment.spec?.replicas ?? DEFAULT_REPLICAS;
    if (live < plan.replicas) drifts.push(`is scaled to ${live} replicas, below the planned ${plan.replicas}`);
    const changed = (planned: ContainerImage[], current: { name: string; image?: string }[] | undefined, what: string) => {
        for (const c of planned) {
            const image = (current ?? []).find((l) => l.name === c.name)?.image;
            if (image !== c.image) drifts.push(`${what} ${c.name} has image ${image ?? "none"}, not the planned ${c.image}`);
        }
    };
    const spec = deployment.spec?.template.spec;
    changed(plan.containers, spec?.containers, "container");
    changed(plan.initContainers, spec?.initContainers, "init container");
    return drifts.length > 0 ? drifts.join("; ") : undefined;
}
