import { ownAnalysisSteps, parseSteps } from "./steps";
import { APP_DEFAULTS } from "./defaults";
import { parseMetricDefaults, parseMetrics, SHARED_METRIC_KEYS } from "./metrics";
import { parseWatchdog } from "./watchdog";
import {
    AnalysisConfig,
    AnalysisMode,
    ANALYSIS_MODES,
    AppConfig,
    AppSeries,
    CanaryStep,
    DeployerConfig,
    ExposureBudgetConfig,
    MetricsEndpoint,
    PlatformConfig,
    ScaleDown,
    SCALE_DOWN_VALUES,
} from "./types";
import {
    bool,
    fail,
    int,
    list,
    Obj,
    obj,
    oneOf,
    optionalInt,
    optionalNumber,
    optionalStr,
    show,
    str,
    DNS_1123_LABEL,
    DNS_1123_LABEL_WHAT,
    DNS_LABEL,
    DNS_LABEL_WHAT,
    DNS_SUBDOMAIN,
    DNS_SUBDOMAIN_WHAT,
} from "./reader";
import { goDurationSeconds } from "../model/duration";
import { budgetViolation } from "../model/exposureBudget";

const APP_KEYS = [
    "name",
    "namespace",
    "workloadRef",
    "replicas",
    "scaleDown",
    "service",
    "metrics",
    "series",
    "steps",
    "analysis",
    "stableIngress",
    "abortScaleDownDelaySeconds",
    "deployer",
    "maxBadCanaryWeight",
    "maxBadCanaryExposure",
    "allowNoAnalysis",
    "allowDestroyMidCanary",
    "revisionHistoryLimit",
    "progressDeadlineSeconds",
    "progressDeadlineAbort",
    "podReadySeconds",
];
const ANALYSIS_KEYS = ["mode", "startingStep", "metrics", "watchdog", ...SHARED_METRIC_KEYS];

/** App names become `<name>-stable`/`<name>-canary` Service names, which must stay DNS-1035 labels. */
const MAX_APP_NAME = 56;
const PROM_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const PROM_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** The Rollout's revisionHistoryLimit and progressDeadlineSeconds are int32s in its CRD. */
const MAX_INT32 = 2147483647;

function parsePodReadySeconds(app: Obj, path: string, progressDeadlineSeconds: number): number {
    const value = app.podReadySeconds === undefined ? APP_DEFAULTS.podReadySeconds : app.podReadySeconds;
    const at = `${path}.podReadySeconds`;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
        const seconds = typeof value === "string" ? goDurationSeconds(value) : undefined;
        const hint = seconds !== undefined && Number.isInteger(seconds) ? ` (write ${seconds})` : "";
        fail(at, `${show(value)} is not a non-negative whole number of seconds${hint}`);
    }
    if (value >= progressDeadlineSeconds) {
        // A step that adds pods shows no progress while they start (RolloutProgressing, utils/conditions, v1.8.3).
        fail(
            at,
            `${value} is not below progressDeadlineSeconds (${progressDeadlineSeconds}): every step that adds canary pods would pass the ` +
                "progress deadline while they start, and the controller would count each release as stuck (Degraded, and aborted with " +
                "progressDeadlineAbort); raise progressDeadlineSeconds",
        );
    }
    return value;
}

function parseMetricsEndpoint(value: unknown, path: string): MetricsEndpoint {
    const m = obj(value, path, ["port", "path", "job", "scrapeInterval"]);
    const port = optionalInt(m, "port", path, 1, 65535);
    if (port === undefined) fail(`${path}.port`, "missing (the container port that serves metrics, an integer from 1 to 65535)");
    const scrapeInterval = optionalStr(m, "scrapeInterval", path) ?? APP_DEFAULTS.metrics.scrapeInterval;
    if (!goDurationSeconds(scrapeInterval)) fail(`${path}.scrapeInterval`, `${show(scrapeInterval)} is not a duration (use e.g. "15s", "30s")`);
    return {
        port,
        path: optionalStr(m, "path", path, /^\/\S*$/, 'a URL path starting with "/"') ?? APP_DEFAULTS.metrics.path,
        job: str(m, "job", path, /^\S+$/, "a Prometheus job label value"),
        scrapeInterval,
    };
}

