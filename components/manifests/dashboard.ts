import { IConfigMap } from "./k8sTypes";
import { ObjectName, stackLabels } from "./labels";

export interface DashboardPanel {
    title: string;
    expr: string;
    legend: string;
}

/**
 * Per rollout: its phase, its canary share, and its analysis outcomes. The
 * controller exports no traffic weight; the updated/desired replica ratio is
 * the canary's share of pods, which is its weight without traffic routing.
 */
export function dashboardPanels(): DashboardPanel[] {
    return [
        { title: "Rollout phase", expr: "max by (namespace, name, phase) (rollout_info)", legend: "{{namespace}}/{{name}} {{phase}}" },
        {
            title: "Canary share of pods (%)",
            expr: "100 * max by (namespace, name) (rollout_info_replicas_updated) / max by (namespace, name) (rollout_info_replicas_desired)",
            legend: "{{namespace}}/{{name}}",
        },
        { title: "Analysis runs by outcome", expr: "count by (namespace, phase) (analysis_run_info)", legend: "{{namespace}} {{phase}}" },
        {
            title: "Analysis metric outcomes",
            expr: "count by (namespace, metric, phase) (analysis_run_metric_phase)",
            legend: "{{namespace}} {{metric}} {{phase}}",
        },
    ];
}

export function dashboardJson(): string {
    return JSON.stringify({
        title: "Canary rollouts",
        uid: "canary-stack-rollouts",
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        panels: dashboardPanels().map((p, i) => ({
            id: i + 1,
            type: "timeseries",
            title: p.title,
            gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
            datasource: { type: "prometheus", uid: "prometheus" },
            targets: [{ refId: "A", expr: p.expr, legendFormat: p.legend }],
        })),
    }, null, 2);
}

/** A ConfigMap Grafana's dashboard sidecar loads (label `grafana_dashboard: "1"`). */
export function dashboardConfigMap(target: ObjectName): IConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { ...target, labels: { ...stackLabels(), grafana_dashboard: "1" } },
        data: { "canary-rollouts.json": dashboardJson() },
    };
}
