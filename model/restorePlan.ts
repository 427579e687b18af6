import type { IRollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout" with { "resolution-mode": "import" };
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IReplicaSet } from "kubernetes-models/apps/v1/ReplicaSet" with { "resolution-mode": "import" };

/**
 * What `pulumi destroy` does to hand an app back to its Deployment, decided
 * from the live objects alone: plain data in, plain data out, no I/O, so every
 * branch is testable without a cluster. `components/app/restore/` does the I/O.
 */

export type { IRollout, IDeployment, IReplicaSet };

/** The label Argo Rollouts puts on the ReplicaSets it owns; `status.stableRS` is its value for the stable one. */
export const ROLLOUT_HASH_LABEL = "rollouts-pod-template-hash";

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
    /** ReplicaSets labelled with the stable hash (the caller lists them by label). */
    replicaSets: IReplicaSet[];
    deployment: IDeployment;
    recordedReplicas: number;
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

export type RestoreDecision =
    | { kind: "restore"; plan: RestorePlan }
    | { kind: "refuse"; message: string };

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
    if (!status?.phase) return "without status (the Argo Rollouts controller has not reconciled it)";
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
    return `${phase} at step ${index}/${steps.length} (canary weight ${canaryWeight(rollout)}%)`;
}

/** The canary's weight as Argo reports it, else the last `setWeight` reached, as `kubectl argo rollouts` shows it. */
export function canaryWeight(rollout: IRollout): number {
    const reported = rollout.status?.canary?.weights?.canary?.weight;
    if (reported !== undefined) return reported;
    const steps = rollout.spec.strategy?.canary?.steps ?? [];
    const index = Math.min(rollout.status?.currentStepIndex ?? 0, steps.length - 1);
    for (let i = index; i >= 0; i--) {
        const weight = steps[i].setWeight;
        if (weight !== undefined) return weight;
    }
    return 0;
}

export function refusalMessage(rollout: IRollout, state: string): string {
    const { name, namespace, path } = rolloutId(rollout);
    const target = `${name} -n ${namespace}`;
    const way = rollout.status?.abort
        ? `Retry it and let it finish (kubectl argo rollouts retry rollout ${target})`
        : `Finish it first (kubectl argo rollouts promote ${target}) or abort it (kubectl argo rollouts abort ${target})`;
    return `Rollout ${path} is ${state}: refusing to destroy mid-canary. ${way}, `
        + "or set allowDestroyMidCanary: true on the app to restore the stable image and go on "
        + "(run pulumi up after setting it: a destroy reads it from the stack's state).";
}

function isOwnedBy(replicaSet: IReplicaSet, rollout: IRollout): boolean {
    return (replicaSet.metadata?.ownerReferences ?? []).some((o) =>
        o.kind === "Rollout" && o.name === rollout.metadata?.name && (!rollout.metadata?.uid || o.uid === rollout.metadata.uid));
}

/** The stable ReplicaSet: the Rollout's own, labelled with `status.stableRS`. */
export function stableReplicaSet(rollout: IRollout, replicaSets: IReplicaSet[]): IReplicaSet | undefined {
    const hash = rollout.status?.stableRS;
    if (!hash) return undefined;
    return replicaSets.find((rs) => rs.metadata?.labels?.[ROLLOUT_HASH_LABEL] === hash && isOwnedBy(rs, rollout));
}

/** The stable images, by container name, for the containers the Deployment has. */
function stableImages(stable: ContainerImage[], current: { name: string }[]): ContainerImage[] {
    const names = new Set(current.map((c) => c.name));
    return stable.filter((c) => names.has(c.name));
}

function images(containers: { name: string; image?: string }[] | undefined): ContainerImage[] {
    return (containers ?? []).filter((c) => c.image).map((c) => ({ name: c.name, image: c.image as string }));
}

/**
 * Refuse, or plan the restore: the stable ReplicaSet's images on the
 * Deployment (never the Deployment's own template, which mid-canary holds
 * the unverified newest image), and never fewer replicas than were recorded,
 * than the Rollout runs, or than the Deployment already has.
 */
export function restorePlan(input: RestoreInput): RestoreDecision {
    const { rollout, deployment } = input;
    const state = unhealthyState(rollout);
    if (state !== undefined && !input.allowUnhealthy) return { kind: "refuse", message: refusalMessage(rollout, state) };

    const replicas = Math.max(input.recordedReplicas, rollout.spec.replicas ?? DEFAULT_REPLICAS, deployment.spec?.replicas ?? 0);
    const hash = rollout.status?.stableRS;
    if (!hash) return { kind: "restore", plan: { replicas, containers: [], initContainers: [] } };

    const stable = stableReplicaSet(rollout, input.replicaSets);
    if (!stable) {
        return {
            kind: "refuse",
            message: `Rollout ${rolloutId(rollout).path} names stable ReplicaSet hash ${hash} (status.stableRS), but no ReplicaSet it owns `
                + `carries ${ROLLOUT_HASH_LABEL}=${hash}: cannot tell which image is stable, so the Deployment was not touched. `
                + "Set the stable image and replicas on the Deployment by hand (docs/rollback.md), then destroy again.",
        };
    }
    const template = stable.spec?.template?.spec;
    const current = deployment.spec?.template.spec;
    return {
        kind: "restore",
        plan: {
            replicas,
            containers: stableImages(images(template?.containers), current?.containers ?? []),
            initContainers: stableImages(images(template?.initContainers), current?.initContainers ?? []),
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

/** Available as `kubectl rollout status` means it: the current generation rolled out, every replica updated and available. */
export function deploymentAvailability(deployment: IDeployment): Availability {
    const wanted = deployment.spec?.replicas ?? DEFAULT_REPLICAS;
    const generation = deployment.metadata?.generation ?? 0;
    const status = deployment.status ?? {};
    const condition = (status.conditions ?? []).find((c) => c.type === "Available");
    const available = (status.observedGeneration ?? 0) >= generation
        && (status.updatedReplicas ?? 0) === wanted
        && (status.availableReplicas ?? 0) === wanted
        && condition?.status === "True";
    const conditionText = condition ? `Available=${condition.status}${condition.reason ? ` (${condition.reason})` : ""}` : "no Available condition";
    return {
        available,
        seen: `generation ${generation}, observedGeneration ${status.observedGeneration ?? "unset"}, `
            + `${wanted} replicas wanted, ${status.updatedReplicas ?? 0} updated, ${status.availableReplicas ?? 0} available, ${conditionText}`,
    };
}
