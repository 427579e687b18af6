// Tests model/basicCanaryScaling.ts against the Argo Rollouts controller, and model/podStartup.ts through the timeline it lays out.
import { strict as assert } from "assert";
import { parseStackConfig } from "../stacks";
import { AppConfig, CanaryStep } from "../stacks/types";
import { basicCanaryCounts, BasicCanaryLimits } from "../model/basicCanaryScaling";
import { timeline } from "../model/exposureTimeline";
import { existingPlatform, validApp } from "./fixtures";
import counts from "./argoCanaryCounts.json";

type Counts = [spec: number, available: number];

/**
 * The cases of `TestCalculateReplicaCountsForCanary` (utils/replicaset/canary_test.go, Argo Rollouts v1.8.3)
 * without traffic routing, older ReplicaSets or minPodsPerReplicaSet, with its fenceposts resolved as
 * `resolveFenceposts` does and its weight as `GetCanaryReplicasOrWeight` reads it (an abort is 0, a full
 * promotion 100; setCanaryScale is ignored without traffic routing). Each row: name, replicas, maxSurge,
 * maxUnavailable, weight, canary [spec, available], stable [spec, available], expected [canary, stable].
 */
const UPSTREAM: [string, number, number, number, number, Counts, Counts, [number, number]][] = [
    ["Do not add extra RSs in scaleDownCount when .Spec.Replica < AvailableReplicas", 10, 3, 0, 100, [6, 3], [7, 8], [6, 7]],
    ["Use max surge int to scale up canary", 10, 2, 0, 20, [0, 0], [10, 10], [2, 10]],
    ["Use max surge percentage to scale up canary", 10, 2, 0, 20, [0, 0], [10, 10], [2, 10]],
    ["Scale down extra stable replicas", 10, 2, 0, 20, [2, 2], [10, 10], [2, 8]],
    ["Do not go past max surge", 10, 2, 0, 30, [0, 0], [10, 10], [2, 10]],
    ["Use max unavailable int to scale down stableRS", 10, 0, 2, 20, [0, 0], [10, 10], [0, 8]],
    ["Use max surge percentage to scale down stableRS", 10, 0, 2, 20, [0, 0], [10, 10], [0, 8]],
    ["Do not go past max unavailable", 10, 0, 2, 30, [0, 0], [10, 10], [0, 8]],
    ["Use Max Surge and Max Unavailable", 10, 2, 1, 50, [0, 0], [10, 10], [2, 9]],
    ["Scale canaryRS to zero on setWeight of 0%", 10, 1, 1, 0, [1, 1], [10, 10], [0, 10]],
    ["Scale stable to zero on setWeight of 100%", 10, 1, 1, 100, [10, 10], [1, 1], [10, 0]],
    ["Do not scale canaryRS down to zero on non-zero weight", 1, 1, 0, 20, [0, 0], [1, 1], [1, 1]],
    ["Do not scale canaryRS down to zero on non-100 weight", 1, 1, 0, 90, [0, 0], [1, 1], [1, 1]],
    ["Scale canaryRS to zero on <50 weight without surge", 1, 0, 1, 49, [0, 0], [1, 1], [0, 1]],
    ["Scale stableRS down to zero on >=50 weight without surge", 1, 0, 1, 51, [0, 0], [1, 1], [0, 0]],
    ["Scale canaryRS to one on >=50 weight without surge and stable replicas", 1, 0, 1, 51, [0, 0], [0, 0], [1, 0]],
    ["Scale down canaryRS and stable", 10, 0, 3, 30, [4, 4], [8, 5], [3, 7]],
    ["Scale down stable and canary available", 10, 1, 0, 100, [10, 8], [10, 2], [9, 2]],
    ["Do not round past maxSurge with uneven setWeight divisor", 10, 0, 1, 5, [0, 0], [10, 10], [0, 9]],
    ["Do not round past maxSurge with uneven setWeight divisor (part 2)", 10, 0, 1, 5, [0, 0], [9, 9], [1, 9]],
    ["Use maxUnavailable of 1 when percentage of maxUnavailable and maxSurge result in 0 replicas", 10, 0, 1, 10, [0, 0], [10, 10], [0, 9]],
    ["Ignore setCanaryScale when trafficRouting is missing and use setWeight for replicas", 10, 2, 0, 20, [0, 0], [10, 10], [2, 10]],
    ["honor maxSurge during scale up when stableRS unavailable", 4, 1, 0, 100, [0, 0], [4, 1], [1, 4]],
    ["scale down to maxunavailable without exceeding maxSurge", 3, 0, 2, 99, [0, 0], [3, 3], [0, 1]],
    ["scale down to maxunavailable without exceeding maxSurge (part 2)", 3, 0, 2, 99, [0, 0], [1, 1], [2, 1]],
    ["honor maxUnavailable during scale down stableRS unavailable", 4, 1, 0, 100, [1, 1], [4, 1], [1, 3]],
    ["honor maxUnavailable when aborting or reducing weight part 1", 4, 1, 0, 0, [4, 4], [0, 0], [4, 1]],
    ["honor maxUnavailable when aborting or reducing weight part 2", 4, 1, 0, 0, [4, 4], [1, 0], [4, 1]],
    ["honor maxUnavailable when aborting or reducing weight part 3", 4, 1, 0, 0, [4, 4], [1, 1], [3, 1]],
    ["promote full does not consider weight", 4, 4, 4, 100, [0, 0], [4, 4], [4, 0]],
    ["promote full still honors maxSurge/maxUnavailable", 4, 3, 0, 100, [0, 0], [4, 4], [3, 4]],
];

