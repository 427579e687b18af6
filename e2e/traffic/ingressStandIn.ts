import type * as k8sClient from "@kubernetes/client-node" with { "resolution-mode": "import" };
import type { IIngress } from "../../model/ingressRoutes";
import { IngressView, ingressView, RoundRobin, routeRequest } from "./ingressRoute";

/**
 * The Ingress stand-in's reads and one request's route: the stable and canary
 * Ingresses and the ready endpoints of the Services they name, read from the
 * API server as ingress-nginx watches them.
 */

export interface IngressNames {
    /** The app's stableIngress. */
    stable: string;
    /** Argo Rollouts' canary Ingress, `<rollout>-<stableIngress>-canary`. */
    canary: string;
}

export interface IngressApis {
    networking: k8sClient.NetworkingV1Api;
    discovery: k8sClient.DiscoveryV1Api;
    core: k8sClient.CoreV1Api;
}

export interface IngressState {
    view: IngressView;
    /** Ready pods behind each Service the view names. */
    readyPods: Map<string, string[]>;
    /** Pod -> its rollouts-pod-template-hash; the Deployment's own pods have none. */
    hashOfPod: Map<string, string>;
}

/** The Deployment's own pods (no pod-template hash) are counted under this key. */
export const DEPLOYMENT_PODS = "deployment";
/** Requests whose Service had no ready endpoint (or did not exist): ingress-nginx answers them 503. */
export const UNROUTED = "unrouted";

async function getIngress(api: IngressApis, namespace: string, name: string): Promise<IIngress | undefined> {
    return api.networking.readNamespacedIngress({ namespace, name }).then(
        (i) => i as unknown as IIngress,
        (err: { code?: number }) => {
            if (err.code === 404) return undefined;
            throw err;
        },
    );
}

export async function readIngressState(api: IngressApis, namespace: string, names: IngressNames): Promise<IngressState> {
    const [stable, canary, pods] = await Promise.all([
        getIngress(api, namespace, names.stable),
        getIngress(api, namespace, names.canary),
        api.core.listNamespacedPod({ namespace }),
    ]);
    const view = ingressView(stable, canary);
    const services = [view.stableService, view.canary?.service].filter((s): s is string => s !== undefined);
    const readyPods = new Map<string, string[]>();
    await Promise.all(
        services.map(async (service) => {
            const slices = await api.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
            readyPods.set(
                service,
                slices.items
                    .flatMap((s) => s.endpoints ?? [])
                    .filter((e) => e.conditions?.ready === true && e.targetRef?.kind === "Pod" && e.targetRef.name)
                    .map((e) => e.targetRef!.name!),
            );
        }),
    );
    const hashOfPod = new Map(pods.items.map((p) => [p.metadata?.name ?? "", p.metadata?.labels?.["rollouts-pod-template-hash"] ?? DEPLOYMENT_PODS]));
    return { view, readyPods, hashOfPod };
}

export interface Routed {
    side: "stable" | "canary";
    service?: string;
    pod?: string;
    /** The pod's template hash, DEPLOYMENT_PODS, or UNROUTED. */
    key: string;
}

/** One request through the stand-in. */
export function routeOne(state: IngressState, robin: RoundRobin, draw = Math.random()): Routed {
    const { side, service } = routeRequest(state.view, draw);
    const pod = service ? robin.next(service, state.readyPods.get(service) ?? []) : undefined;
    return { side, service, pod, key: pod ? (state.hashOfPod.get(pod) ?? DEPLOYMENT_PODS) : UNROUTED };
}
