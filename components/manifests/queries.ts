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
export const STABLE_HASH_ARG = "stable-hash";
export const POD_HASH_LABEL = "rollouts-pod-template-hash";
export const POD_HASH_PROM_LABEL = "rollouts_pod_template_hash";

export type BuiltinKind = "successRate" | "errorRate" | "latencyP95" | "targetsUp" | StableComparisonKind;
export type StableComparisonKind = "errorRateVsStable" | "latencyP95VsStable";
export const STABLE_COMPARISON_KINDS: readonly string[] = ["errorRateVsStable", "latencyP95VsStable"];

export function comparesWithStable(kind: string): kind is StableComparisonKind {
    return STABLE_COMPARISON_KINDS.includes(kind);
}

/** Whether a template with these metrics needs the stable pods' hash. */
export function readsStablePods(metrics: { kind: string }[]): boolean {
    return metrics.some((m) => comparesWithStable(m.kind));
}

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

/** Which pods a query reads: all of the job's, or one version's by its pod-template hash argument. */
type Pods = "all" | typeof CANARY_HASH_ARG | typeof STABLE_HASH_ARG;

function selector(input: BuiltinQueryInput, pods: Pods, extra: string[] = []): string {
    const matchers = [`job="${escapeLabelValue(input.job)}"`];
    if (pods !== "all") matchers.push(`${POD_HASH_PROM_LABEL}="{{args.${pods}}}"`);
    return `{${[...matchers, ...extra].join(", ")}}`;
}

function enoughTraffic(counter: string, input: BuiltinQueryInput, pods: Pods): string {
    return `and on() (sum(increase(${counter}${selector(input, pods)}[${input.window}])) >= ${input.minRequests})`;
}

function codeShare(input: BuiltinQueryInput, pods: Pods, codeMatcher: string): string {
    const all = `${input.requestsTotal}${selector(input, pods)}`;
    const some = `${input.requestsTotal}${selector(input, pods, [`${input.codeLabel}${codeMatcher}`])}`;
    // `or vector(0)`: no 5xx series at all means a share of 0, not "no data".
    return `(sum(rate(${some}[${input.window}])) or vector(0)) / sum(rate(${all}[${input.window}]))`;
}

function p95(input: BuiltinQueryInput, pods: Pods): string {
    return `histogram_quantile(0.95, sum by (le) (rate(${input.durationHistogram}_bucket${selector(input, pods)}[${input.window}])))`;
}

/** The canary's value against the stable pods' (`-` or `/`), only when both sides had minRequests in the window. */
function versusStable(input: BuiltinQueryInput, canary: string, operator: "-" | "/", stable: string, counter: string): string {
    return `((${canary}) ${operator} (${stable})) ${enoughTraffic(counter, input, CANARY_HASH_ARG)} ${enoughTraffic(counter, input, STABLE_HASH_ARG)}`;
}

/** The PromQL of a built-in metric. */
export function builtinQuery(input: BuiltinQueryInput): string {
    const pods: Pods = input.canaryScoped ? CANARY_HASH_ARG : "all";
    switch (input.kind) {
        case "successRate":
            return `(${codeShare(input, pods, `!~"5.."`)}) ${enoughTraffic(input.requestsTotal, input, pods)}`;
        case "errorRate":
            return `(${codeShare(input, pods, `=~"5.."`)}) ${enoughTraffic(input.requestsTotal, input, pods)}`;
        case "latencyP95":
            return `${p95(input, pods)} ${enoughTraffic(`${input.durationHistogram}_count`, input, pods)}`;
        case "targetsUp":
            return `avg(up${selector(input, pods)})`;
        case "errorRateVsStable":
            return versusStable(input, codeShare(input, CANARY_HASH_ARG, `=~"5.."`), "-", codeShare(input, STABLE_HASH_ARG, `=~"5.."`), input.requestsTotal);
        case "latencyP95VsStable":
            return versusStable(input, p95(input, CANARY_HASH_ARG), "/", p95(input, STABLE_HASH_ARG), `${input.durationHistogram}_count`);
    }
}

/** Argo success and failure conditions: neither holds on an empty result or NaN, so those are Inconclusive. */
export function builtinConditions(kind: BuiltinKind, threshold: number): { successCondition: string; failureCondition: string } {
    const present = "len(result) > 0";
    return thresholdDirection(kind) === "min"
        ? { successCondition: `${present} && result[0] >= ${threshold}`, failureCondition: `${present} && result[0] < ${threshold}` }
        : { successCondition: `${present} && result[0] <= ${threshold}`, failureCondition: `${present} && result[0] > ${threshold}` };
}
