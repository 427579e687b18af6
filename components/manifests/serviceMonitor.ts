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
            endpoints: [{ port: METRICS_PORT_NAME, path: input.path, interval: input.scrapeInterval }],
        },
    };
}
