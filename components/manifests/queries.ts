/**
 * The built-in PromQL gates and their Argo conditions.
 *
 * Metric honesty: a measurement passes only on evidence. Each traffic query is
 * joined (`and on()`) with "at least minRequests requests in the window", so
 * too little traffic returns an empty vector; both a success and a failure
 * condition are always set, so an empty vector or NaN satisfies neither and
 * Argo records the measurement as Inconclusive, never Successful.
 *
 * Canary scoping: the ServiceMonitor copies the pod label
 * `rollouts-pod-template-hash` to `rollouts_pod_template_hash`; the
 * AnalysisTemplate receives the canary's hash as the `canary-hash` argument
 * (`podTemplateHashValue: Latest`). A whole-service query dilutes a bad
 * canary by its weight: at 10% weight a canary failing 30% shows as 3%.
 */

export const CANARY_HASH_ARG = "canary-hash";
export const POD_HASH_LABEL = "rollouts-pod-template-hash";
export const POD_HASH_PROM_LABEL = "rollouts_pod_template_hash";

export type BuiltinKind = "successRate" | "errorRate" | "latencyP95" | "targetsUp";

export interface BuiltinQueryInput {
    kind: BuiltinKind;
    job: string;
    canaryScoped: boolean;
    window: string;
    minRequests: number;
    requestsTotal: string;
    codeLabel: string;
    durationHistogram: string;
}

/** Whether the threshold is a floor (pass at or above) or a ceiling (pass at or below). */
export function thresholdDirection(kind: BuiltinKind): "min" | "max" {
    return kind === "successRate" || kind === "targetsUp" ? "min" : "max";
}

function escapeLabelValue(value: string): string {
    return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

function selector(input: BuiltinQueryInput, extra: string[] = []): string {
    const matchers = [`job="${escapeLabelValue(input.job)}"`];
    if (input.canaryScoped) matchers.push(`${POD_HASH_PROM_LABEL}="{{args.${CANARY_HASH_ARG}}}"`);
    return `{${[...matchers, ...extra].join(", ")}}`;
}

function enoughTraffic(counter: string, input: BuiltinQueryInput): string {
    return `and on() (sum(increase(${counter}${selector(input)}[${input.window}])) >= ${input.minRequests})`;
}

function codeShare(input: BuiltinQueryInput, codeMatcher: string): string {
    const all = `${input.requestsTotal}${selector(input)}`;
    const some = `${input.requestsTotal}${selector(input, [`${input.codeLabel}${codeMatcher}`])}`;
    // `or vector(0)`: no 5xx series at all means a share of 0, not "no data".
    return `(sum(rate(${some}[${input.window}])) or vector(0)) / sum(rate(${all}[${input.window}]))`;
}

/** The PromQL of a built-in metric. */
export function builtinQuery(input: BuiltinQueryInput): string {
    switch (input.kind) {
        case "successRate":
            return `(${codeShare(input, `!~"5.."`)}) ${enoughTraffic(input.requestsTotal, input)}`;
        case "errorRate":
            return `(${codeShare(input, `=~"5.."`)}) ${enoughTraffic(input.requestsTotal, input)}`;
        case "latencyP95": {
            const buckets = `${input.durationHistogram}_bucket${selector(input)}`;
            return `histogram_quantile(0.95, sum by (le) (rate(${buckets}[${input.window}]))) ` +
                enoughTraffic(`${input.durationHistogram}_count`, input);
        }
        case "targetsUp":
            return `avg(up${selector(input)})`;
    }
}

/** Argo success and failure conditions: neither holds on an empty result or NaN, so those are Inconclusive. */
export function builtinConditions(kind: BuiltinKind, threshold: number): { successCondition: string; failureCondition: string } {
    const present = "len(result) > 0";
    return thresholdDirection(kind) === "min"
        ? { successCondition: `${present} && result[0] >= ${threshold}`, failureCondition: `${present} && result[0] < ${threshold}` }
        : { successCondition: `${present} && result[0] <= ${threshold}`, failureCondition: `${present} && result[0] > ${threshold}` };
}
