import { promDurationSeconds } from "../model/duration";
import {
    AlertFor,
    ALERTS_WITH_FOR,
    ArgoRolloutsConfig,
    CertManagerConfig,
    MonitoringConfig,
    NEW_RELIC_REGIONS,
    NewRelicConfig,
    NewRelicRegion,
    PlatformConfig,
} from "./types";
import { bool, fail, int, obj, oneOf, optionalNumber, optionalStr, show, str, stringMap, DNS_1123_LABEL, DNS_1123_LABEL_WHAT, Obj } from "./reader";
import { URL_PATTERN, URL_WHAT } from "./metrics";
import { parseChartSource } from "./chartSource";
import { PLATFORM_DEFAULTS } from "./defaults";

const HTTPS_URL = /^https:\/\/\S+$/;
const D = PLATFORM_DEFAULTS;
/** A PrometheusRule `for`: the operator's CRD pattern (units largest first, each once). */
const PROMETHEUS_DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;

function section(platform: Obj, key: string, path: string, allowed: readonly string[]): Obj {
    return platform[key] === undefined ? {} : obj(platform[key], `${path}.${key}`, allowed);
}

function parseArgoRollouts(o: Obj, path: string): ArgoRolloutsConfig {
    const install = bool(o, "install", path, D.argoRollouts.install);
    return {
        install,
        chart: parseChartSource(o, path, install),
        namespace: optionalStr(o, "namespace", path, DNS_1123_LABEL, DNS_1123_LABEL_WHAT) ?? D.argoRollouts.namespace,
        dashboard: bool(o, "dashboard", path, D.argoRollouts.dashboard),
        metricsJob: optionalStr(o, "metricsJob", path, /^\S+$/, "a Prometheus job label value") ?? D.argoRollouts.metricsJob,
        // The chart's ServiceMonitor scrapes an installed controller; one already running is scraped only
        // if the operator says under which job.
        scraped: install || o.metricsJob !== undefined,
    };
}

/**
 * A cluster without Prometheus (every metric on New Relic): nothing to install, address or select,
 * and no alerts or dashboard, whose kinds (PrometheusRule) and queries (PromQL) need a Prometheus.
 */
function parseNoPrometheus(o: Obj, path: string): MonitoringConfig {
    for (const key of ["namespace", "release", "prometheusAddress", "selectorLabels", "alertFor", "runbookBaseUrl", "chart"]) {
        if (o[key] !== undefined) fail(`${path}.${key}`, "not used with prometheus: false (the cluster has no Prometheus); remove it");
    }
    const needs: Record<string, string> = {
        install: "installs kube-prometheus-stack, a Prometheus",
        alerts: "writes a PrometheusRule, a kind that only exists with the Prometheus operator",
        grafanaDashboard: "writes a Grafana dashboard of PromQL panels",
    };
    for (const [key, what] of Object.entries(needs)) {
        if (bool(o, key, path, false)) fail(`${path}.${key}`, `true ${what}, but prometheus is false; remove it, or set prometheus: true`);
    }
    return {
        prometheus: false,
        install: false,
        chart: { kind: "repo" },
        namespace: D.monitoring.namespace,
        release: D.monitoring.release,
        selectorLabels: {},
        alerts: false,
        grafanaDashboard: false,
        alertFor: { ...D.monitoring.alertFor },
    };
}

function parseAlertFor(o: Obj, path: string, alerts: boolean): AlertFor {
    const alertFor = { ...D.monitoring.alertFor };
    if (o.alertFor === undefined) return alertFor;
    const at = `${path}.alertFor`;
    if (!alerts) fail(at, "only used with alerts: true (alerts is false, so there is no alert to delay); remove it");
    const given = obj(o.alertFor, at, ALERTS_WITH_FOR);
    for (const alert of ALERTS_WITH_FOR) {
        const value = optionalStr(given, alert, at);
        if (value === undefined) continue;
        if (!PROMETHEUS_DURATION.test(value) || !promDurationSeconds(value)) {
            fail(`${at}.${alert}`, `${show(value)} is not a Prometheus duration above zero (use e.g. "30s", "5m", "1h30m")`);
        }
        alertFor[alert] = value;
    }
    return alertFor;
}

