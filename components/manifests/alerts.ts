import { IPrometheusRule } from "./k8sTypes";
import { ObjectName, stackLabels } from "./labels";

export interface CanaryAlert {
    alert: string;
    expr: string;
    for?: string;
    severity: "page" | "warning";
    summary: string;
}

/**
 * What an operator must be paged for, written against the controller's
 * metric names (Argo Rollouts v1.8: `rollout_info{phase}`,
 * `analysis_run_info{phase}`, `analysis_run_created_time`).
 */
export function canaryAlerts(controllerJob: string): CanaryAlert[] {
    return [
        {
            alert: "CanaryAnalysisFailed",
            expr: '(analysis_run_info{phase="Failed"} == 1) and on(namespace, name) (time() - analysis_run_created_time < 3600)',
            severity: "page",
            summary: "AnalysisRun {{ $labels.namespace }}/{{ $labels.name }} failed: the canary was rolled back automatically.",
        },
        {
            alert: "CanaryAnalysisErrored",
            expr: '(analysis_run_info{phase="Error"} == 1) and on(namespace, name) (time() - analysis_run_created_time < 3600)',
            severity: "page",
            summary: "AnalysisRun {{ $labels.namespace }}/{{ $labels.name }} errored: its metric provider could not be queried, so the canary was aborted.",
        },
        {
            alert: "RolloutDegraded",
            expr: 'rollout_info{phase="Degraded"} == 1',
            for: "1m",
            severity: "page",
            summary: "Rollout {{ $labels.namespace }}/{{ $labels.name }} is Degraded (aborted or failing): stable serves, the new version is stopped.",
        },
        {
            alert: "RolloutPausedTooLong",
            expr: 'rollout_info{phase="Paused"} == 1',
            for: "1h",
            severity: "warning",
            summary: "Rollout {{ $labels.namespace }}/{{ $labels.name }} has waited paused for an hour (inconclusive analysis or a manual gate).",
        },
        {
            alert: "RolloutsControllerDown",
            expr: `absent(up{job="${controllerJob}"} == 1)`,
            for: "5m",
            severity: "page",
            summary: "The Argo Rollouts controller is not scraped as up: no canary is being analysed or rolled back.",
        },
    ];
}

export function canaryAlertRule(target: ObjectName, selectorLabels: Record<string, string>, controllerJob: string): IPrometheusRule {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { ...target, labels: { ...stackLabels(), ...selectorLabels } },
        spec: {
            groups: [{
                name: "canary-stack",
                rules: canaryAlerts(controllerJob).map((a) => ({
                    alert: a.alert,
                    expr: a.expr,
                    ...(a.for ? { for: a.for } : {}),
                    labels: { severity: a.severity },
                    annotations: { summary: a.summary },
                })),
            }],
        },
    };
}
