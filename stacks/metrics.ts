import { builtinQuery, BuiltinKind, comparesWithStable, StableComparisonKind, thresholdDirection } from "../components/manifests/queries";
import { goDurationSeconds, promDurationSeconds } from "../model/duration";
import { MIN_WINDOW_SCRAPES, minWindowSeconds } from "../model/scrapeWindow";
import { METRIC_DEFAULTS } from "./defaults";
import { nrqlCheck, unselectedKey } from "./nrql";
import { promqlError } from "./promql";
import { AnalysisMode, AppSeries, MetricConfig, MeasurementSettings, METRIC_KINDS, METRIC_PROVIDERS, MetricKind, MetricProvider } from "./types";
import { bool, fail, int, list, Obj, obj, oneOf, optionalInt, optionalNumber, optionalStr, show, str, DNS_1123_LABEL, DNS_1123_LABEL_WHAT } from "./reader";

/** Keys that may be set on `analysis` as defaults for every metric, and on each metric. */
export const SHARED_METRIC_KEYS = [
    "interval",
    "count",
    "initialDelay",
    "failureLimit",
    "inconclusiveLimit",
    "consecutiveErrorLimit",
    "window",
    "minRequests",
    "canaryScoped",
    "prometheusAddress",
] as const;

const METRIC_KEYS = [
    "name",
    "kind",
    "provider",
    "enabled",
    "min",
    "max",
    "maxIncrease",
    "maxRatio",
    "query",
    "nrql",
    "profile",
    "successCondition",
    "failureCondition",
    ...SHARED_METRIC_KEYS,
];

export interface MetricContext {
    mode: AnalysisMode;
    /** The `job` the app's ServiceMonitor sets; unset when the app has no `metrics` block. */
    job?: string;
    /** The app's `metrics.scrapeInterval`; unset when the app has no `metrics` block. */
    scrapeInterval?: string;
    /** Where the error for a missing `metrics` block points (the app's path). */
    appPath: string;
    series: AppSeries;
    /** The platform's Prometheus; unset when the cluster has none (`platform.monitoring.prometheus: false`). */
    prometheusAddress?: string;
    /** `analysis`-level defaults, already read from config (may be empty). */
    defaults: Obj;
}

const GO_DURATION_WHAT = 'a duration (use e.g. "30s", "5m", "1h")';
const PROM_DURATION_WHAT = 'a PromQL range (use e.g. "1m", "5m")';
export const URL_PATTERN = /^https?:\/\/[^\s/]+(\/\S*)?$/;
export const URL_WHAT = "an http(s) URL such as http://prometheus.monitoring:9090";

type Reader<T> = (o: Obj, key: string, path: string) => T;

/** Reads a key from the metric, else from the analysis defaults, so an error names where the value was written. */
function inherited(metric: Obj, metricPath: string, ctx: MetricContext, analysisPath: string) {
    return <T>(key: string, reader: Reader<T>): T => (metric[key] !== undefined ? reader(metric, key, metricPath) : reader(ctx.defaults, key, analysisPath));
}

function goDuration(o: Obj, key: string, path: string): string | undefined {
    const value = optionalStr(o, key, path);
    if (value !== undefined && (goDurationSeconds(value) === undefined || goDurationSeconds(value) === 0)) {
        fail(`${path}.${key}`, `${show(value)} is not ${GO_DURATION_WHAT}`);
    }
    return value;
}

function promDuration(o: Obj, key: string, path: string): string | undefined {
    const value = optionalStr(o, key, path);
    if (value !== undefined && !promDurationSeconds(value)) fail(`${path}.${key}`, `${show(value)} is not ${PROM_DURATION_WHAT}`);
    return value;
}

function measurement(metric: Obj, path: string, ctx: MetricContext, analysisPath: string, provider: MetricProvider): MeasurementSettings {
    const read = inherited(metric, path, ctx, analysisPath);
    const limit =
        (fallback: number): Reader<number> =>
        (o, k, p) =>
            int(o, k, p, 0, 1000, fallback);
    return {
        interval: read("interval", goDuration) ?? METRIC_DEFAULTS.interval,
        count: read("count", (o, k, p) => optionalInt(o, k, p, 1, 10000)) ?? (ctx.mode === "inline" ? METRIC_DEFAULTS.inlineCount : undefined),
        initialDelay: read("initialDelay", goDuration) ?? (provider === "newRelic" ? METRIC_DEFAULTS.newRelicInitialDelay : undefined),
        failureLimit: read("failureLimit", limit(METRIC_DEFAULTS.failureLimit)),
        inconclusiveLimit: read("inconclusiveLimit", limit(METRIC_DEFAULTS.inconclusiveLimit)),
        consecutiveErrorLimit: read("consecutiveErrorLimit", limit(METRIC_DEFAULTS.consecutiveErrorLimit)),
    };
}

