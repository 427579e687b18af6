/**
 * Pinned chart versions. Never "latest": a chart bump is a reviewed change.
 * The Argo Rollouts chart's appVersion is the controller version the
 * end-to-end tests build from its Go module.
 */
export const ARGO_ROLLOUTS_CHART = {
    chart: "argo-rollouts",
    version: "2.40.5",
    appVersion: "v1.8.3",
    repo: "https://argoproj.github.io/argo-helm",
};

export const KUBE_PROMETHEUS_STACK_CHART = {
    chart: "kube-prometheus-stack",
    version: "75.15.0",
    repo: "https://prometheus-community.github.io/helm-charts",
};

/** Installed through @pulumi/kubernetes-cert-manager, which takes the chart version as helmOptions.version. */
export const CERT_MANAGER_CHART = {
    chart: "cert-manager",
    version: "v1.17.2",
    repo: "https://charts.jetstack.io",
};

/** The Helm release of the Argo Rollouts chart; its metrics Service is `<release>-metrics`. */
export const ARGO_ROLLOUTS_RELEASE = "argo-rollouts";

/** Grafana's admin credentials live in this Secret (chart value grafana.admin.existingSecret), not in Helm values. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
