import { AppConfig } from "../../stacks/types";

/**
 * Added to the healthy ladder's worst-case duration (from the exposure
 * model) in `status --timeout`: the model treats pods as Ready at once, and
 * each weight step waits for its canary pods to become Ready.
 */
export const READINESS_ALLOWANCE_SECONDS = 60;

export interface RolloutCommands {
    get: string;
    watch: string;
    promote: string;
    abort: string;
    /** Starts an aborted rollout's canary again. */
    retry: string;
    status: string;
    statusTimeoutSeconds: number;
}

/** The commands an operator runs; `healthyWorstSeconds` is the slowest a passing ladder can take. */
export function rolloutCommands(app: AppConfig, healthyWorstSeconds: number): RolloutCommands {
    const target = `${app.name} -n ${app.namespace}`;
    const statusTimeoutSeconds = Math.ceil(healthyWorstSeconds) + READINESS_ALLOWANCE_SECONDS;
    return {
        get: `kubectl argo rollouts get rollout ${target}`,
        watch: `kubectl argo rollouts get rollout ${target} --watch`,
        promote: `kubectl argo rollouts promote ${target}`,
        abort: `kubectl argo rollouts abort ${target}`,
        retry: `kubectl argo rollouts retry rollout ${target}`,
        status: `kubectl argo rollouts status ${target} --timeout ${statusTimeoutSeconds}s`,
        statusTimeoutSeconds,
    };
}