/** An NRQL query that cannot run, or a condition that reads a key the query does not select: refused at preview. */
function checkNrql(nrql: string, conditions: Record<"successCondition" | "failureCondition", string | undefined>, path: string): void {
    const shape = nrqlCheck(nrql);
    if ("error" in shape) fail(`${path}.nrql`, shape.error);
    for (const [key, condition] of Object.entries(conditions)) {
        const missing = condition === undefined ? undefined : unselectedKey(shape, condition);
        if (missing !== undefined) {
            fail(
                `${path}.${key}`,
                `reads result.${missing}, which the nrql does not select (it selects ${shape.keys!.join(", ")}); ` +
                    `name the value with AS ${missing} in the SELECT, or read one of those`,
            );
        }
    }
}

function checkPromql(query: string, path: string): void {
    const error = promqlError(query);
    if (error) fail(path, error);
}

const COUNTS = ["no", "one", "two", "three"];

/**
 * A rate window of fewer than MIN_WINDOW_SCRAPES scrapes of the app (model/scrapeWindow.ts): refused,
 * naming where the window was written (`isDefault`: nowhere; the analysis's key is the one to set).
 */
function checkWindow(window: string, where: string, isDefault: boolean, scrapeInterval: string | undefined): void {
    const seconds = promDurationSeconds(window);
    const minimum = minWindowSeconds(scrapeInterval);
    if (seconds === undefined || seconds >= minimum) return;
    const scrape = minimum / MIN_WINDOW_SCRAPES;
    const scrapes = Math.floor(seconds / scrape + 1e-9);
    const app = `of the app (metrics.scrapeInterval ${scrapeInterval})`;
    const held =
        scrapes < 2
            ? `holds fewer than two scrapes ${app}, and rate() needs two samples; a measurement that finds one is inconclusive`
            : `holds ${COUNTS[scrapes]} scrapes ${app}; a rate() over it is inconclusive after ${scrapes === 2 ? "one late scrape" : `${COUNTS[scrapes - 1]} late scrapes`}`;
    fail(
        `${where}.window`,
        `${show(window)}${isDefault ? " (the default)" : ""} ${held}: ` +
            `use a window of at least ${minimum}s (${MIN_WINDOW_SCRAPES} x the scrape interval) or scrape more often`,
    );
}

/** The tolerance of a comparison with the stable pods: its key, range and meaning. */
const TOLERANCES: Record<StableComparisonKind, { key: string; lower: number; upper: number; what: string }> = {
    errorRateVsStable: {
        key: "maxIncrease",
        lower: 0,
        upper: 1,
        what: "the most the canary's error rate may exceed the stable pods', a fraction from 0 to 1: 0.01 is one point",
    },
    latencyP95VsStable: {
        key: "maxRatio",
        lower: 1,
        upper: 100,
        what: "the most the canary's p95 latency may be as a multiple of the stable pods', a number from 1 to 100, e.g. 1.2",
    },
};

function tolerance(metric: Obj, path: string, kind: StableComparisonKind): number {
    const { key, lower, upper, what } = TOLERANCES[kind];
    for (const other of [
        "min",
        "max",
        ...Object.values(TOLERANCES)
            .map((t) => t.key)
            .filter((k) => k !== key),
    ]) {
        if (metric[other] !== undefined) fail(`${path}.${other}`, `${kind} takes ${key} (${what}), not ${other}`);
    }
    if (metric.canaryScoped !== undefined)
        fail(`${path}.canaryScoped`, `${kind} always reads the canary's pods against the stable pods; leave canaryScoped out`);
    const value = optionalNumber(metric, key, path, lower, upper);
    return value ?? fail(`${path}.${key}`, `missing (${kind} needs ${key}: ${what})`);
}

