import {
    deploymentAvailability,
    deploymentPatch,
    deploymentRecord,
    DeploymentRecord,
    IDeployment,
    planDrift,
    restorePlan,
    RestorePlan,
    ROLLOUT_HASH_LABEL,
    stopScaleDownPatch,
} from "../../../model/restorePlan";
import { IngressNames } from "../../../model/ingressHandBack";
import { handBackIngress } from "./ingress";
import { KubeApi } from "./kubeApi";

/** One app's restore, as its DeploymentRestore resource recorded it. */
export interface RestoreTarget {
    namespace: string;
    rollout: string;
    deployment: string;
    /** The Deployment's replicas before the Rollout adopted it (DeploymentSnapshot). */
    recordedReplicas: number;
    /** Its images then, container name -> image (DeploymentSnapshot); absent in a state written before the restore took them. */
    recordedImages?: Record<string, string>;
    /** Go on mid-canary, restoring the stable image. */
    allowUnhealthy: boolean;
    /** How long to wait for the Deployment to become Available. */
    timeoutSeconds: number;
    pollIntervalSeconds: number;
    /** The app's stableIngress and the Services it moves between; unset without one (or in a state written before the restore took them). */
    ingress?: IngressNames;
}

export type Log = (message: string) => void;

const sleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

/** Reads the Deployment as it is now, for the DeploymentSnapshot. */
export async function snapshotDeployment(api: KubeApi, namespace: string, name: string): Promise<DeploymentRecord> {
    const deployment = await api.getDeployment(namespace, name);
    if (!deployment) throw new Error(`Deployment ${namespace}/${name} not found: the Rollout can only adopt an existing Deployment`);
    return deploymentRecord(deployment);
}

/**
 * Hands the app back to its Deployment so the Rollout can be deleted: refuse
 * mid-canary (unless allowed), stop Argo from scaling the Deployment down,
 * put the stable images (the recorded ones if the controller never made a
 * ReplicaSet stable) and the replicas on it, and wait until it is Available;
 * then move the stableIngress back to the app's own Service (./ingress.ts).
 * Any failure throws, so the destroy stops with the Rollout, which still
 * serves, in place.
 */
export async function restoreDeployment(api: KubeApi, target: RestoreTarget, log: Log = () => undefined): Promise<void> {
    const { namespace } = target;
    const rollout = await api.getRollout(namespace, target.rollout);
    const deployment = await api.getDeployment(namespace, target.deployment);
    if (!deployment) {
        throw new Error(
            `Deployment ${namespace}/${target.deployment} not found: there is nothing to hand the app back to, ` +
                `so the destroy stops here${rollout ? ` and Rollout ${namespace}/${target.rollout} keeps serving` : ""}. ` +
                "Recreate the Deployment, then run pulumi destroy again.",
        );
    }
    if (!rollout) return restoreWithoutRollout(api, target, deployment, log);

    // Without a stable ReplicaSet the plan reads none; otherwise it needs the stable one and the canary's.
    const replicaSets = rollout.status?.stableRS ? await api.listReplicaSets(namespace, ROLLOUT_HASH_LABEL) : [];
    const decision = restorePlan({
        rollout,
        replicaSets,
        deployment,
        recordedReplicas: target.recordedReplicas,
        recordedImages: target.recordedImages,
        allowUnhealthy: target.allowUnhealthy,
    });
    if (decision.kind === "refuse") throw new Error(decision.message);

    await api.patchRollout(namespace, target.rollout, stopScaleDownPatch);
    await api.patchDeployment(namespace, target.deployment, deploymentPatch(decision.plan));
    const leftAs = `Rollout ${namespace}/${target.rollout} was not deleted (its workloadRef.scaleDown is now never), so the app keeps serving.`;
    await waitUntilAvailable(api, target, decision.plan, log, leftAs);
    const images = decision.plan.containers.map((c) => `${c.name}=${c.image}`).join(", ") || "unchanged images";
    log(
        `Rollout ${namespace}/${target.rollout} ${decision.why} [${decision.case}]: ` +
            `Deployment ${namespace}/${target.deployment} is Available with ${decision.plan.replicas} replicas (${images}); the Rollout can go`,
    );
    await ingressBack(api, target, rollout.metadata?.uid, leftAs, log);
}

