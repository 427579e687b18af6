import { pauseSeconds, promDurationSeconds } from "../../model/duration";
import { AlertFor, AppConfig, MonitoringConfig } from "../../stacks/types";
import { AnalysisRunPhase, RolloutInfoPhase } from "./controllerMetrics";
import { IPrometheusRule } from "./k8sTypes";
import { ObjectName, stackLabels } from "./labels";

/**
 * The severities kube-prometheus-stack's Alertmanager configuration and inhibition rules key on
 * (its own rules use only these): critical pages a person, warning goes to a channel, info is a
 * record that routes nowhere by default.
 */
export type AlertSeverity = "critical" | "warning" | "info";

export interface CanaryAlert {
    alert: string;
    expr: string;
    for?: string;
    severity: AlertSeverity;
    summary: string;
    /** Every series `expr` reads: the controller's (controllerMetrics.ts) or Prometheus's `up`. */
    series: string[];
}

/** How long an AnalysisRun alert fires after the run reached its phase; then it resolves for good. */
export const RUN_ALERT_FIRES_FOR = "10m";
/**
 * How far back, before those 10 minutes, Prometheus looks for the run already in that phase.
 * Only a gap in its data longer than this (an outage of Prometheus or of the controller) makes
 * it fire a second time for the same run.
 */
export const RUN_ALERT_MEMORY = "1h";

/**
 * An AnalysisRun that has just reached `phase`, once per run. `analysis_run_info` has one series
 * per AnalysisRun that still exists (Argo keeps the last 5 unsuccessful ones per Rollout), so
 * `analysis_run_info{phase="Failed"}` alone would fire for as long as the run is kept, and the
 * controller exports no creation time to age it with. A run fires from the first evaluation
 * that sees it in the phase until RUN_ALERT_FIRES_FOR later, when its own earlier samples in
 * the phase silence it. `max by` drops the scrape's job/instance/pod labels: several
 * controller replicas or scrape jobs raise one alert, not one each.
 */
function analysisRunReached(phase: AnalysisRunPhase): string {
    const selector = `analysis_run_info{phase="${phase}"}`;
    return `max by (namespace, name) (${selector}) unless on (namespace, name) max_over_time(${selector}[${RUN_ALERT_MEMORY}] offset ${RUN_ALERT_FIRES_FOR})`;
}

function rolloutIn(phases: RolloutInfoPhase[], by: string): string {
    const matcher = phases.length === 1 ? `phase="${phases[0]}"` : `phase=~"${phases.join("|")}"`;
    return `max by (${by}) (rollout_info{${matcher}})`;
}

/** Where the runbooks live: docs/platform.md, one section per alert, under the project's URL when one is given. */
export const RUNBOOK_PAGE = "docs/platform.md";

/** An alert's runbook_url: its section of RUNBOOK_PAGE (GitHub's anchor of the alert's heading), after `baseUrl` when given. */
export function runbookUrl(alert: string, baseUrl?: string): string {
    return `${baseUrl ?? ""}${RUNBOOK_PAGE}#${alert.toLowerCase()}`;
}

export interface CanaryAlertOptions {
    /**
     * Something scrapes the controller under `controllerJob`: the chart's ServiceMonitor, or the
     * job an operator named for a controller already running. Without it RolloutsControllerDown
     * could only ever fire, so it is left out.
     */
    controllerScraped: boolean;
    /** Prefix of each alert's runbook_url (platform.monitoring.runbookBaseUrl). */
    runbookBaseUrl?: string;
}

/**
 * What an operator must hear about, written only against series the Argo Rollouts controller
 * v1.8.3 exports (controllerMetrics.ts, checked against its live /metrics by the e2e) and `up`.
 * Critical (a page): nothing is analysing canaries at all. Warning: a rollout needs a human, but
 * stable is serving. Info: an abort the controller already handled, with the run that says why;
 * RolloutDegraded{phase="Abort"} is its warning.
 */
