/**
 * The app as an operator's cluster has it before the migration: a
 * RollingUpdate Deployment with 4 replicas and its Service, plus the
 * namespaces the local stack expects (an existing controller's and an
 * existing Prometheus's) and the CI deployer's ServiceAccount.
 */
export const DEMO = { namespace: "demo", name: "demo", container: "app", replicas: 4, port: 8080 };

export function demoImage(tag: string): string {
    return `registry.example/demo:${tag}`;
}

export function demoManifests(image: string): object[] {
    const labels = { app: DEMO.name };
    return [
        ...["demo", "monitoring", "argo-rollouts"].map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })),
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ci-deployer", namespace: DEMO.namespace } },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: DEMO.name, namespace: DEMO.namespace, labels },
            spec: {
                replicas: DEMO.replicas,
                strategy: { type: "RollingUpdate" },
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: { containers: [{ name: DEMO.container, image, ports: [{ name: "http", containerPort: DEMO.port }] }] },
                },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: DEMO.name, namespace: DEMO.namespace, labels },
            spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
        },
    ];
}

/** A YAML-compatible stream (JSON documents) for `kubectl apply -f -`. */
export function asStream(objects: object[]): string {
    return objects.map((o) => JSON.stringify(o)).join("\n---\n");
}
