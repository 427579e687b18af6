/**
 * The series the Argo Rollouts controller v1.8.3 exports on its metrics port,
 * with their labels, ported from its source: controller/metrics/prommetrics.go
 * (names and labels), rollouts.go and analysis.go (what each collector writes).
 * The alerts and the dashboard may only read these, and `up`, which
 * Prometheus itself writes per scrape target.
 */

/**
 * The `phase` label of `rollout_info`: calculatePhase() in controller/metrics/rollouts.go,
 * from the Progressing condition's reason. Not the Rollout's `status.phase`: there is no
 * "Degraded" or "Healthy" here. A rollout Argo shows as Degraded is Abort (aborted),
 * Timeout (progressDeadlineSeconds passed) or InvalidSpec; one waiting at any pause, timed,
 * indefinite or after an inconclusive analysis, is Paused.
 */
export const ROLLOUT_INFO_PHASES = ["Progressing", "Paused", "Completed", "Error", "Timeout", "Abort", "InvalidSpec"] as const;
export type RolloutInfoPhase = (typeof ROLLOUT_INFO_PHASES)[number];

/** The `phase` label of `analysis_run_info`: the AnalysisRun's status.phase (pkg/apis/rollouts/v1alpha1/analysis_types.go); "" before the first reconcile. */
export const ANALYSIS_RUN_PHASES = ["Pending", "Running", "Successful", "Failed", "Error", "Inconclusive", ""] as const;
export type AnalysisRunPhase = (typeof ANALYSIS_RUN_PHASES)[number];

/**
 * The gauges computed at each scrape from the controller's informer caches (one series per
 * object that exists now, gone with it), by name, with their labels.
 */
export const CONTROLLER_SERIES: Record<string, readonly string[]> = {
    // rollouts.go: one series per Rollout, value 1, its current phase in a label.
    rollout_info: ["namespace", "name", "strategy", "traffic_router", "phase"],
    rollout_info_replicas_available: ["namespace", "name"],
    rollout_info_replicas_unavailable: ["namespace", "name"],
    rollout_info_replicas_desired: ["namespace", "name"],
    rollout_info_replicas_updated: ["namespace", "name"],
    // analysis.go: one series per AnalysisRun that still exists, value 1, its phase in a label.
    analysis_run_info: ["namespace", "name", "phase"],
    // One series per run, metric and phase, value 1 for the metric's current phase and 0 for the others.
    analysis_run_metric_phase: ["namespace", "name", "metric", "type", "dry_run", "phase"],
    analysis_run_metric_type: ["namespace", "name", "metric", "type"],
    analysis_template_info: ["namespace", "name"],
    argo_rollouts_controller_info: ["version"],
};

/** Prometheus's own per-target series: 1 when the last scrape of the target succeeded, 0 when it failed. */
export const TARGET_UP_SERIES: Record<string, readonly string[]> = { up: ["job", "instance"] };

/** Labels Prometheus adds to every series it scrapes (the ServiceMonitor's relabelling adds more, e.g. pod). */
export const TARGET_LABELS = ["job", "instance"] as const;
