/**
 * The traffic model of the simulator, kept pure so it can be tested without
 * a cluster. Without a traffic router a Service spreads requests over its
 * ready endpoints (kube-proxy sends only to endpoints whose EndpointSlice
 * condition `ready` is true), so a version's share of traffic is its share of
 * the app Service's ready endpoints.
 */

/** How an image behaves under load. */
export interface Behaviour {
    /** Fraction of requests answered 5xx, 0..1. */
    errorRate: number;
    /** Seconds each request takes. */
    latencySeconds: number;
    /** The version receives no requests at all (e.g. it is not behind the Service). */
    noTraffic?: boolean;
    /**
     * Failures each pod counts once, when it serves its first requests, by the named counter (e.g. a
     * background job that fails at start-up); the counter is created at that first failure.
     */
    failuresAtStart?: Record<string, number>;
}

/** One live version of the app: a ReplicaSet of the Rollout, and its pods among the Service's ready endpoints. */
export interface Version {
    hash: string;
    image: string;
    readyEndpoints: number;
}

/** An endpoint of the app Service as its EndpointSlices list it: the pod behind it and `conditions.ready`. */
export interface ServiceEndpoint {
    pod?: string;
    ready: boolean;
}

/** Ready endpoints per pod-template hash; endpoints of pods without a hash (not the Rollout's) count for none. */
export function readyEndpointsByHash(endpoints: ServiceEndpoint[], hashOfPod: Map<string, string>): Map<string, number> {
    const counts = new Map<string, number>();
    for (const e of endpoints) {
        const hash = e.ready && e.pod ? hashOfPod.get(e.pod) : undefined;
        if (hash) counts.set(hash, (counts.get(hash) ?? 0) + 1);
    }
    return counts;
}

export const HEALTHY: Behaviour = { errorRate: 0, latencySeconds: 0.05 };

/** Requests per version for one tick of `requests` requests, by share of ready endpoints. */
export function splitRequests(versions: Version[], requests: number, behaviourOf: (image: string) => Behaviour): Map<string, number> {
    const serving = versions.filter((v) => v.readyEndpoints > 0 && !behaviourOf(v.image).noTraffic);
    const ready = serving.reduce((sum, v) => sum + v.readyEndpoints, 0);
    const split = new Map<string, number>();
    for (const v of serving) split.set(v.hash, (requests * v.readyEndpoints) / ready);
    return split;
}

/**
 * Turns fractional request and error counts into whole ones without
 * randomness: each version carries its remainders to the next tick, so a 5%
 * error rate is exactly one error in twenty requests, run after run.
 */
export class Accumulator {
    private requests = new Map<string, number>();
    private errors = new Map<string, number>();

    /** Whole requests and errors to record now for `hash`. */
    take(hash: string, requests: number, errorRate: number): { requests: number; errors: number } {
        const owedRequests = (this.requests.get(hash) ?? 0) + requests;
        const whole = Math.floor(owedRequests);
        this.requests.set(hash, owedRequests - whole);
        const owedErrors = (this.errors.get(hash) ?? 0) + whole * errorRate;
        const errors = Math.floor(owedErrors + 1e-9);
        this.errors.set(hash, owedErrors - errors);
        return { requests: whole, errors };
    }
}
