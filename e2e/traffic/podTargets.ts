/**
 * Scrape targets as a production Prometheus finds them: one per endpoint of
 * the app's metrics Service, ready or not, with the `__meta_kubernetes_*`
 * labels of Prometheus's `endpoints` discovery role (the role the Prometheus
 * operator generates for a ServiceMonitor by default), so that the relabelling
 * the operator generates runs on them unchanged. Only the address differs: a
 * pod's is the simulator's own, with the pod in the metrics path.
 *
 * Label names and values follow Prometheus's discovery/kubernetes
 * (endpoints.go `buildEndpoints`, pod.go `podLabels`, service.go
 * `serviceLabels`): label and annotation names sanitized to [a-zA-Z0-9_],
 * `*_labelpresent_*` set to "true".
 */

export interface MetricsEndpoint {
    pod: string;
    ready: boolean;
    nodeName?: string;
}

export interface PodInfo {
    name: string;
    uid?: string;
    ip?: string;
    phase?: string;
    ready: boolean;
    nodeName?: string;
    hostIP?: string;
    labels: Record<string, string>;
    controller?: { kind: string; name: string };
    /** Each container's name and named ports. */
    containers: { name: string; ports: { name?: string; containerPort: number; protocol?: string }[] }[];
}

export interface MetricsServiceInfo {
    namespace: string;
    name: string;
    labels: Record<string, string>;
    port: { name: string; port: number; protocol: string };
}

export interface TargetGroup {
    targets: string[];
    labels: Record<string, string>;
}

const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, "_");

function labelSet(prefix: string, labels: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(labels)) {
        out[`${prefix}_label_${sanitize(key)}`] = value;
        out[`${prefix}_labelpresent_${sanitize(key)}`] = "true";
    }
    return out;
}

/** Where the simulator serves one pod's metrics. */
export function podMetricsPath(pod: string): string {
    return `/metrics/pod/${pod}`;
}

/** The target of one endpoint of the metrics Service, labelled as the endpoints role labels it. */
export function endpointTarget(service: MetricsServiceInfo, endpoint: MetricsEndpoint, pod: PodInfo | undefined, simAddress: string): TargetGroup {
    const m = "__meta_kubernetes";
    const labels: Record<string, string> = {
        __metrics_path__: podMetricsPath(endpoint.pod),
        [`${m}_namespace`]: service.namespace,
        [`${m}_endpoints_name`]: service.name,
        ...labelSet(`${m}_endpoints`, service.labels),
        [`${m}_endpoint_ready`]: String(endpoint.ready),
        [`${m}_endpoint_port_name`]: service.port.name,
        [`${m}_endpoint_port_protocol`]: service.port.protocol,
        [`${m}_endpoint_address_target_kind`]: "Pod",
        [`${m}_endpoint_address_target_name`]: endpoint.pod,
        ...(endpoint.nodeName ? { [`${m}_endpoint_node_name`]: endpoint.nodeName } : {}),
        [`${m}_service_name`]: service.name,
        ...labelSet(`${m}_service`, service.labels),
    };
    if (pod) {
        const container = pod.containers.find((c) => c.ports.some((p) => p.containerPort === service.port.port)) ?? pod.containers[0];
        const port = container?.ports.find((p) => p.containerPort === service.port.port);
        Object.assign(labels, {
            [`${m}_pod_name`]: pod.name,
            [`${m}_pod_ip`]: pod.ip ?? "",
            [`${m}_pod_ready`]: String(pod.ready),
            [`${m}_pod_phase`]: pod.phase ?? "",
            [`${m}_pod_node_name`]: pod.nodeName ?? "",
            [`${m}_pod_host_ip`]: pod.hostIP ?? "",
            [`${m}_pod_uid`]: pod.uid ?? "",
            ...labelSet(`${m}_pod`, pod.labels),
            ...(pod.controller ? { [`${m}_pod_controller_kind`]: pod.controller.kind, [`${m}_pod_controller_name`]: pod.controller.name } : {}),
            ...(container ? { [`${m}_pod_container_name`]: container.name } : {}),
            ...(port
                ? {
                      [`${m}_pod_container_port_name`]: port.name ?? "",
                      [`${m}_pod_container_port_number`]: String(port.containerPort),
                      [`${m}_pod_container_port_protocol`]: port.protocol ?? "TCP",
                  }
                : {}),
        });
    }
    return { targets: [simAddress], labels };
}

/** A version's requests of one tick spread evenly over its ready pods (as a Service's endpoints share them). */
export function splitOverPods(requests: number, readyPods: string[]): Map<string, number> {
    return new Map(readyPods.map((pod) => [pod, requests / readyPods.length]));
}
