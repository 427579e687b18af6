import { METRIC_DEFAULTS } from "../../stacks/defaults";
import { CustomNewRelicMetric, NewRelicConfig } from "../../stacks/types";

/** One Secret per profile the metrics name (the profile is the Secret's name). */
export function newRelicSecretNames(metrics: CustomNewRelicMetric[]): string[] {
    return [...new Set(metrics.map((m) => m.profile ?? METRIC_DEFAULTS.newRelicProfile))].sort();
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
