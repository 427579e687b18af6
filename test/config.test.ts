// Tests stacks/ (the config model: validation, defaults, messages).
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { kubeconfigFile, parseStackConfig, RawStackConfig } from "../stacks";
import { METRIC_DEFAULTS } from "../stacks/defaults";
import { BuiltinMetric } from "../stacks/types";
import { existingPlatform, newRelicMetric, newRelicOnlyApp, noPrometheusPlatform, validApp } from "./fixtures";

function raw(change: (app: any, cfg: RawStackConfig & { platform: any; apps: any[] }) => void = () => undefined) {
    const cfg = { platform: existingPlatform(), apps: [validApp()] };
    change(cfg.apps[0], cfg);
    return cfg;
}

describe("stack config: valid input and defaults", () => {
    it("applies the documented defaults", () => {
        const { apps, platform } = parseStackConfig(raw());
        const app = apps[0];
        assert.equal(app.scaleDown, "progressively");
        assert.equal(app.analysis.mode, "inline");
        assert.equal(app.metrics?.path, "/metrics");
        assert.equal(app.revisionHistoryLimit, undefined, "unset: the Rollout leaves it out and Argo keeps 10");
        assert.deepEqual([app.progressDeadlineSeconds, app.progressDeadlineAbort], [600, true], "Argo's deadline, and a stuck canary aborts");
        assert.equal(app.podReadySeconds, 30, "a canary pod takes 30 s from creation to Ready");
        assert.deepEqual(app.deployer, { serviceAccount: "ci", namespace: "ci", admissionPolicy: true }, "the deployer's admission policy is on");
        assert.deepEqual(app.series, { requestsTotal: "http_requests_total", codeLabel: "code", durationHistogram: "http_request_duration_seconds" });
        const metric = app.analysis.metrics[1] as BuiltinMetric;
        assert.deepEqual(
            {
                interval: metric.interval,
                count: metric.count,
                failureLimit: metric.failureLimit,
                inconclusiveLimit: metric.inconclusiveLimit,
                consecutiveErrorLimit: metric.consecutiveErrorLimit,
                window: metric.window,
                minRequests: metric.minRequests,
                canaryScoped: metric.canaryScoped,
                prometheusAddress: metric.prometheusAddress,
            },
            {
                interval: "1m",
                count: 3,
                failureLimit: 1,
                inconclusiveLimit: 1,
                consecutiveErrorLimit: 4,
                window: "2m",
                minRequests: 20,
                canaryScoped: true,
                prometheusAddress: "http://prometheus.monitoring:9090",
            },
        );
        assert.equal((app.analysis.metrics[3] as BuiltinMetric).threshold, 1, "targetsUp defaults to every target up");
        assert.equal(platform.shared, false);
    });

    it("reads the cluster's context and kube-system UID, both optional", () => {
        const none = { kubeconfigFile: undefined, kubeconfig: undefined };
        assert.deepEqual(parseStackConfig(raw()).cluster, { ...none, context: undefined, kubeSystemUid: undefined });
        const cluster = { context: "prod-admin", kubeSystemUid: "0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c" };
        assert.deepEqual(parseStackConfig({ ...raw(), cluster }).cluster, { ...none, ...cluster });
    });

    it("takes the run's KUBECONFIG as the cluster's kubeconfig file: one file, an empty entry dropped, a list refused", () => {
        const read: (string | undefined)[] = [];
        const readKubeconfig = (file: string | undefined) => {
            read.push(file);
            return undefined;
        };
        const file = (kubeconfigEnv?: string) => parseStackConfig({ ...raw(), kubeconfigEnv, readKubeconfig }).cluster.kubeconfig;
        for (const env of [undefined, "", "/k/prod.yaml", "/k/prod.yaml:", "::/k/prod.yaml"]) assert.equal(file(env), undefined);
        assert.deepEqual(read, [undefined, undefined, "/k/prod.yaml", "/k/prod.yaml", "/k/prod.yaml"]);
        assert.throws(() => file("/k/a.yaml:/k/b.yaml"), { name: "ConfigError", message: /^KUBECONFIG: lists 2 files \(\/k\/a\.yaml, \/k\/b\.yaml\); /u });
        assert.throws(() => parseStackConfig({ ...raw(), kubeconfigEnv: "/k/a.yaml:/k/b.yaml" }), { name: "ConfigError" }, "refused without a reader too");
        assert.equal(kubeconfigFile("C:\\k\\a.yaml;", ";"), "C:\\k\\a.yaml", "the platform's delimiter");
    });

    it("stores the kubeconfig file's contents for the cluster's context, flattened", () => {
        const text = JSON.stringify({
            clusters: [{ name: "c", cluster: { server: "https://10.0.0.1:6443" } }],
            users: [{ name: "u", user: { token: "t" } }],
            contexts: [
                { name: "prod-admin", context: { cluster: "c", user: "u" } },
                { name: "other", context: { cluster: "c" } },
            ],
            "current-context": "other",
        });
        const readKubeconfig = (file: string | undefined) => ({ file: file ?? "/home/ops/.kube/config", text, readFile: () => Buffer.from("") });
        const cluster = parseStackConfig({ ...raw(), cluster: { context: "prod-admin" }, readKubeconfig }).cluster;
        assert.equal(cluster.kubeconfigFile, "/home/ops/.kube/config");
        // eslint-disable-next-line no-regex-spaces -- two spaces: the YAML indent, as the kubeconfig is written.
        assert.match(cluster.kubeconfig ?? "", /^apiVersion: v1\nkind: Config\nclusters:\n  - name: c\n.*\ncurrent-context: prod-admin\n$/su);
        assert.doesNotMatch(cluster.kubeconfig ?? "", /other/u);
    });

    it("lets analysis-level settings default every metric, and a metric override them", () => {
        const cfg = raw((app) => {
            app.analysis.interval = "30s";
            app.analysis.window = "5m";
            app.analysis.metrics[0].interval = "10s";
        });
        const metrics = parseStackConfig(cfg).apps[0].analysis.metrics as BuiltinMetric[];
        assert.deepEqual(
            metrics.map((m) => m.interval),
            ["10s", "30s", "30s", "30s"],
        );
        assert.ok(metrics.every((m) => (m.window === "5m" && m.query.includes("[5m]")) || m.kind === "targetsUp"));
    });

    it("leaves count unset in background mode, so the background run lasts the whole rollout", () => {
        const cfg = raw((app) => {
            app.analysis.mode = "background";
            app.analysis.startingStep = 1;
            app.maxBadCanaryWeight = 50;
            app.steps = [{ setWeight: 10 }, { pause: { duration: "1m" } }, { setWeight: 50 }, { pause: { duration: "1m" } }];
        });
        const { analysis } = parseStackConfig(cfg).apps[0];
        assert.equal(analysis.startingStep, 1);
        assert.ok(analysis.metrics.every((m) => m.count === undefined));
    });

    it("takes progressDeadlineSeconds and progressDeadlineAbort as set", () => {
        const app = parseStackConfig(
            raw((a) => {
                a.progressDeadlineSeconds = 1;
                a.progressDeadlineAbort = false;
                a.podReadySeconds = 0;
            }),
        ).apps[0];
        assert.deepEqual([app.progressDeadlineSeconds, app.progressDeadlineAbort], [1, false]);
    });

    it("takes a window of at least four scrapes for every rate metric, and any window for targetsUp (it reads up at an instant)", () => {
        const cfg = raw((app) => {
            app.analysis.window = "1m";
            app.analysis.metrics[3].window = "5s";
            app.metrics.scrapeInterval = "15s";
        });
        assert.deepEqual(
            parseStackConfig(cfg).apps[0].analysis.metrics.map((m) => (m as BuiltinMetric).window),
            ["1m", "1m", "1m", "5s"],
        );
        const fast = raw((app) => {
            app.analysis.window = "10s";
            app.metrics.scrapeInterval = "2500ms";
        });
        assert.equal((parseStackConfig(fast).apps[0].analysis.metrics[1] as BuiltinMetric).window, "10s");
    });

    it("takes podReadySeconds as set: 0 (pods Ready at once) and up to one second below the progress deadline", () => {
        assert.equal(
            parseStackConfig(
                raw((a) => {
                    a.podReadySeconds = 0;
                }),
            ).apps[0].podReadySeconds,
            0,
        );
        assert.equal(
            parseStackConfig(
                raw((a) => {
                    a.podReadySeconds = 599;
                }),
            ).apps[0].podReadySeconds,
            599,
        );
        assert.equal(
            parseStackConfig(
                raw((a) => {
                    a.podReadySeconds = 120;
                    a.progressDeadlineSeconds = 121;
                }),
            ).apps[0].podReadySeconds,
            120,
        );
    });

    it("validates but drops a disabled metric", () => {
        const cfg = raw((app) =>
            app.analysis.metrics.push({
                name: "nr",
                kind: "custom",
                provider: "newRelic",
                enabled: false,
                nrql: "SELECT count(*) FROM Transaction",
                successCondition: "true",
            }),
        );
        assert.deepEqual(
            parseStackConfig(cfg).apps[0].analysis.metrics.map((m) => m.name),
            ["success-rate", "error-rate", "latency", "up"],
        );
    });

    it("accepts a New Relic metric when the account and the secret API key are configured", () => {
        const cfg = raw((app, c) => {
            c.platform.newRelic = { accountId: 12345, region: "eu" };
            app.analysis.metrics.push({
                name: "nr",
                kind: "custom",
                provider: "newRelic",
                profile: "team-a",
                nrql: "SELECT count(*) AS x FROM Transaction",
                successCondition: "result.x < 1",
                failureCondition: "result.x >= 1",
            });
        });
        const config = parseStackConfig(cfg, pulumi.secret("NRAK-test"));
        assert.deepEqual(config.platform.newRelic, { accountId: "12345", region: "eu", baseUrlRest: undefined, baseUrlNerdgraph: undefined });
        assert.equal(config.apps[0].analysis.metrics[4].provider, "newRelic");
    });

    it("accepts a ladder without analysis only when allowNoAnalysis says so", () => {
        const cfg = raw((app) => {
            app.steps = [{ setWeight: 10 }, { pause: { duration: "1m" } }];
            app.allowNoAnalysis = true;
            app.maxBadCanaryWeight = 100;
        });
        assert.equal(parseStackConfig(cfg).apps[0].budget.allowNoAnalysis, true);
    });

    it("takes the exposure budget from the platform unless the app sets its own", () => {
        const cfg = raw((app, c) => {
            c.platform.maxBadCanaryWeight = 25;
            c.platform.maxBadCanaryExposure = 5000;
            app.maxBadCanaryWeight = 30;
        });
        assert.deepEqual(parseStackConfig(cfg).apps[0].budget, { maxBadCanaryWeight: 30, maxBadCanaryExposure: 5000, allowNoAnalysis: false });
    });

    it("holds each alert's condition for its default time unless platform.monitoring.alertFor sets it", () => {
        assert.deepEqual(parseStackConfig(raw()).platform.monitoring.alertFor, {
            RolloutDegraded: "1m",
            RolloutPausedTooLong: "1h",
            RolloutsControllerDown: "5m",
        });
        const cfg = raw((_a, c) => {
            c.platform.monitoring.alertFor = { RolloutPausedTooLong: "1h30m", RolloutsControllerDown: "90s" };
        });
        assert.deepEqual(parseStackConfig(cfg).platform.monitoring.alertFor, {
            RolloutDegraded: "1m",
            RolloutPausedTooLong: "1h30m",
            RolloutsControllerDown: "90s",
        });
    });

    it("has no apps when none are configured", () => {
        assert.deepEqual(parseStackConfig({ platform: existingPlatform() }).apps, []);
    });
});

