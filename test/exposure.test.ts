// Tests model/exposure.ts, model/exposureTimeline.ts, model/exposureNeverReady.ts and model/exposureBudget.ts.
import { strict as assert } from "assert";
import fc from "fast-check";
import { parseStackConfig } from "../stacks";
import { AnalysisMode, AppConfig, CanaryStep, MetricConfig } from "../stacks/types";
import { ExposureReport, exposureReport, exposureSummary, formatSeconds } from "../model/exposure";
import { NeverReadyRelease } from "../model/exposureNeverReady";
import { budgetViolation, insertSteps } from "../model/exposureBudget";
import { analysisRunSeconds, firstServedAt, signalDelaySeconds, timeline } from "../model/exposureTimeline";
import { existingPlatform, newRelicOnlyApp, noPrometheusPlatform, validApp } from "./fixtures";
import {
    parsed,
    base,
    routed,
    longFirstPause,
    w,
    pause,
    A,
    other,
    custom,
    builtin,
    ladder,
    neverAborted,
    aborted,
    waits,
    neverWaits,
    healthy,
    abortsAt,
    pausesAt,
    LADDER,
    BRIEF,
} from "./exposureFixtures";

/**
 * The regression anchor: with podReadySeconds 0 (every pod Ready the moment it exists, as the model had it
 * before it knew start-up time) these are the figures it gave then, unchanged.
 * Every outcome derived by hand; times in seconds from the image change. Pods never Ready: every ladder here
 * starts with a setWeight above 0, so it stays at steps[0] from 0s and the deadline (600) aborts it, unless a
 * background run from steps[0] gives up first (2nd inconclusive at 30).
 */
