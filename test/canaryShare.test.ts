// Tests model/canaryShare.ts against the Argo Rollouts controller's own functions, and model/ladderShares.ts.
import { strict as assert } from "assert";
import fc from "fast-check";
import { parseStackConfig } from "../stacks";
import { AppConfig } from "../stacks/types";
import { canaryShare, canarySplit, DEFAULT_MAX_SURGE, Fencepost, maxSurgePods, RolloutScaling } from "../model/canaryShare";
import { canaryPodsAt, ladderShares, unrealizedWeightsWarning } from "../model/ladderShares";
import { existingPlatform, validApp } from "./fixtures";
import counts from "./argoCanaryCounts.json";

interface BasicRow {
    replicas: number;
    maxSurge: Fencepost | null;
    maxUnavailable: Fencepost | null;
    resolvedSurge: number;
    resolvedUnavailable: number;
    peakPods: number;
    canary: number[];
    stable: number[];
}

const basic = counts.basic as BasicRow[];
const WEIGHTS = Array.from({ length: 101 }, (_, w) => w);
const unrouted = (replicas: number, maxSurge?: Fencepost): RolloutScaling => ({ replicas, maxSurge, trafficRouting: false });

describe("canary share: the port against the controller (test/argoCanaryCounts.json, scripts/argo-canary-counts)", () => {
    it("the fixture covers every (replicas, weight, fenceposts) of its grid", () => {
        assert.equal(counts.module, "github.com/argoproj/argo-rollouts v1.8.3");
        assert.equal(counts.triples, (counts.basic.length + counts.routed.length) * WEIGHTS.length);
        assert.ok(counts.triples > 25000, `${counts.triples} triples`);
    });

    it('resolves maxSurge as replicaset.MaxSurge does (default "25" read as 25%, rounded up)', () => {
        for (const row of basic) {
            assert.equal(maxSurgePods(row.replicas, row.maxSurge ?? undefined), row.resolvedSurge, `replicas ${row.replicas}, maxSurge ${row.maxSurge}`);
        }
    });

    it("settles at the pod counts the controller reconciles to, for every weight, without traffic routing", () => {
        const mismatches: string[] = [];
        for (const row of basic) {
            for (const w of WEIGHTS) {
                const { canary, stable } = canarySplit(unrouted(row.replicas, row.maxSurge ?? undefined), w);
                if (canary !== row.canary[w] || stable !== row.stable[w]) {
                    mismatches.push(
                        `replicas ${row.replicas} maxSurge ${row.maxSurge} weight ${w}: ${canary}/${stable}, Argo ${row.canary[w]}/${row.stable[w]}`,
                    );
                }
            }
        }
        assert.deepEqual(mismatches, []);
    });

    it("maxUnavailable never changes where a step settles (it only paces the reconciles)", () => {
        const bySurge = new Map<string, BasicRow>();
        for (const row of basic) {
            const key = `${row.replicas}/${row.resolvedSurge}`;
            const seen = bySurge.get(key);
            if (seen) assert.deepEqual([row.canary, row.stable], [seen.canary, seen.stable], `${key} with maxUnavailable ${row.maxUnavailable}`);
            else bySurge.set(key, row);
        }
    });

    it("never runs more pods than replicas + maxSurge on the way, as the controller's reconciles show", () => {
        for (const row of basic) assert.ok(row.peakPods <= row.replicas + row.resolvedSurge, `replicas ${row.replicas}, maxSurge ${row.maxSurge}`);
    });

    it("with traffic routing: the canary's pods as CalculateReplicaCountsForTrafficRoutedCanary sizes them, the weight as written", () => {
        for (const row of counts.routed) {
            for (const w of WEIGHTS) {
                const split = canarySplit({ replicas: row.replicas, trafficRouting: true }, w);
                assert.deepEqual([split.canary, split.stable, split.share], [row.canary[w], row.stable[w], w], `replicas ${row.replicas} weight ${w}`);
            }
        }
    });

    it("prod's instant-api: 4 replicas at setWeight 10 run 1 canary pod beside 4 stable ones, 20%", () => {
        assert.deepEqual(canarySplit(unrouted(4), 10), { canary: 1, stable: 4, share: 20 });
        assert.deepEqual(canarySplit(unrouted(4), 50), { canary: 2, stable: 2, share: 50 });
        assert.equal(canaryShare({ replicas: 4, trafficRouting: true }, 10), 10);
    });
});

