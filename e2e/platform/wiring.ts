/**
 * Whether the installed Prometheus and Grafana pick up what the stack writes,
 * judged on the live objects: the Prometheus resource's selectors evaluated
 * against the live ServiceMonitors, PrometheusRule and their namespaces, and
 * the dashboard label read from the chart's values against the live sidecar
 * and ConfigMap.
 */
import { execFileSync } from "child_process";
import { parse } from "yaml";
import { Kubectl } from "../lib/kubectl";
import { ScenarioResult, stepResult } from "../report/types";
import { ObjectRef, refText } from "./chartObjects";
import { matchNamespaceSelector, matchSelector } from "./labelSelector";

/** One object against a selector pair of the Prometheus resource, in words. */
function judge(kubectl: Kubectl, prometheus: any, o: ObjectRef, selectorKey: string, namespaceKey: string): { ok: boolean; text: string } {
    const live = kubectl.get(o.kind.toLowerCase(), o.name, o.namespace);
    const namespace = kubectl.get("namespace", o.namespace!);
    const byLabels = matchSelector(prometheus.spec[selectorKey], live?.metadata?.labels ?? {});
    const byNamespace = matchNamespaceSelector(prometheus.spec[namespaceKey], o.namespace!, namespace?.metadata?.labels ?? {}, prometheus.metadata.namespace);
    return {
        ok: Boolean(live) && byLabels.matches && byNamespace.matches,
        text: `${refText(o)}${live ? "" : " (not found)"}: ${selectorKey} ${byLabels.because}; ${namespaceKey} ${byNamespace.because}`,
    };
}

export function selectorRow(kubectl: Kubectl, prometheusRef: ObjectRef, serviceMonitors: ObjectRef[], rules: ObjectRef[]): ScenarioResult {
    const prometheus = kubectl.get("prometheus", prometheusRef.name, prometheusRef.namespace);
    const verdicts = [
        ...serviceMonitors.map((o) => judge(kubectl, prometheus, o, "serviceMonitorSelector", "serviceMonitorNamespaceSelector")),
        ...rules.map((o) => judge(kubectl, prometheus, o, "ruleSelector", "ruleNamespaceSelector")),
    ];
    return stepResult(
        "platform: the installed Prometheus selects the controller's and each app's ServiceMonitor and the canary PrometheusRule",
        `${refText(prometheusRef)}'s serviceMonitor/rule selectors and namespace selectors, as label selectors, match ${[...serviceMonitors, ...rules].map(refText).join(", ")}`,
        verdicts.map((v) => v.text).join(" | "),
        verdicts.length > 0 && verdicts.every((v) => v.ok),
        0,
    );
}

/** kube-prometheus-stack's own values.yaml, read from the chart archive the stack installs. */
function chartDefaults(archive: string): any {
    return parse(execFileSync("tar", ["-xzOf", archive, "kube-prometheus-stack/values.yaml"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }));
}

export interface DashboardValues {
    label?: string;
    labelValue?: string;
}

/**
 * The label Grafana's dashboard sidecar watches: grafana.sidecar.dashboards.label and labelValue of the
 * chart's values (its values.yaml, under those the stack gives it), as the live sidecar container got
 * them, on the stack's dashboard ConfigMap.
 */
export function dashboardRow(kubectl: Kubectl, archive: string, given: DashboardValues, configMaps: ObjectRef[], monitoring: ObjectRef[]): ScenarioResult {
    const name = "platform: the Grafana dashboard ConfigMap carries the label the chart's dashboard sidecar watches";
    const defaults: DashboardValues = chartDefaults(archive)?.grafana?.sidecar?.dashboards ?? {};
    const label = given.label ?? defaults.label;
    const labelValue = String(given.labelValue ?? defaults.labelValue);
    const grafanaRef = monitoring.find((o) => o.kind === "Deployment" && o.name.endsWith("-grafana"));
    const grafana = grafanaRef && kubectl.get("deployment", grafanaRef.name, grafanaRef.namespace);
    const sidecar = (grafana?.spec?.template?.spec?.containers ?? []).find((c: any) => c.name === "grafana-sc-dashboard");
    const env = Object.fromEntries((sidecar?.env ?? []).map((e: any) => [e.name, e.value]));
    const dashboard = configMaps.find((o) => o.name.includes("dashboard"));
    const live = dashboard && kubectl.get("configmap", dashboard.name, dashboard.namespace);
    const carried = label ? live?.metadata?.labels?.[label] : undefined;
    const ok = Boolean(label) && env.LABEL === label && env.LABEL_VALUE === labelValue && carried === labelValue;
    return stepResult(
        name,
        "the ConfigMap has <label>=<labelValue> of the chart's values, and the live sidecar watches the same",
        `grafana.sidecar.dashboards: label ${label}, labelValue "${labelValue}" (values.yaml: ${defaults.label}/"${defaults.labelValue}", ` +
            `the stack's: ${given.label}/"${given.labelValue}"); ${grafanaRef ? refText(grafanaRef) : "(no Grafana Deployment)"} container grafana-sc-dashboard ` +
            `watches LABEL=${env.LABEL} LABEL_VALUE=${env.LABEL_VALUE} NAMESPACE=${env.NAMESPACE}; ${dashboard ? refText(dashboard) : "(no dashboard ConfigMap)"} has ${label}=${carried}`,
        ok,
        0,
    );
}
