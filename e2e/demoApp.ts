/**
 * The app as an operator's cluster has it before the migration: a
 * RollingUpdate Deployment with 4 replicas and its Service, plus the
 * namespaces the local stack expects (an existing controller's and an
 * existing Prometheus's) and the CI deployer's ServiceAccount.
 */
export const DEMO = { namespace: "demo", name: "demo", container: "app", replicas: 4, port: 8080 };

/** The CI deployer of the local stack (`deployer` in Pulumi.local.yaml): every image change and operator command runs as it. */
export const CI_DEPLOYER = { namespace: DEMO.namespace, name: "ci-deployer" };
export const AS_CI = `--as=system:serviceaccount:${CI_DEPLOYER.namespace}:${CI_DEPLOYER.name}`;

/** A stack file's app config moved onto the demo Deployment, its Service and namespace, deployed by the CI account (the e2e phases that run a checked-in stack's app). */
export function onDemoDeployment(app: Record<string, any>): Record<string, any> {
    return {
        ...app,
        name: DEMO.name,
        namespace: DEMO.namespace,
        service: DEMO.name,
        workloadRef: { name: DEMO.name, container: DEMO.container },
        deployer: { serviceAccount: CI_DEPLOYER.name, namespace: CI_DEPLOYER.namespace },
    };
}

/** The image change a CI job makes: `kubectl set image` on the adopted Deployment, as the CI service account. */
export function setImageArgs(image: string): string[] {
    return ["set", "image", `deployment/${DEMO.name}`, `${DEMO.container}=${image}`, "-n", DEMO.namespace, AS_CI];
}

export function demoImage(tag: string): string {
    return `registry.example/demo:${tag}`;
}

export function demoManifests(image: string): object[] {
    const labels = { app: DEMO.name };
    return [
        ...["demo", "monitoring", "argo-rollouts"].map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })),
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: CI_DEPLOYER.name, namespace: CI_DEPLOYER.namespace } },
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
