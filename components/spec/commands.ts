import { AppConfig, MetricConfig } from "../../stacks/types";
import { goDurationSeconds, pauseSeconds } from "./duration";

/**
 * Added to the computed ladder time in `status --timeout`: pods becoming
 * Ready at each weight, the controller's reconcile delay, and a slow last
 * measurement. Five minutes is generous for a healthy app and still fails a
 * stuck rollout the same hour.
 */
export const STATUS_MARGIN_SECONDS = 300;

/** Seconds from an AnalysisRun's start to its last measurement when every measurement passes. */
export function analysisRunSeconds(metrics: MetricConfig[]): number {
    return Math.max(0, ...metrics.map((m) => {
        const delay = m.initialDelay ? goDurationSeconds(m.initialDelay) ?? 0 : 0;
        const interval = goDurationSeconds(m.interval) ?? 0;
        return delay + interval * ((m.count ?? 1) - 1);
    }));
}

/**
 * Seconds a healthy release takes through the ladder: timed pauses plus the
 * app's inline analysis runs. A pause without duration waits for a human and
 * adds nothing here (the timeout then covers the automated part only).
 */
export function ladderSeconds(app: AppConfig): number {
    const run = analysisRunSeconds(app.analysis.metrics);
    return app.steps.reduce((total, step) => {
        if ("pause" in step) return total + (pauseSeconds(step.pause.duration) ?? 0);
        if ("analysis" in step && step.analysis.templates.length === 0) return total + run;
        return total;
    }, 0);
}

export interface RolloutCommands {
    watch: string;
    promote: string;
    abort: string;
    status: string;
    statusTimeoutSeconds: number;
}

export function rolloutCommands(app: AppConfig): RolloutCommands {
    const target = `${app.name} -n ${app.namespace}`;
    const statusTimeoutSeconds = ladderSeconds(app) + STATUS_MARGIN_SECONDS;
    return {
        watch: `kubectl argo rollouts get rollout ${target} --watch`,
        promote: `kubectl argo rollouts promote ${target}`,
        abort: `kubectl argo rollouts abort ${target}`,
        status: `kubectl argo rollouts status ${target} --timeout ${statusTimeoutSeconds}s`,
        statusTimeoutSeconds,
    };
}