describe("stack config: New Relic metrics and clusters without Prometheus", () => {
    const apiKey = pulumi.secret("NRAK-test");

    it("takes prometheus: false as a cluster without Prometheus: no address, no selector labels, no alerts or dashboard", () => {
        const { platform, apps } = parseStackConfig({ platform: noPrometheusPlatform(), apps: [newRelicOnlyApp()] }, apiKey);
        const { prometheus, install, prometheusAddress, selectorLabels, alerts, grafanaDashboard } = platform.monitoring;
        assert.deepEqual(
            { prometheus, install, prometheusAddress, selectorLabels, alerts, grafanaDashboard },
            { prometheus: false, install: false, prometheusAddress: undefined, selectorLabels: {}, alerts: false, grafanaDashboard: false },
        );
        assert.equal(apps[0].metrics, undefined, "no metrics block: nothing scrapes the app");
        assert.deepEqual(
            apps[0].analysis.metrics.map((m) => m.provider),
            ["newRelic"],
        );
    });

    it("accepts install, alerts and grafanaDashboard written as false beside prometheus: false", () => {
        const platform = noPrometheusPlatform();
        platform.monitoring = { prometheus: false, install: false, alerts: false, grafanaDashboard: false };
        assert.equal(parseStackConfig({ platform, apps: [newRelicOnlyApp()] }, apiKey).platform.monitoring.alerts, false);
    });

    it("lets an app whose metrics are all New Relic ones go without a metrics block on a cluster with Prometheus", () => {
        const platform = { ...existingPlatform(), newRelic: { accountId: "1" } };
        const { apps, platform: parsed } = parseStackConfig({ platform, apps: [newRelicOnlyApp()] }, apiKey);
        assert.equal(apps[0].metrics, undefined);
        assert.equal(parsed.monitoring.prometheus, true);
    });

    it(`gives a New Relic metric initialDelay ${METRIC_DEFAULTS.newRelicInitialDelay} (New Relic's lag) unless the metric or the analysis sets one`, () => {
        assert.equal(METRIC_DEFAULTS.newRelicInitialDelay, "3m");
        const app = validApp();
        app.analysis.metrics.push(newRelicMetric("nr-default"), { ...newRelicMetric("nr-own"), initialDelay: "30s" });
        const platform = { ...existingPlatform(), newRelic: { accountId: "1" } };
        const delays = (a: any) =>
            Object.fromEntries(parseStackConfig({ platform, apps: [a] }, apiKey).apps[0].analysis.metrics.map((m) => [m.name, m.initialDelay]));
        assert.deepEqual(
            delays(app),
            {
                "success-rate": undefined,
                "error-rate": undefined,
                latency: undefined,
                up: undefined,
                "nr-default": "3m",
                "nr-own": "30s",
            },
            "Prometheus metrics keep no initialDelay",
        );
        app.analysis.initialDelay = "1m";
        assert.deepEqual(
            delays(app),
            {
                "success-rate": "1m",
                "error-rate": "1m",
                latency: "1m",
                up: "1m",
                "nr-default": "1m",
                "nr-own": "30s",
            },
            "an analysis-level initialDelay is the user's: it wins over the New Relic default",
        );
    });
});

