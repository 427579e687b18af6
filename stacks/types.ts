import type * as pulumi from "@pulumi/pulumi";

/**
 * The validated, defaulted stack configuration that `stacks/` hands to the
 * components. Every field here has already been checked; components trust it.
 */

/** What happens to the adopted Deployment while the Rollout runs (Argo's `workloadRef.scaleDown`). */
export type ScaleDown = "never" | "onsuccess" | "progressively";
export const SCALE_DOWN_VALUES: readonly ScaleDown[] = ["never", "onsuccess", "progressively"];

export type MetricKind = "successRate" | "errorRate" | "latencyP95" | "targetsUp" | "errorRateVsStable" | "latencyP95VsStable" | "custom";
export const METRIC_KINDS: readonly MetricKind[] = ["successRate", "errorRate", "latencyP95", "targetsUp", "errorRateVsStable", "latencyP95VsStable", "custom"];

export type MetricProvider = "prometheus" | "newRelic";
export const METRIC_PROVIDERS: readonly MetricProvider[] = ["prometheus", "newRelic"];

/** Argo's measurement settings, as in `AnalysisTemplate.spec.metrics[]`. */
export interface MeasurementSettings {
    interval: string;
    /** Unset means "until the analysis is terminated" (background analysis only). */
    count?: number;
    initialDelay?: string;
    failureLimit: number;
    inconclusiveLimit: number;
    consecutiveErrorLimit: number;
}

/** The Prometheus series an app exports, which the built-in queries read. */
export interface AppSeries {
    /** Counter of requests with a status-code label. */
    requestsTotal: string;
    /** Name of the status-code label on `requestsTotal`. */
    codeLabel: string;
    /** Histogram base name (without `_bucket`/`_count`) of request durations in seconds. */
    durationHistogram: string;
}

interface MetricBase extends MeasurementSettings {
    name: string;
}

export interface BuiltinMetric extends MetricBase {
    kind: "successRate" | "errorRate" | "latencyP95" | "targetsUp" | "errorRateVsStable" | "latencyP95VsStable";
    provider: "prometheus";
    prometheusAddress: string;
    /**
     * The threshold: a minimum for successRate/targetsUp, a maximum for errorRate/latencyP95 (seconds);
     * for errorRateVsStable the most the canary's error rate may exceed the stable pods' (`maxIncrease`),
     * for latencyP95VsStable the most the canary's p95 may be as a multiple of theirs (`maxRatio`).
     */
    threshold: number;
    /** PromQL range of `rate()`/`increase()`. */
    window: string;
    /** Requests in `window` below which a measurement is inconclusive (not for targetsUp). */
    minRequests: number;
    /** Look at the canary pods alone (`rollouts_pod_template_hash`); always true for the comparisons with the stable pods. */
    canaryScoped: boolean;
    /** The PromQL this metric runs; built from the fields above and already parsed. */
    query: string;
}

export interface CustomPrometheusMetric extends MetricBase {
    kind: "custom";
    provider: "prometheus";
    prometheusAddress: string;
    query: string;
    successCondition?: string;
    failureCondition?: string;
}

export interface CustomNewRelicMetric extends MetricBase {
    kind: "custom";
    provider: "newRelic";
    /** Argo's New Relic profile: the controller reads Secret `newrelic` or, with a profile, that Secret name. */
    profile?: string;
    nrql: string;
    successCondition?: string;
    failureCondition?: string;
}

export type MetricConfig = BuiltinMetric | CustomPrometheusMetric | CustomNewRelicMetric;

/** One canary step, in Argo Rollouts' own format. */
export type CanaryStep =
    | { setWeight: number }
    | { pause: { duration?: string | number } }
    | { analysis: AnalysisStep }
    | { setCanaryScale: { weight?: number; replicas?: number; matchTrafficWeight?: boolean } };

export interface AnalysisStep {
    /** Empty means the app's own AnalysisTemplate. */
    templates: { templateName: string; clusterScope?: boolean }[];
}

export type AnalysisMode = "background" | "inline";
export const ANALYSIS_MODES: readonly AnalysisMode[] = ["background", "inline"];

export interface AnalysisConfig {
    /** `background`: one AnalysisRun beside the ladder from `startingStep`; `inline`: only the ladder's analysis steps. */
    mode: AnalysisMode;
    startingStep?: number;
    metrics: MetricConfig[];
    /** A background AnalysisRun beside an inline ladder, from the canary's first Ready pods on; unset: none. */
    watchdog?: WatchdogConfig;
}

