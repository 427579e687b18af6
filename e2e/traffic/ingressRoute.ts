import { IIngress, serviceBackends } from "../../model/ingressRoutes";

/**
 * The Ingress stand-in's model: how ingress-nginx routes a request for the
 * app's path between the stable Ingress and Argo Rollouts' canary Ingress.
 * A canary Ingress (`nginx.ingress.kubernetes.io/canary: "true"`) for the
 * same host and path takes a request when a draw in 1..canary-weight-total
 * (default 100) is at most canary-weight (ingress-nginx's balancer.lua,
 * `math.random(total) <= weight`); the rest go to the stable Ingress's
 * backend. Each side's Service then spreads its requests over its ready
 * endpoints. Pure, so the split is tested without a cluster.
 */

const PREFIX = "nginx.ingress.kubernetes.io";

export interface IngressView {
    /** The Service of the stable Ingress's first path (the app's one path); undefined: no Ingress, or no Service backend. */
    stableService?: string;
    /** Argo Rollouts' canary Ingress, when it exists and is a canary. */
    canary?: { service: string; weight: number; total: number };
}

const firstService = (ingress: IIngress | undefined) => (ingress ? serviceBackends(ingress).find((b) => b.ofRule)?.service : undefined);

export function ingressView(stable: IIngress | undefined, canary: IIngress | undefined): IngressView {
    const view: IngressView = { stableService: firstService(stable) };
    const annotations = canary?.metadata?.annotations ?? {};
    const service = firstService(canary);
    if (service && annotations[`${PREFIX}/canary`] === "true") {
        view.canary = {
            service,
            weight: Number(annotations[`${PREFIX}/canary-weight`] ?? 0),
            total: Number(annotations[`${PREFIX}/canary-weight-total`] ?? 100),
        };
    }
    return view;
}

/** The Service one request goes to, given a uniform draw in [0, 1): ingress-nginx's `math.random(total) <= weight`. */
export function routeRequest(view: IngressView, draw: number): { side: "stable" | "canary"; service?: string } {
    const canary = view.canary;
    if (canary && canary.weight > 0 && Math.floor(draw * canary.total) + 1 <= canary.weight) return { side: "canary", service: canary.service };
    return { side: "stable", service: view.stableService };
}

/** Spreads whole requests over ready pods in turn, as kube-proxy's endpoints share them; `next` carries the turn between ticks. */
export class RoundRobin {
    private turn = new Map<string, number>();

    next(service: string, pods: string[]): string | undefined {
        if (pods.length === 0) return undefined;
        const i = (this.turn.get(service) ?? 0) % pods.length;
        this.turn.set(service, i + 1);
        return [...pods].sort()[i];
    }
}

/**
 * The canary's share of requests and whether it is the weight within
 * sampling error: `n` requests, `canary` of them to the canary, against
 * `weight`% with three binomial standard deviations of slack.
 */
export function shareWithinSamplingError(canary: number, n: number, weight: number): { share: number; slack: number; within: boolean } {
    const p = weight / 100;
    const share = n === 0 ? 0 : (canary * 100) / n;
    const slack = n === 0 ? 100 : 300 * Math.sqrt((p * (1 - p)) / n);
    return { share, slack, within: n > 0 && Math.abs(share - weight) <= slack };
}