type Case = [string, (app: any, cfg: any) => void, string];

/** The cluster has no Prometheus, and the app keeps its metrics (built-in ones first) but no metrics block. */
function withoutPrometheus(app: any, cfg: any): void {
    cfg.platform.monitoring = { prometheus: false };
    delete app.metrics;
}

const badConfigs: Case[] = [
    [
        "setWeight above 100",
        (a) => {
            a.steps[2] = { setWeight: 150 };
        },
        "apps[0].steps[2].setWeight: 150 is not an integer from 0 to 100",
    ],
    [
        "analysis before any setWeight",
        (a) => {
            a.steps = [{ analysis: {} }, ...a.steps];
        },
        "apps[0].steps[0].analysis: runs before any setWeight above 0: the canary has no pods and no traffic yet, so every measurement " +
            "is inconclusive and the rollout pauses there; put a setWeight above 0 (and a pause) before it",
    ],
    [
        "analysis after setWeight 0 only",
        (a) => {
            a.steps = [{ setWeight: 0 }, { analysis: { templates: [{ templateName: "smoke" }] } }, ...a.steps];
        },
        "apps[0].steps[1].analysis: runs before any setWeight above 0: the canary has no pods and no traffic yet, so every measurement " +
            "is inconclusive and the rollout pauses there; put a setWeight above 0 (and a pause) before it",
    ],
    [
        "setWeight not an integer",
        (a) => {
            a.steps[0] = { setWeight: 12.5 };
        },
        "apps[0].steps[0].setWeight: 12.5 is not an integer from 0 to 100",
    ],
    [
        "unknown step kind",
        (a) => {
            a.steps[1] = { wait: "1m" };
        },
        "apps[0].steps[1].wait: unknown step (allowed: setWeight, pause, analysis, setCanaryScale)",
    ],
    [
        "step with two kinds",
        (a) => {
            a.steps[0] = { setWeight: 10, pause: {} };
        },
        'apps[0].steps[0]: {"setWeight":10,"pause":{}} is not a step (a mapping with exactly one of setWeight, pause, analysis, setCanaryScale)',
    ],
    [
        "pause duration without unit word",
        (a) => {
            a.steps[1] = { pause: { duration: "5 minutes" } };
        },
        'apps[0].steps[1].pause.duration: "5 minutes" is not a duration (use e.g. "30s", "5m", or whole seconds)',
    ],
    [
        "negative pause seconds",
        (a) => {
            a.steps[1] = { pause: { duration: -5 } };
        },
        'apps[0].steps[1].pause.duration: -5 is not a duration (use e.g. "30s", "5m", or whole seconds)',
    ],
    [
        "pause as bare seconds",
        (a) => {
            a.steps[1] = { pause: 120 };
        },
        "apps[0].steps[1].pause: 120 is not a mapping; write pause: {duration: 120s}",
    ],
    [
        "pause as a bare duration",
        (a) => {
            a.steps[1] = { pause: "2m" };
        },
        'apps[0].steps[1].pause: "2m" is not a mapping; write pause: {duration: 2m}',
    ],
    [
        "pause as a bare non-duration",
        (a) => {
            a.steps[1] = { pause: "soon" };
        },
        'apps[0].steps[1].pause: "soon" is not a mapping; write e.g. pause: {duration: 5m}, or pause: {} to wait for a promote',
    ],
    [
        "empty ladder",
        (a) => {
            a.steps = [];
        },
        "apps[0].steps: [] is empty (a canary needs at least one step)",
    ],
    [
        "steps missing",
        (a) => {
            delete a.steps;
        },
        "apps[0].steps: missing (the canary ladder, e.g. [{setWeight: 10}, {pause: {duration: 5m}}, {analysis: {}}])",
    ],
    [
        "inline mode without analysis step",
        (a) => {
            a.steps = [{ setWeight: 10 }, { pause: { duration: "1m" } }];
        },
        "apps[0].steps: no step runs the app's analysis and analysis.mode is not background, so a broken release is never aborted: the ladder promotes it to 100% at 3m; add an analysis step after steps[0] (setWeight 10), or set allowNoAnalysis",
    ],
    [
        "background metric without count run inline",
        (a) => {
            a.analysis.mode = "background";
        },
        'apps[0].steps[2].analysis: runs the app\'s template inline, but metric "success-rate" has no count, so the step would never finish; set its count',
    ],
    [
        "startingStep beyond the ladder",
        (a) => {
            a.analysis.mode = "background";
            a.analysis.startingStep = 9;
        },
        "apps[0].analysis.startingStep: 9 is not an integer from 0 to 5",
    ],
    [
        "startingStep in inline mode",
        (a) => {
            a.analysis.startingStep = 1;
        },
        "apps[0].analysis.startingStep: only used with mode background (mode is inline)",
    ],
    [
        "unknown analysis mode",
        (a) => {
            a.analysis.mode = "sidecar";
        },
        'apps[0].analysis.mode: "sidecar" is not one of background, inline',
    ],
    [
        "bad interval",
        (a) => {
            a.analysis.metrics[0].interval = "5";
        },
        'apps[0].analysis.metrics[0].interval: "5" is not a duration (use e.g. "30s", "5m", "1h")',
    ],
    [
        "bad analysis-level interval",
        (a) => {
            a.analysis.interval = "often";
        },
        'apps[0].analysis.interval: "often" is not a duration (use e.g. "30s", "5m", "1h")',
    ],
    [
        "bad PromQL window",
        (a) => {
            a.analysis.window = "2 minutes";
        },
        'apps[0].analysis.window: "2 minutes" is not a PromQL range (use e.g. "1m", "5m")',
    ],
    [
        "a metric's window of two scrapes",
        (a) => {
            a.analysis.metrics[1].window = "30s";
        },
        'apps[0].analysis.metrics[1].window: "30s" holds two scrapes of the app (metrics.scrapeInterval 15s); a rate() over it is inconclusive after one late scrape: ' +
            "use a window of at least 60s (4 x the scrape interval) or scrape more often",
    ],
    [
        "an analysis-level window of three scrapes",
        (a) => {
            a.analysis.window = "45s";
        },
        'apps[0].analysis.window: "45s" holds three scrapes of the app (metrics.scrapeInterval 15s); a rate() over it is inconclusive after two late scrapes: ' +
            "use a window of at least 60s (4 x the scrape interval) or scrape more often",
    ],
    [
        "the default window at a slow scrape",
        (a) => {
            a.metrics.scrapeInterval = "1m";
        },
        'apps[0].analysis.window: "2m" (the default) holds two scrapes of the app (metrics.scrapeInterval 1m); a rate() over it is inconclusive after one late scrape: ' +
            "use a window of at least 240s (4 x the scrape interval) or scrape more often",
    ],
    [
        "a window shorter than two scrapes, on a comparison with stable",
        (a) => {
            a.analysis.metrics.push({ name: "vs", kind: "latencyP95VsStable", maxRatio: 1.2, window: "20s" });
        },
        'apps[0].analysis.metrics[4].window: "20s" holds fewer than two scrapes of the app (metrics.scrapeInterval 15s), and rate() needs two samples; ' +
            "a measurement that finds one is inconclusive: use a window of at least 60s (4 x the scrape interval) or scrape more often",
    ],
    [
        "a short window on a disabled metric (turning it on must not surprise)",
        (a) => {
            a.analysis.metrics[2].enabled = false;
            a.analysis.metrics[2].window = "30s";
        },
        'apps[0].analysis.metrics[2].window: "30s" holds two scrapes of the app (metrics.scrapeInterval 15s); a rate() over it is inconclusive after one late scrape: ' +
            "use a window of at least 60s (4 x the scrape interval) or scrape more often",
    ],
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
    [
        "app name with capitals",
        (a) => {
            a.name = "Demo";
        },
        "apps[0].name: \"Demo\" is not a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at most 63 characters)",
    ],
    [
        "app name too long for derived Service names",
        (a) => {
            a.name = "a".repeat(60);
        },
        `apps[0].name: "${"a".repeat(60)}" is longer than 56 characters (Service names <name>-canary must fit 63)`,
    ],
    [
        "namespace missing",
        (a) => {
            delete a.namespace;
        },
        "apps[0].namespace: missing (a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters) is required)",
    ],
    [
        "unknown app key",
        (a) => {
            a.stepz = [];
        },
        "apps[0].stepz: unknown key (allowed: name, namespace, workloadRef, replicas, scaleDown, service, metrics, series, steps, analysis, stableIngress, abortScaleDownDelaySeconds, deployer, maxBadCanaryWeight, maxBadCanaryExposure, allowNoAnalysis, allowDestroyMidCanary, revisionHistoryLimit, progressDeadlineSeconds, progressDeadlineAbort, podReadySeconds)",
    ],
    [
        "deployer.admissionPolicy not a boolean",
        (a) => {
            a.deployer.admissionPolicy = "yes";
        },
        'apps[0].deployer.admissionPolicy: "yes" is not true or false',
    ],
    [
        "unknown deployer key",
        (a) => {
            a.deployer.policy = false;
        },
        "apps[0].deployer.policy: unknown key (allowed: serviceAccount, namespace, admissionPolicy)",
    ],
    [
        "workloadRef missing",
        (a) => {
            delete a.workloadRef;
        },
        "apps[0].workloadRef: missing (a mapping of name, container)",
    ],
    [
        "container missing",
        (a) => {
            delete a.workloadRef.container;
        },
        "apps[0].workloadRef.container: missing (a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters) is required)",
    ],
    [
        "replicas zero",
        (a) => {
            a.replicas = 0;
        },
        "apps[0].replicas: 0 is not an integer from 1 to 10000",
    ],
    [
        "negative revisionHistoryLimit",
        (a) => {
            a.revisionHistoryLimit = -1;
        },
        "apps[0].revisionHistoryLimit: -1 is not an integer from 0 to 2147483647",
    ],
    [
        "revisionHistoryLimit as a string",
        (a) => {
            a.revisionHistoryLimit = "10";
        },
        'apps[0].revisionHistoryLimit: "10" is not an integer from 0 to 2147483647',
    ],
    [
        "revisionHistoryLimit beyond int32",
        (a) => {
            a.revisionHistoryLimit = 2147483648;
        },
        "apps[0].revisionHistoryLimit: 2147483648 is not an integer from 0 to 2147483647",
    ],
    [
        "progressDeadlineSeconds zero",
        (a) => {
            a.progressDeadlineSeconds = 0;
        },
        "apps[0].progressDeadlineSeconds: 0 is not an integer from 1 to 2147483647",
    ],
    [
        "progressDeadlineSeconds as a duration",
        (a) => {
            a.progressDeadlineSeconds = "10m";
        },
        'apps[0].progressDeadlineSeconds: "10m" is not an integer from 1 to 2147483647',
    ],
    [
        "progressDeadlineSeconds beyond int32",
        (a) => {
            a.progressDeadlineSeconds = 2147483648;
        },
        "apps[0].progressDeadlineSeconds: 2147483648 is not an integer from 1 to 2147483647",
    ],
    [
        "negative podReadySeconds",
        (a) => {
            a.podReadySeconds = -1;
        },
        "apps[0].podReadySeconds: -1 is not a non-negative whole number of seconds",
    ],
    [
        "podReadySeconds with a fraction",
        (a) => {
            a.podReadySeconds = 2.5;
        },
        "apps[0].podReadySeconds: 2.5 is not a non-negative whole number of seconds",
    ],
    [
        "podReadySeconds as a duration",
        (a) => {
            a.podReadySeconds = "1m";
        },
        'apps[0].podReadySeconds: "1m" is not a non-negative whole number of seconds (write 60)',
    ],
    [
        "podReadySeconds as a word",
        (a) => {
            a.podReadySeconds = "slow";
        },
        'apps[0].podReadySeconds: "slow" is not a non-negative whole number of seconds',
    ],
    [
        "podReadySeconds at the progress deadline",
        (a) => {
            a.podReadySeconds = 600;
        },
        "apps[0].podReadySeconds: 600 is not below progressDeadlineSeconds (600): every step that adds canary pods would pass the progress deadline " +
            "while they start, and the controller would count each release as stuck (Degraded, and aborted with progressDeadlineAbort); raise progressDeadlineSeconds",
    ],
    [
        "the default podReadySeconds above a short deadline",
        (a) => {
            a.progressDeadlineSeconds = 20;
        },
        "apps[0].podReadySeconds: 30 is not below progressDeadlineSeconds (20): every step that adds canary pods would pass the progress deadline " +
            "while they start, and the controller would count each release as stuck (Degraded, and aborted with progressDeadlineAbort); raise progressDeadlineSeconds",
    ],
    [
        "progressDeadlineAbort as a string",
        (a) => {
            a.progressDeadlineAbort = "false";
        },
        'apps[0].progressDeadlineAbort: "false" is not true or false',
    ],
    [
        "scaleDown unknown",
        (a) => {
            a.scaleDown = "always";
        },
        'apps[0].scaleDown: "always" is not one of never, onsuccess, progressively',
    ],
    [
        "metrics port out of range",
        (a) => {
            a.metrics.port = 70000;
        },
        "apps[0].metrics.port: 70000 is not an integer from 1 to 65535",
    ],
    [
        "metrics path without slash",
        (a) => {
            a.metrics.path = "metrics";
        },
        'apps[0].metrics.path: "metrics" is not a URL path starting with "/"',
    ],
    [
        "abortScaleDownDelaySeconds without traffic routing",
        (a) => {
            a.abortScaleDownDelaySeconds = 30;
        },
        "apps[0].abortScaleDownDelaySeconds: only applies with traffic routing; set stableIngress too",
    ],
    [
        "duplicate app names",
        (_a, c) => {
            c.apps.push(validApp());
        },
        'apps[1].name: "demo" is already apps[0]\'s name (app names are unique in a stack)',
    ],
    [
        "apps not a list",
        (_a, c) => {
            c.apps = { demo: {} };
        },
        'apps: {"demo":{}} is not a list',
    ],
    [
        "existing Prometheus without address",
        (_a, c) => {
            delete c.platform.monitoring.prometheusAddress;
        },
        "platform.monitoring.prometheusAddress: missing (with install: false, the address of the existing Prometheus, an http(s) URL such as http://prometheus.monitoring:9090; or prometheus: false for a cluster without one)",
    ],
    [
        "built-in metric on a cluster without Prometheus",
        withoutPrometheus,
        "apps[0].analysis.metrics[0].kind: successRate is a built-in PromQL query, and this cluster has no Prometheus (platform.monitoring.prometheus: false); use a New Relic metric (kind: custom, provider: newRelic, nrql and conditions) or give a Prometheus (platform.monitoring.prometheus: true, installed or at prometheusAddress)",
    ],
    [
        "disabled built-in metric on a cluster without Prometheus",
        (a, c) => {
            withoutPrometheus(a, c);
            a.analysis.metrics = [newRelicMetric(), { name: "up", kind: "targetsUp", enabled: false }];
        },
        "apps[0].analysis.metrics[1].kind: targetsUp is a built-in PromQL query, and this cluster has no Prometheus (platform.monitoring.prometheus: false); use a New Relic metric (kind: custom, provider: newRelic, nrql and conditions) or give a Prometheus (platform.monitoring.prometheus: true, installed or at prometheusAddress)",
    ],
    [
        "custom PromQL metric on a cluster without Prometheus",
        (a, c) => {
            withoutPrometheus(a, c);
            a.analysis.metrics = [{ name: "c", kind: "custom", query: "up", successCondition: "true" }];
        },
        "apps[0].analysis.metrics[0].provider: prometheus (the default) needs a Prometheus, and this cluster has none (platform.monitoring.prometheus: false); use provider: newRelic with an nrql query or give a Prometheus (platform.monitoring.prometheus: true, installed or at prometheusAddress)",
    ],
    [
        "custom PromQL metric with its own address on a cluster without Prometheus",
        (a, c) => {
            withoutPrometheus(a, c);
            a.analysis.metrics = [
                { name: "c", kind: "custom", provider: "prometheus", prometheusAddress: "http://p:9090", query: "up", successCondition: "true" },
            ];
        },
        "apps[0].analysis.metrics[0].provider: prometheus needs a Prometheus, and this cluster has none (platform.monitoring.prometheus: false); use provider: newRelic with an nrql query or give a Prometheus (platform.monitoring.prometheus: true, installed or at prometheusAddress)",
    ],
    [
        "metrics block on a cluster without Prometheus",
        (a, c) => {
            withoutPrometheus(a, c);
            a.metrics = { port: 9090, job: "demo" };
        },
        "apps[0].metrics: not used without Prometheus (platform.monitoring.prometheus is false): nothing scrapes the app; remove it",
    ],
    [
        "series on a cluster without Prometheus",
        (a, c) => {
            withoutPrometheus(a, c);
            a.series = { codeLabel: "status" };
        },
        "apps[0].series: not used without Prometheus (platform.monitoring.prometheus is false): it names the series of the built-in PromQL metrics; remove it",
    ],
    [
        "Prometheus metric of an app without a metrics block",
        (a) => {
            delete a.metrics;
        },
        'apps[0].metrics: missing (metric "success-rate" queries Prometheus, which scrapes the app through metrics: {port, job}; only an app whose metrics all use provider newRelic goes without)',
    ],
    [
        "prometheus not a boolean",
        (_a, c) => {
            c.platform.monitoring.prometheus = "no";
        },
        'platform.monitoring.prometheus: "no" is not true or false',
    ],
    [
        "a Prometheus address on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring.prometheus = false;
        },
        "platform.monitoring.prometheusAddress: not used with prometheus: false (the cluster has no Prometheus); remove it",
    ],
    [
        "kube-prometheus-stack installed on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false, install: true };
        },
        "platform.monitoring.install: true installs kube-prometheus-stack, a Prometheus, but prometheus is false; remove it, or set prometheus: true",
    ],
    [
        "canary alerts on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false, alerts: true };
        },
        "platform.monitoring.alerts: true writes a PrometheusRule, a kind that only exists with the Prometheus operator, but prometheus is false; remove it, or set prometheus: true",
    ],
    [
        "Grafana dashboard on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false, grafanaDashboard: true };
        },
        "platform.monitoring.grafanaDashboard: true writes a Grafana dashboard of PromQL panels, but prometheus is false; remove it, or set prometheus: true",
    ],
    [
        "controller metrics job on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false };
            c.platform.argoRollouts.metricsJob = "argo";
        },
        "platform.argoRollouts.metricsJob: only used by the controller-down alert, which needs Prometheus (platform.monitoring.prometheus is false); remove it",
    ],
    [
        "runbookBaseUrl without its trailing slash",
        (_a, c) => {
            c.platform.monitoring.runbookBaseUrl = "https://github.com/acme/canary-stack/blob/main";
        },
        'platform.monitoring.runbookBaseUrl: "https://github.com/acme/canary-stack/blob/main" is not an http(s) URL ending in / (the folder that holds docs/, e.g. https://github.com/acme/canary-stack/blob/main/)',
    ],
    [
        "runbookBaseUrl without alerts",
        (_a, c) => {
            c.platform.monitoring.alerts = false;
            c.platform.monitoring.runbookBaseUrl = "https://docs.example/";
        },
        "platform.monitoring.runbookBaseUrl: only used with alerts: true (alerts is false, so there is no alert to link from); remove it",
    ],
    [
        "runbookBaseUrl on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false, runbookBaseUrl: "https://docs.example/" };
        },
        "platform.monitoring.runbookBaseUrl: not used with prometheus: false (the cluster has no Prometheus); remove it",
    ],
    [
        "alertFor of an alert without a for",
        (_a, c) => {
            c.platform.monitoring.alertFor = { CanaryAnalysisFailed: "1m" };
        },
        "platform.monitoring.alertFor.CanaryAnalysisFailed: unknown key (allowed: RolloutDegraded, RolloutPausedTooLong, RolloutsControllerDown)",
    ],
    [
        "alertFor in words",
        (_a, c) => {
            c.platform.monitoring.alertFor = { RolloutPausedTooLong: "1 hour" };
        },
        'platform.monitoring.alertFor.RolloutPausedTooLong: "1 hour" is not a Prometheus duration above zero (use e.g. "30s", "5m", "1h30m")',
    ],
    [
        "alertFor with its units smallest first",
        (_a, c) => {
            c.platform.monitoring.alertFor = { RolloutsControllerDown: "30s5m" };
        },
        'platform.monitoring.alertFor.RolloutsControllerDown: "30s5m" is not a Prometheus duration above zero (use e.g. "30s", "5m", "1h30m")',
    ],
    [
        "alertFor of zero",
        (_a, c) => {
            c.platform.monitoring.alertFor = { RolloutDegraded: "0s" };
        },
        'platform.monitoring.alertFor.RolloutDegraded: "0s" is not a Prometheus duration above zero (use e.g. "30s", "5m", "1h30m")',
    ],
    [
        "alertFor as a number of seconds",
        (_a, c) => {
            c.platform.monitoring.alertFor = { RolloutDegraded: 60 };
        },
        "platform.monitoring.alertFor.RolloutDegraded: 60 is not a non-empty string",
    ],
    [
        "alertFor not a mapping",
        (_a, c) => {
            c.platform.monitoring.alertFor = "20s";
        },
        'platform.monitoring.alertFor: "20s" is not a mapping',
    ],
    [
        "alertFor with alerts off",
        (_a, c) => {
            c.platform.monitoring.alerts = false;
            c.platform.monitoring.alertFor = { RolloutPausedTooLong: "2h" };
        },
        "platform.monitoring.alertFor: only used with alerts: true (alerts is false, so there is no alert to delay); remove it",
    ],
    [
        "alertFor on a cluster without Prometheus",
        (_a, c) => {
            c.platform.monitoring = { prometheus: false, alertFor: {} };
        },
        "platform.monitoring.alertFor: not used with prometheus: false (the cluster has no Prometheus); remove it",
    ],
    [
        "unknown monitoring key",
        (_a, c) => {
            c.platform.monitoring.newRelicOnly = true;
        },
        "platform.monitoring.newRelicOnly: unknown key (allowed: prometheus, install, chart, namespace, release, prometheusAddress, selectorLabels, alerts, alertFor, runbookBaseUrl, grafanaDashboard)",
    ],
    [
        "unknown platform section",
        (_a, c) => {
            c.platform.istio = {};
        },
        "platform.istio: unknown key (allowed: shared, maxBadCanaryWeight, maxBadCanaryExposure, argoRollouts, monitoring, certManager, newRelic)",
    ],
    [
        "New Relic account id not digits",
        (_a, c) => {
            c.platform.newRelic = { accountId: "acme" };
        },
        'platform.newRelic.accountId: "acme" is not a New Relic account id (digits)',
    ],
    // Pods Ready in 30 s (the default). setWeight 50 on 4 replicas: 1 canary pod of 4 Ready from 30 s, 2 of 4 from 60 s; the analysis
    // step from 120 s fails at 120 s and 180 s (targetsUp): 25% x 30 s + 50% x 120 s, then 50% x 30 s + 25% x 30 s while the stable
    // comes back: 9000. The fixture: targetsUp fails at 90 s and 150 s, 20% x 120 s; the watchdog's run from steps[0] at 30 s and 45 s (300).
    [
        "ladder over the weight budget",
        (a) => {
            a.steps = [{ setWeight: 50 }, { pause: { duration: "1m" } }, { analysis: {} }];
        },
        "apps[0].steps: a broken release reaches 50% before the abort at 3m (exposure 9000 %·s); budget maxBadCanaryWeight is 20: add setWeight 20 and an analysis step before steps[0] (setWeight 50)",
    ],
    [
        "weight budget below one canary pod's share",
        (a) => {
            a.maxBadCanaryWeight = 10;
        },
        "apps[0].steps: a broken release reaches 20% (setWeight 10 on 4 replicas without traffic routing) before the abort at 2m30s (exposure 2400 %·s); budget maxBadCanaryWeight is 10: no setWeight runs the canary below 20% on 4 replicas without traffic routing (1 canary pod beside 4 stable); set stableIngress (traffic routing splits by weight), run at least 9 replicas, or raise maxBadCanaryWeight to 20",
    ],
    [
        "ladder over the exposure budget",
        (a) => {
            a.maxBadCanaryExposure = 500;
        },
        "apps[0].steps: a broken release reaches 20% (setWeight 10 on 4 replicas without traffic routing) before the abort at 2m30s (exposure 2400 %·s); budget maxBadCanaryExposure is 500 %·s: no single change (an analysis step, a shorter interval, a lower failureLimit, a shorter window, a watchdog) is enough; lower the ladder's weights",
    ],
    [
        "platform weight budget out of range",
        (_a, c) => {
            c.platform.maxBadCanaryWeight = 120;
        },
        "platform.maxBadCanaryWeight: 120 is not an integer from 0 to 100",
    ],
    [
        "New Relic region unknown",
        (_a, c) => {
            c.platform.newRelic = { accountId: "1", region: "apac" };
        },
        'platform.newRelic.region: "apac" is not one of us, eu',
    ],
    [
        "cluster kube-system UID not a UID",
        (_a, c) => {
            c.cluster = { kubeSystemUid: "prod" };
        },
        "cluster.kubeSystemUid: \"prod\" is not a UID (the kube-system namespace's metadata.uid: kubectl get namespace kube-system -o jsonpath='{.metadata.uid}')",
    ],
    [
        "unknown cluster key",
        (_a, c) => {
            c.cluster = { server: "https://10.0.0.1:6443" };
        },
        "cluster.server: unknown key (allowed: context, kubeSystemUid)",
    ],
];

