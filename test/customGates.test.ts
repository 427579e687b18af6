// Tests the prod stack's custom counter gates (Pulumi.prod.yaml), evaluated by Prometheus's own engine (promtool), and the preview warning for a constant fallback (stacks/promql.ts).
import { strict as assert } from "assert";
import { parseStackConfig } from "../stacks";
import { constantFallback, constantFallbackWarnings } from "../stacks/promql";
import { AppConfig, CustomPrometheusMetric } from "../stacks/types";
import { readStackFile } from "../scripts/stackFile";
import { existingPlatform, validApp } from "./fixtures";
import { hasPromtool, InputSeries, promtoolTest } from "./promtool";

function prodApp(): AppConfig {
    const file = readStackFile("prod");
    const json = (key: string) => JSON.parse(file.config[`canary-stack:${key}`]);
    return parseStackConfig({ platform: json("platform"), apps: json("apps"), cluster: json("cluster") } as any).apps[0];
}

const GATES = [
    { name: "deploy-job-failures", counter: "instant_deploy_jobs_failed_total" },
    { name: "auth-probe-failures", counter: "instant_auth_probe_failures_total" },
];

function gate(name: string): CustomPrometheusMetric {
    const metric = prodApp().analysis.metrics.find((m) => m.name === name);
    assert.ok(metric && metric.kind === "custom" && metric.provider === "prometheus", name);
    return metric;
}

/** 21 samples, 15 s apart (0 to 300 s): `n` missing ones, then the values given, the last repeated to the end. */
function samples(missing: number, ...values: number[]): string {
    const tail = Array.from({ length: 21 - missing - values.length }, () => values[values.length - 1]);
    return [...Array.from({ length: missing }, () => "_"), ...values, ...tail].join(" ");
}

describe("prod's custom counter gates: their shape", () => {
    for (const { name, counter } of GATES) {
        it(`${name}: the counter's highest value on the canary's pods, or 0 only while those pods are scraped; neither condition holds on nothing`, () => {
            const m = gate(name);
            const canary = `job="instant-api", rollouts_pod_template_hash="{{args.canary-hash}}"`;
            assert.equal(m.query, `sum(max_over_time(${counter}{${canary}}[5m])) or on() (0 * sum(up{${canary}} == 1))`);
            assert.deepEqual([m.successCondition, m.failureCondition], ["len(result) > 0 && result[0] == 0", "len(result) > 0 && result[0] > 0"]);
            assert.equal(constantFallback(m.query), undefined, "its fallback reads a series");
        });
    }
});

/**
 * The gates as Argo would run them at 5m, with the canary's hash substituted, over 15 s scrapes. The
 * gate as it was (`increase(...) or vector(0)`) is evaluated beside it where it passed a canary it
 * should not have.
 */
describe("prod's custom counter gates: evaluated by Prometheus (promtool)", function () {
    this.timeout(60000);
    before(function () {
        if (!hasPromtool()) this.skip();
    });

    for (const { name, counter } of GATES) {
        it(`${name}: fails on failures, passes on none only while the canary is scraped, and sees the failure that creates the counter`, () => {
            const query = gate(name).query;
            const at = (hash: string) => query.replace(/\{\{args\.canary-hash\}\}/g, hash);
            const before = (hash: string, job = "instant-api") =>
                `sum(increase(${counter}{job="${job}", rollouts_pod_template_hash="${hash}"}[5m])) or vector(0)`;
            const up = (hash: string, value: number, job = "instant-api"): InputSeries => ({
                series: `up{job="${job}", rollouts_pod_template_hash="${hash}"}`,
                values: samples(0, value),
            });
            const failures = (hash: string, values: string, job = "instant-api"): InputSeries => ({
                series: `${counter}{job="${job}", rollouts_pod_template_hash="${hash}"}`,
                values,
            });
            const series = [
                // failing: 1 failure at 60 s, a second at 120 s.
                up("failing", 1),
                failures("failing", samples(0, 0, 0, 0, 0, 1, 1, 1, 1, 2)),
                // nothing failed: the counter does not exist, the pods are scraped.
                up("clean", 1),
                // scraped under another job (a wrong job label in the query): nothing under instant-api.
                up("elsewhere", 1, "other-api"),
                failures("elsewhere", samples(0, 3), "other-api"),
                // scraped but down, no counter.
                up("down", 0),
                // created at the first failure, at 135 s, with the value 1.
                up("first", 1),
                failures("first", samples(9, 1)),
                // 3 failures, then a restart at 60 s resets the counter to 0.
                up("restarted", 1),
                failures("restarted", samples(0, 0, 1, 2, 3, 0)),
            ];
            assert.equal(
                promtoolTest(
                    series,
                    [
                        { expr: at("failing"), exp: 2 },
                        { expr: at("clean"), exp: 0 },
                        { expr: at("elsewhere"), exp: undefined },
                        { expr: at("down"), exp: undefined },
                        { expr: at("gone"), exp: undefined },
                        { expr: at("first"), exp: 1 },
                        { expr: at("restarted"), exp: 3 },
                        // The gate as it was passed all three: increase() of a counter born at 1 is 0, and no series at all reads 0.
                        { expr: before("first"), exp: 0 },
                        { expr: before("elsewhere"), exp: 0 },
                        { expr: before("gone"), exp: 0 },
                    ],
                    "5m",
                ),
                "SUCCESS",
            );
        });
    }
});

describe("custom PromQL gates: the preview warning for a constant fallback", () => {
    const cases: [string, string | undefined][] = [
        ["sum(increase(x[5m])) or vector(0)", "or vector(0)"],
        ["(sum(x) or on() vector(0))", "or on() vector(0)"],
        ["sum(a) or sum(b) or vector(1)", "or vector(1)"],
        ["sum(x) or on() (0 * sum(up == 1))", undefined],
        ["(sum(rate(errors[5m])) or vector(0)) / sum(rate(requests[5m]))", undefined],
        ["sum(x)", undefined],
    ];
    for (const [query, fallback] of cases) it(`${query}: ${fallback ?? "none"}`, () => assert.equal(constantFallback(query), fallback));

    it("names the app, the metric and the fallback, and what to write instead, once per metric", () => {
        const raw = validApp();
        raw.analysis.metrics.push(
            { name: "jobs-failed", kind: "custom", query: "sum(increase(jobs_failed_total[5m])) or vector(0)", successCondition: "result[0] == 0" },
            { name: "honest", kind: "custom", query: "sum(x) or on() (0 * sum(up == 1))", successCondition: "result[0] == 0" },
        );
        raw.analysis.watchdog = { metrics: ["error-rate", "jobs-failed"] };
        const app = parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0];
        assert.deepEqual(constantFallbackWarnings(app), [
            'demo: metric "jobs-failed" falls back on a constant (or vector(0)) when its series are missing: not scraped, a wrong job label or ' +
                "pod-template hash, or a counter the app creates at its first increment all read as that number, and can pass the gate. " +
                'Fall back on a series that proves the canary is scraped instead: or on() (0 * sum(up{job="demo", ' +
                'rollouts_pod_template_hash="{{args.canary-hash}}"} == 1)) (docs/metrics.md, "Custom counter gates")',
        ]);
        assert.deepEqual(constantFallbackWarnings(prodApp()), [], "prod's gates fall back on up");
    });
});
