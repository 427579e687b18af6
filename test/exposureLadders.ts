// The ladders derived by hand and the exposure reports expected of them (test/exposure.test.ts, test/exposureBudget.test.ts):
// without start-up time (rows, the regression anchor) and with it (startupRows).
import { AppConfig } from "../stacks/types";
import { ExposureReport } from "../model/exposure";
import {
    parsed,
    base,
    routed,
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
export const rows: [string, AppConfig, ExposureReport][] = [
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
export const starting = (app: AppConfig, seconds = 30): AppConfig => ({ ...app, podReadySeconds: seconds });

/**
 * With start-up time (podReadySeconds 30 unless said): a step that adds canary pods ends once they are Ready,
 * and the canary serves at its new share only from then (model/podStartup.ts). Derived by hand.
 */
export const startupRows: [string, AppConfig, ExposureReport][] = [
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
