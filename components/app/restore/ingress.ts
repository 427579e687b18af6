import { ingressHandBack, IngressNames, ownedCanaryIngress } from "../../../model/ingressHandBack";
import { KubeApi } from "./kubeApi";
import type { Log } from "./restore";

const sleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

export interface IngressTarget {
    namespace: string;
    names: IngressNames;
    /** The Rollout's UID, when it still exists: its canary Ingress is the one it controls. */
    rolloutUid?: string;
    timeoutSeconds: number;
    pollIntervalSeconds: number;
    /** What stays as it was when the hand-back fails, for the error. */
    leftAs: string;
}

/** Until the app's Service has a ready endpoint (the Deployment just became Available; its EndpointSlices may lag). */
async function waitForEndpoints(api: KubeApi, target: IngressTarget, command: string): Promise<number> {
    const { namespace, names } = target;
    const deadline = Date.now() + target.timeoutSeconds * 1000;
    for (;;) {
        const ready = await api.readyEndpoints(namespace, names.service);
        if (ready > 0) return ready;
        if (Date.now() >= deadline) {
            throw new Error(
                `Service ${namespace}/${names.service} has no ready endpoint within ${target.timeoutSeconds}s, so Ingress ` +
                    `${namespace}/${names.stableIngress} was left on ${names.stableService}. ${target.leftAs} Find out why the Deployment's pods ` +
                    `are not among its endpoints (kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${names.service}), ` +
                    `then point the Ingress at it (${command}) and run pulumi destroy again.`,
            );
        }
        await sleep(target.pollIntervalSeconds);
    }
}

/**
 * Moves the app's stableIngress back to the app's own Service before the
 * Rollout and the stable Service go, once that Service has a ready endpoint,
 * then deletes Argo Rollouts' canary Ingress (which routes to the canary
 * Service, also about to go). A failure throws: the destroy stops before
 * anything is deleted, and the Ingress serves on through the Rollout.
 */
export async function handBackIngress(api: KubeApi, target: IngressTarget, log: Log): Promise<void> {
    const { namespace, names } = target;
    const decision = ingressHandBack(namespace, names, await api.getIngress(namespace, names.stableIngress));
    if (decision.kind === "none") {
        log(decision.why);
    } else {
        const where = `Ingress ${namespace}/${names.stableIngress}`;
        if (!(await api.hasService(namespace, names.service))) {
            throw new Error(
                `${where} routes to ${names.stableService}, which the destroy deletes, and the app's Service ${namespace}/${names.service} ` +
                    `to route it back to does not exist. ${target.leftAs} Recreate Service ${names.service}, or point the Ingress at a Service ` +
                    "that serves the Deployment, then run pulumi destroy again.",
            );
        }
        const ready = await waitForEndpoints(api, target, decision.command);
        try {
            await api.patchIngress(namespace, names.stableIngress, decision.patch);
        } catch (err) {
            throw new Error(
                `${where} could not be moved back to Service ${names.service} (${(err as Error).message}). ${target.leftAs} ` +
                    `Point it at Service ${names.service} (${decision.command}), then run pulumi destroy again.`,
            );
        }
        log(
            `${where}: ${decision.backends.map((b) => b.where).join(", ")} moved from ${names.stableService} to the app's Service ${names.service} ` +
                `(${ready} ready endpoint${ready === 1 ? "" : "s"})`,
        );
    }
    await deleteCanaryIngress(api, target, log);
}

/**
 * Argo Rollouts no longer recreates it once the stable Ingress has no rule
 * on the stable Service (its validation holds the Rollout as InvalidSpec),
 * but a reconcile from a cache that predates the patch still can: deleted,
 * then looked at once more after a poll.
 */
const MAX_DELETES = 3;

async function deleteCanaryIngress(api: KubeApi, target: IngressTarget, log: Log): Promise<void> {
    const { namespace, names } = target;
    for (let deletes = 0; ; deletes++) {
        const canary = await api.getIngress(namespace, names.canaryIngress);
        if (!ownedCanaryIngress(canary, target.rolloutUid)) return;
        if (deletes === MAX_DELETES) {
            throw new Error(
                `Ingress ${namespace}/${names.canaryIngress}, the Rollout's canary Ingress, came back after ${MAX_DELETES} deletes. ` +
                    `${target.leftAs} Run pulumi destroy again.`,
            );
        }
        await api.deleteIngress(namespace, names.canaryIngress, canary?.metadata?.uid as string);
        log(`Ingress ${namespace}/${names.canaryIngress}, the Rollout's canary Ingress, deleted before the canary Service goes`);
        await sleep(target.pollIntervalSeconds);
    }
}