describe("basic canary scaling: the port against the controller", () => {
    for (const [name, replicas, maxSurge, maxUnavailable, weight, [cs, ca], [ss, sa], [canary, stable]] of UPSTREAM) {
        it(`upstream case: ${name}`, () => {
            const next = basicCanaryCounts({ replicas, maxSurge, maxUnavailable }, weight, { spec: cs, available: ca }, { spec: ss, available: sa });
            assert.deepEqual(next, { canary, stable });
        });
    }

    it("reconciled with every pod available at once, settles where the controller does, through as many pods at most (test/argoCanaryCounts.json)", () => {
        // scripts/argo-canary-counts/main.go: from all-stable and from weight 50's counts, calling both counts at once until they stop changing.
        const settle = (limits: BasicCanaryLimits, weight: number, canary: number, stable: number): [number, number, number] => {
            let peak = canary + stable;
            for (;;) {
                const next = basicCanaryCounts(limits, weight, { spec: canary, available: canary }, { spec: stable, available: stable });
                peak = Math.max(peak, next.canary + next.stable);
                if (next.canary === canary && next.stable === stable) return [canary, stable, peak];
                ({ canary, stable } = next);
            }
        };
        const mismatches: string[] = [];
        for (const row of counts.basic) {
            const limits = { replicas: row.replicas, maxSurge: row.resolvedSurge, maxUnavailable: row.resolvedUnavailable };
            const [halfCanary, halfStable] = settle(limits, 50, 0, row.replicas);
            let peak = 0;
            for (let weight = 0; weight <= 100; weight++) {
                const [canary, stable, fresh] = settle(limits, weight, 0, row.replicas);
                const [canary2, stable2, fromHalf] = settle(limits, weight, halfCanary, halfStable);
                peak = Math.max(peak, fresh, fromHalf);
                if (canary !== row.canary[weight] || stable !== row.stable[weight] || canary2 !== canary || stable2 !== stable) {
                    mismatches.push(
                        `replicas ${row.replicas} surge ${row.resolvedSurge} unavailable ${row.resolvedUnavailable} weight ${weight}: ` +
                            `${canary}/${stable} (from 50: ${canary2}/${stable2}), Argo ${row.canary[weight]}/${row.stable[weight]}`,
                    );
                }
            }
            if (peak !== row.peakPods) mismatches.push(`replicas ${row.replicas} surge ${row.resolvedSurge}: peak ${peak}, Argo ${row.peakPods}`);
        }
        assert.deepEqual(mismatches, []);
    });
});

const parsed = parseStackConfig({ platform: existingPlatform(), apps: [validApp()] }).apps[0];
const w = (setWeight: number): CanaryStep => ({ setWeight });
const pause = (seconds: number): CanaryStep => ({ pause: { duration: `${seconds}s` } });

/** The fixture's 4 replicas without traffic routing (maxSurge 25%: 1 pod), the ladder given, pods Ready after `podReadySeconds`. */
function app(steps: CanaryStep[], podReadySeconds = 30, change: Partial<AppConfig> = {}): AppConfig {
    return { ...parsed, steps, podReadySeconds, ...change };
}

