/** A valid app as an operator writes it in a stack file; tests copy and break it. */
export function validApp(): any {
    return {
        name: "demo",
        namespace: "demo",
        workloadRef: { name: "demo", container: "app" },
        replicas: 4,
        service: "demo",
        metrics: { port: 9090, job: "demo" },
        steps: [{ setWeight: 10 }, { pause: { duration: "1m" } }, { analysis: {} }, { setWeight: 50 }, { pause: { duration: "30s" } }, { analysis: {} }],
        analysis: {
            metrics: [
                { name: "success-rate", kind: "successRate", min: 0.99 },
                { name: "error-rate", kind: "errorRate", max: 0.01 },
                { name: "latency", kind: "latencyP95", max: 0.5 },
                { name: "up", kind: "targetsUp" },
            ],
        },
        deployer: { serviceAccount: "ci", namespace: "ci" },
        // 4 replicas without traffic routing: setWeight 10 runs 1 canary pod beside 4 stable ones, 20% of traffic.
        maxBadCanaryWeight: 20,
    };
}

/** A platform with nothing installed and Prometheus at a known address. */
export function existingPlatform(): any {
    return {
        argoRollouts: { install: false, namespace: "argo-rollouts" },
        monitoring: { install: false, prometheusAddress: "http://prometheus.monitoring:9090" },
    };
}

/** A New Relic metric of the demo app, canary-scoped through the pod names New Relic reports as host. */
export function newRelicMetric(name = "nr-errors"): any {
    return {
        name,
        kind: "custom",
        provider: "newRelic",
        nrql:
            "SELECT percentage(count(*), WHERE error IS true) AS errorPercent, count(*) AS requests FROM Transaction " +
            "WHERE appName = 'demo' AND host LIKE 'demo-{{args.canary-hash}}-%' SINCE 5 minutes ago",
        successCondition: "result.requests >= 20 && result.errorPercent <= 1",
        failureCondition: "result.requests >= 20 && result.errorPercent > 1",
    };
}

/** The demo app with New Relic metrics only: no metrics block, since nothing needs to scrape it. */
export function newRelicOnlyApp(): any {
    const app = validApp();
    delete app.metrics;
    app.analysis.metrics = [newRelicMetric()];
    return app;
}

/** A cluster without Prometheus: the controller already runs, every metric is on New Relic. */
export function noPrometheusPlatform(): any {
    return {
        argoRollouts: { install: false, namespace: "argo-rollouts" },
        monitoring: { prometheus: false },
        newRelic: { accountId: "1" },
    };
}
