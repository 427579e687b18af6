/**
 * The transactions the traffic simulator's requests would be in New Relic:
 * what an APM agent in each pod reports (`Transaction` events with the pod's
 * name as `host`), kept by the simulator for the NerdGraph stand-in
 * (e2e/newrelic/). One record stands for `count` requests of one pod in one
 * tick, `errors` of them failed, each taking `duration` seconds.
 */

export interface Transaction {
    /** Epoch milliseconds. */
    timestamp: number;
    appName: string;
    host: string;
    count: number;
    errors: number;
    duration: number;
}

/** How long records are kept: longer than any `SINCE` the stacks ship (5 minutes). */
export const KEEP_MS = 30 * 60 * 1000;

/**
 * A version's requests of one tick spread over its ready pods as the Service would:
 * evenly, the first pods taking one more when they do not divide; errors likewise.
 */
export function spreadOverPods(pods: string[], requests: number, errors: number): { host: string; count: number; errors: number }[] {
    if (pods.length === 0 || requests === 0) return [];
    const sorted = [...pods].sort();
    const share = (n: number, i: number) => Math.floor(n / sorted.length) + (i < n % sorted.length ? 1 : 0);
    return sorted.map((host, i) => ({ host, count: share(requests, i), errors: share(errors, i) })).filter((r) => r.count > 0);
}

export class TransactionLog {
    private records: Transaction[] = [];

    record(timestamp: number, appName: string, pods: string[], requests: number, errors: number, duration: number): void {
        for (const r of spreadOverPods(pods, requests, errors)) this.records.push({ timestamp, appName, duration, ...r });
        const cutoff = timestamp - KEEP_MS;
        if (this.records.length > 0 && this.records[0].timestamp < cutoff) this.records = this.records.filter((r) => r.timestamp >= cutoff);
    }

    /** Records at or after `timestamp` (epoch ms). */
    since(timestamp: number): Transaction[] {
        return this.records.filter((r) => r.timestamp >= timestamp);
    }
}