/** [start, end] of each step, and the canary's share from each moment on (spans of no length left out). */
function laidOut(a: AppConfig): { steps: [number, number][]; traffic: [number, number][]; end: number } {
    const line = timeline(a, 0);
    return {
        steps: line.steps.map((s) => [s.start, s.end]),
        traffic: line.traffic.filter((s) => s.end > s.start).map((s) => [s.start, Math.round(s.share * 10) / 10]),
        end: line.end,
    };
}

describe("pod start-up: the ladder in time (podStartup.ts)", () => {
    const cases: [string, AppConfig, ReturnType<typeof laidOut>][] = [
        // setWeight 10: 1 canary pod beside the 4 stable ones (the surge), Ready at 30: 1 of 5, 20%. setWeight 50: the stable goes
        // to 3 at once (1 of 4 Ready: 25%) and a 2nd canary pod starts; Ready at 120, the stable goes to 2: 50%. Past the steps a
        // 3rd canary pod starts (still 2 of 4), at 210 the stable goes to 1 (75%) and a 4th starts, at 240 all 4: promoted.
        [
            "4 replicas without routing: 1, 1 and 2 rounds of start-up",
            app([w(10), pause(60), w(50), pause(60)]),
            {
                steps: [
                    [0, 30],
                    [30, 90],
                    [90, 120],
                    [120, 180],
                ],
                traffic: [
                    [0, 0],
                    [30, 20],
                    [90, 25],
                    [120, 50],
                    [180, 50],
                    [210, 75],
                    [240, 100],
                ],
                end: 240,
            },
        ],
        // setWeight 20 runs 1 canary pod beside 4 stable ones, as setWeight 10 does: no pod to wait for.
        // Past the steps, 1 canary pod to 4 takes 3 rounds: 25% (the stable down to 3), 50%, 75%.
        [
            "a setWeight that adds no pod takes no time",
            app([w(10), pause(60), w(20), pause(60)]),
            {
                steps: [
                    [0, 30],
                    [30, 90],
                    [90, 90],
                    [90, 150],
                ],
                traffic: [
                    [0, 0],
                    [30, 20],
                    [150, 25],
                    [180, 50],
                    [210, 75],
                    [240, 100],
                ],
                end: 240,
            },
        ],
        // setWeight 50 from no canary pod: one pod within the surge (Ready at 30: the stable goes to 3, 25%), then a second (60: 50%).
        // Then down to 1 canary pod beside 4 stable ones: a 3rd stable pod starts, and the step completes at once (the stable need
        // only be created); the canary keeps its 2 pods until that pod is Ready (150), then 1 of 4 (25%) while the 4th starts, 20%
        // from 180. Past the steps, 3 rounds to 4 canary pods.
        [
            "a lower setWeight completes at once, and the canary serves on until stable pods replace it",
            app([w(50), pause(60), w(10), pause(120)]),
            {
                steps: [
                    [0, 60],
                    [60, 120],
                    [120, 120],
                    [120, 240],
                ],
                traffic: [
                    [0, 0],
                    [30, 25],
                    [60, 50],
                    [120, 50],
                    [150, 25],
                    [180, 20],
                    [240, 25],
                    [270, 50],
                    [300, 75],
                    [330, 100],
                ],
                end: 330,
            },
        ],
        // With nginx routing the canary gets ceil(weight x 4 / 100) pods at once and the stable keeps 4; the router holds the
        // previous weight until they are Ready: 0, then 10 from 30, 50 from 120 (2 pods), and past the steps 4 pods at 180 (100%).
        [
            "with traffic routing: the previous weight until the new pods are Ready",
            app([w(10), pause(60), w(50), pause(60)], 30, { stableIngress: "demo" }),
            {
                steps: [
                    [0, 30],
                    [30, 90],
                    [90, 120],
                    [120, 180],
                ],
                traffic: [
                    [0, 0],
                    [30, 10],
                    [90, 10],
                    [120, 50],
                    [180, 50],
                    [210, 100],
                ],
                end: 210,
            },
        ],
        // podReadySeconds 0: every step settles the moment it begins, as the model had it before.
        [
            "podReadySeconds 0: no start-up",
            app([w(10), pause(60), w(50), pause(60)], 0),
            {
                steps: [
                    [0, 0],
                    [0, 60],
                    [60, 60],
                    [60, 120],
                ],
                traffic: [
                    [0, 20],
                    [60, 50],
                    [120, 100],
                ],
                end: 120,
            },
        ],
    ];
    for (const [name, a, expected] of cases) it(name, () => assert.deepEqual(laidOut(a), expected));
});
