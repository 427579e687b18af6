// Tests model/exposureBudget.ts: what a ladder over the exposure budget is told to change, and inserting steps.
import { strict as assert } from "assert";
import { AppConfig, CanaryStep, MetricConfig } from "../stacks/types";
import { budgetViolation, insertSteps } from "../model/exposureBudget";
import { parsed, base, routed, longFirstPause, w, pause, A, custom, builtin, ladder, BRIEF } from "./exposureFixtures";
import { rows } from "./exposureLadders";

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