/**
 * The watchdog: the Rollout's background analysis (`strategy.canary.analysis`) running a second
 * template of the app's own metrics, measured often over a short window, so that a broken canary
 * is aborted during a pause instead of at the next analysis step.
 */
export interface WatchdogConfig {
    /**
     * The Rollout's `canary.analysis.startingStep`: the step after the first setWeight above 0, which the
     * ladder reaches once that step's canary pods are available (model/watchdog.ts `watchdogStartingStep`).
     */
    startingStep: number;
    /** The app's metrics, re-measured with the watchdog's interval, window and limits (no count: it runs until the ladder ends). */
    metrics: MetricConfig[];
}

export interface ServiceRef {
    /** The existing Service; the stable/canary Services copy its ports and selector. It is never modified. */
    name: string;
}

export interface MetricsEndpoint {
    port: number;
    path: string;
    /** The Prometheus `job` label the queries filter on. */
    job: string;
    /** Scrape interval of the app's ServiceMonitor. */
    scrapeInterval: string;
}

export interface DeployerConfig {
    serviceAccount: string;
    namespace: string;
    /**
     * A ValidatingAdmissionPolicy narrows the Role's writes, for this account: only the containers'
     * images on the Deployment, only the plugin's promote/abort/retry/restart/pause on the Rollout.
     * Defaults to true; needs Kubernetes 1.30+.
     */
    admissionPolicy: boolean;
}

export interface AppConfig {
    name: string;
    namespace: string;
    /** The existing Deployment the Rollout adopts through `workloadRef`. */
    deployment: string;
    container: string;
    replicas: number;
    scaleDown: ScaleDown;
    service: ServiceRef;
    /** Where Prometheus scrapes the app; unset when no metric of the app queries Prometheus (nothing to scrape). */
    metrics?: MetricsEndpoint;
    series: AppSeries;
    steps: CanaryStep[];
    analysis: AnalysisConfig;
    /** nginx traffic routing through the existing Ingress of this name. */
    stableIngress?: string;
    abortScaleDownDelaySeconds?: number;
    deployer?: DeployerConfig;
    /** What a broken release may cost before the gate stops it; checked at preview. */
    budget: ExposureBudgetConfig;
    /** `pulumi destroy` may restore the stable image while a canary is in progress (otherwise it refuses). */
    allowDestroyMidCanary: boolean;
    /** Old ReplicaSets the Rollout keeps for rollbacks; unset leaves the field out, so Argo's default (10) applies. */
    revisionHistoryLimit?: number;
    /**
     * Seconds a step may go without progress (e.g. canary pods that never become Ready) before the
     * Rollout is Degraded; pauses and analysis steps do not count. Defaults to Argo's 600.
     */
    progressDeadlineSeconds: number;
    /** Past the deadline the controller aborts the canary: its pods scaled away, the stable serves on. Defaults to true. */
    progressDeadlineAbort: boolean;
    /**
     * Seconds from a new pod's creation to Ready (image pull, start, the readiness probe passing): how
     * long the exposure model lets each step that adds pods wait for them (model/podStartup.ts).
     * Below progressDeadlineSeconds. Defaults to 30.
     */
    podReadySeconds: number;
}

export interface ExposureBudgetConfig {
    /** The canary's highest share of traffic (%) a fully broken release may reach before the abort (model/ladderShares.ts). */
    maxBadCanaryWeight: number;
    /** The most traffic-weighted exposure (% x seconds) a fully broken release may cause; unset: no limit. */
    maxBadCanaryExposure?: number;
    /** A ladder without the app's own analysis is allowed (it is rejected otherwise). */
    allowNoAnalysis: boolean;
}

/**
 * Where a chart installed here comes from. The version is always the pinned one
 * (components/manifests/charts.ts); a mirror must serve that version.
 */
export type ChartSource =
    /** A chart repository; unset `repo`: the chart's upstream repository. */
    | { kind: "repo"; repo?: string }
    /** An OCI registry: `oci://<registry>/<repository>/<chart>`, without a tag. */
    | { kind: "oci"; ref: string }
    /** A chart archive (.tgz) or chart directory, as written in the config (relative to the project directory). */
    | { kind: "path"; path: string };

export interface ArgoRolloutsConfig {
    /** false: the controller already runs in `namespace`; nothing is installed. */
    install: boolean;
    /** Where the chart comes from (with `install`). */
    chart: ChartSource;
    namespace: string;
    /** The Argo Rollouts dashboard (UI), off by default. */
    dashboard: boolean;
    /** Prometheus `job` of the controller's metrics (the chart's metrics Service, `argo-rollouts-metrics`). */
    metricsJob: string;
    /** Something scrapes the controller: it is installed here (the chart's ServiceMonitor), or `metricsJob` was given for one already running. */
    scraped: boolean;
}

