// Tests stacks/ (the config model): valid input and its defaults, New Relic metrics and clusters without Prometheus, the controller's scrape.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { kubeconfigFile, parseStackConfig } from "../stacks";
import { METRIC_DEFAULTS } from "../stacks/defaults";
import { BuiltinMetric } from "../stacks/types";
import { existingPlatform, newRelicMetric, newRelicOnlyApp, noPrometheusPlatform, validApp } from "./fixtures";
import { raw } from "./configFixtures";

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
