// Tests the canary-against-stable metric kinds: their PromQL (components/manifests/queries.ts), evaluated by Prometheus's own engine (promtool), and the hashes the Rollout hands the AnalysisTemplate (rollout.ts, analysisTemplate.ts).
import { strict as assert } from "assert";
import { analysisTemplate } from "../components/manifests/analysisTemplate";
import { builtinConditions, builtinQuery, BuiltinQueryInput } from "../components/manifests/queries";
import { rollout } from "../components/manifests/rollout";
import { parseStackConfig } from "../stacks";
import { BuiltinMetric } from "../stacks/types";
import { existingPlatform, validApp } from "./fixtures";
import { ExprCase, hasPromtool, InputSeries, promtoolTest } from "./promtool";
import { validateObject } from "./schema";

const base: Omit<BuiltinQueryInput, "kind"> = {
    job: "demo",
    canaryScoped: true,
    window: "2m",
    minRequests: 20,
    requestsTotal: "http_requests_total",
    codeLabel: "code",
    durationHistogram: "http_request_duration_seconds",
};
const version = (hash: string, extra = "") => `job="demo", rollouts_pod_template_hash="{{args.${hash}}}"${extra}`;

const ERROR_RATE_VS_STABLE =
    `(((sum(rate(http_requests_total{${version("canary-hash", `, code=~"5.."`)}}[2m])) or vector(0)) ` +
    `/ sum(rate(http_requests_total{${version("canary-hash")}}[2m]))) ` +
    `- ((sum(rate(http_requests_total{${version("stable-hash", `, code=~"5.."`)}}[2m])) or vector(0)) ` +
    `/ sum(rate(http_requests_total{${version("stable-hash")}}[2m])))) ` +
    `and on() (sum(increase(http_requests_total{${version("canary-hash")}}[2m])) >= 20) ` +
    `and on() (sum(increase(http_requests_total{${version("stable-hash")}}[2m])) >= 20)`;
const P95_VS_STABLE =
    `((histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${version("canary-hash")}}[2m])))) ` +
    `/ (histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${version("stable-hash")}}[2m]))))) ` +
    `and on() (sum(increase(http_request_duration_seconds_count{${version("canary-hash")}}[2m])) >= 20) ` +
    `and on() (sum(increase(http_request_duration_seconds_count{${version("stable-hash")}}[2m])) >= 20)`;

function appWith(...metrics: any[]) {
    const app = validApp();
    app.analysis.metrics.push(...metrics);
    return parseStackConfig({ platform: existingPlatform(), apps: [app] }).apps[0];
}

describe("canary against stable: the queries", () => {
    it("errorRateVsStable: the canary's error rate minus the stable pods', over the same window, only when both had minRequests", () => {
        assert.equal(builtinQuery({ ...base, kind: "errorRateVsStable" }), ERROR_RATE_VS_STABLE);
    });

    it("latencyP95VsStable: the canary's p95 over the stable pods', only when both had minRequests", () => {
        assert.equal(builtinQuery({ ...base, kind: "latencyP95VsStable" }), P95_VS_STABLE);
    });

    it("passes at or under the tolerance and fails over it; an empty result satisfies neither (Inconclusive)", () => {
        assert.deepEqual(builtinConditions("errorRateVsStable", 0.01), {
            successCondition: "len(result) > 0 && result[0] <= 0.01",
            failureCondition: "len(result) > 0 && result[0] > 0.01",
        });
        assert.deepEqual(builtinConditions("latencyP95VsStable", 1.2), {
            successCondition: "len(result) > 0 && result[0] <= 1.2",
            failureCondition: "len(result) > 0 && result[0] > 1.2",
        });
    });

    it("the config builds them with the app's job and series, canary-scoped whatever the analysis default", () => {
        const raw = validApp();
        raw.analysis.canaryScoped = false;
        raw.analysis.metrics.push({ name: "vs-errors", kind: "errorRateVsStable", maxIncrease: 0.01, minRequests: 100 });
        const metric = parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0].analysis.metrics[4] as BuiltinMetric;
        assert.deepEqual(
            [metric.kind, metric.threshold, metric.canaryScoped, metric.query],
            ["errorRateVsStable", 0.01, true, ERROR_RATE_VS_STABLE.replace(/>= 20\)/g, ">= 100)")],
        );
    });
});