const rows: [string, AppConfig, ExposureReport][] = [
    // Runs take 2x30 = 60: A at [60,120), A at [150,210) -> 210. Slowest run: 3x(1+2) measurements = 8 intervals = 240 -> 60+240+30+240 = 570.
    // Broken: first A fails at 60 and 90, failureLimit 1 -> abort at 90 at 10%: 10x90 = 900. No traffic: inconclusive at 60, 90 -> waits at 90.
    [
        "inline, failureLimit 1",
        ladder(LADDER, [custom()]),
        { healthy: healthy(210, 570), broken: aborted(2, 10, 90, 10, 900), noTraffic: waits(2, 10, 90), neverReady: abortsAt(0, 600) },
    ],
    // failureLimit 0 / inconclusiveLimit 0: the first measurement (60) decides both: 10x60 = 600.
    [
        "inline, failureLimit 0",
        ladder(LADDER, [custom({ failureLimit: 0, inconclusiveLimit: 0 })]),
        { healthy: healthy(210, 570), broken: aborted(2, 10, 60, 10, 600), noTraffic: waits(2, 10, 60), neverReady: abortsAt(0, 600) },
    ],
    // failureLimit 3 with count 3: three failures are within the limit, every run passes, promoted at 210.
    // No traffic still gives up at the 2nd inconclusive (90).
    [
        "inline, failureLimit 3 = count lets a broken release through",
        ladder(LADDER, [custom({ failureLimit: 3 })]),
        { healthy: healthy(210, 570), broken: neverAborted(6, 210), noTraffic: waits(2, 10, 90), neverReady: abortsAt(0, 600) },
    ],
    // count 5: runs 4x30 = 120 -> 60+120+30+120 = 330; slowest 5x3-1 = 14 intervals = 420 -> 60+420+30+420 = 930.
    // Broken: 4th failure at 60+3x30 = 150 -> 10x150 = 1500.
    [
        "inline, failureLimit 3, count 5",
        ladder(LADDER, [custom({ failureLimit: 3, count: 5 })]),
        { healthy: healthy(330, 930), broken: aborted(2, 10, 150, 10, 1500), noTraffic: waits(2, 10, 90), neverReady: abortsAt(0, 600) },
    ],
    // Background from step 0, every 30s, failureLimit 2: fails at 0, 30, 60 -> abort at 60. setWeight 50 starts at 60 too
    // (the ladder moves first): 50% reached, exposure 25x60 = 1500. No traffic: inconclusive at 0, 30 -> waits at 30 in pause steps[1].
    [
        "background from step 0 (the issue's example)",
        ladder(BRIEF, [custom({ count: undefined, failureLimit: 2 })], "background"),
        { healthy: healthy(180, 180), broken: aborted(3, 50, 60, 50, 1500), noTraffic: waits(1, 25, 30), neverReady: pausesAt(0, 30) },
    ],
    // Same with errorRate over 2m: measurements count from 120 -> 3rd failure at 180, the second the ladder ends: promoted.
    [
        "background, errorRate window 2m",
        ladder(BRIEF, [builtin("errorRate", "2m", { count: undefined, failureLimit: 2 })], "background"),
        { healthy: healthy(180, 180), broken: neverAborted(6, 180), noTraffic: waits(1, 25, 30), neverReady: pausesAt(0, 30) },
    ],
    // startingStep 2 starts the run at 60; initialDelay 30s -> measurements at 90, 120 -> abort at 120 in pause steps[3] at 20%:
    // 10x60 + 20x60 = 1800. No traffic: inconclusive at 90, 120 -> waits at 120.
    [
        "background, startingStep 2, initialDelay 30s",
        ladder([w(10), pause(60), w(20), pause(120), w(40), pause(120)], [custom({ count: undefined, initialDelay: "30s" })], "background", 2),
        { healthy: healthy(300, 300), broken: aborted(3, 20, 120, 20, 1800), noTraffic: waits(3, 20, 120), neverReady: abortsAt(0, 600) },
    ],
    // The pause without duration counts 0: A runs [0,90) (30 + 1x60), then a 60s pause -> 150.
    // Slowest run: 30 + (2x2-1)x60 = 210 -> 270. Broken: first measurement at 30 fails, failureLimit 0 -> 10x30 = 300.
    [
        "pause without duration before an inline analysis",
        ladder(
            [w(10), pause(), A, w(50), pause(60)],
            [custom({ interval: "1m", initialDelay: "30s", count: 2, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 1 })],
        ),
        { healthy: healthy(150, 270, [1]), broken: aborted(2, 10, 30, 10, 300), noTraffic: waits(2, 10, 30), neverReady: abortsAt(0, 600) },
    ],
    // The last step is a setWeight: the ladder ends at 60, before errorRate over 1m can see the canary (first counted measurement at 60).
    [
        "final step without a pause",
        ladder([w(20), pause(60), w(50)], [builtin("errorRate", "1m", { count: undefined, failureLimit: 0 })], "background"),
        { healthy: healthy(60, 60), broken: neverAborted(3, 60), noTraffic: waits(1, 20, 30), neverReady: pausesAt(0, 30) },
    ],
    // A final 30s pause keeps the run alive at 60: it fails then, after setWeight 50 (moved first): 20x60 = 1200.
    [
        "final pause gives the background run time",
        ladder([w(20), pause(60), w(50), pause(30)], [builtin("errorRate", "1m", { count: undefined, failureLimit: 0 })], "background"),
        { healthy: healthy(90, 90), broken: aborted(3, 50, 60, 50, 1200), noTraffic: waits(1, 20, 30), neverReady: pausesAt(0, 30) },
    ],
    // A at 120. errorRate (2m window, 1m interval) fails at 120, 180; targetsUp (no window, 30s) at 120, 150: it decides, 10x150 = 1500.
    // Runs: max(2x60, 4x30) = 120 -> 240; slowest max((3x5-1)x60, (5x5-1)x30) = 840 -> 960.
    [
        "several metrics: the earliest to fail decides",
        ladder(
            [w(10), pause(120), A],
            [builtin("errorRate", "2m", { interval: "1m", consecutiveErrorLimit: 4 }), builtin("targetsUp", "2m", { count: 5, consecutiveErrorLimit: 4 })],
        ),
        { healthy: healthy(240, 960), broken: aborted(2, 10, 150, 10, 1500), noTraffic: waits(2, 10, 150), neverReady: abortsAt(0, 600) },
    ],
    // count 2 within inconclusiveLimit 2: the no-traffic run passes on count; promoted at 90 + 60 = 150.
    // Slowest run 30 + (2x5-1)x60 = 570 -> 630. Broken: fails at 30 (failureLimit 0): 10x30 = 300.
    [
        "count within inconclusiveLimit never waits",
        ladder(
            [w(10), A, w(50), pause(60)],
            [custom({ interval: "1m", initialDelay: "30s", count: 2, failureLimit: 0, inconclusiveLimit: 2, consecutiveErrorLimit: 4 })],
        ),
        { healthy: healthy(150, 630), broken: aborted(1, 10, 30, 10, 300), noTraffic: neverWaits(4, 150), neverReady: abortsAt(0, 600) },
    ],
    // Only another template's analysis step: it is not modelled (0s, never fails), so nothing gates the ladder.
    [
        "no analysis of its own",
        ladder([w(10), pause(60), other, w(100)], [custom()]),
        { healthy: healthy(60, 60, [], [2]), broken: neverAborted(4, 60), noTraffic: neverWaits(4, 60), neverReady: abortsAt(0, 600) },
    ],
    // The fixture: 4 metrics, 1m interval, count 3, failureLimit 1, consecutiveErrorLimit 4. Runs 120: 60+120+30+120 = 330;
    // slowest (3x5-1)x60 = 840: 60+840+30+840 = 1770. targetsUp fails at 60, 120 -> abort at 120. 4 replicas without
    // traffic routing: setWeight 10 runs 1 canary pod beside 4 stable ones, 20%: 20x120 = 2400.
    [
        "validApp() through parseStackConfig: 4 replicas, no traffic routing",
        base,
        { healthy: healthy(330, 1770), broken: aborted(2, 20, 120, 20, 2400), noTraffic: waits(2, 20, 120), neverReady: abortsAt(0, 600) },
    ],
    [
        "validApp() with traffic routing: the weight as written",
        routed,
        { healthy: healthy(330, 1770), broken: aborted(2, 10, 120, 10, 1200), noTraffic: waits(2, 10, 120), neverReady: abortsAt(0, 600) },
    ],
    // 10 replicas run setWeight 10 as 1 pod of 10: the same as routing.
    [
        "validApp() on 10 replicas, no traffic routing",
        { ...base, replicas: 10 },
        { healthy: healthy(330, 1770), broken: aborted(2, 10, 120, 10, 1200), noTraffic: waits(2, 10, 120), neverReady: abortsAt(0, 600) },
    ],
    // The first row's ladder on 4 replicas: abort at 90 at 20% -> 20x90 = 1800.
    [
        "inline, failureLimit 1, 4 replicas without traffic routing",
        { ...ladder(LADDER, [custom()]), stableIngress: undefined },
        { healthy: healthy(210, 570), broken: aborted(2, 20, 90, 20, 1800), noTraffic: waits(2, 20, 90), neverReady: abortsAt(0, 600) },
    ],
];

