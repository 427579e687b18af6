// Bad stack configs of the platform and the cluster (Prometheus or none, monitoring, alerts, budgets, New Relic, cluster keys),
// each with the message that stops it (test/configBadInput.test.ts).
import { newRelicMetric } from "./fixtures";
import { Case } from "./configFixtures";

/** The cluster has no Prometheus, and the app keeps its metrics (built-in ones first) but no metrics block. */
function withoutPrometheus(app: any, cfg: any): void {
    cfg.platform.monitoring = { prometheus: false };
    delete app.metrics;
}

export const badPlatformConfigs: Case[] = [
    [
        "existing Prometheus without address",
        (_a, c) => {
            delete c.platform.monitoring.prometheusAddress;
        },
        "platform.monitoring.prometheusAddress: missing (with install: false, the address of the existing Prometheus, an http(s) URL such as http://prometheus.monitoring:9090; or prometheus: false for a cluster without one)",
    ],
    [
        "built-in metric on a cluster without Prometheus",
        withoutPrometheus,
        "apps[0].analysis.metrics[0].kind: successRate is a built-in PromQL query, and this cluster has no Prometheus (platform.monitoring.prometheus: false); use a New Relic metric (kind: custom, provider: newRelic, nrql and conditions) or give a Prometheus (platform.monitoring.prometheus: true, installed or at prometheusAddress)",
    ],
    [
        "disabled built-in metric on a cluster without Prometheus",
        (a, c) => {
            withoutPrometheus(a, c);
            a.analysis.metrics = [newRelicMetric(), { name: "up", kind: "targetsUp", enabled: false }];
        },
        "apps[0].analysis.metrics[1].kind: targetsUp is a built-in PromQL query, and this cluster has no Prometheus (platform.monitoring.prometheus: false); use a New Relic metric (kind: custom, provider: newRelic, nrql and conditions) or give a Prometheus (platform.monitoring.prometheus: true, installed or at prometheusAddress)",
    ],
    [
        "custom PromQL metric on a cluster without Prometheus",
        (a, c) => {
            withoutPrometheus(a, c);
            a.analysis.metrics = [{ name: "c", kind: "custom", query: "up", successCondition: "true" }];
        },
        "apps[0].analysis.metrics[0].provider: prometheus (the default) needs a Prometheus, and this cluster has none (platform.monitoring.prometheus: false); use provider: newRelic with an nrql query or give a Prometheus (platform.monitoring.prometheus: true, installed or at prometheusAddress)",
    ],
    [
        "custom PromQL metric with its own address on a cluster without Prometheus",
        (a, c) => {
            withoutPrometheus(a, c);
            a.analysis.metrics = [
                { name: "c", kind: "custom", provider: "prometheus", prometheusAddress: "http://p:9090", query: "up", successCondition: "true" },
            ];
        },
        "apps[0].analysis.metrics[0].provider: prometheus needs a Prometheus, and this cluster has none (platform.monitoring.prometheus: false); use provider: newRelic with an nrql query or give a Prometheus (platform.monitoring.prometheus: true, installed or at prometheusAddress)",
    ],
    [
        "metrics block on a cluster without Prometheus",
        (a, c) => {
            withoutPrometheus(a, c);
            a.metrics = { port: 9090, job: "demo" };
        },
        "apps[0].metrics: not used without Prometheus (platform.monitoring.prometheus is false): nothing scrapes the app; remove it",
    ],
    [
        "series on a cluster without Prometheus",
        (a, c) => {
            withoutPrometheus(a, c);
            a.series = { codeLabel: "status" };
        },
        "apps[0].series: not used without Prometheus (platform.monitoring.prometheus is false): it names the series of the built-in PromQL metrics; remove it",
    ],
    [
        "Prometheus metric of an app without a metrics block",
        (a) => {
            delete a.metrics;
        },
        'apps[0].metrics: missing (metric "success-rate" queries Prometheus, which scrapes the app through metrics: {port, job}; only an app whose metrics all use provider newRelic goes without)',
    ],
    [
        "prometheus not a boolean",
        (_a, c) => {
            c.platform.monitoring.prometheus = "no";
        },
        'platform.monitoring.prometheus: "no" is not true or false',
    ],
    [
        "a Prometheus address on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring.prometheus = false;
        },
        "platform.monitoring.prometheusAddress: not used with prometheus: false (the cluster has no Prometheus); remove it",
    ],
    [
        "kube-prometheus-stack installed on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false, install: true };
        },
        "platform.monitoring.install: true installs kube-prometheus-stack, a Prometheus, but prometheus is false; remove it, or set prometheus: true",
    ],
    [
        "canary alerts on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false, alerts: true };
        },
        "platform.monitoring.alerts: true writes a PrometheusRule, a kind that only exists with the Prometheus operator, but prometheus is false; remove it, or set prometheus: true",
    ],
    [
        "Grafana dashboard on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false, grafanaDashboard: true };
        },
        "platform.monitoring.grafanaDashboard: true writes a Grafana dashboard of PromQL panels, but prometheus is false; remove it, or set prometheus: true",
    ],
    [
        "controller metrics job on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false };
            c.platform.argoRollouts.metricsJob = "argo";
        },
        "platform.argoRollouts.metricsJob: only used by the controller-down alert, which needs Prometheus (platform.monitoring.prometheus is false); remove it",
    ],
    [
        "runbookBaseUrl without its trailing slash",
        (_a, c) => {
            c.platform.monitoring.runbookBaseUrl = "https://github.com/acme/canary-stack/blob/main";
        },
        'platform.monitoring.runbookBaseUrl: "https://github.com/acme/canary-stack/blob/main" is not an http(s) URL ending in / (the folder that holds docs/, e.g. https://github.com/acme/canary-stack/blob/main/)',
    ],
    [
        "runbookBaseUrl without alerts",
        (_a, c) => {
            c.platform.monitoring.alerts = false;
            c.platform.monitoring.runbookBaseUrl = "https://docs.example/";
        },
        "platform.monitoring.runbookBaseUrl: only used with alerts: true (alerts is false, so there is no alert to link from); remove it",
    ],
    [
        "runbookBaseUrl on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false, runbookBaseUrl: "https://docs.example/" };
        },
        "platform.monitoring.runbookBaseUrl: not used with prometheus: false (the cluster has no Prometheus); remove it",
    ],
    [
        "alertFor of an alert without a for",
        (_a, c) => {
            c.platform.monitoring.alertFor = { CanaryAnalysisFailed: "1m" };
        },
        "platform.monitoring.alertFor.CanaryAnalysisFailed: unknown key (allowed: RolloutDegraded, RolloutPausedTooLong, RolloutsControllerDown)",
    ],
    [
        "alertFor in words",
        (_a, c) => {
            c.platform.monitoring.alertFor = { RolloutPausedTooLong: "1 hour" };
        },
        'platform.monitoring.alertFor.RolloutPausedTooLong: "1 hour" is not a Prometheus duration above zero (use e.g. "30s", "5m", "1h30m")',
    ],
    [
        "alertFor with its units smallest first",
        (_a, c) => {
            c.platform.monitoring.alertFor = { RolloutsControllerDown: "30s5m" };
        },
        'platform.monitoring.alertFor.RolloutsControllerDown: "30s5m" is not a Prometheus duration above zero (use e.g. "30s", "5m", "1h30m")',
    ],
    [
        "alertFor of zero",
        (_a, c) => {
            c.platform.monitoring.alertFor = { RolloutDegraded: "0s" };
        },
        'platform.monitoring.alertFor.RolloutDegraded: "0s" is not a Prometheus duration above zero (use e.g. "30s", "5m", "1h30m")',
    ],
    [
        "alertFor as a number of seconds",
        (_a, c) => {
            c.platform.monitoring.alertFor = { RolloutDegraded: 60 };
        },
        "platform.monitoring.alertFor.RolloutDegraded: 60 is not a non-empty string",
    ],
    [
        "alertFor not a mapping",
        (_a, c) => {
            c.platform.monitoring.alertFor = "20s";
        },
        'platform.monitoring.alertFor: "20s" is not a mapping',
    ],
    [
        "alertFor with alerts off",
        (_a, c) => {
            c.platform.monitoring.alerts = false;
            c.platform.monitoring.alertFor = { RolloutPausedTooLong: "2h" };
        },
        "platform.monitoring.alertFor: only used with alerts: true (alerts is false, so there is no alert to delay); remove it",
    ],
    [
        "alertFor on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false, alertFor: {} };
        },
        "platform.monitoring.alertFor: not used with prometheus: false (the cluster has no Prometheus); remove it",
    ],
    [
        "unknown monitoring key",
        (_a, c) => {
            c.platform.monitoring.newRelicOnly = true;
        },
        "platform.monitoring.newRelicOnly: unknown key (allowed: prometheus, install, chart, namespace, release, prometheusAddress, selectorLabels, alerts, alertFor, runbookBaseUrl, grafanaDashboard)",
    ],
    [
        "unknown platform section",
        (_a, c) => {
            c.platform.istio = {};
        },
        "platform.istio: unknown key (allowed: shared, maxBadCanaryWeight, maxBadCanaryExposure, argoRollouts, monitoring, certManager, newRelic)",
    ],
    [
        "New Relic account id not digits",
        (_a, c) => {
            c.platform.newRelic = { accountId: "acme" };
        },
        'platform.newRelic.accountId: "acme" is not a New Relic account id (digits)',
    ],
    // Pods Ready in 30 s (the default). setWeight 50 on 4 replicas: 1 canary pod of 4 Ready from 30 s, 2 of 4 from 60 s; the analysis
    // step from 120 s fails at 120 s and 180 s (targetsUp): 25% x 30 s + 50% x 120 s, then 50% x 30 s + 25% x 30 s while the stable
    // comes back: 9000. The fixture: targetsUp fails at 90 s and 150 s, 20% x 120 s; the watchdog's run from steps[0] at 30 s and 45 s (300).
    [
        "ladder over the weight budget",
        (a) => {
            a.steps = [{ setWeight: 50 }, { pause: { duration: "1m" } }, { analysis: {} }];
        },
        "apps[0].steps: a broken release reaches 50% before the abort at 3m (exposure 9000 %·s); budget maxBadCanaryWeight is 20: add setWeight 20 and an analysis step before steps[0] (setWeight 50)",
    ],
    [
        "weight budget below one canary pod's share",
        (a) => {
            a.maxBadCanaryWeight = 10;
        },
        "apps[0].steps: a broken release reaches 20% (setWeight 10 on 4 replicas without traffic routing) before the abort at 2m30s (exposure 2400 %·s); budget maxBadCanaryWeight is 10: no setWeight runs the canary below 20% on 4 replicas without traffic routing (1 canary pod beside 4 stable); set stableIngress (traffic routing splits by weight), run at least 9 replicas, or raise maxBadCanaryWeight to 20",
    ],
    [
        "ladder over the exposure budget",
        (a) => {
            a.maxBadCanaryExposure = 500;
        },
        "apps[0].steps: a broken release reaches 20% (setWeight 10 on 4 replicas without traffic routing) before the abort at 2m30s (exposure 2400 %·s); budget maxBadCanaryExposure is 500 %·s: no single change (an analysis step, a shorter interval, a lower failureLimit, a shorter window, a watchdog) is enough; lower the ladder's weights",
    ],
    [
        "platform weight budget out of range",
        (_a, c) => {
            c.platform.maxBadCanaryWeight = 120;
        },
        "platform.maxBadCanaryWeight: 120 is not an integer from 0 to 100",
    ],
    [
        "New Relic region unknown",
        (_a, c) => {
            c.platform.newRelic = { accountId: "1", region: "apac" };
        },
        'platform.newRelic.region: "apac" is not one of us, eu',
    ],
    [
        "cluster kube-system UID not a UID",
        (_a, c) => {
            c.cluster = { kubeSystemUid: "prod" };
        },
        "cluster.kubeSystemUid: \"prod\" is not a UID (the kube-system namespace's metadata.uid: kubectl get namespace kube-system -o jsonpath='{.metadata.uid}')",
    ],
    [
        "unknown cluster key",
        (_a, c) => {
            c.cluster = { server: "https://10.0.0.1:6443" };
        },
        "cluster.server: unknown key (allowed: context, kubeSystemUid)",
    ],
];