function parseSeries(value: unknown, path: string): AppSeries {
    if (value === undefined) return { ...APP_DEFAULTS.series };
    const s = obj(value, path, ["requestsTotal", "codeLabel", "durationHistogram"]);
    return {
        requestsTotal: optionalStr(s, "requestsTotal", path, PROM_METRIC_NAME, "a Prometheus metric name") ?? APP_DEFAULTS.series.requestsTotal,
        codeLabel: optionalStr(s, "codeLabel", path, PROM_LABEL_NAME, "a Prometheus label name") ?? APP_DEFAULTS.series.codeLabel,
        durationHistogram: optionalStr(s, "durationHistogram", path, PROM_METRIC_NAME, "a Prometheus metric name") ?? APP_DEFAULTS.series.durationHistogram,
    };
}

function parseDeployer(value: unknown, path: string, namespace: string): DeployerConfig | undefined {
    if (value === undefined) return undefined;
    const d = obj(value, path, ["serviceAccount", "namespace", "admissionPolicy"]);
    return {
        serviceAccount: str(d, "serviceAccount", path, DNS_SUBDOMAIN, DNS_SUBDOMAIN_WHAT),
        namespace: optionalStr(d, "namespace", path, DNS_1123_LABEL, DNS_1123_LABEL_WHAT) ?? namespace,
        admissionPolicy: bool(d, "admissionPolicy", path, APP_DEFAULTS.deployer.admissionPolicy),
    };
}

function parseBudget(app: Obj, path: string, platform: PlatformConfig): ExposureBudgetConfig {
    return {
        maxBadCanaryWeight: int(app, "maxBadCanaryWeight", path, 0, 100, platform.maxBadCanaryWeight),
        maxBadCanaryExposure: optionalNumber(app, "maxBadCanaryExposure", path, 0, Number.MAX_SAFE_INTEGER) ?? platform.maxBadCanaryExposure,
        allowNoAnalysis: bool(app, "allowNoAnalysis", path, APP_DEFAULTS.allowNoAnalysis),
    };
}

function parseAnalysis(
    value: unknown,
    path: string,
    steps: CanaryStep[],
    stepsPath: string,
    ctx: {
        job?: string;
        scrapeInterval?: string;
        appPath: string;
        series: AppSeries;
        platform: PlatformConfig;
    },
): AnalysisConfig {
    const analysis: Obj = obj(value, path, ANALYSIS_KEYS);
    const mode = oneOf<AnalysisMode>(analysis, "mode", path, ANALYSIS_MODES, APP_DEFAULTS.analysis.mode);
    const startingStep = optionalInt(analysis, "startingStep", path, 0, steps.length - 1);
    if (startingStep !== undefined && mode !== "background") fail(`${path}.startingStep`, `only used with mode background (mode is ${mode})`);
    if (analysis.metrics === undefined) fail(`${path}.metrics`, "missing (a list of metrics, e.g. [{name: error-rate, kind: errorRate, max: 0.01}])");
    const metrics = parseMetrics(
        analysis.metrics,
        `${path}.metrics`,
        {
            mode,
            job: ctx.job,
            scrapeInterval: ctx.scrapeInterval,
            appPath: ctx.appPath,
            series: ctx.series,
            prometheusAddress: ctx.platform.monitoring.prometheusAddress,
            defaults: parseMetricDefaults(analysis),
        },
        path,
    );

    const inlineSteps = ownAnalysisSteps(steps);
    const endless = metrics.find((m) => m.count === undefined);
    if (inlineSteps.length > 0 && endless) {
        fail(
            `${stepsPath}[${inlineSteps[0]}].analysis`,
            `runs the app's template inline, but metric ${show(endless.name)} has no count, so the step would never finish; set its count`,
        );
    }
    const metricContext = {
        job: ctx.job,
        scrapeInterval: ctx.scrapeInterval,
        appPath: ctx.appPath,
        series: ctx.series,
        prometheusAddress: ctx.platform.monitoring.prometheusAddress,
    };
    const watchdog =
        analysis.watchdog === undefined
            ? undefined
            : parseWatchdog(analysis.watchdog, `${path}.watchdog`, { analysis, analysisPath: path, mode, steps, stepsPath, metrics: metricContext });
    return { mode, startingStep, metrics, ...(watchdog ? { watchdog } : {}) };
}

