import { AppConfig } from "../../stacks/types";

/**
 * Added to the healthy ladder's worst-case duration (from the exposure
 * model) in `status --timeout`: the model counts each step's pods as Ready
 * `podReadySeconds` after they are created, an estimate; this is room for
 * pods slower than that.
 */
export const READINESS_ALLOWANCE_SECONDS = 60;

/** Where a template command wants the operator's value. */
const REVISION_PLACEHOLDER = "<revision>";
const ANALYSIS_RUN_PLACEHOLDER = "<analysisrun>";

/**
 * What an operator runs on day 2, per app. Each is one command line; the
 * ones that say so need a POSIX shell or a placeholder filled in.
 */
export interface RolloutCommands {
    get: string;
    watch: string;
    /** Resumes a paused step (or an inconclusive analysis) and goes on with the ladder. */
    promote: string;
    /** Skips every remaining step and analysis: the canary becomes stable at once. */
    promoteFull: string;
    abort: string;
    /** Starts an aborted rollout's canary again. */
    retry: string;
    /** Puts the previous revision's pod template back on the adopted Deployment: a new rollout of it. */
    undo: string;
    /** `undo` to a given revision; replace `<revision>` with a number from `get`. */
    undoToRevision: string;
    /** The AnalysisRuns of the current pod template, oldest first (a POSIX shell command). */
    analysisRuns: string;
    /** Every measurement of one AnalysisRun; replace `<analysisrun>` with a name from `analysisRuns`. */
    describeAnalysisRun: string;
    status: string;
    statusTimeoutSeconds: number;
}

/** The commands an operator runs; `healthyWorstSeconds` is the slowest a passing ladder can take. */
export function rolloutCommands(app: AppConfig, healthyWorstSeconds: number): RolloutCommands {
    const ns = `-n ${app.namespace}`;
    const target = `${app.name} ${ns}`;
    const statusTimeoutSeconds = Math.ceil(healthyWorstSeconds) + READINESS_ALLOWANCE_SECONDS;
    // Argo labels each AnalysisRun with the pod-template hash of the ReplicaSet it judges
    // (rollouts-pod-template-hash, utils/analysis/factory.go), which the Rollout reports
    // as status.currentPodHash; no label names the Rollout itself.
    const currentHash = `"$(kubectl get rollout ${target} -o jsonpath='{.status.currentPodHash}')"`;
    return {
        get: `kubectl argo rollouts get rollout ${target}`,
        watch: `kubectl argo rollouts get rollout ${target} --watch`,
        promote: `kubectl argo rollouts promote ${target}`,
        promoteFull: `kubectl argo rollouts promote ${target} --full`,
        abort: `kubectl argo rollouts abort ${target}`,
        retry: `kubectl argo rollouts retry rollout ${target}`,
        undo: `kubectl argo rollouts undo ${target}`,
        undoToRevision: `kubectl argo rollouts undo ${target} --to-revision=${REVISION_PLACEHOLDER}`,
        analysisRuns: `kubectl get analysisruns ${ns} -l rollouts-pod-template-hash=${currentHash} --sort-by=.metadata.creationTimestamp`,
        describeAnalysisRun: `kubectl describe analysisrun ${ANALYSIS_RUN_PLACEHOLDER} ${ns}`,
        status: `kubectl argo rollouts status ${target} --timeout ${statusTimeoutSeconds}s`,
        statusTimeoutSeconds,
    };
}