/** Pods Ready `seconds` after they are created. */
const starting = (app: AppConfig, seconds = 30): AppConfig => ({ ...app, podReadySeconds: seconds });

/**
 * With start-up time (podReadySeconds 30 unless said): a step that adds canary pods ends once they are Ready,
 * and the canary serves at its new share only from then (model/podStartup.ts). Derived by hand.
 */
const startupRows: [string, AppConfig, ExposureReport][] = [
    // The first row's ladder with routing: setWeight 10 [0,30) (its pod Ready at 30), pause [30,90), A [90,150), setWeight 50
    // [150,180), pause [180,210), A [210,270), then the canary to 4 pods, Ready at 300. Slowest runs 240: 660.
    // Broken: served from 30; A fails at 90 and 120: abort at 120, 10% x 90 s = 900 (without start-up: at 90, 900).
    [
        "start-up delays the first traffic and the abort",
        starting(ladder(LADDER, [custom()])),
        { healthy: healthy(300, 660), broken: aborted(2, 10, 120, 10, 900), noTraffic: waits(2, 10, 120), neverReady: abortsAt(0, 600) },
    ],
    // setWeight 25 [0,30), pause [30,90), setWeight 50 [90,120), pause [120,180), setWeight 75 [180,210), pause [210,270),
    // promotion at 300. The background run counts failures from 30 (first traffic): 30, 60, 90: abort at 90, when setWeight 50
    // has begun but its pod is not Ready: the router still sends 25% (without start-up: abort at 60 at 50%).
    [
        "the abort comes while setWeight 50's pod starts: it never serves 50%",
        starting(ladder(BRIEF, [custom({ count: undefined, failureLimit: 2 })], "background")),
        { healthy: healthy(300, 300), broken: aborted(2, 25, 90, 25, 1500), noTraffic: waits(1, 25, 30), neverReady: pausesAt(0, 30) },
    ],
    // 4 replicas without routing: setWeight 10 is 20% from 30; setWeight 50 at 90 takes a stable pod away (25%) and is 50% from
    // 120; setWeight 100 at 180 starts a 3rd canary pod (still 50%), at 210 75% and a 4th, at 240 all 4. Failures count from
    // 30, the 6th at 180: abort at setWeight 100 with 2 of 4 Ready pods canary. Then the stable must come back first: a 3rd
    // stable pod (Ready 210, the canary down to 1 pod: 25%), a 4th (240, the canary gone). Exposure 20x60 + 25x30 + 50x60
    // served by the abort, 50x30 + 25x30 after it: 7200.
    [
        "without traffic routing the canary serves on after the abort until the stable is back",
        {
            ...starting(ladder([w(10), pause(60), w(50), pause(60), w(100), pause(60)], [custom({ count: undefined, failureLimit: 5 })], "background")),
            stableIngress: undefined,
        },
        { healthy: healthy(300, 300), broken: aborted(4, 50, 180, 50, 7200), noTraffic: waits(1, 20, 30), neverReady: pausesAt(0, 30) },
    ],
    // setWeight 20 runs the 1 canary pod of setWeight 10 (4 replicas without routing): [90,90), no start-up. A [150,210) fails at
    // 150 and 180: 20% x 150 s = 3000. Promotion from 1 canary pod to 4: 3 rounds, at 300 (worst: A [150,390), 480).
    [
        "a setWeight that adds no pod takes no start-up time",
        { ...starting(ladder([w(10), pause(60), w(20), pause(60), A], [custom()])), stableIngress: undefined },
        { healthy: healthy(300, 480), broken: aborted(4, 20, 180, 20, 3000), noTraffic: waits(4, 20, 180), neverReady: abortsAt(0, 600) },
    ],
    // Another template's analysis step takes 0 s and passes: listed. setWeight 100 at 90 brings 3 more pods, Ready at 120.
    [
        "another template's analysis step is listed, untimed",
        starting(ladder([w(10), pause(60), other, w(100)], [custom()])),
        { healthy: healthy(120, 120, [], [2]), broken: neverAborted(4, 120), noTraffic: neverWaits(4, 120), neverReady: abortsAt(0, 600) },
    ],
    // The fixture (4 replicas, no routing) with the default 30 s: setWeight 10 [0,30), pause [30,90), A [90,210), setWeight 50
    // [210,240), pause [240,270), A [270,390), promotion in 2 rounds at 450; worst runs 840: 1890. targetsUp fails at 90 and 150.
    [
        "validApp() as parsed: podReadySeconds 30 by default",
        parsed,
        { healthy: healthy(450, 1890), broken: aborted(2, 20, 150, 20, 2400), noTraffic: waits(2, 20, 150), neverReady: abortsAt(0, 600) },
    ],
];