/**
 * The queries run by Prometheus's own engine (`promtool test rules`), with the
 * hashes Argo would substitute: 15 s scrapes for 4 minutes, evaluated at 3m.
 * The rates are picked so the results are exact in binary floating point.
 */
describe("canary against stable: evaluated by Prometheus (promtool)", function () {
    this.timeout(60000);
    before(function () {
        if (!hasPromtool()) this.skip();
    });

    const counter = (hash: string, code: string, perScrape: number) => ({
        series: `http_requests_total{job="demo", rollouts_pod_template_hash="${hash}", code="${code}"}`,
        values: `0+${perScrape}x16`,
    });
    /** Every request of the version in the bucket whose upper bound is `le` (the one below is empty). */
    const histogram = (hash: string, below: number, le: number, perScrape: number) => [
        ...[below, le, "+Inf"].map((bound, i) => ({
            series: `http_request_duration_seconds_bucket{job="demo", rollouts_pod_template_hash="${hash}", le="${bound}"}`,
            values: i === 0 ? "0x16" : `0+${perScrape}x16`,
        })),
        { series: `http_request_duration_seconds_count{job="demo", rollouts_pod_template_hash="${hash}"}`, values: `0+${perScrape}x16` },
    ];
    const evaluate = (kind: "errorRateVsStable" | "latencyP95VsStable", canary: string, stable: string) =>
        builtinQuery({ ...base, kind })
            .replace(/\{\{args\.canary-hash\}\}/g, canary)
            .replace(/\{\{args\.stable-hash\}\}/g, stable);

    const promtool = (series: InputSeries[], cases: ExprCase[]) => promtoolTest(series, cases, "3m");

    it("errorRateVsStable: the difference in points, or nothing when either side is short of traffic", () => {
        const series = [
            // canary c1 fails 75% of 40 requests a scrape, stable s1 50% of 80; canary c2 fails nothing; c3 and s3 get 1 request a scrape (8 in 2m).
            counter("c1", "200", 10),
            counter("c1", "500", 30),
            counter("s1", "200", 40),
            counter("s1", "500", 40),
            counter("c2", "200", 40),
            counter("c3", "500", 1),
            counter("s3", "200", 1),
        ];
        assert.equal(
            promtool(series, [
                { expr: evaluate("errorRateVsStable", "c1", "s1"), exp: 0.25 },
                { expr: evaluate("errorRateVsStable", "c2", "s1"), exp: -0.5 },
                { expr: evaluate("errorRateVsStable", "c3", "s1"), exp: undefined },
                { expr: evaluate("errorRateVsStable", "c1", "s3"), exp: undefined },
                { expr: evaluate("errorRateVsStable", "c1", "gone"), exp: undefined },
            ]),
            "SUCCESS",
        );
    });

    it("latencyP95VsStable: the ratio of the p95s, or nothing when either side is short of traffic", () => {
        const series = [...histogram("c1", 0.5, 1, 40), ...histogram("s1", 0.25, 0.5, 80), ...histogram("c3", 0.5, 1, 1), ...histogram("s3", 0.25, 0.5, 1)];
        assert.equal(
            promtool(series, [
                // p95 0.975 s (in (0.5, 1]) against 0.4875 s (in (0.25, 0.5]).
                { expr: evaluate("latencyP95VsStable", "c1", "s1"), exp: 2 },
                { expr: evaluate("latencyP95VsStable", "s1", "c1"), exp: 0.5 },
                { expr: evaluate("latencyP95VsStable", "c3", "s1"), exp: undefined },
                { expr: evaluate("latencyP95VsStable", "c1", "s3"), exp: undefined },
                { expr: evaluate("latencyP95VsStable", "c1", "gone"), exp: undefined },
            ]),
            "SUCCESS",
        );
    });
});