function parseMonitoring(o: Obj, path: string): MonitoringConfig {
    if (!bool(o, "prometheus", path, D.monitoring.prometheus)) return parseNoPrometheus(o, path);
    const install = bool(o, "install", path, D.monitoring.install);
    const namespace = optionalStr(o, "namespace", path, DNS_1123_LABEL, DNS_1123_LABEL_WHAT) ?? D.monitoring.namespace;
    const release = optionalStr(o, "release", path, DNS_1123_LABEL, DNS_1123_LABEL_WHAT) ?? D.monitoring.release;
    const address = optionalStr(o, "prometheusAddress", path, URL_PATTERN, URL_WHAT);
    if (!install && address === undefined) {
        fail(
            `${path}.prometheusAddress`,
            `missing (with install: false, the address of the existing Prometheus, ${URL_WHAT}; or prometheus: false for a cluster without one)`,
        );
    }
    const labels = stringMap(o, "selectorLabels", path);
    if (install && o.selectorLabels !== undefined) {
        fail(`${path}.selectorLabels`, `only used with install: false (the installed Prometheus selects release: ${release})`);
    }
    const alerts = bool(o, "alerts", path, D.monitoring.alerts);
    return {
        prometheus: true,
        install,
        chart: parseChartSource(o, path, install),
        namespace,
        release,
        // The operator creates the `prometheus-operated` Service for every Prometheus it runs.
        prometheusAddress: address ?? `http://prometheus-operated.${namespace}.svc:9090`,
        // kube-prometheus-stack selects ServiceMonitors and PrometheusRules labelled with its release
        // (serviceMonitorSelectorNilUsesHelmValues stays true); an unselected one fails silently.
        selectorLabels: install ? { release } : labels,
        alerts,
        grafanaDashboard: bool(o, "grafanaDashboard", path, D.monitoring.grafanaDashboard),
        alertFor: parseAlertFor(o, path, alerts),
        runbookBaseUrl: parseRunbookBaseUrl(o, path, alerts),
    };
}

/** Where this project's docs are published, ending in "/": each alert's runbook_url is its section of docs/platform.md under it. */
function parseRunbookBaseUrl(o: Obj, path: string, alerts: boolean): string | undefined {
    const url = optionalStr(
        o,
        "runbookBaseUrl",
        path,
        /^https?:\/\/\S+\/$/,
        "an http(s) URL ending in / (the folder that holds docs/, e.g. https://github.com/acme/canary-stack/blob/main/)",
    );
    if (url !== undefined && !alerts)
        fail(`${path}.runbookBaseUrl`, "only used with alerts: true (alerts is false, so there is no alert to link from); remove it");
    return url;
}

function parseCertManager(o: Obj, path: string): CertManagerConfig {
    const install = bool(o, "install", path, D.certManager.install);
    return {
        install,
        chart: parseChartSource(o, path, install),
        namespace: optionalStr(o, "namespace", path, DNS_1123_LABEL, DNS_1123_LABEL_WHAT) ?? D.certManager.namespace,
        present: install || bool(o, "present", path, D.certManager.present),
    };
}

function parseNewRelic(value: unknown, path: string): NewRelicConfig | undefined {
    if (value === undefined) return undefined;
    const o = obj(value, path, ["accountId", "region", "baseUrlRest", "baseUrlNerdgraph"]);
    const accountId = typeof o.accountId === "number" ? String(o.accountId) : o.accountId;
    return {
        accountId: str({ accountId }, "accountId", path, /^\d+$/, "a New Relic account id (digits)"),
        region: oneOf<NewRelicRegion>(o, "region", path, NEW_RELIC_REGIONS, D.newRelic.region),
        baseUrlRest: optionalStr(o, "baseUrlRest", path, HTTPS_URL, "an https URL"),
        baseUrlNerdgraph: optionalStr(o, "baseUrlNerdgraph", path, HTTPS_URL, "an https URL"),
    };
}

export function parsePlatform(value: unknown, path: string): PlatformConfig {
    const platform = obj(value ?? {}, path, ["shared", "maxBadCanaryWeight", "maxBadCanaryExposure", "argoRollouts", "monitoring", "certManager", "newRelic"]);
    const argoSection = section(platform, "argoRollouts", path, ["install", "chart", "namespace", "dashboard", "metricsJob"]);
    const argo = parseArgoRollouts(argoSection, `${path}.argoRollouts`);
    const monitoring = parseMonitoring(
        section(platform, "monitoring", path, [
            "prometheus",
            "install",
            "chart",
            "namespace",
            "release",
            "prometheusAddress",
            "selectorLabels",
            "alerts",
            "alertFor",
            "runbookBaseUrl",
            "grafanaDashboard",
        ]),
        `${path}.monitoring`,
    );
    if (!monitoring.prometheus && argoSection.metricsJob !== undefined) {
        fail(
            `${path}.argoRollouts.metricsJob`,
            "only used by the controller-down alert, which needs Prometheus (platform.monitoring.prometheus is false); remove it",
        );
    }
    const certManager = parseCertManager(section(platform, "certManager", path, ["install", "chart", "namespace", "present"]), `${path}.certManager`);
    return {
        shared: bool(platform, "shared", path, D.shared),
        maxBadCanaryWeight: int(platform, "maxBadCanaryWeight", path, 0, 100, D.maxBadCanaryWeight),
        maxBadCanaryExposure: optionalNumber(platform, "maxBadCanaryExposure", path, 0, Number.MAX_SAFE_INTEGER),
        argoRollouts: argo,
        monitoring,
        certManager,
        newRelic: parseNewRelic(platform.newRelic, `${path}.newRelic`),
    };
}
