// Tests stacks/watchdog.ts, model/watchdog.ts, and the watchdog in model/exposure*.ts, components/manifests/{rollout,analysisTemplate}.ts and components/app/canaryApp.ts.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { analysisTemplate } from "../components/manifests/analysisTemplate";
import { rollout } from "../components/manifests/rollout";
import { CanaryApp } from "../components/app/canaryApp";
import { exposureReport, exposureSummary, withoutWatchdog } from "../model/exposure";
import { parseStackConfig } from "../stacks";
import { AppConfig, BuiltinMetric, WatchdogConfig } from "../stacks/types";
import { defaultWatchdog } from "../model/watchdog";
import { readStackFile } from "../scripts/stackFile";
import { existingPlatform, validApp } from "./fixtures";
import { installMocks, registered, resetRegistered, settle } from "./harness";

function app(change: (a: any) => void = () => undefined): AppConfig {
    const raw = validApp();
    raw.analysis.watchdog = {};
    change(raw);
    return parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0];
}

function parseError(change: (a: any) => void): string {
    try {
        app(change);
    } catch (err) {
        assert.ok(pulumi.RunError.isInstance(err));
        return (err as Error).message;
    }
    return assert.fail("the config was accepted");
}

/** The prod stack's app as checked in, optionally behind nginx traffic routing. */
function prodApp(routing: boolean): AppConfig {
    const file = readStackFile("prod");
    const json = (key: string) => JSON.parse(file.config[`canary-stack:${key}`]);
    const apps = json("apps");
    if (routing) apps[0].stableIngress = "api";
    return parseStackConfig({ platform: json("platform"), apps, cluster: json("cluster") } as any).apps[0];
}