/**
 * At n requests one request moves an error rate by 1/n: a difference smaller than that is rounding,
 * not evidence. errorRateVsStable needs minRequests of at least 1 / maxIncrease on each side.
 */
function resolvable(metric: Obj, path: string, ctx: MetricContext, analysisPath: string, minRequests: number, maxIncrease: number): void {
    if (maxIncrease === 0 || minRequests * maxIncrease >= 1) return;
    const where = metric.minRequests !== undefined ? path : ctx.defaults.minRequests !== undefined ? analysisPath : path;
    const needed = Math.ceil(1 / maxIncrease - 1e-9);
    const points = Number((100 / minRequests).toPrecision(3));
    fail(
        `${where}.minRequests`,
        `${minRequests} is too few for errorRateVsStable with maxIncrease ${maxIncrease}: at ${minRequests} requests one request ` +
            `moves an error rate by ${points} points, more than the tolerance; use at least ${needed} (1 / maxIncrease)`,
    );
}

function threshold(metric: Obj, path: string, kind: BuiltinKind): number {
    if (comparesWithStable(kind)) return tolerance(metric, path, kind);
    for (const key of Object.values(TOLERANCES).map((t) => t.key)) {
        if (metric[key] !== undefined) fail(`${path}.${key}`, `only for ${Object.keys(TOLERANCES).join(" and ")}; ${kind} takes ${thresholdDirection(kind)}`);
    }
    const direction = thresholdDirection(kind);
    const other = direction === "min" ? "max" : "min";
    if (metric[other] !== undefined) fail(`${path}.${other}`, `${kind} takes a ${direction} threshold, not a ${other}`);
    const upper = kind === "latencyP95" ? 3600 : 1;
    const value = optionalNumber(metric, direction, path, 0, upper);
    if (value !== undefined) return value;
    if (kind === "targetsUp") return 1;
    return fail(`${path}.${direction}`, `missing (${kind} needs a ${direction} threshold, a number from 0 to ${upper})`);
}

const GIVE_A_PROMETHEUS = "or give a Prometheus (platform.monitoring.prometheus: true, installed or at prometheusAddress)";

/** A Prometheus metric on a cluster without Prometheus: say what to write instead. */
function noPrometheus(metric: Obj, path: string, kind: MetricKind): never {
    if (kind !== "custom") {
        return fail(
            `${path}.kind`,
            `${kind} is a built-in PromQL query, and this cluster has no Prometheus (platform.monitoring.prometheus: false); ` +
                `use a New Relic metric (kind: custom, provider: newRelic, nrql and conditions) ${GIVE_A_PROMETHEUS}`,
        );
    }
    const provider = metric.provider === undefined ? "prometheus (the default)" : "prometheus";
    return fail(
        `${path}.provider`,
        `${provider} needs a Prometheus, and this cluster has none (platform.monitoring.prometheus: false); ` +
            `use provider: newRelic with an nrql query ${GIVE_A_PROMETHEUS}`,
    );
}

