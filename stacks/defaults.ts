/**
 * Every default of the stack's config, in one place (as Argo Rollouts keeps its own in
 * utils/defaults/defaults.go): the readers in stacks/ and the builders take them from here, and
 * test/defaults.test.ts checks docs/config-reference.md's default column against them.
 */
import { AlertFor, AnalysisMode, AppSeries, NewRelicRegion, ScaleDown } from "./types";

/** `platform` */
export const PLATFORM_DEFAULTS = {
    shared: false,
    /** A broken release may reach 10% of traffic before the gate stops it, unless a stack says otherwise. */
    maxBadCanaryWeight: 10,
    argoRollouts: { install: true, namespace: "argo-rollouts", dashboard: false, metricsJob: "argo-rollouts-metrics" },
    monitoring: {
        prometheus: true,
        install: true,
        namespace: "monitoring",
        release: "kube-prometheus-stack",
        alerts: true,
        grafanaDashboard: true,
        alertFor: { RolloutDegraded: "1m", RolloutPausedTooLong: "1h", RolloutsControllerDown: "5m" } as Readonly<AlertFor>,
    },
    certManager: { install: false, namespace: "cert-manager", present: false },
    newRelic: { region: "us" as NewRelicRegion },
};

/** `apps[]` */
export const APP_DEFAULTS = {
    /** `progressively`: no double capacity, and Argo scales the Deployment back up if the Rollout fails. */
    scaleDown: "progressively" as ScaleDown,
    metrics: { path: "/metrics", scrapeInterval: "15s" },
    series: {
        requestsTotal: "http_requests_total",
        codeLabel: "code",
        durationHistogram: "http_request_duration_seconds",
    } as Readonly<AppSeries>,
    analysis: { mode: "inline" as AnalysisMode },
    /**
     * Argo's `DefaultProgressDeadlineSeconds` (utils/defaults/defaults.go, v1.8.3): how long a step
     * may wait for its canary pods to become available before the Rollout counts as stuck.
     */
    progressDeadlineSeconds: 600,
    progressDeadlineAbort: true,
    /**
     * Seconds from a canary pod's creation to Ready, when the app does not say: a small service on a node
     * that has to pull the new image (a few seconds to tens), start it, and pass a readiness probe that
     * Kubernetes runs every 10 s by default. An estimate to replace with the app's own measurement (docs/exposure-budget.md).
     */
    podReadySeconds: 30,
    deployer: { admissionPolicy: true },
    allowNoAnalysis: false,
    allowDestroyMidCanary: false,
};

/** Each metric of `apps[].analysis.metrics`, and `apps[].analysis.<measurement key>`. */
export const METRIC_DEFAULTS = {
    enabled: true,
    interval: "1m",
    /** Inline analysis steps need an end; background analysis runs until the rollout finishes. */
    inlineCount: 3,
    failureLimit: 1,
    inconclusiveLimit: 1,
    consecutiveErrorLimit: 4,
    window: "2m",
    minRequests: 20,
    canaryScoped: true,
    /**
     * A New Relic metric's first measurement waits this long unless `initialDelay` is set (on the
     * metric or the analysis), so that it sees the canary's data: New Relic APM agents send metric
     * data once a minute (events every 5 s with real time streaming; docs.newrelic.com, "Details on
     * APM real-time streaming"), and New Relic's own NRQL alert conditions wait 2 minutes by default
     * for data points to arrive before they evaluate a window (docs.newrelic.com, "Streaming alerts:
     * key terms and concepts", Delay/timer). One harvest plus that delay: 3 minutes. Prometheus
     * metrics keep no default delay: a scrape is seconds old, and their window already holds them back.
     */
    newRelicInitialDelay: "3m",
    /** The Secret the Argo Rollouts New Relic provider reads when a metric names no `profile` (its own default). */
    newRelicProfile: "newrelic",
};

/**
 * The watchdog's measurement defaults (`analysis.watchdog`, stacks/watchdog.ts): every 15 s over
 * the default window, the first time once the canary has served a whole window. Its
 * inconclusiveLimit and consecutiveErrorLimit are each metric's own (the analysis's).
 */
export const WATCHDOG_DEFAULTS = {
    interval: "15s",
    /** The shortest default window; longer where four scrapes of the app take longer (`defaultWatchdogWindow`). */
    minWindowSeconds: 30,
    failureLimit: 1,
    /** Fewer requests than the analysis's default: the window is shorter. */
    minRequests: 10,
};