describe("watchdog: config", () => {
    it("re-measures the analysis's built-in metrics every 15s over 1m (four 15 s scrapes), once the first traffic step's pods are Ready, until the ladder ends", () => {
        const { watchdog, metrics } = app().analysis;
        assert.ok(watchdog);
        assert.equal(watchdog.startingStep, 1, "steps[0] is setWeight 10: the run starts as the ladder leaves it");
        assert.deepEqual(
            watchdog.metrics.map((m) => m.name),
            ["success-rate", "error-rate", "latency", "up"],
        );
        const errorRate = watchdog.metrics[1] as BuiltinMetric;
        assert.deepEqual(
            [
                errorRate.interval,
                errorRate.initialDelay,
                errorRate.count,
                errorRate.failureLimit,
                errorRate.inconclusiveLimit,
                errorRate.consecutiveErrorLimit,
                errorRate.window,
                errorRate.minRequests,
                errorRate.threshold,
            ],
            ["15s", "1m", undefined, 1, 1, 4, "1m", 10, 0.01],
        );
        assert.ok(errorRate.query.includes("[1m]") && !errorRate.query.includes("[2m]"), errorRate.query);
        assert.equal((metrics[1] as BuiltinMetric).window, "2m", "the inline gate keeps its own window");
    });

    it("defaults to a window of four scrapes where that is longer than 30 s, and to 30 s where it is not", () => {
        const timing = (scrapeInterval: string) => {
            const [m] = app((a) => {
                a.metrics.scrapeInterval = scrapeInterval;
            }).analysis.watchdog!.metrics as BuiltinMetric[];
            return [m.window, m.initialDelay];
        };
        assert.deepEqual(timing("30s"), ["2m", "2m"]);
        assert.deepEqual(timing("20s"), ["80s", "80s"]);
        assert.deepEqual(timing("5s"), ["30s", "30s"]);
        assert.deepEqual(timing("2s"), ["30s", "30s"]);
    });

    it("keeps each metric's inconclusiveLimit and consecutiveErrorLimit (its own, else the analysis's) unless it sets its own", () => {
        const limits = (change: (a: any) => void) => app(change).analysis.watchdog!.metrics.map((m) => [m.name, m.inconclusiveLimit, m.consecutiveErrorLimit]);
        const inherited = (a: any) => {
            a.analysis.inconclusiveLimit = 3;
            a.analysis.consecutiveErrorLimit = 5;
            a.analysis.metrics[1].inconclusiveLimit = 6;
        };
        assert.deepEqual(limits(inherited), [
            ["success-rate", 3, 5],
            ["error-rate", 6, 5],
            ["latency", 3, 5],
            ["up", 3, 5],
        ]);
        assert.deepEqual(
            limits((a) => {
                inherited(a);
                a.analysis.watchdog = { inconclusiveLimit: 2 };
            }),
            [
                ["success-rate", 2, 5],
                ["error-rate", 2, 5],
                ["latency", 2, 5],
                ["up", 2, 5],
            ],
        );
        assert.deepEqual(
            limits((a) => {
                inherited(a);
                a.analysis.watchdog = { consecutiveErrorLimit: 0 };
            }),
            [
                ["success-rate", 3, 0],
                ["error-rate", 6, 0],
                ["latency", 3, 0],
                ["up", 3, 0],
            ],
        );
    });

    it("keeps the analysis's own scope and address, and takes the watchdog's timing over a metric's own", () => {
        const { watchdog } = app((a) => {
            a.analysis.canaryScoped = false;
            a.analysis.metrics[1].interval = "5m";
            a.analysis.metrics[1].window = "10m";
            a.analysis.watchdog = { interval: "20s", window: "1m", failureLimit: 0, initialDelay: "10s", metrics: ["error-rate"] };
        }).analysis;
        const [m] = watchdog!.metrics as BuiltinMetric[];
        assert.deepEqual([m.name, m.interval, m.window, m.failureLimit, m.initialDelay, m.canaryScoped], ["error-rate", "20s", "1m", 0, "10s", false]);
    });

    it("starts at the step after the first setWeight above 0", () => {
        const a = app((r) => {
            r.steps = [{ setWeight: 0 }, { pause: { duration: "10s" } }, ...r.steps];
        });
        assert.equal(a.analysis.watchdog!.startingStep, 3);
        assert.equal(
            app((r) => {
                r.steps = [{ setWeight: 10 }, { setWeight: 50 }, { analysis: {} }];
                r.maxBadCanaryWeight = 50;
            }).analysis.watchdog!.startingStep,
            1,
        );
    });

    const bad: [string, (a: any) => void, string][] = [
        [
            "in background mode",
            (a) => {
                a.analysis.mode = "background";
                a.steps = [{ setWeight: 10 }, { pause: { duration: "1m" } }];
            },
            "apps[0].analysis.watchdog: only with mode inline (mode background already runs the app's template beside the ladder; give its metrics a shorter interval and window instead)",
        ],
        [
            "on a ladder that never serves the canary",
            (a) => {
                a.steps = [{ setWeight: 0 }, { pause: { duration: "1m" } }];
                a.allowNoAnalysis = true;
            },
            "apps[0].analysis.watchdog: the ladder (apps[0].steps) has no setWeight above 0: the canary never serves traffic to watch",
        ],
        [
            "whose first traffic step is the ladder's last",
            (a) => {
                a.steps = [{ setWeight: 0 }, { pause: { duration: "1m" } }, { setWeight: 100 }];
                a.allowNoAnalysis = true;
            },
            "apps[0].analysis.watchdog: the ladder's first setWeight above 0 is its last step (apps[0].steps[2], setWeight 100): the watchdog starts " +
                "once that step's canary pods are Ready, and the rollout is promoted as that step completes, so it would never measure; " +
                "add a pause after that step, or leave the watchdog out",
        ],
        [
            "naming a metric the analysis lacks",
            (a) => {
                a.analysis.watchdog.metrics = ["error-rate", "errors"];
            },
            'apps[0].analysis.watchdog.metrics[1]: "errors" is not an enabled metric of the analysis (its enabled metrics: success-rate, error-rate, latency, up)',
        ],
        [
            "with an empty metrics list",
            (a) => {
                a.analysis.watchdog.metrics = [];
            },
            "apps[0].analysis.watchdog.metrics: [] is empty (leave it out to watch every built-in metric of the analysis)",
        ],
        [
            "with only custom metrics to pick from by default",
            (a) => {
                a.analysis.metrics = [{ name: "c", kind: "custom", query: "vector(0)", successCondition: "result[0] == 0" }];
            },
            "apps[0].analysis.watchdog.metrics: missing (the analysis has no enabled built-in metric to watch by default; name the metrics to watch, of: c)",
        ],
        [
            "with a count (it runs until the ladder ends)",
            (a) => {
                a.analysis.watchdog.count = 3;
            },
            "apps[0].analysis.watchdog.count: unknown key (allowed: metrics, interval, initialDelay, window, failureLimit, inconclusiveLimit, consecutiveErrorLimit, minRequests)",
        ],
        [
            "with a bad interval",
            (a) => {
                a.analysis.watchdog.interval = "often";
            },
            'apps[0].analysis.watchdog.interval: "often" is not a duration (use e.g. "30s", "5m", "1h")',
        ],
        [
            "with a window of two scrapes",
            (a) => {
                a.analysis.watchdog.window = "30s";
            },
            'apps[0].analysis.watchdog.window: "30s" holds two scrapes of the app (metrics.scrapeInterval 15s); a rate() over it is inconclusive after one late scrape: ' +
                "use a window of at least 60s (4 x the scrape interval) or scrape more often",
        ],
        [
            "with a window of less than two scrapes",
            (a) => {
                a.metrics.scrapeInterval = "30s";
                a.analysis.watchdog.window = "45s";
            },
            'apps[0].analysis.watchdog.window: "45s" holds fewer than two scrapes of the app (metrics.scrapeInterval 30s), and rate() needs two samples; ' +
                "a measurement that finds one is inconclusive: use a window of at least 120s (4 x the scrape interval) or scrape more often",
        ],
        [
            "not a mapping",
            (a) => {
                a.analysis.watchdog = true;
            },
            "apps[0].analysis.watchdog: true is not a mapping",
        ],
    ];
    for (const [what, change, message] of bad) it(`refuses a watchdog ${what}`, () => assert.equal(parseError(change), message));
});

