import { ChartSource } from "../../stacks/types";

/** A chart at its pinned version and its upstream repository. */
export interface PinnedChart {
    chart: string;
    version: string;
    repo: string;
}

/**
 * Pinned chart versions. Never "latest": a chart bump is a reviewed change.
 * The Argo Rollouts chart's appVersion is the controller version the
 * end-to-end tests build from its Go module.
 */
export const ARGO_ROLLOUTS_CHART: PinnedChart & { appVersion: string } = {
    chart: "argo-rollouts",
    version: "2.40.5",
    appVersion: "v1.8.3",
    repo: "https://argoproj.github.io/argo-helm",
};

export const KUBE_PROMETHEUS_STACK_CHART: PinnedChart = {
    chart: "kube-prometheus-stack",
    version: "75.15.0",
    repo: "https://prometheus-community.github.io/helm-charts",
};

/** Installed through @pulumi/kubernetes-cert-manager, which takes the chart version as helmOptions.version. */
export const CERT_MANAGER_CHART: PinnedChart = {
    chart: "cert-manager",
    version: "v1.17.2",
    repo: "https://charts.jetstack.io",
};

/** The Helm release of the Argo Rollouts chart; its metrics Service is `<release>-metrics`. */
export const ARGO_ROLLOUTS_RELEASE = "argo-rollouts";

/** The Helm release of cert-manager. */
export const CERT_MANAGER_RELEASE = "cert-manager";

/** Grafana's admin credentials live in this Secret (chart value grafana.admin.existingSecret), not in Helm values. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

/** Where Helm finds a chart: `chart` is a name in `repositoryOpts.repo`, an `oci://` reference or a local path. */
export interface ChartLocation {
    chart: string;
    version: string;
    repositoryOpts?: { repo: string };
}

/**
 * The pinned chart from its configured source, as a helm.v4.Chart takes it.
 * Helm ignores `version` for a local chart; it stays, so the state says which
 * version the archive is meant to be.
 */
export function chartLocation(pinned: PinnedChart, source: ChartSource): ChartLocation {
    switch (source.kind) {
        case "repo":
            return { chart: pinned.chart, version: pinned.version, repositoryOpts: { repo: source.repo ?? pinned.repo } };
        case "oci":
            return { chart: source.ref, version: pinned.version };
        case "path":
            return { chart: source.path, version: pinned.version };
    }
}

/**
 * The same for @pulumi/kubernetes-cert-manager's `helmOptions`. Its provider
 * (pulumi-go-helmbase `InitDefaults`) fills in the jetstack repository when
 * `repositoryOpts.repo` is unset, and the Kubernetes provider's helm.v3.Release
 * then looks the chart up in that repository, even a local path
 * (`locateChart` in provider/pkg/provider/helm_release.go, v4.32.0). An empty
 * repo is set, and kept, so an OCI reference or a path is used as it is.
 */
export function certManagerChartLocation(source: ChartSource): ChartLocation & { repositoryOpts: { repo: string } } {
    const location = chartLocation(CERT_MANAGER_CHART, source);
    return { ...location, repositoryOpts: location.repositoryOpts ?? { repo: "" } };
}
