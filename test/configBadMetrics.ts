// Bad stack configs of an app's analysis metrics (counts, limits, kinds, thresholds, PromQL, providers),
// each with the message that stops it (test/configBadInput.test.ts).
import { Case } from "./configFixtures";

export const badMetricConfigs: Case[] = [
    [
        "count zero",
        (a) => {
            a.analysis.metrics[1].count = 0;
        },
        "apps[0].analysis.metrics[1].count: 0 is not an integer from 1 to 10000",
    ],
    [
        "negative failureLimit",
        (a) => {
            a.analysis.metrics[1].failureLimit = -1;
        },
        "apps[0].analysis.metrics[1].failureLimit: -1 is not an integer from 0 to 1000",
    ],
    [
        "minRequests zero would let no traffic pass",
        (a) => {
            a.analysis.minRequests = 0;
        },
        "apps[0].analysis.minRequests: 0 is not an integer from 1 to 1000000000",
    ],
    [
        "unknown metric kind",
        (a) => {
            a.analysis.metrics[0].kind = "apdex";
        },
        'apps[0].analysis.metrics[0].kind: "apdex" is not one of successRate, errorRate, latencyP95, targetsUp, errorRateVsStable, latencyP95VsStable, custom',
    ],
    [
        "metric kind missing",
        (a) => {
            delete a.analysis.metrics[0].kind;
        },
        "apps[0].analysis.metrics[0].kind: missing (one of successRate, errorRate, latencyP95, targetsUp, errorRateVsStable, latencyP95VsStable, custom)",
    ],
    [
        "successRate with a max",
        (a) => {
            a.analysis.metrics[0] = { name: "sr", kind: "successRate", max: 0.9 };
        },
        "apps[0].analysis.metrics[0].max: successRate takes a min threshold, not a max",
    ],
    [
        "errorRate without threshold",
        (a) => {
            delete a.analysis.metrics[1].max;
        },
        "apps[0].analysis.metrics[1].max: missing (errorRate needs a max threshold, a number from 0 to 1)",
    ],
    [
        "errorRate above 1",
        (a) => {
            a.analysis.metrics[1].max = 5;
        },
        "apps[0].analysis.metrics[1].max: 5 is not a number from 0 to 1",
    ],
    [
        "errorRateVsStable without its tolerance",
        (a) => {
            a.analysis.metrics.push({ name: "vs", kind: "errorRateVsStable" });
        },
        "apps[0].analysis.metrics[4].maxIncrease: missing (errorRateVsStable needs maxIncrease: the most the canary's error rate may exceed the stable pods', a fraction from 0 to 1: 0.01 is one point)",
    ],
    [
        "errorRateVsStable with a max",
        (a) => {
            a.analysis.metrics.push({ name: "vs", kind: "errorRateVsStable", max: 0.01 });
        },
        "apps[0].analysis.metrics[4].max: errorRateVsStable takes maxIncrease (the most the canary's error rate may exceed the stable pods', a fraction from 0 to 1: 0.01 is one point), not max",
    ],
    [
        "errorRateVsStable with a ratio",
        (a) => {
            a.analysis.metrics.push({ name: "vs", kind: "errorRateVsStable", maxRatio: 2 });
        },
        "apps[0].analysis.metrics[4].maxRatio: errorRateVsStable takes maxIncrease (the most the canary's error rate may exceed the stable pods', a fraction from 0 to 1: 0.01 is one point), not maxRatio",
    ],
    [
        "errorRateVsStable increase as a percentage",
        (a) => {
            a.analysis.metrics.push({ name: "vs", kind: "errorRateVsStable", maxIncrease: 5 });
        },
        "apps[0].analysis.metrics[4].maxIncrease: 5 is not a number from 0 to 1",
    ],
    [
        "errorRateVsStable on too few requests to tell a point",
        (a) => {
            a.analysis.metrics.push({ name: "vs", kind: "errorRateVsStable", maxIncrease: 0.01 });
        },
        "apps[0].analysis.metrics[4].minRequests: 20 is too few for errorRateVsStable with maxIncrease 0.01: at 20 requests one request moves an error rate by 5 points, " +
            "more than the tolerance; use at least 100 (1 / maxIncrease)",
    ],
    [
        "errorRateVsStable on the analysis's minRequests",
        (a) => {
            a.analysis.minRequests = 30;
            a.analysis.metrics.push({ name: "vs", kind: "errorRateVsStable", maxIncrease: 0.02 });
        },
        "apps[0].analysis.minRequests: 30 is too few for errorRateVsStable with maxIncrease 0.02: at 30 requests one request moves an error rate by 3.33 points, " +
            "more than the tolerance; use at least 50 (1 / maxIncrease)",
    ],
    [
        "latencyP95VsStable ratio below 1",
        (a) => {
            a.analysis.metrics.push({ name: "vs", kind: "latencyP95VsStable", maxRatio: 0.8 });
        },
        "apps[0].analysis.metrics[4].maxRatio: 0.8 is not a number from 1 to 100",
    ],
    [
        "latencyP95VsStable not canary-scoped",
        (a) => {
            a.analysis.metrics.push({ name: "vs", kind: "latencyP95VsStable", maxRatio: 1.2, canaryScoped: false });
        },
        "apps[0].analysis.metrics[4].canaryScoped: latencyP95VsStable always reads the canary's pods against the stable pods; leave canaryScoped out",
    ],
    [
        "a tolerance on an absolute kind",
        (a) => {
            a.analysis.metrics[1].maxIncrease = 0.01;
        },
        "apps[0].analysis.metrics[1].maxIncrease: only for errorRateVsStable and latencyP95VsStable; errorRate takes max",
    ],
    [
        "custom PromQL that does not parse",
        (a) => {
            a.analysis.metrics.push({ name: "c", kind: "custom", query: 'sum(rate(http_requests_total{job="demo"}[5m])', successCondition: "result[0] < 1" });
        },
        'apps[0].analysis.metrics[4].query: PromQL does not parse at its end (something is not closed) (near "ob=\\"demo\\"}[5m])")',
    ],
    [
        "custom PromQL with a misspelt function",
        (a) => {
            a.analysis.metrics.push({ name: "c", kind: "custom", query: "rat(x[5m])", successCondition: "result[0] < 1" });
        },
        'apps[0].analysis.metrics[4].query: PromQL does not parse at character 4 (near "rat(x[5m])")',
    ],
    [
        "custom metric without conditions",
        (a) => {
            a.analysis.metrics.push({ name: "c", kind: "custom", query: "up" });
        },
        "apps[0].analysis.metrics[4]: a custom metric needs successCondition or failureCondition (both, to make no data inconclusive)",
    ],
    [
        "built-in metric with its own query",
        (a) => {
            a.analysis.metrics[1].query = "up";
        },
        "apps[0].analysis.metrics[1].query: built-in kind errorRate writes its own query; use kind custom to give one",
    ],
    [
        "newRelic on a built-in kind",
        (a) => {
            a.analysis.metrics[1].provider = "newRelic";
        },
        'apps[0].analysis.metrics[1].provider: "newRelic" is only for kind custom (give its nrql and conditions); errorRate is a built-in Prometheus query',
    ],
    [
        "unknown provider",
        (a) => {
            a.analysis.metrics[1].provider = "datadog";
        },
        'apps[0].analysis.metrics[1].provider: "datadog" is not one of prometheus, newRelic',
    ],
    [
        "nrql on a Prometheus metric",
        (a) => {
            a.analysis.metrics.push({ name: "c", kind: "custom", nrql: "SELECT 1", query: "up", successCondition: "true" });
        },
        "apps[0].analysis.metrics[4].nrql: only used with provider newRelic",
    ],
    [
        "New Relic metric without account",
        (a) => {
            a.analysis.metrics.push({ name: "nr", kind: "custom", provider: "newRelic", nrql: "SELECT count(*) FROM Transaction", successCondition: "true" });
        },
        'platform.newRelic: missing (apps[0] (demo) metric "nr" uses provider newRelic; set accountId and region)',
    ],
    [
        "New Relic metric without API key",
        (a, c) => {
            c.platform.newRelic = { accountId: "1" };
            a.analysis.metrics.push({ name: "nr", kind: "custom", provider: "newRelic", nrql: "SELECT count(*) FROM Transaction", successCondition: "true" });
        },
        'newRelicApiKey: missing (apps[0] (demo) metric "nr" uses provider newRelic); set it with: pulumi config set --secret canary-stack:newRelicApiKey <personal-api-key>',
    ],
    [
        "duplicate metric names",
        (a) => {
            a.analysis.metrics[1].name = "success-rate";
        },
        'apps[0].analysis.metrics[1].name: "success-rate" is used by an earlier metric (names must be unique)',
    ],
    [
        "every metric disabled",
        (a) => {
            a.analysis.metrics = [{ name: "up", kind: "targetsUp", enabled: false }];
        },
        "apps[0].analysis.metrics: no enabled metric (an analysis needs at least one)",
    ],
    [
        "metric override with a bad Prometheus address",
        (a) => {
            a.analysis.metrics[0].prometheusAddress = "prometheus:9090";
        },
        'apps[0].analysis.metrics[0].prometheusAddress: "prometheus:9090" is not an http(s) URL such as http://prometheus.monitoring:9090',
    ],
];