async function ingressBack(api: KubeApi, target: RestoreTarget, rolloutUid: string | undefined, leftAs: string, log: Log): Promise<void> {
    if (!target.ingress) return;
    await handBackIngress(
        api,
        {
            namespace: target.namespace,
            names: target.ingress,
            rolloutUid,
            timeoutSeconds: target.timeoutSeconds,
            pollIntervalSeconds: target.pollIntervalSeconds,
            leftAs,
        },
        log,
    );
}

/** Nothing left to protect; only make sure the Deployment is not left at 0 replicas (argoproj/argo-rollouts#3855). */
async function restoreWithoutRollout(api: KubeApi, target: RestoreTarget, deployment: IDeployment, log: Log): Promise<void> {
    const where = `${target.namespace}/${target.deployment}`;
    const replicas = deployment.spec?.replicas ?? 1;
    const leftAs = "The stack's objects were not deleted.";
    if (replicas > 0) {
        log(`Rollout ${target.namespace}/${target.rollout} is already gone and Deployment ${where} runs ${replicas} replicas: nothing to restore`);
        return ingressBack(api, target, undefined, leftAs, log);
    }
    if (target.recordedReplicas <= 0) {
        throw new Error(
            `Rollout ${target.namespace}/${target.rollout} is already gone and Deployment ${where} is at 0 replicas, ` +
                `but no replica count was recorded: scale it yourself (kubectl scale deployment ${target.deployment} -n ${target.namespace} --replicas=N)`,
        );
    }
    const plan: RestorePlan = { replicas: target.recordedReplicas, containers: [], initContainers: [] };
    await api.patchDeployment(target.namespace, target.deployment, deploymentPatch(plan));
    await waitUntilAvailable(api, target, plan, log, `Rollout ${target.namespace}/${target.rollout} was already gone.`);
    log(`Rollout ${target.namespace}/${target.rollout} was already gone; Deployment ${where} scaled back to ${target.recordedReplicas} replicas and Available`);
    await ingressBack(api, target, undefined, leftAs, log);
}

/**
 * Polls until the Deployment is Available with the planned replicas; on
 * timeout, says what it saw and what is left as it was (`leftAs`). A
 * Deployment that drifted from the plan while it waited (a stale reconcile of
 * the Argo Rollouts controller scales it back to 0, a deploy sets an image) is
 * patched again, and is never Available until it has the plan again.
 */
async function waitUntilAvailable(api: KubeApi, target: RestoreTarget, plan: RestorePlan, log: Log, leftAs: string): Promise<void> {
    const where = `${target.namespace}/${target.deployment}`;
    const deadline = Date.now() + target.timeoutSeconds * 1000;
    let repatches = 0;
    for (;;) {
        const deployment = await api.getDeployment(target.namespace, target.deployment);
        if (!deployment) throw new Error(`Deployment ${where} disappeared while waiting for it to become Available`);
        const drift = planDrift(deployment, plan);
        const { available, seen } = deploymentAvailability(deployment, plan.replicas);
        if (drift === undefined && available) return;
        if (Date.now() >= deadline) {
            const patched = repatches > 0 ? ` The restore patched it again ${repatches} time(s) after something changed it back.` : "";
            throw new Error(
                `Deployment ${where} did not become Available with the planned ${plan.replicas} replicas within ${target.timeoutSeconds}s ` +
                    `(last seen: ${seen}${drift ? `; it ${drift}` : ""}).${patched} ` +
                    `${leftAs} ` +
                    `Find out why the pods are not available (kubectl describe deployment ${target.deployment} -n ${target.namespace}), then run pulumi destroy again.`,
            );
        }
        if (drift !== undefined) {
            repatches++;
            log(`Deployment ${where} ${drift} after the restore's patch: patching it again`);
            await api.patchDeployment(target.namespace, target.deployment, deploymentPatch(plan));
        }
        await sleep(target.pollIntervalSeconds);
    }
}
