import { IService, IServicePort } from "./k8sTypes";
import { ObjectName, stackLabels } from "./labels";

/** What the stable/canary Services copy from the app's existing Service. */
export interface ExistingService {
    ports: IServicePort[];
    selector: Record<string, string>;
}

/** The label the metrics Service carries, whose value becomes the Prometheus `job` (ServiceMonitor `jobLabel`). */
export const JOB_LABEL = "canary-stack.io/job";
export const METRICS_PORT_NAME = "metrics";

/**
 * A ClusterIP copy of the existing Service's ports and selector. Argo adds
 * the `rollouts-pod-template-hash` selector to the stable and canary copies
 * itself; the original Service is never touched.
 */
export function copiedService(target: ObjectName, app: string, role: "stable" | "canary", existing: ExistingService): IService {
    if (Object.keys(existing.selector).length === 0) {
        throw new Error(`Service ${target.namespace}/${app}: the existing Service has no selector, so its pods cannot be split into stable and canary`);
    }
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { ...target, labels: { ...stackLabels(app), "canary-stack.io/role": role } },
        spec: {
            type: "ClusterIP",
            selector: { ...existing.selector },
            ports: existing.ports.map((p) => ({
                name: p.name,
                port: p.port,
                targetPort: p.targetPort ?? p.port,
                protocol: p.protocol ?? "TCP",
                ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
            })),
        },
    };
}

/**
 * A headless Service over all the app's pods (stable and canary), which the
 * ServiceMonitor scrapes; it exists so that each pod is scraped once, with
 * the `job` label the queries filter on.
 */
export function metricsService(target: ObjectName, app: string, job: string, port: number, selector: Record<string, string>): IService {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { ...target, labels: { ...stackLabels(app), "canary-stack.io/role": "metrics", [JOB_LABEL]: job } },
        spec: {
            clusterIP: "None",
            selector: { ...selector },
            ports: [{ name: METRICS_PORT_NAME, port, targetPort: port, protocol: "TCP" }],
        },
    };
}
