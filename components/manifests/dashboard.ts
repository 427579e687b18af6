import { IConfigMap } from "./k8sTypes";
import { ObjectName, stackLabels } from "./labels";

export interface DashboardPanel {
    title: string;
    expr: string;
    legend: string;
    /** Every series `expr` reads: the controller's (controllerMetrics.ts) or Prometheus's `up`. */
    series: string[];
}

/**
 * Per rollout: its phase, how far the newest pod template has got, its unavailable pods, and
 * its analyses' outcomes; and whether the controller is scraped at all. Only series the Argo
 * Rollouts controller v1.8.3 exports (controllerMetrics.ts), and `up`. It exports no traffic
 * weight; without traffic routing the newest template's share of pods is its share of traffic.
 */
export function dashboardPanels(controllerJob: string): DashboardPanel[] {
    return [
        {
            title: "Rollout phase",
            // rollout_info{namespace, name, phase}: one series per Rollout, its current phase.
            expr: "max by (namespace, name, phase) (rollout_info)",
            legend: "{{namespace}}/{{name}} {{phase}}",
            series: ["rollout_info"],
        },
        {
            title: "Pods on the newest pod template (%)",
            // status.updatedReplicas over spec.replicas: the canary's pods during a release, 100 once promoted.
            expr: "100 * max by (namespace, name) (rollout_info_replicas_updated) / max by (namespace, name) (rollout_info_replicas_desired)",
            legend: "{{namespace}}/{{name}}",
            series: ["rollout_info_replicas_updated", "rollout_info_replicas_desired"],
        },
        {
            title: "Unavailable pods",
            // status.replicas - status.availableReplicas: a canary that does not become ready shows here.
            expr: "max by (namespace, name) (rollout_info_replicas_unavailable)",
            legend: "{{namespace}}/{{name}}",
            series: ["rollout_info_replicas_unavailable"],
        },
        {
            title: "Analysis runs kept, by phase",
            // analysis_run_info{namespace, name, phase}: one series per AnalysisRun still in the cluster.
            expr: "count by (namespace, phase) (analysis_run_info)",
            legend: "{{namespace}} {{phase}}",
            series: ["analysis_run_info"],
        },
        {
            title: "Analysis metric outcomes",
            // analysis_run_metric_phase: one series per run, metric and phase, 1 for the metric's current phase.
            expr: "count by (namespace, metric, phase) (analysis_run_metric_phase == 1)",
            legend: "{{namespace}} {{metric}} {{phase}}",
            series: ["analysis_run_metric_phase"],
        },
        {
            title: "Controller scraped up",
            // up: Prometheus's last scrape of the controller's metrics port (1 up, 0 failed).
            expr: `max(up{job="${controllerJob}"})`,
            legend: "controller",
            series: ["up"],
        },
    ];
}

export function dashboardJson(controllerJob: string): string {
    return JSON.stringify(
        {
            title: "Canary rollouts",
            uid: "canary-stack-rollouts",
            schemaVersion: 39,
            time: { from: "now-6h", to: "now" },
            panels: dashboardPanels(controllerJob).map((p, i) => ({
                id: i + 1,
                type: "timeseries",
                title: p.title,
                gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
                datasource: { type: "prometheus", uid: "prometheus" },
                targets: [{ refId: "A", expr: p.expr, legendFormat: p.legend }],
            })),
        },
        null,
        2,
    );
}

/** A ConfigMap Grafana's dashboard sidecar loads (label `grafana_dashboard: "1"`). */
export function dashboardConfigMap(target: ObjectName, controllerJob: string): IConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { ...target, labels: { ...stackLabels(), grafana_dashboard: "1" } },
        data: { "canary-rollouts.json": dashboardJson(controllerJob) },
    };
}
