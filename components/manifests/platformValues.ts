import { ArgoRolloutsConfig, MonitoringConfig } from "../../stacks/types";
import { GRAFANA_ADMIN_SECRET } from "./charts";

/**
 * The controller's series name the Rollout's own namespace (`rollout_info{namespace="demo"}`). A
 * ServiceMonitor's scrape job attaches the target's labels, `namespace="argo-rollouts"` among them,
 * and without honorLabels Prometheus keeps the series' own as `exported_namespace`. These
 * metricRelabelings, run after that, put it back as `namespace` (only where the series has one:
 * the regex needs a value) and drop the copy. Not honorLabels: the chart's template has no value
 * for it, and a Prometheus with overrideHonorLabels ignores it.
 */
export const CONTROLLER_NAMESPACE_RELABELINGS = [
    { sourceLabels: ["exported_namespace"], regex: "(.+)", targetLabel: "namespace", replacement: "$1", action: "replace" },
    { regex: "exported_namespace", action: "labeldrop" },
];

/**
 * Values of the argo-rollouts chart: CRDs installed and kept, controller
 * metrics on :8090 behind a Service, and a ServiceMonitor carrying the labels
 * the stack's Prometheus selects. On a cluster without Prometheus the
 * ServiceMonitor is off: its kind does not exist there, and nothing would read it.
 */
export function argoRolloutsValues(argo: ArgoRolloutsConfig, monitoring: MonitoringConfig): Record<string, unknown> {
    return {
        installCRDs: true,
        keepCRDs: true,
        controller: {
            metrics: {
                enabled: true,
                service: { port: 8090 },
                serviceMonitor: monitoring.prometheus
                    ? { enabled: true, additionalLabels: { ...monitoring.selectorLabels }, metricRelabelings: CONTROLLER_NAMESPACE_RELABELINGS }
                    : { enabled: false },
            },
        },
        dashboard: { enabled: argo.dashboard },
    };
}

/**
 * Values of the cert-manager chart (v1.17.2) set through the component's
 * `helmOptions.values`, which it merges under its typed args. The CRDs come
 * with the chart and carry `helm.sh/resource-policy: keep` (`crds.keep`), so
 * uninstalling the release leaves them and every Certificate with them.
 * `crds.enabled` replaces the deprecated `installCRDs`; the chart refuses both.
 */
export function certManagerValues(): Record<string, unknown> {
    return { crds: { enabled: true, keep: true } };
}

/**
 * Values of kube-prometheus-stack. Its Prometheus keeps the chart's default
 * selectors (`serviceMonitorSelectorNilUsesHelmValues: true`): it picks up
 * ServiceMonitors and PrometheusRules labelled `release: <release>`, which
 * every such object here carries. The Grafana admin password is read from a
 * Secret the stack writes, never from these values. With cert-manager the
 * operator's admission webhook certificates come from it instead of the
 * chart's patch Job (a Helm hook, which a helm.v4.Chart does not run); without
 * it the webhooks and the operator's TLS (which uses their certificate) are off.
 */
export function kubePrometheusStackValues(certManagerPresent: boolean): Record<string, unknown> {
    const admissionWebhooks = certManagerPresent
        ? { enabled: true, certManager: { enabled: true }, patch: { enabled: false } }
        : { enabled: false, patch: { enabled: false } };
    return {
        prometheusOperator: {
            admissionWebhooks,
            tls: { enabled: certManagerPresent },
        },
        grafana: {
            admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
            sidecar: { dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" } },
        },
    };
}