describe("exposure: ladders derived by hand", () => {
    for (const [name, app, expected] of rows) {
        it(`podReadySeconds 0 (the figures from before start-up time): ${name}`, () => assert.deepEqual(exposureReport(app), expected));
    }
    for (const [name, app, expected] of startupRows) {
        it(`start-up: ${name}`, () => assert.deepEqual(exposureReport(app), expected));
    }
    it("takes the timed pauses plus each inline run as the best case", () => {
        assert.equal(exposureReport(base).healthy.bestSeconds, 60 + 30 + 2 * analysisRunSeconds(base.analysis.metrics));
    });
    it("adding an analysis step before the signal can see the canary may raise exposure (measurement grid)", () => {
        // errorRate over 50s, every 60s, failureLimit 0. Original: A at 50 fails at once: 10x50 = 500.
        // With A right after setWeight 10: it measures at 0 (too early, passes) and 60 (fails): 10x60 = 600.
        const metrics = [builtin("errorRate", "50s", { interval: "1m", count: 2, failureLimit: 0 })];
        assert.equal(exposureReport(ladder([w(10), pause(50), A], metrics)).broken.exposure, 500);
        assert.equal(exposureReport(ladder([w(10), A, pause(50), A], metrics)).broken.exposure, 600);
    });
});

describe("exposure: pods never Ready (exposureNeverReady.ts)", () => {
    const inconclusive2 = custom({ interval: "30s", count: 2, inconclusiveLimit: 2 });
    const cases: [string, AppConfig, NeverReadyRelease][] = [
        // An analysis step before the first setWeight runs with no canary pods: inconclusive at 60, 90 -> paused at steps[1].
        ["an inline analysis before the first setWeight gives up first", ladder([pause(60), A, w(10), pause(60)], [custom()]), pausesAt(1, 90)],
        // count 2 within inconclusiveLimit 2 passes (30 s): the ladder reaches setWeight 10 at 90, the deadline aborts at 690.
        [
            "an inline analysis that passes on count: the deadline counts from the stuck step",
            ladder([pause(60), A, w(10), pause(60)], [inconclusive2]),
            abortsAt(2, 690),
        ],
        // setWeight 0 wants no canary pod and completes; setWeight 10 at 60 waits.
        ["setWeight 0 does not wait", ladder([w(0), pause(60), w(10), pause(60)], [inconclusive2]), abortsAt(2, 660)],
        // No step wants a canary pod: the full promotion waits for every new pod, from the ladder's end (60).
        ["only the full promotion waits", ladder([w(0), pause(60)], [inconclusive2]), abortsAt(2, 660)],
        ["progressDeadlineSeconds as set", { ...ladder(LADDER, [custom()]), progressDeadlineSeconds: 45 }, abortsAt(0, 45)],
        [
            "progressDeadlineAbort false: Degraded, not aborted",
            { ...ladder(LADDER, [custom()]), progressDeadlineAbort: false },
            { step: 0, outcome: "degraded" as const, seconds: 600 },
        ],
        // Background from steps[0]: inconclusive at 0, 30 -> paused at 30, unless the deadline comes first.
        ["a background run gives up before the deadline", ladder(BRIEF, [custom({ count: undefined })], "background"), pausesAt(0, 30)],
        [
            "the deadline before the background run gives up",
            { ...ladder(BRIEF, [custom({ count: undefined })], "background"), progressDeadlineSeconds: 20 },
            abortsAt(0, 20),
        ],
        // A background run from a later step never starts.
        ["a background run from a later step never starts", ladder(BRIEF, [custom({ count: undefined })], "background", 2), abortsAt(0, 600)],
        // With routing, setCanaryScale replicas 0 keeps the canary at no pods through setWeight 50; matchTrafficWeight
        // at 60 brings 50% of 4 = 2 pods, which never come up.
        [
            "setCanaryScale with traffic routing",
            ladder([{ setCanaryScale: { replicas: 0 } }, w(50), pause(60), { setCanaryScale: { matchTrafficWeight: true } }, pause(30)], [inconclusive2]),
            abortsAt(3, 660),
        ],
        [
            "setCanaryScale with a weight",
            ladder([{ setCanaryScale: { weight: 0 } }, pause(60), { setCanaryScale: { weight: 10 } }, w(50)], [inconclusive2]),
            abortsAt(2, 660),
        ],
        // Without routing Argo ignores setCanaryScale: setWeight 50 wants 2 pods at once.
        [
            "setCanaryScale without traffic routing is ignored",
            { ...ladder([{ setCanaryScale: { replicas: 0 } }, w(50), pause(60)], [inconclusive2]), stableIngress: undefined },
            abortsAt(1, 600),
        ],
    ];
    for (const [name, app, expected] of cases) it(name, () => assert.deepEqual(exposureReport(app).neverReady, expected));
    it("a watchdog starts only once the first setWeight's pods are Ready (steps[1]): it never runs, and the deadline aborts", () => {
        const raw = validApp();
        raw.analysis.watchdog = {};
        const app = parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0];
        assert.equal(app.analysis.watchdog!.startingStep, 1);
        assert.deepEqual(exposureReport(app).neverReady, abortsAt(0, 600));
    });
});