export interface MonitoringConfig {
    /**
     * The cluster has a Prometheus (installed here or already running). false: it has none, every
     * metric is a New Relic one, and nothing needs the Prometheus operator's kinds (no ServiceMonitor,
     * PrometheusRule or dashboard).
     */
    prometheus: boolean;
    /** false: use the existing Prometheus at `prometheusAddress`. Always false without Prometheus. */
    install: boolean;
    /** Where kube-prometheus-stack comes from (with `install`). */
    chart: ChartSource;
    namespace: string;
    /** Helm release name of kube-prometheus-stack; its Prometheus selects ServiceMonitors labelled `release: <release>`. */
    release: string;
    /** The address every Prometheus metric queries unless it names its own; unset without Prometheus. */
    prometheusAddress?: string;
    /** Labels a ServiceMonitor or PrometheusRule needs so that the stack's Prometheus selects it. */
    selectorLabels: Record<string, string>;
    /** The canary PrometheusRule (alerts); needs the Prometheus operator's CRDs in the cluster. */
    alerts: boolean;
    /** The Grafana dashboard ConfigMap, picked up by Grafana's sidecar. */
    grafanaDashboard: boolean;
    /** How long each alert with a `for` must hold before it fires (PrometheusRule `for`). */
    alertFor: AlertFor;
    /** Prefix of each alert's runbook_url (ends in "/"); without it the runbook_url is the path in this repository. */
    runbookBaseUrl?: string;
}

/** The canary alerts whose `for` a stack may set (`platform.monitoring.alertFor`). */
export const ALERTS_WITH_FOR = ["RolloutDegraded", "RolloutPausedTooLong", "RolloutsControllerDown"] as const;
export type AlertWithFor = (typeof ALERTS_WITH_FOR)[number];
/** A Prometheus duration ("1h", "90s") per alert. */
export type AlertFor = Record<AlertWithFor, string>;

export interface CertManagerConfig {
    /** true: install cert-manager (the cluster has none); false: the cluster has one already, or none is wanted. */
    install: boolean;
    /** Where the cert-manager chart comes from (with `install`). */
    chart: ChartSource;
    namespace: string;
    /** The cluster has a cert-manager (installed here or before): the Prometheus operator's webhook certificates come from it. */
    present: boolean;
}

export type NewRelicRegion = "us" | "eu";
export const NEW_RELIC_REGIONS: readonly NewRelicRegion[] = ["us", "eu"];

export interface NewRelicConfig {
    accountId: string;
    region: NewRelicRegion;
    baseUrlRest?: string;
    baseUrlNerdgraph?: string;
}

export interface PlatformConfig {
    /** The controller, monitoring and cert-manager serve other teams too: `pulumi destroy` leaves them installed. */
    shared: boolean;
    /** Stack-wide defaults of every app's exposure budget. */
    maxBadCanaryWeight: number;
    maxBadCanaryExposure?: number;
    argoRollouts: ArgoRolloutsConfig;
    monitoring: MonitoringConfig;
    certManager: CertManagerConfig;
    newRelic?: NewRelicConfig;
}

export interface ClusterConfig {
    /** The run's kubeconfig file: KUBECONFIG (one file), else ~/.kube/config; unset when there is none. */
    kubeconfigFile?: string;
    /**
     * That file's kubeconfig for the stack's context, flattened (stacks/kubeconfig.ts): what the stack's
     * Kubernetes provider and dynamic resources get, and store, as a secret. Unset without a file (the
     * provider then uses its own defaults).
     */
    kubeconfig?: string;
    /** kubeconfig context of the stack's Kubernetes provider; unset means the current context. */
    context?: string;
    /**
     * The UID of the cluster's kube-system namespace. Unset, the cluster of the first `pulumi up` is the
     * stack's (recorded in its state); set, the cluster must have this UID (accepts a rebuilt cluster).
     */
    kubeSystemUid?: string;
}

export interface StackSecrets {
    /** New Relic personal API key (`pulumi config set --secret canary-stack:newRelicApiKey`); set when a metric uses New Relic. */
    newRelicApiKey?: pulumi.Output<string>;
}

export interface StackConfig {
    cluster: ClusterConfig;
    platform: PlatformConfig;
    apps: AppConfig[];
    secrets: StackSecrets;
}
