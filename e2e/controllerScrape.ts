/**
 * The Argo Rollouts controller scraped as a production Prometheus scrapes it
 * (issue 21 item 1): through the job the Prometheus operator generates for the
 * argo-rollouts chart's ServiceMonitor, with the relabelling, the target
 * labels (`namespace="argo-rollouts"`, `service`, `pod`, `job`) and the
 * metricRelabelings that job has on a real cluster. Only the target's address
 * is the out-of-cluster controller's.
 *
 * The local stack does not install the chart (the controller runs out of
 * cluster), so the chart's metrics Service and ServiceMonitor are written
 * here as argo-rollouts 2.40.5 renders them (templates/controller/
 * metrics-service.yaml and servicemonitor.yaml, labels from _helpers.tpl)
 * with the stack's own values (argoRolloutsValues). The platform phase, which
 * installs the chart, compares them with the chart's (platform/phase.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { ARGO_ROLLOUTS_CHART, ARGO_ROLLOUTS_RELEASE } from "../components/manifests/charts";
import { argoRolloutsValues } from "../components/manifests/platformValues";
import { PlatformConfig } from "../stacks/types";
import { Kubectl } from "./lib/kubectl";
import { PROMETHEUS_RESOURCE } from "./operator";
import { ScenarioResult, stepResult } from "./report/types";
import { generatedConfig, generatedScrapeJobs, ScrapeJob, serviceMonitorJobs } from "./platform/scrapeConfig";
import { onSimulatorTargets } from "./prometheus";
import { endpointTarget, TargetGroup } from "./traffic/podTargets";

/** The chart's appVersion: its `app.kubernetes.io/version` label. */
const APP_VERSION = "v1.8.3";
const COMPONENT = "rollouts-controller";
const SELECTOR = { "app.kubernetes.io/name": "argo-rollouts", "app.kubernetes.io/instance": ARGO_ROLLOUTS_RELEASE };
/** argo-rollouts.labels: what every object of the chart carries. */
const CHART_LABELS = {
    "helm.sh/chart": `argo-rollouts-${ARGO_ROLLOUTS_CHART.version}`,
    ...SELECTOR,
    "app.kubernetes.io/version": APP_VERSION,
    "app.kubernetes.io/managed-by": "Helm",
    "app.kubernetes.io/part-of": "argo-rollouts",
};
/** The controller's pod as the chart's Deployment would name it (a ReplicaSet hash and a pod suffix). */
const POD = "argo-rollouts-5f64f8d68-x2v9k";

/** The chart's controller metrics Service and ServiceMonitor, with the stack's values. */
export function controllerMetricsObjects(platform: PlatformConfig): { service: any; serviceMonitor: any } {
    const metrics = (argoRolloutsValues(platform.argoRollouts, platform.monitoring).controller as any).metrics;
    const namespace = platform.argoRollouts.namespace;
    const selector = { "app.kubernetes.io/component": COMPONENT, ...SELECTOR };
    return {
        service: {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: `${ARGO_ROLLOUTS_RELEASE}-metrics`, namespace, labels: { "app.kubernetes.io/component": COMPONENT, ...CHART_LABELS } },
            spec: { ports: [{ name: "metrics", protocol: "TCP", port: metrics.service.port, targetPort: "metrics" }], selector },
        },
        serviceMonitor: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: {
                name: ARGO_ROLLOUTS_RELEASE,
                namespace,
                labels: { "app.kubernetes.io/component": COMPONENT, ...CHART_LABELS, ...metrics.serviceMonitor.additionalLabels },
            },
            spec: {
                endpoints: [
                    { port: "metrics", ...(metrics.serviceMonitor.metricRelabelings ? { metricRelabelings: metrics.serviceMonitor.metricRelabelings } : {}) },
                ],
                namespaceSelector: { matchNames: [namespace] },
                selector: { matchLabels: selector },
            },
        },
    };
}

/** The controller's one endpoint, labelled as Prometheus's endpoints discovery labels it, at the out-of-cluster controller's address. */
export function controllerTarget(service: any, address: string): TargetGroup {
    const port = service.spec.ports[0];
    const target = endpointTarget(
        {
            namespace: service.metadata.namespace,
            name: service.metadata.name,
            labels: service.metadata.labels,
            port: { name: port.name, port: port.port, protocol: port.protocol },
        },
        { pod: POD, ready: true },
        {
            name: POD,
            ready: true,
            phase: "Running",
            labels: { ...SELECTOR, "app.kubernetes.io/component": COMPONENT, "pod-template-hash": "5f64f8d68" },
            controller: { kind: "ReplicaSet", name: "argo-rollouts-5f64f8d68" },
            containers: [
                {
                    name: "argo-rollouts",
                    ports: [
                        { name: "metrics", containerPort: port.port },
                        { name: "healthz", containerPort: 8080 },
                    ],
                },
            ],
        },
        address,
    );
    return { targets: target.targets, labels: { ...target.labels, __metrics_path__: "/metrics" } };
}