describe("exposure: the watchdog's run starts at the step its config names", () => {
    const raw = validApp();
    raw.analysis.watchdog = {};
    /** The fixture (4 replicas without routing, pods Ready in 30 s) with `watchdog: {}`: every 15 s over 1m (four 15 s scrapes), the start set per case. */
    const watched = parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0];
    const watchdogAt = (startingStep: number, window?: string): AppConfig => {
        const watchdog = watched.analysis.watchdog!;
        const metrics = window ? watchdog.metrics.map((m) => (m.kind === "custom" ? m : { ...m, window, initialDelay: window })) : watchdog.metrics;
        return { ...watched, analysis: { ...watched.analysis, watchdog: { startingStep, metrics } } };
    };
    const cases: [string, AppConfig, [number, number, number, number], NeverReadyRelease][] = [
        // From the image change: measures at 30 (the pod just Ready) and 45, targetsUp fails both: 20% x 15 s. Pods never Ready:
        // it sees no traffic and pauses the Rollout at 45.
        ["steps[0], the first setWeight (as config set it before), 30 s window", watchdogAt(0, "30s"), [45, 1, 20, 300], pausesAt(0, 45)],
        // From the step after the first setWeight: it starts at 30, when that step's pod is Ready, and measures at 60 and 75:
        // 20% x 45 s. Pods never Ready: the ladder never gets past steps[0], the run never starts, the deadline aborts.
        ["steps[1], the step after it (as config sets it), 30 s window", watchdogAt(1, "30s"), [75, 1, 20, 900], abortsAt(0, 600)],
        // A 60 s window (4 scrapes of 15 s) and delay: 90 and 105, during the inline analysis step [90,210): 20% x 75 s.
        ["steps[1] with the default 1m window (watchdog: {} as parsed)", watched, [105, 2, 20, 1500], abortsAt(0, 600)],
    ];
    for (const [name, app, [seconds, step, weight, exposure], neverReady] of cases) {
        it(name, () => {
            const r = exposureReport(app);
            assert.deepEqual([r.broken.seconds, r.broken.step, r.broken.maxWeight, r.broken.exposure], [seconds, step, weight, exposure]);
            assert.deepEqual(r.neverReady, neverReady);
            // Without it: the first analysis step [90,210) fails at 90 and 150, 20% x 120 s.
            assert.deepEqual([r.brokenWithoutWatchdog!.seconds, r.brokenWithoutWatchdog!.exposure], [150, 2400]);
        });
    }
});