describe("watchdog: manifests", () => {
    it("is the Rollout's background analysis of its own template, from its starting step, with the canary hash", () => {
        const a = app();
        const canary = rollout({ name: "demo", namespace: "demo" }, a).spec.strategy!.canary!;
        assert.deepEqual(canary.analysis, {
            templates: [{ templateName: "demo-watchdog" }],
            args: [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }],
            startingStep: 1,
        });
        assert.equal(canary.steps!.filter((s) => "analysis" in s).length, 2, "the inline gates stay");
        assert.equal(rollout({ name: "demo", namespace: "demo" }, withoutWatchdog(a)).spec.strategy!.canary!.analysis, undefined);
    });

    it("writes a template of the watchdog's metrics: no count, its interval and delay", () => {
        const a = app();
        const template = analysisTemplate({ name: "demo-watchdog", namespace: "demo" }, a, a.analysis.watchdog!.metrics);
        const errorRate = template.spec.metrics!.find((m) => m.name === "error-rate")!;
        assert.deepEqual(
            [errorRate.interval, errorRate.initialDelay, errorRate.count, errorRate.failureLimit, errorRate.inconclusiveLimit],
            ["15s", "1m", undefined, 1, 1],
        );
        assert.ok(errorRate.provider!.prometheus!.query!.includes("[1m]"));
    });

    it("registers the watchdog template before the Rollout, and the restore after both", async () => {
        installMocks();
        resetRegistered();
        const a = app();
        new CanaryApp("demo", { app: a, platform: parseStackConfig({ platform: existingPlatform(), apps: [] }).platform, connection: {} });
        await settle();
        const watchdog = registered.find((r) => r.name === "demo-watchdogtemplate");
        assert.ok(watchdog, "the watchdog's AnalysisTemplate is registered");
        assert.equal(watchdog.inputs.metadata.name, "demo-watchdog");
        const dependsOnWatchdog = (name: string) =>
            registered.find((r) => r.name === name)!.dependencies.some((urn) => urn.endsWith("::demo-watchdogtemplate"));
        assert.ok(dependsOnWatchdog("demo-rollout"), "the Rollout waits for its background template");
        assert.ok(dependsOnWatchdog("demo-restore"), "destroy deletes the restore first");
    });
});