export function canaryAlerts(controllerJob: string, alertFor: AlertFor, options: CanaryAlertOptions = { controllerScraped: true }): CanaryAlert[] {
    const alerts: CanaryAlert[] = [
        {
            alert: "CanaryAnalysisFailed",
            // analysis_run_info{namespace, name, phase}: the run's status.phase.
            expr: analysisRunReached("Failed"),
            severity: "info",
            summary:
                "AnalysisRun {{ $labels.namespace }}/{{ $labels.name }} failed: Argo aborted the canary and traffic is back on stable. " +
                "Why: kubectl describe analysisrun {{ $labels.name }} -n {{ $labels.namespace }}",
            series: ["analysis_run_info"],
        },
        {
            alert: "CanaryAnalysisErrored",
            // analysis_run_info{namespace, name, phase}: Error after consecutiveErrorLimit failed queries.
            expr: analysisRunReached("Error"),
            severity: "warning",
            summary:
                "AnalysisRun {{ $labels.namespace }}/{{ $labels.name }} errored: its metric provider could not be queried, so the canary was aborted. " +
                "Why: kubectl describe analysisrun {{ $labels.name }} -n {{ $labels.namespace }}; fix the provider, then retry the rollout " +
                "(kubectl argo rollouts retry rollout <rollout> -n {{ $labels.namespace }})",
            series: ["analysis_run_info"],
        },
        {
            alert: "RolloutDegraded",
            // rollout_info{namespace, name, phase}: the phases of a Rollout whose status.phase is Degraded.
            expr: rolloutIn(["Abort", "Timeout", "InvalidSpec"], "namespace, name, phase"),
            for: alertFor.RolloutDegraded,
            severity: "warning",
            summary:
                "Rollout {{ $labels.namespace }}/{{ $labels.name }} is Degraded ({{ $labels.phase }}): stable serves and the new version is stopped " +
                "until retry, undo or a new image. kubectl argo rollouts get rollout {{ $labels.name }} -n {{ $labels.namespace }}",
            series: ["rollout_info"],
        },
        {
            alert: "RolloutPausedTooLong",
            // rollout_info{namespace, name, phase="Paused"}: any pause, so `for` must outlast the longest timed pause.
            expr: rolloutIn(["Paused"], "namespace, name"),
            for: alertFor.RolloutPausedTooLong,
            severity: "warning",
            summary:
                `Rollout {{ $labels.namespace }}/{{ $labels.name }} has been paused for ${alertFor.RolloutPausedTooLong} ` +
                "(an inconclusive analysis or a pause without a duration): promote or abort it. kubectl argo rollouts get rollout {{ $labels.name }} -n {{ $labels.namespace }}",
            series: ["rollout_info"],
        },
        {
            alert: "RolloutsControllerDown",
            // up{job}: Prometheus's scrape of the controller's metrics port; absent when no target is up.
            expr: `absent(up{job="${controllerJob}"} == 1)`,
            for: alertFor.RolloutsControllerDown,
            severity: "critical",
            summary: `No target of job ${controllerJob} (the Argo Rollouts controller) is scraped as up: no canary is being analysed, promoted or rolled back.`,
            series: ["up"],
        },
    ];
    return options.controllerScraped ? alerts : alerts.filter((a) => a.alert !== "RolloutsControllerDown");
}

export function canaryAlertRule(
    target: ObjectName,
    selectorLabels: Record<string, string>,
    controllerJob: string,
    alertFor: AlertFor,
    options: CanaryAlertOptions = { controllerScraped: true },
): IPrometheusRule {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { ...target, labels: { ...stackLabels(), ...selectorLabels } },
        spec: {
            groups: [
                {
                    name: "canary-stack",
                    rules: canaryAlerts(controllerJob, alertFor, options).map((a) => ({
                        alert: a.alert,
                        expr: a.expr,
                        ...(a.for ? { for: a.for } : {}),
                        labels: { severity: a.severity },
                        annotations: { summary: a.summary, runbook_url: runbookUrl(a.alert, options.runbookBaseUrl) },
                    })),
                },
            ],
        },
    };
}

/**
 * How often Prometheus scrapes the controller: the chart's ServiceMonitor sets no interval, so the
 * Prometheus's global one applies, 30s unless its operator was told otherwise (kube-prometheus-stack
 * 75.15.0 values.yaml `prometheus.prometheusSpec.scrapeInterval: ""`, "Defaults to 30s").
 */
export const CONTROLLER_SCRAPE_SECONDS = 30;

/**
 * The controller reports a rollout at a timed pause as Paused, like one waiting for a human
 * (calculatePhase() in controller/metrics/rollouts.go), so RolloutPausedTooLong tells them apart
 * only by its `for`. And `rollout_info` is only as fresh as the last scrape: a pause the scrape
 * catches reads as Paused until the next one, so a timed pause can look up to one scrape interval
 * longer than it is. A warning for `pulumi preview` naming each timed pause that, with that interval
 * added, is at least the alert's `for`: the alert would fire during releases. Undefined when there is none.
 */
export function timedPausesWarning(app: AppConfig, monitoring: MonitoringConfig): string | undefined {
    if (!monitoring.alerts) return undefined;
    const alertFor = monitoring.alertFor.RolloutPausedTooLong;
    const limit = promDurationSeconds(alertFor) ?? Infinity;
    const long = app.steps.flatMap((step, i) => {
        if (!("pause" in step)) return [];
        const seconds = pauseSeconds(step.pause.duration);
        return seconds !== undefined && seconds + CONTROLLER_SCRAPE_SECONDS >= limit ? [`steps[${i}] (pause ${step.pause.duration})`] : [];
    });
    if (long.length === 0) return undefined;
    return (
        `${app.name}: ${long.join(", ")} plus the controller's ${CONTROLLER_SCRAPE_SECONDS}s scrape interval ${long.length === 1 ? "is" : "are"} ` +
        `not shorter than platform.monitoring.alertFor.RolloutPausedTooLong (${alertFor}); ` +
        "the controller reports a timed pause as Paused, and a scrape that catches it reads Paused until the next one, so that alert can fire during releases; " +
        `set alertFor.RolloutPausedTooLong longer than the longest timed pause plus ${CONTROLLER_SCRAPE_SECONDS}s`
    );
}