describe("exposure summary", () => {
    const newRelicOnly: AppConfig = {
        ...parseStackConfig({ platform: noPrometheusPlatform(), apps: [newRelicOnlyApp()] }, {} as any).apps[0],
        podReadySeconds: 0,
    };
    const cases: [string, AppConfig, string][] = [
        [
            "validApp() with podReadySeconds 0",
            base,
            "demo: healthy ladder 5m30s-29m30s; a broken release aborts by 2m at 20% (exposure 2400 %·s); no traffic: waits at steps[2] (20%) after 2m, paused with no deadline; pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)",
        ],
        // 2 replicas: setWeight 10 runs 1 canary pod beside 2 stable ones (maxSurge 25% of 2 is 1 pod): a third, 33.3x120 = 4000.
        [
            "validApp() on 2 replicas",
            { ...base, replicas: 2 },
            "demo: healthy ladder 5m30s-29m30s; a broken release aborts by 2m at 33.3% (exposure 4000 %·s); no traffic: waits at steps[2] (33.3%) after 2m, paused with no deadline; pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)",
        ],
        [
            "manual promotion",
            rows[7][1],
            "demo: healthy ladder 2m30s-4m30s plus 1 manual promotion; a broken release aborts by 30s at 10% (exposure 300 %·s); no traffic: waits at steps[2] (10%) after 30s, paused with no deadline; pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)",
        ],
        [
            "never aborted",
            rows[5][1],
            "demo: healthy ladder 3m; a broken release is never aborted: the ladder promotes it to 100% at 3m; no traffic: waits at steps[1] (25%) after 30s, paused with no deadline; pods never Ready: waits at steps[0] after 30s, paused with no deadline",
        ],
        [
            "never waits",
            rows[11][1],
            "demo: healthy ladder 2m30s-10m30s; a broken release aborts by 30s at 10% (exposure 300 %·s); no traffic: never waits, promoted at 2m30s; pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)",
        ],
        // New Relic's default initialDelay (3m): the first analysis fails at 1m + 3m + 1m (failureLimit 1).
        [
            "New Relic metrics only",
            newRelicOnly,
            "demo: healthy ladder 11m30s-35m30s; a broken release aborts by 5m at 20% (exposure 6000 %·s); no traffic: waits at steps[2] (20%) after 5m, paused with no deadline; pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)",
        ],
        // Start-up 30 s: served from 30, the first analysis from 90: fails at 90 + 3m + 1m = 5m30s: 20% x 300 s.
        [
            "New Relic metrics only, pods Ready in 30 s",
            starting(newRelicOnly),
            "demo: healthy ladder 13m30s-37m30s; a broken release aborts by 5m30s at 20% (exposure 6000 %·s); no traffic: waits at steps[2] (20%) after 5m30s, paused with no deadline; pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)",
        ],
        [
            "validApp() as parsed (podReadySeconds 30)",
            parsed,
            "demo: healthy ladder 7m30s-31m30s; a broken release aborts by 2m30s at 20% (exposure 2400 %·s); no traffic: waits at steps[2] (20%) after 2m30s, paused with no deadline; pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)",
        ],
        [
            "another template's analysis step",
            startupRows[4][1],
            "demo: healthy ladder 2m; steps[2] runs templates the model cannot time (counted as passing at once); a broken release is never aborted: the ladder promotes it to 100% at 2m; no traffic: never waits, promoted at 2m; pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)",
        ],
        [
            "two of them",
            starting(ladder([w(10), pause(60), other, w(50), other, A], [custom()])),
            "demo: healthy ladder 3m30s-6m30s; steps[2] and steps[4] run templates the model cannot time (counted as passing at once); a broken release aborts by 2m30s at 50% (exposure 2400 %·s); no traffic: waits at steps[5] (50%) after 2m30s, paused with no deadline; pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)",
        ],
    ];
    for (const [name, app, line] of cases) it(name, () => assert.equal(exposureSummary(app), line));
    const durations: [number, string][] = [
        [0, "0s"],
        [400, "6m40s"],
        [3600, "1h"],
        [5430, "1h30m30s"],
        [7.5, "7.5s"],
    ];
    for (const [seconds, text] of durations) it(`formats ${seconds}s as ${text}`, () => assert.equal(formatSeconds(seconds), text));
});