export function parseApp(raw: unknown, path: string, platform: PlatformConfig): AppConfig {
    const app = obj(raw, path, APP_KEYS);
    const name = str(app, "name", path, DNS_LABEL, DNS_LABEL_WHAT);
    if (name.length > MAX_APP_NAME) fail(`${path}.name`, `${show(name)} is longer than ${MAX_APP_NAME} characters (Service names <name>-canary must fit 63)`);
    const namespace = str(app, "namespace", path, DNS_1123_LABEL, DNS_1123_LABEL_WHAT);
    const workloadRef = obj(app.workloadRef, `${path}.workloadRef`, ["name", "container"]);
    const deployment = str(workloadRef, "name", `${path}.workloadRef`, DNS_SUBDOMAIN, DNS_SUBDOMAIN_WHAT);
    const container = str(workloadRef, "container", `${path}.workloadRef`, DNS_1123_LABEL, DNS_1123_LABEL_WHAT);
    const replicas = optionalInt(app, "replicas", path, 1, 10000);
    if (replicas === undefined) fail(`${path}.replicas`, "missing (the Deployment's replica count today, an integer from 1 to 10000)");
    const service = { name: str(app, "service", path, DNS_LABEL, DNS_LABEL_WHAT) };
    if (!platform.monitoring.prometheus) {
        const unused = { metrics: "nothing scrapes the app", series: "it names the series of the built-in PromQL metrics" };
        for (const [key, why] of Object.entries(unused)) {
            if (app[key] !== undefined) fail(`${path}.${key}`, `not used without Prometheus (platform.monitoring.prometheus is false): ${why}; remove it`);
        }
    }
    const metrics = app.metrics === undefined ? undefined : parseMetricsEndpoint(app.metrics, `${path}.metrics`);
    const series = parseSeries(app.series, `${path}.series`);
    const steps = parseSteps(app.steps, `${path}.steps`);
    if (app.analysis === undefined) fail(`${path}.analysis`, "missing (the metric gate: {mode, metrics})");
    const budget = parseBudget(app, path, platform);
    const analysis = parseAnalysis(app.analysis, `${path}.analysis`, steps, `${path}.steps`, {
        job: metrics?.job,
        scrapeInterval: metrics?.scrapeInterval,
        appPath: path,
        series,
        platform,
    });
    const stableIngress = optionalStr(app, "stableIngress", path, DNS_SUBDOMAIN, DNS_SUBDOMAIN_WHAT);
    const abortScaleDownDelaySeconds = optionalInt(app, "abortScaleDownDelaySeconds", path, 0, 86400);
    if (abortScaleDownDelaySeconds !== undefined && stableIngress === undefined) {
        fail(`${path}.abortScaleDownDelaySeconds`, "only applies with traffic routing; set stableIngress too");
    }
    // From 1: Argo rejects a deadline not above minReadySeconds (0 here; validation.go ValidateRolloutSpec).
    const progressDeadlineSeconds = int(app, "progressDeadlineSeconds", path, 1, MAX_INT32, APP_DEFAULTS.progressDeadlineSeconds);
    const config: AppConfig = {
        name,
        namespace,
        deployment,
        container,
        replicas,
        service,
        metrics,
        series,
        steps,
        analysis,
        stableIngress,
        abortScaleDownDelaySeconds,
        scaleDown: oneOf<ScaleDown>(app, "scaleDown", path, SCALE_DOWN_VALUES, APP_DEFAULTS.scaleDown),
        deployer: parseDeployer(app.deployer, `${path}.deployer`, namespace),
        budget,
        allowDestroyMidCanary: bool(app, "allowDestroyMidCanary", path, APP_DEFAULTS.allowDestroyMidCanary),
        revisionHistoryLimit: optionalInt(app, "revisionHistoryLimit", path, 0, MAX_INT32),
        progressDeadlineSeconds,
        progressDeadlineAbort: bool(app, "progressDeadlineAbort", path, APP_DEFAULTS.progressDeadlineAbort),
        podReadySeconds: parsePodReadySeconds(app, path, progressDeadlineSeconds),
    };
    const violation = budgetViolation(config, budget);
    if (violation) fail(`${path}.steps`, violation);
    return config;
}

export function parseApps(value: unknown, path: string, platform: PlatformConfig): AppConfig[] {
    if (value === undefined) return [];
    const apps = list(value, path).map((raw, i) => parseApp(raw, `${path}[${i}]`, platform));
    const seen = new Map<string, number>();
    apps.forEach((app, i) => {
        const earlier = seen.get(app.name);
        if (earlier !== undefined) fail(`${path}[${i}].name`, `${show(app.name)} is already apps[${earlier}]'s name (app names are unique in a stack)`);
        seen.set(app.name, i);
    });
    return apps;
}