/** One metric, or undefined when it is disabled (still validated, so turning it on cannot surprise). */
export function parseMetric(raw: unknown, path: string, ctx: MetricContext, analysisPath: string): MetricConfig | undefined {
    const metric = obj(raw, path, METRIC_KEYS);
    const name = str(metric, "name", path, DNS_1123_LABEL, DNS_1123_LABEL_WHAT);
    const kind = oneOf<MetricKind>(metric, "kind", path, METRIC_KINDS, "custom");
    if (metric.kind === undefined) fail(`${path}.kind`, `missing (one of ${METRIC_KINDS.join(", ")})`);
    const provider = oneOf<MetricProvider>(metric, "provider", path, METRIC_PROVIDERS, "prometheus");
    const enabled = bool(metric, "enabled", path, METRIC_DEFAULTS.enabled);
    const settings = measurement(metric, path, ctx, analysisPath, provider);
    const successCondition = optionalStr(metric, "successCondition", path);
    const failureCondition = optionalStr(metric, "failureCondition", path);

    if (provider === "newRelic") {
        if (kind !== "custom")
            fail(`${path}.provider`, `"newRelic" is only for kind custom (give its nrql and conditions); ${kind} is a built-in Prometheus query`);
        for (const key of ["query", "prometheusAddress"]) {
            if (metric[key] !== undefined) fail(`${path}.${key}`, `not used with provider newRelic (use nrql)`);
        }
        const nrql = str(metric, "nrql", path, undefined, "an NRQL query");
        if (!successCondition && !failureCondition)
            fail(path, "a custom metric needs successCondition or failureCondition (both, to make no data inconclusive)");
        checkNrql(nrql, { successCondition, failureCondition }, path);
        const profile = optionalStr(metric, "profile", path, DNS_1123_LABEL, DNS_1123_LABEL_WHAT);
        return enabled ? { name, kind, provider, profile, nrql, successCondition, failureCondition, ...settings } : undefined;
    }

    if (metric.nrql !== undefined) fail(`${path}.nrql`, `only used with provider newRelic`);
    if (metric.profile !== undefined) fail(`${path}.profile`, `only used with provider newRelic`);
    if (ctx.prometheusAddress === undefined) noPrometheus(metric, path, kind);
    if (ctx.job === undefined) {
        fail(
            `${ctx.appPath}.metrics`,
            `missing (metric ${show(name)} queries Prometheus, which scrapes the app through metrics: {port, job}; only an app whose metrics all use provider newRelic goes without)`,
        );
    }
    const read = inherited(metric, path, ctx, analysisPath);
    const prometheusAddress = read("prometheusAddress", (o, k, p) => optionalStr(o, k, p, URL_PATTERN, URL_WHAT)) ?? ctx.prometheusAddress;

    if (kind === "custom") {
        const query = str(metric, "query", path, undefined, "a PromQL query");
        checkPromql(query, `${path}.query`);
        if (!successCondition && !failureCondition)
            fail(path, "a custom metric needs successCondition or failureCondition (both, to make no data inconclusive)");
        return enabled ? { name, kind, provider, prometheusAddress, query, successCondition, failureCondition, ...settings } : undefined;
    }

    for (const key of ["query", "successCondition", "failureCondition"]) {
        if (metric[key] !== undefined) fail(`${path}.${key}`, `built-in kind ${kind} writes its own ${key}; use kind custom to give one`);
    }
    const window = read("window", promDuration) ?? METRIC_DEFAULTS.window;
    if (kind !== "targetsUp") {
        const written = metric.window !== undefined ? path : ctx.defaults.window !== undefined ? analysisPath : undefined;
        checkWindow(window, written ?? analysisPath, written === undefined, ctx.scrapeInterval);
    }
    const minRequests = read("minRequests", (o, k, p) => int(o, k, p, 1, 1e9, METRIC_DEFAULTS.minRequests));
    const limit = threshold(metric, path, kind);
    if (kind === "errorRateVsStable") resolvable(metric, path, ctx, analysisPath, minRequests, limit);
    const canaryScoped = comparesWithStable(kind) || read("canaryScoped", (o, k, p) => bool(o, k, p, METRIC_DEFAULTS.canaryScoped));
    const query = builtinQuery({ kind, job: ctx.job, canaryScoped, window, minRequests, ...ctx.series });
    checkPromql(query, `${path} (built-in ${kind} query)`);
    return enabled ? { name, kind, provider, prometheusAddress, threshold: limit, window, minRequests, canaryScoped, query, ...settings } : undefined;
}

/** The analysis-level defaults: the same keys a metric takes, checked where they are written. */
export function parseMetricDefaults(analysis: Obj): Obj {
    const defaults: Obj = {};
    for (const key of SHARED_METRIC_KEYS) if (analysis[key] !== undefined) defaults[key] = analysis[key];
    return defaults;
}

export function parseMetrics(value: unknown, path: string, ctx: MetricContext, analysisPath: string): MetricConfig[] {
    const metrics: MetricConfig[] = [];
    const names = new Set<string>();
    list(value, path).forEach((raw, i) => {
        const metric = parseMetric(raw, `${path}[${i}]`, ctx, analysisPath);
        const name = (raw as Obj).name as string;
        if (names.has(name)) fail(`${path}[${i}].name`, `${show(name)} is used by an earlier metric (names must be unique)`);
        names.add(name);
        if (metric) metrics.push(metric);
    });
    if (metrics.length === 0) fail(path, "no enabled metric (an analysis needs at least one)");
    return metrics;
}