const replicasArb = fc.integer({ min: 1, max: 300 });
const weightArb = fc.integer({ min: 0, max: 100 });
/** maxSurge as a Rollout may write it; the stack's Rollout writes none (Argo's "25"). */
const surgeArb: fc.Arbitrary<Fencepost | undefined> = fc.oneof(
    fc.constant(undefined),
    fc.integer({ min: 0, max: 10 }),
    fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`),
);
/** A maxSurge that resolves above 0, which every Rollout of the stack has. */
const surgingArb = (replicas: number) => surgeArb.filter((surge) => maxSurgePods(replicas, surge) > 0);

describe("canary share: properties", () => {
    it("settles at replicas pods, or one more when maxSurge allows it, never past replicas + maxSurge", () => {
        fc.assert(
            fc.property(replicasArb, weightArb, surgeArb, (replicas, w, surge) => {
                const { canary, stable } = canarySplit(unrouted(replicas, surge), w);
                const surgePods = maxSurgePods(replicas, surge);
                assert.ok(canary >= 0 && stable >= 0);
                assert.ok(canary + stable === replicas || (surgePods > 0 && canary + stable === replicas + 1), `${canary}+${stable}`);
                assert.ok(canary + stable <= replicas + surgePods);
            }),
            { numRuns: 2000 },
        );
    });

    it("weight 0 runs no canary pod, weight 100 no stable one", () => {
        fc.assert(
            fc.property(replicasArb, surgeArb, (replicas, surge) => {
                assert.deepEqual(canarySplit(unrouted(replicas, surge), 0), { canary: 0, stable: replicas, share: 0 });
                assert.deepEqual(canarySplit(unrouted(replicas, surge), 100), { canary: replicas, stable: 0, share: 100 });
            }),
        );
    });

    it("with a maxSurge above 0, a weight from 1 to 99 keeps a pod on each side", () => {
        fc.assert(
            fc.property(
                replicasArb.chain((r) => fc.tuple(fc.constant(r), fc.integer({ min: 1, max: 99 }), surgingArb(r))),
                ([replicas, w, surge]) => {
                    const { canary, stable } = canarySplit(unrouted(replicas, surge), w);
                    assert.ok(canary >= 1 && stable >= 1, `${canary}/${stable}`);
                },
            ),
            { numRuns: 2000 },
        );
    });

    it("with a maxSurge above 0, the share never falls as the weight rises", () => {
        fc.assert(
            fc.property(
                replicasArb.chain((r) => fc.tuple(fc.constant(r), weightArb, weightArb, surgingArb(r))),
                ([replicas, a, b, surge]) => {
                    const [low, high] = a <= b ? [a, b] : [b, a];
                    assert.ok(canaryShare(unrouted(replicas, surge), low) <= canaryShare(unrouted(replicas, surge), high));
                },
            ),
            { numRuns: 3000 },
        );
    });

    it('with maxSurge 0 it can fall: at a half-pod tie next to all pods the controller runs no canary (its "should not get here")', () => {
        // 2 replicas at 75: 1.5 pods, a tie; the ceiling (2) would leave no stable pod and the floor is not tried on a tie.
        assert.deepEqual(canarySplit(unrouted(2, 0), 74), { canary: 1, stable: 1, share: 50 });
        assert.deepEqual(canarySplit(unrouted(2, 0), 75), { canary: 0, stable: 2, share: 0 });
        const row = basic.find((r) => r.replicas === 2 && r.maxSurge === 0)!;
        assert.deepEqual([row.canary[75], row.stable[75]], [0, 2], "the controller does the same");
    });

    it("a weight that is a whole number of the replicas' pods runs as written", () => {
        fc.assert(
            fc.property(replicasArb, weightArb, surgeArb, (replicas, w, surge) => {
                fc.pre((replicas * w) % 100 === 0);
                assert.equal(canaryShare(unrouted(replicas, surge), w), w);
            }),
        );
    });

    it("with a maxSurge above 0, the share is within one pod of replicas from the weight", () => {
        fc.assert(
            fc.property(
                replicasArb.chain((r) => fc.tuple(fc.constant(r), weightArb, surgingArb(r))),
                ([replicas, w, surge]) => {
                    assert.ok(Math.abs(canaryShare(unrouted(replicas, surge), w) - w) <= 100 / replicas + 1e-9);
                },
            ),
            { numRuns: 2000 },
        );
    });

    it('the default maxSurge is the string "25", read as 25% of the replicas rounded up', () => {
        assert.equal(DEFAULT_MAX_SURGE, "25");
        fc.assert(fc.property(replicasArb, (replicas) => assert.equal(maxSurgePods(replicas), Math.ceil(replicas / 4))));
    });

    it("the controller's reconciled counts agree: every row with a maxSurge above 0 is monotone", () => {
        for (const row of basic.filter((r) => r.resolvedSurge > 0)) {
            const shares = WEIGHTS.map((w) => row.canary[w] / (row.canary[w] + row.stable[w]));
            assert.ok(
                shares.every((share, w) => w === 0 || share >= shares[w - 1]),
                `replicas ${row.replicas}, maxSurge ${row.maxSurge}`,
            );
        }
    });
});

function app(change: (a: any) => void): AppConfig {
    const raw = validApp();
    raw.maxBadCanaryWeight = 100;
    change(raw);
    return parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0];
}

describe("canary pods at each step (canaryPodsAt)", () => {
    it("follows the last setWeight, as GetCurrentSetWeight does: 0 before the first, the split's canary pods after", () => {
        const ladder = app((a) => {
            a.steps = [{ pause: { duration: "1m" } }, { setWeight: 10 }, { analysis: {} }, { setWeight: 50 }, { analysis: {} }];
        });
        assert.deepEqual(
            ladder.steps.map((_, i) => canaryPodsAt(ladder, i)),
            [0, 1, 1, 2, 2],
        );
    });
    it("with traffic routing, a setCanaryScale's replicas or weight until a matchTrafficWeight", () => {
        const ladder = app((a) => {
            a.stableIngress = "demo";
            a.steps = [
                { setCanaryScale: { replicas: 3 } },
                { setWeight: 10 },
                { setCanaryScale: { weight: 60 } },
                { analysis: {} },
                { setCanaryScale: { matchTrafficWeight: true } },
                { setWeight: 50 },
            ];
        });
        // weight 60 of 4 replicas: ceil(2.4) = 3; matchTrafficWeight: setWeight 10 -> ceil(0.4) = 1, then 50 -> 2.
        assert.deepEqual(
            ladder.steps.map((_, i) => canaryPodsAt(ladder, i)),
            [3, 3, 3, 3, 1, 2],
        );
    });
    it("without traffic routing, setCanaryScale is ignored (UseSetCanaryScale)", () => {
        const ladder = app((a) => {
            a.steps = [{ setCanaryScale: { replicas: 3 } }, { setWeight: 10 }, { analysis: {} }];
        });
        assert.deepEqual(
            ladder.steps.map((_, i) => canaryPodsAt(ladder, i)),
            [0, 1, 1],
        );
    });
});

describe("ladder shares and the preview warning", () => {
    it("lists each setWeight step with its pods and share", () => {
        assert.deepEqual(ladderShares(app(() => undefined)), [
            { step: 0, setWeight: 10, canary: 1, stable: 4, share: 20 },
            { step: 3, setWeight: 50, canary: 2, stable: 2, share: 50 },
        ]);
    });

    const warnings: [string, (a: any) => void, string | undefined][] = [
        [
            "4 replicas: setWeight 10 is 1 pod of 5",
            () => undefined,
            "demo: without traffic routing the canary's share of traffic is its share of the pods, and 4 replicas cannot run every weight " +
                "of the ladder: steps[0] setWeight 10 runs at 20% (1 canary pod beside 4 stable pods, as every setWeight from 1 to 22 does). " +
                "The exposure figures and the budget use these shares; set stableIngress to split traffic by weight, " +
                "or use weights that 4 replicas run as written (20, 25, 40, 50, 60, 75, 80)",
        ],
        // maxSurge 25% of 2 is 1 pod: weights up to 41 settle at 1 canary pod beside 2 stable ones.
        [
            "2 replicas: every weight from 1 to 41 runs at a third",
            (a) => {
                a.replicas = 2;
                a.steps[3] = { setWeight: 40 };
            },
            "demo: without traffic routing the canary's share of traffic is its share of the pods, and 2 replicas cannot run every weight " +
                "of the ladder: steps[0] setWeight 10 runs at 33.3% (1 canary pod beside 2 stable pods, as every setWeight from 1 to 41 does); " +
                "steps[3] setWeight 40 runs at 33.3% (1 canary pod beside 2 stable pods, as every setWeight from 1 to 41 does). " +
                "The exposure figures and the budget use these shares; set stableIngress to split traffic by weight, " +
                "or use weights that 2 replicas run as written (50)",
        ],
        [
            "10 replicas run 10 and 50 as written",
            (a) => {
                a.replicas = 10;
            },
            undefined,
        ],
        // 1 replica and a surge pod: every weight from 1 to 99 is 1 pod of 2.
        [
            "1 replica",
            (a) => {
                a.replicas = 1;
                a.steps.splice(3, 3);
            },
            "demo: without traffic routing the canary's share of traffic is its share of the pods, and 1 replica cannot run every weight " +
                "of the ladder: steps[0] setWeight 10 runs at 50% (1 canary pod beside 1 stable pod, as every setWeight from 1 to 99 does). " +
                "The exposure figures and the budget use these shares; set stableIngress to split traffic by weight, " +
                "or use weights that 1 replica runs as written (50)",
        ],
        [
            "traffic routing runs the weight as written",
            (a) => {
                a.stableIngress = "demo";
            },
            undefined,
        ],
        [
            "the same weight twice is named once",
            (a) => {
                a.replicas = 3;
                a.steps = [{ setWeight: 10 }, { analysis: {} }, { setWeight: 10 }, { analysis: {} }];
            },
            "demo: without traffic routing the canary's share of traffic is its share of the pods, and 3 replicas cannot run every weight " +
                "of the ladder: steps[0], steps[2] setWeight 10 runs at 25% (1 canary pod beside 3 stable pods, as every setWeight from 1 to 29 does). " +
                "The exposure figures and the budget use these shares; set stableIngress to split traffic by weight, " +
                "or use weights that 3 replicas run as written (25, 50, 75)",
        ],
    ];
    for (const [name, change, expected] of warnings) it(name, () => assert.equal(unrealizedWeightsWarning(app(change)), expected));

    it("leaves out the list of exact weights when there are too many to read", () => {
        // 20 replicas run every multiple of 5 as written, and more.
        const warning = unrealizedWeightsWarning(
            app((a) => {
                a.replicas = 20;
                a.steps[0] = { setWeight: 12 };
            }),
        );
        assert.ok(warning?.endsWith("set stableIngress to split traffic by weight"), warning);
        assert.ok(warning?.includes(": steps[0] setWeight 12 runs at 10% (2 canary pods beside 18 stable pods, as every setWeight from "), warning);
    });
});