describe("exposure budget", () => {
    const background = (metric: MetricConfig, steps: CanaryStep[]) => ladder(steps, [metric], "background");
    const cases: [string, AppConfig, Parameters<typeof budgetViolation>[1], string | undefined][] = [
        ["within budget", base, { maxBadCanaryWeight: 20 }, undefined],
        // One canary pod of 5 is 20%; 9 replicas at setWeight 10 run 1 pod of 10.
        [
            "no ladder fits: one canary pod is above the weight budget",
            base,
            { maxBadCanaryWeight: 10 },
            "a broken release reaches 20% (setWeight 10 on 4 replicas without traffic routing) before the abort at 2m (exposure 2400 %·s); " +
                "budget maxBadCanaryWeight is 10: no setWeight runs the canary below 20% on 4 replicas without traffic routing " +
                "(1 canary pod beside 4 stable); set stableIngress (traffic routing splits by weight), run at least 9 replicas, or raise maxBadCanaryWeight to 20",
        ],
        // setWeight 5 then A: fails at 0 and 60 (targetsUp) -> 5%.
        [
            "first weight above the budget: a lower first step with an analysis step",
            routed,
            { maxBadCanaryWeight: 5 },
            "a broken release reaches 10% before the abort at 2m (exposure 1200 %·s); budget maxBadCanaryWeight is 5: add setWeight 5 and an analysis step before steps[0] (setWeight 10)",
        ],
        // 12 replicas: setWeight 10 runs 1 pod of 12 (8.3%); the highest share within 8 is 1 pod of 13 (7.7%), which setWeight 8 runs.
        // 1 replica and its surge pod: any weight from 1 to 99 is 1 pod of 2. The abort comes at 120 as for the fixture: 50x120 = 6000.
        // 9 replicas at setWeight 1 run 1 pod of 10.
        [
            "one replica",
            { ...base, replicas: 1 },
            { maxBadCanaryWeight: 10 },
            "a broken release reaches 50% (setWeight 10 on 1 replica without traffic routing) before the abort at 2m (exposure 6000 %·s); " +
                "budget maxBadCanaryWeight is 10: no setWeight runs the canary below 50% on 1 replica without traffic routing " +
                "(1 canary pod beside 1 stable); set stableIngress (traffic routing splits by weight), run at least 9 replicas, or raise maxBadCanaryWeight to 50",
        ],
        [
            "a lower first step as the pods run it",
            { ...base, replicas: 12 },
            { maxBadCanaryWeight: 8 },
            "a broken release reaches 8.3% (setWeight 10 on 12 replicas without traffic routing) before the abort at 2m (exposure 1000 %·s); " +
                "budget maxBadCanaryWeight is 8: add setWeight 8 (7.7% of traffic) and an analysis step before steps[0] (setWeight 10)",
        ],
        // No count (background): no analysis step can be suggested. 15s: fails at 0, 15, 30 -> abort in the 25% pause.
        [
            "background run too slow: a shorter interval",
            rows[4][1],
            { maxBadCanaryWeight: 25 },
            "a broken release reaches 50% before the abort at 1m (exposure 1500 %·s); budget maxBadCanaryWeight is 25: lower interval to 15s",
        ],
        // A right after setWeight 10 fails at 0 and 30: 10x30 = 300.
        [
            "exposure: an analysis step right after the first setWeight",
            rows[0][1],
            { maxBadCanaryWeight: 10, maxBadCanaryExposure: 700 },
            "a broken release reaches 10% before the abort at 1m30s (exposure 900 %·s); budget maxBadCanaryExposure is 700 %·s: add an analysis step after steps[0] (setWeight 10)",
        ],
        // Fails at 0, 60: 600. 30s: 300, 15s: 150, both > 100; failureLimit 0: abort at 0, exposure 0.
        [
            "exposure: a lower failureLimit",
            background(custom({ interval: "1m", count: undefined }), [w(10), pause(300)]),
            { maxBadCanaryWeight: 10, maxBadCanaryExposure: 100 },
            "a broken release reaches 10% before the abort at 1m (exposure 600 %·s); budget maxBadCanaryExposure is 100 %·s: lower failureLimit to 0",
        ],
        // errorRate over 2m fails at 120: 1200. Shorter intervals do not help the window; 1m window: abort at 60, 600.
        [
            "exposure: a shorter window",
            background(builtin("errorRate", "2m", { count: undefined, failureLimit: 0 }), [w(10), pause(600)]),
            { maxBadCanaryWeight: 10, maxBadCanaryExposure: 700 },
            "a broken release reaches 10% before the abort at 2m (exposure 1200 %·s); budget maxBadCanaryExposure is 700 %·s: shorten window to 1m",
        ],
        // failureLimit 2 < count 3: the first A fails at 60+2x30 = 120.
        [
            "never aborted: a lower failureLimit",
            rows[2][1],
            { maxBadCanaryWeight: 50 },
            "a broken release is never aborted: the ladder promotes it to 100% at 3m30s; budget maxBadCanaryWeight is 50: lower failureLimit to 2",
        ],
        // The error rate alone (2m window) and a 5m first pause: the first analysis step fails at 5m and 6m (3600). An analysis step after
        // setWeight 10 passes (its window is not full of bad traffic before its third measurement) and only delays the ladder (4800), intervals of 30s/15s give 3300/3150,
        // failureLimit 0 3000, a 1m window 3600. The watchdog, from steps[1] at 0 s, fails at 60 s (a full 1m window) and 75 s: 750.
        [
            "exposure: a watchdog",
            longFirstPause,
            { maxBadCanaryWeight: 10, maxBadCanaryExposure: 800 },
            "a broken release reaches 10% before the abort at 6m30s (exposure 3600 %·s); budget maxBadCanaryExposure is 800 %·s: " +
                "add analysis.watchdog: {} (its built-in metrics every 15s over 1m beside the ladder)",
        ],
        [
            "nothing single is enough",
            routed,
            { maxBadCanaryWeight: 10, maxBadCanaryExposure: 300 },
            "a broken release reaches 10% before the abort at 2m (exposure 1200 %·s); budget maxBadCanaryExposure is 300 %·s: " +
                "no single change (an analysis step, a shorter interval, a lower failureLimit, a shorter window, a watchdog) is enough; lower the ladder's weights",
        ],
        // A before setWeight 100 at 60: fails at 60 and 90 -> 10%.
        [
            "no analysis of its own is rejected",
            rows[12][1],
            { maxBadCanaryWeight: 10 },
            "no step runs the app's analysis and analysis.mode is not background, so a broken release is never aborted: " +
                "the ladder promotes it to 100% at 1m; add an analysis step before steps[3] (setWeight 100), or set allowNoAnalysis",
        ],
        ["no analysis of its own, allowed", rows[12][1], { maxBadCanaryWeight: 10, allowNoAnalysis: true }, undefined],
        // podReadySeconds 30: the fixture aborts at 150 (20% x 120 s = 2400). An analysis step after setWeight 10 runs from 30,
        // when its pod is Ready: targetsUp fails at 30 and 90, 20% x 60 s = 1200.
        [
            "start-up: exposure, an analysis step right after the first setWeight",
            parsed,
            { maxBadCanaryWeight: 20, maxBadCanaryExposure: 2000 },
            "a broken release reaches 20% (setWeight 10 on 4 replicas without traffic routing) before the abort at 2m30s (exposure 2400 %·s); " +
                "budget maxBadCanaryExposure is 2000 %·s: add an analysis step after steps[0] (setWeight 10)",
        ],
        ["start-up: within budget", parsed, { maxBadCanaryWeight: 20, maxBadCanaryExposure: 2400 }, undefined],
    ];
    for (const [name, app, budget, message] of cases) it(name, () => assert.equal(budgetViolation(app, budget), message));

    it("insertSteps keeps a background startingStep on the same step", () => {
        const app = ladder(BRIEF, [custom({ count: undefined })], "background", 2);
        assert.equal(insertSteps(app, 1, [A]).analysis.startingStep, 3);
        assert.equal(insertSteps(app, 3, [A]).analysis.startingStep, 2);
    });
});