describe("watchdog: exposure", () => {
    it("prod behind nginx routing at 10%: a broken release aborts after 105 s (750 %·s), against 3600 %·s without the watchdog", () => {
        const r = exposureReport(prodApp(true));
        // From steps[1], once setWeight 10's pod is Ready (30 s, podReadySeconds' default): measurements at 90 s (a full 1m window
        // of bad traffic) and 105 s; served 75 s at 10%. Without it: the first analysis step, from 330 s, fails at 330 and 390.
        assert.deepEqual([r.broken.seconds, r.broken.maxWeight, r.broken.exposure, r.broken.step], [105, 10, 750, 1]);
        assert.deepEqual([r.brokenWithoutWatchdog!.seconds, r.brokenWithoutWatchdog!.exposure], [390, 3600]);
    });

    it("prod as checked in (4 pods, no routing: setWeight 10 runs at 20%): 1500 %·s, against 7200; pods never Ready: the deadline aborts", () => {
        assert.equal(
            exposureSummary(prodApp(false)),
            "instant-api: healthy ladder 18m-42m; a broken release aborts by 1m45s at 20% (exposure 1500 %·s) (without the watchdog: 7200 %·s); " +
                "no traffic: waits at steps[1] (20%) after 1m45s, paused with no deadline; pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)",
        );
    });

    it("leaves the healthy ladder's duration as it is (the watchdog blocks no step)", () => {
        const a = prodApp(true);
        assert.deepEqual(exposureReport(a).healthy, exposureReport(withoutWatchdog(a)).healthy);
    });

    it("catches nothing the inline gates would catch sooner: a watchdog never raises exposure", () => {
        for (const window of ["1m", "2m", "5m"]) {
            for (const interval of ["10s", "1m", "3m"]) {
                const a = app((r) => {
                    r.analysis.watchdog = { window, interval };
                });
                const with_ = exposureReport(a);
                assert.ok(with_.broken.exposure <= with_.brokenWithoutWatchdog!.exposure, `${window}/${interval}`);
            }
        }
    });
});

describe("watchdog: the model's default matches what config builds", () => {
    it("defaultWatchdog(app) has the timing of a parsed `watchdog: {}`", () => {
        const limits = (a: any) => {
            a.analysis.inconclusiveLimit = 3;
            a.analysis.metrics[2].consecutiveErrorLimit = 7;
        };
        const parsed = app(limits).analysis.watchdog!;
        const modelled = defaultWatchdog(withoutWatchdog(app(limits)))!;
        const timing = (w: WatchdogConfig) =>
            w.metrics.map((m) => [
                m.name,
                m.interval,
                m.count,
                m.initialDelay,
                m.failureLimit,
                m.inconclusiveLimit,
                m.consecutiveErrorLimit,
                m.kind === "custom" ? undefined : m.window,
                m.kind === "custom" ? undefined : m.minRequests,
            ]);
        assert.equal(modelled.startingStep, parsed.startingStep);
        assert.deepEqual(timing(modelled), timing(parsed));
    });

    it("matches it at a slower scrape too (a 2m window at 30 s)", () => {
        const slow = (a: any) => {
            a.metrics.scrapeInterval = "30s";
        };
        const modelled = defaultWatchdog(withoutWatchdog(app(slow)))!;
        assert.deepEqual(
            modelled.metrics.map((m) => [m.initialDelay, m.kind === "custom" ? undefined : m.window]),
            app(slow).analysis.watchdog!.metrics.map((m) => [m.initialDelay, m.kind === "custom" ? undefined : m.window]),
        );
    });

    it("offers none where config would refuse one", () => {
        const lastStep = (a: any) => {
            a.steps = [{ setWeight: 0 }, { pause: { duration: "1m" } }, { setWeight: 100 }];
            a.allowNoAnalysis = true;
            a.maxBadCanaryWeight = 100;
        };
        assert.equal(
            defaultWatchdog(
                app((a) => {
                    lastStep(a);
                    delete a.analysis.watchdog;
                }),
            ),
            undefined,
        );
        assert.equal(defaultWatchdog(app()), undefined, "there is one already");
    });
});