describe("canary against stable: the hashes Argo passes", () => {
    const target = { name: "demo", namespace: "demo" };

    it("the template takes the stable hash too, and every run of it gets Stable beside Latest, checked against the CRDs", async () => {
        const app = appWith(
            { name: "vs-errors", kind: "errorRateVsStable", maxIncrease: 0.01, minRequests: 100 },
            { name: "vs-p95", kind: "latencyP95VsStable", maxRatio: 1.2 },
        );
        const template = analysisTemplate(target, app);
        assert.deepEqual(template.spec.args, [{ name: "canary-hash" }, { name: "stable-hash" }]);
        const vs = template.spec.metrics!.find((m) => m.name === "vs-p95")!;
        assert.deepEqual(
            [vs.successCondition, vs.failureCondition, vs.provider.prometheus?.query],
            ["len(result) > 0 && result[0] <= 1.2", "len(result) > 0 && result[0] > 1.2", P95_VS_STABLE],
        );
        const written = rollout(target, app);
        const args = [
            { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } },
            { name: "stable-hash", valueFrom: { podTemplateHashValue: "Stable" } },
        ];
        assert.deepEqual(
            written.spec.strategy?.canary?.steps?.filter((s) => s.analysis).map((s) => s.analysis?.args),
            [args, args],
        );
        await validateObject(template);
        await validateObject(written);

        const raw = validApp();
        raw.analysis.mode = "background";
        for (const m of raw.analysis.metrics) m.count = 3;
        raw.analysis.metrics.push({ name: "vs-errors", kind: "errorRateVsStable", maxIncrease: 0.01, minRequests: 100, count: 3 });
        raw.steps = raw.steps.filter((s: any) => !s.analysis);
        raw.maxBadCanaryWeight = 100;
        const inBackground = rollout(target, parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0]);
        assert.deepEqual(inBackground.spec.strategy?.canary?.analysis?.args, args);
    });

    it("the watchdog's template and background run get the stable hash only when the watchdog watches a comparison", async () => {
        const raw = validApp();
        raw.analysis.metrics.push({ name: "vs-errors", kind: "errorRateVsStable", maxIncrease: 0.01, minRequests: 100 });
        raw.analysis.watchdog = { metrics: ["vs-errors"], minRequests: 100 };
        const app = parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0];
        const watchdogTemplate = analysisTemplate(target, app, app.analysis.watchdog!.metrics);
        assert.deepEqual(watchdogTemplate.spec.args, [{ name: "canary-hash" }, { name: "stable-hash" }]);
        assert.deepEqual(rollout(target, app).spec.strategy?.canary?.analysis?.args, [
            { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } },
            { name: "stable-hash", valueFrom: { podTemplateHashValue: "Stable" } },
        ]);
        await validateObject(watchdogTemplate);

        raw.analysis.watchdog = { metrics: ["error-rate"] };
        const plain = parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0];
        assert.deepEqual(analysisTemplate(target, plain, plain.analysis.watchdog!.metrics).spec.args, [{ name: "canary-hash" }]);
        assert.deepEqual(rollout(target, plain).spec.strategy?.canary?.analysis?.args, [
            { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } },
        ]);
    });

    it("an app without a comparison keeps the one argument", () => {
        const app = appWith();
        assert.deepEqual(analysisTemplate(target, app).spec.args, [{ name: "canary-hash" }]);
        assert.deepEqual(rollout(target, app).spec.strategy?.canary?.steps?.find((s) => s.analysis)?.analysis?.args, [
            { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } },
        ]);
    });
});