const seconds = fc.constantFrom(0, 10, 30, 45, 60, 120, 300);
const metricArb: fc.Arbitrary<MetricConfig> = fc
    .record({
        window: fc.constantFrom<string | undefined>(undefined, "30s", "1m", "2m"),
        interval: fc.constantFrom("10s", "15s", "30s", "1m"),
        initialDelay: fc.constantFrom<string | undefined>(undefined, "30s"),
        count: fc.integer({ min: 1, max: 5 }),
        failureLimit: fc.integer({ min: 0, max: 3 }),
        inconclusiveLimit: fc.integer({ min: 0, max: 3 }),
        consecutiveErrorLimit: fc.integer({ min: 0, max: 4 }),
    })
    .map(({ window, ...settings }) => (window ? builtin("errorRate", window, settings) : custom(settings)));

/** Rising ladders: each rung sets a higher weight, then maybe pauses (timed or not) and maybe runs the analysis. */
const rungArb = fc.record({
    rise: fc.integer({ min: 1, max: 40 }),
    pause: fc.option(fc.option(seconds, { nil: undefined }), { nil: null }),
    analysis: fc.boolean(),
});
const appArb = fc
    .record({
        rungs: fc.array(rungArb, { minLength: 1, maxLength: 5 }),
        metrics: fc.array(metricArb, { minLength: 1, maxLength: 3 }),
        mode: fc.constantFrom<AnalysisMode>("inline", "background"),
        start: fc.nat(),
        // Without traffic routing the shares follow the pods: still rising (never falling) with the weights.
        replicas: fc.integer({ min: 1, max: 12 }),
        trafficRouting: fc.boolean(),
        podReadySeconds: fc.constantFrom(0, 10, 30, 90),
    })
    .map(({ rungs, metrics, mode, start, replicas, trafficRouting, podReadySeconds }) => {
        let weight = 0;
        const steps = rungs.flatMap((r): CanaryStep[] => {
            weight = Math.min(100, weight + r.rise);
            return [w(weight), ...(r.pause === null ? [] : [pause(r.pause)]), ...(r.analysis ? [A] : [])];
        });
        const app = ladder(steps, metrics, mode, mode === "background" ? start % steps.length : undefined);
        return { ...app, replicas, stableIngress: trafficRouting ? app.stableIngress : undefined, podReadySeconds };
    });

describe("exposure properties", () => {
    it("the healthy worst case is never shorter than the best case", () => {
        fc.assert(
            fc.property(appArb, (app) => {
                const { healthy: h } = exposureReport(app);
                assert.ok(h.worstSeconds >= h.bestSeconds);
            }),
        );
    });
    it("adding an analysis step once the signal can see the canary never raises weight or exposure (rising ladders)", () => {
        fc.assert(
            fc.property(appArb, fc.nat(), (app, at) => {
                const p = at % (app.steps.length + 1);
                const line = timeline(app, analysisRunSeconds(app.analysis.metrics));
                const visibleAt = Math.max(...app.analysis.metrics.map((m) => firstServedAt(line) + signalDelaySeconds(m)));
                fc.pre(visibleAt <= (line.steps[p]?.start ?? line.end));
                const before = exposureReport(app).broken;
                const after = exposureReport(insertSteps(app, p, [A])).broken;
                // Sums of share x seconds in floating point: 2000.0000000000002 is 2000 (seed 1772819035 failed on that).
                assert.ok(after.exposure <= before.exposure * (1 + 1e-9), `exposure ${after.exposure} > ${before.exposure}`);
                assert.ok(after.maxWeight <= before.maxWeight, `weight ${after.maxWeight} > ${before.maxWeight}`);
            }),
            { numRuns: 500 },
        );
    });
});
