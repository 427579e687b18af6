/** A valid app as an operator writes it in a stack file; tests copy and break it. */
export function validApp(): any {
    return {
        name: "demo",
        namespace: "demo",
        workloadRef: { name: "demo", container: "app" },
        replicas: 4,
        service: "demo",
        metrics: { port: 9090, job: "demo" },
        steps: [
            { setWeight: 10 },
            { pause: { duration: "1m" } },
            { analysis: {} },
            { setWeight: 50 },
            { pause: { duration: "30s" } },
            { analysis: {} },
        ],
        analysis: {
            metrics: [
                { name: "success-rate", kind: "successRate", min: 0.99 },
                { name: "error-rate", kind: "errorRate", max: 0.01 },
                { name: "latency", kind: "latencyP95", max: 0.5 },
                { name: "up", kind: "targetsUp" },
            ],
        },
        deployer: { serviceAccount: "ci", namespace: "ci" },
    };
}

/** A platform with nothing installed and Prometheus at a known address. */
export function existingPlatform(): any {
    return {
        argoRollouts: { install: false, namespace: "argo-rollouts" },
        monitoring: { install: false, prometheusAddress: "http://prometheus.monitoring:9090" },
    };
}