describe("stack config: bad input stops with the key, the value and what is allowed", () => {
    for (const [what, change, message] of badConfigs) {
        it(what, () => {
            assert.throws(
                () => parseStackConfig(raw(change)),
                (err: Error) => {
                    assert.equal(err.name, "ConfigError");
                    assert.ok(pulumi.RunError.isInstance(err), "a RunError: the CLI shows the message without a stack trace");
                    assert.equal(err.message, message);
                    return true;
                },
            );
        });
    }

    it("covers at least 25 distinct bad configs", () => {
        assert.ok(new Set(badConfigs.map((c) => c[2])).size >= 25);
    });
});

describe("config: is the controller scraped (the controller-down alert)", () => {
    const scraped = (argoRollouts: Record<string, unknown>) =>
        parseStackConfig({ platform: { ...existingPlatform(), argoRollouts: { ...existingPlatform().argoRollouts, ...argoRollouts } } }).platform.argoRollouts
            .scraped;

    it("is scraped when installed here (the chart's ServiceMonitor) or when a job is named for one already running", () => {
        assert.equal(scraped({ install: true }), true);
        assert.equal(scraped({ install: false, metricsJob: "argo" }), true);
    });

    it("is not scraped when it already runs and no job is named: nothing says anything scrapes it", () => {
        assert.equal(scraped({ install: false, metricsJob: undefined }), false);
    });
});
