import { IServiceMonitor } from "./k8sTypes";
import { ObjectName, stackLabels } from "./labels";
import { POD_HASH_LABEL } from "./queries";
import { JOB_LABEL, METRICS_PORT_NAME } from "./services";

export interface ServiceMonitorInput {
    target: ObjectName;
    app: string;
    path: string;
    scrapeInterval: string;
    /** Labels the stack's Prometheus selects ServiceMonitors by (e.g. `release: kube-prometheus-stack`). */
    selectedBy: Record<string, string>;
}

/**
 * Drops the targets of endpoints that are not ready. The Prometheus operator (v0.83.0,
 * `generateServiceMonitorConfig` in pkg/prometheus/promcfg.go) keeps every address of the Service's
 * endpoints and drops only pods in phase Failed or Succeeded (`generateRunningFilter`), and Prometheus's
 * Kubernetes discovery lists not-ready addresses too, with the ready state as a meta label: `true` or
 * `false` in `__meta_kubernetes_endpoint_ready` for the Endpoints role (the address's subset:
 * Addresses or NotReadyAddresses), the endpoint's `conditions.ready` in
 * `__meta_kubernetes_endpointslice_endpoint_conditions_ready` for the EndpointSlice role, which the
 * operator uses instead when told to (`endpointRoleFlavor`); discovery/kubernetes/endpoints.go and
 * endpointslice.go in prometheus/prometheus. A canary pod that has an IP but is not listening yet
 * would read `up == 0` and fail `targetsUp` while later setWeight steps start pods beside a running
 * watchdog. Not ready, the pod takes no traffic either, so no traffic query loses anything:
 * `targetsUp` asks whether every pod that serves is scraped. Only `false` is dropped: a slice
 * endpoint whose ready condition is unknown (unset) keeps its target, and in each role the other
 * role's label is absent (empty), which matches neither rule.
 */
export const notReadyEndpointsDropped = [
    { action: "drop" as const, sourceLabels: ["__meta_kubernetes_endpoint_ready"], regex: "false" },
    { action: "drop" as const, sourceLabels: ["__meta_kubernetes_endpointslice_endpoint_conditions_ready"], regex: "false" },
];

/**
 * Scrapes the app's metrics Service. `jobLabel` makes the Service's
 * `canary-stack.io/job` label the Prometheus `job`; `podTargetLabels` copies
 * the pod's `rollouts-pod-template-hash` to `rollouts_pod_template_hash`, so a
 * query can look at the canary pods alone.
 */
export function serviceMonitor(input: ServiceMonitorInput): IServiceMonitor {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { ...input.target, labels: { ...stackLabels(input.app), ...input.selectedBy } },
        spec: {
            jobLabel: JOB_LABEL,
            selector: { matchLabels: { "canary-stack.io/app": input.app, "canary-stack.io/role": "metrics" } },
            podTargetLabels: [POD_HASH_LABEL],
            endpoints: [{ port: METRICS_PORT_NAME, path: input.path, interval: input.scrapeInterval, relabelings: notReadyEndpointsDropped }],
        },
    };
}
