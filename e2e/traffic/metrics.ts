import { Counter, Histogram, Registry } from "prom-client";

/** Histogram buckets in seconds, fine enough around the latencies the scenarios use. */
export const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5];

/**
 * The series one version of the app exports, as a real app would:
 * `http_requests_total{code}` and `http_request_duration_seconds`. Prometheus
 * adds `job` and `rollouts_pod_template_hash` as target labels, like the
 * ServiceMonitor's `podTargetLabels` would.
 */
export class VersionMetrics {
    readonly registry = new Registry();
    private readonly requests = new Counter({ name: "http_requests_total", help: "HTTP requests.", labelNames: ["code"], registers: [this.registry] });
    private readonly duration = new Histogram({
        name: "http_request_duration_seconds",
        help: "HTTP request duration.",
        buckets: DURATION_BUCKETS,
        registers: [this.registry],
    });

    /** Counters of failures the app counts beside its requests, created at their first increment (as a labelled client-library counter is). */
    private readonly failures = new Map<string, Counter>();

    countFailures(name: string, n: number): void {
        if (n <= 0) return;
        const counter =
            this.failures.get(name) ??
            this.failures.set(name, new Counter({ name, help: "Failures.", labelNames: ["reason"], registers: [this.registry] })).get(name)!;
        counter.inc({ reason: "e2e" }, n);
    }

    record(requests: number, errors: number, latencySeconds: number): void {
        if (requests - errors > 0) this.requests.inc({ code: "200" }, requests - errors);
        if (errors > 0) this.requests.inc({ code: "500" }, errors);
        for (let i = 0; i < requests; i++) this.duration.observe(latencySeconds);
    }
}
