import { CustomNewRelicMetric, NewRelicConfig } from "../../stacks/types";

/** The Secret the Argo Rollouts New Relic provider reads when a metric names no profile. */
export const DEFAULT_NEW_RELIC_SECRET = "newrelic";

/** One Secret per profile the metrics name (the profile is the Secret's name). */
export function newRelicSecretNames(metrics: CustomNewRelicMetric[]): string[] {
    return [...new Set(metrics.map((m) => m.profile ?? DEFAULT_NEW_RELIC_SECRET))].sort();
}

/** The keys the provider reads, from the controller's own namespace. */
export function newRelicSecretData(config: NewRelicConfig, apiKey: string): Record<string, string> {
    return {
        "personal-api-key": apiKey,
        "account-id": config.accountId,
        region: config.region,
        ...(config.baseUrlRest ? { "base-url-rest": config.baseUrlRest } : {}),
        ...(config.baseUrlNerdgraph ? { "base-url-nerdgraph": config.baseUrlNerdgraph } : {}),
    };
}