/**
 * Applies the chart's controller Service and ServiceMonitor, waits for the operator to generate the
 * ServiceMonitor's scrape job, and returns it with its discovery pointed at the controller's target.
 */
export async function controllerScrapeJobs(kubectl: Kubectl, dir: string, platform: PlatformConfig, address: string): Promise<ScrapeJob[]> {
    const { service, serviceMonitor } = controllerMetricsObjects(platform);
    kubectl.apply(JSON.stringify({ apiVersion: "v1", kind: "List", items: [service, serviceMonitor] }));
    const { namespace, name } = serviceMonitor.metadata;
    const jobs = await generatedScrapeJobs(
        kubectl,
        PROMETHEUS_RESOURCE.namespace,
        PROMETHEUS_RESOURCE.name,
        (all) => serviceMonitorJobs(all, namespace, name).length > 0,
    );
    const targetsFile = path.join(dir, "controller-targets.json");
    fs.writeFileSync(targetsFile, JSON.stringify([controllerTarget(service, address)], null, 2));
    // The ServiceMonitor sets no interval: the job runs at the generated configuration's global one (the
    // operator's default 30s), not at the e2e Prometheus's own 1 s.
    const global = generatedConfig(kubectl, PROMETHEUS_RESOURCE.namespace, PROMETHEUS_RESOURCE.name)?.global ?? {};
    return serviceMonitorJobs(jobs, namespace, name).map(
        (job) => withGlobalTimings(onSimulatorTargets(job as unknown as Record<string, unknown>, targetsFile), global) as unknown as ScrapeJob,
    );
}

/** A job's scrape_interval and scrape_timeout, from the generated global section where the job has none. */
export function withGlobalTimings(job: Record<string, unknown>, global: Record<string, string>): Record<string, unknown> {
    return {
        ...job,
        scrape_interval: job.scrape_interval ?? global.scrape_interval ?? "30s",
        scrape_timeout: job.scrape_timeout ?? global.scrape_timeout ?? "10s",
    };
}

/** JSON with every object's keys sorted (the API server returns maps sorted). */
const canonical = (value: unknown): string | undefined =>
    JSON.stringify(value, (_k, v) =>
        v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
    );

/** What of a Service or ServiceMonitor the chart decides: labels and spec (not what the API server or Helm adds). */
function chartShape(o: any): unknown {
    if (!o) return undefined;
    const spec =
        o.kind === "Service"
            ? {
                  ports: o.spec.ports.map((p: any) => ({ name: p.name, protocol: p.protocol, port: p.port, targetPort: p.targetPort })),
                  selector: o.spec.selector,
              }
            : o.spec;
    return { kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace, labels: o.metadata.labels, spec };
}

/**
 * Platform-phase row: the main e2e's stand-ins equal the controller metrics Service and ServiceMonitor the
 * argo-rollouts chart installed with the same values (read live), so the job the operator generates in
 * the main e2e is the one it generates on a cluster that installs the chart.
 */
export function controllerStandInRow(kubectl: Kubectl, platform: PlatformConfig): ScenarioResult {
    const name = "platform: the main e2e's controller metrics Service and ServiceMonitor are the chart's as installed";
    const expected = "labels, ports, selectors and endpoints (with the namespace metricRelabelings) equal to what argo-rollouts installed";
    const { service, serviceMonitor } = controllerMetricsObjects(platform);
    const differences = [service, serviceMonitor].flatMap((ours) => {
        const live = kubectl.get(ours.kind.toLowerCase(), ours.metadata.name, ours.metadata.namespace);
        const [a, b] = [canonical(chartShape(ours)), canonical(chartShape(live))];
        return a === b ? [] : [`${ours.kind} ${ours.metadata.namespace}/${ours.metadata.name}: ours ${a}; installed ${b ?? "missing"}`];
    });
    return stepResult(name, expected, differences.length === 0 ? "the same, both objects" : differences.join("; "), differences.length === 0);
}
