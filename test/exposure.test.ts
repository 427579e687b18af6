// Tests model/exposure.ts, model/exposureTimeline.ts and model/exposureNeverReady.ts: the report on ladders derived by hand, pods never Ready,
// the watchdog's start, and the one-line summary.
import { strict as assert } from "assert";
import { parseStackConfig } from "../stacks";
import { AppConfig } from "../stacks/types";
import { exposureReport, exposureSummary, formatSeconds } from "../model/exposure";
import { NeverReadyRelease } from "../model/exposureNeverReady";
import { analysisRunSeconds } from "../model/exposureTimeline";
import { existingPlatform, newRelicOnlyApp, noPrometheusPlatform, validApp } from "./fixtures";
import { parsed, base, w, pause, A, other, custom, builtin, ladder, abortsAt, pausesAt, LADDER, BRIEF } from "./exposureFixtures";
import { rows, startupRows, starting } from "./exposureLadders";

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
