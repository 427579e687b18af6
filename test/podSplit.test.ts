// Tests e2e/podSplit.ts (the e2e's check of the canary's pods at each setWeight against model/canaryShare.ts).
import { strict as assert } from "assert";
import { observedShares, sharesText, SplitSample, splitSample } from "../e2e/podSplit";
import { readStackFile } from "../scripts/stackFile";
import { parseStackConfig } from "../stacks";

/** The local stack's app, as the e2e runs it: 4 replicas, setWeight 25 at steps[0], 50 at steps[3], 6 steps. */
function localApp() {
    const file = readStackFile("local");
    const json = (key: string) => JSON.parse(file.config[`canary-stack:${key}`]);
    return parseStackConfig({ platform: json("platform"), apps: json("apps") }).apps[0];
}

const at = (t: number, step: number | undefined, canaryReady: number, stableReady: number, over: Partial<SplitSample> = {}): SplitSample => ({
    t,
    step,
    aborted: false,
    canaryHash: "new",
    stableHash: "old",
    canaryReplicas: canaryReady,
    canaryReady,
    stableReady,
    ...over,
});

describe("e2e pod split: the pods at each setWeight against the model", () => {
    const app = localApp();

    it("reads the canary and stable ReplicaSets the Rollout names", () => {
        const rollout = { status: { currentStepIndex: 1, currentPodHash: "new", stableRS: "old" } };
        const sets = [
            { hash: "old", replicas: 3, ready: 3 },
            { hash: "new", replicas: 1, ready: 1 },
            { hash: "older", replicas: 0, ready: 0 },
        ];
        assert.deepEqual(splitSample(2.5, rollout, sets), {
            t: 2.5,
            step: 1,
            aborted: false,
            canaryHash: "new",
            stableHash: "old",
            canaryReplicas: 1,
            canaryReady: 1,
            stableReady: 3,
        });
    });

    it("a healthy ladder: the last sample of each step's settled span, compared with the model", () => {
        const samples = [
            at(0, 0, 0, 4),
            at(1, 0, 1, 4), // scaling: the canary surges before the stable goes down
            at(2, 1, 1, 3),
            at(5, 2, 1, 3), // settled at setWeight 25 through the pause and the analysis
            at(9, 3, 2, 3), // setWeight 50 under way: not counted
            at(10, 4, 2, 2),
            at(14, 5, 2, 2),
            at(20, 6, 4, 0, { stableHash: "new" }), // promoted
        ];
        const checks = observedShares(samples, app);
        assert.deepEqual(
            checks.map((c) => [c.step, c.setWeight, c.observed.canary, c.observed.stable, c.observed.share, c.model.share, c.matches]),
            [
                [0, 25, 1, 3, 25, 25, true],
                [3, 50, 2, 2, 50, 50, true],
            ],
        );
        assert.equal(
            sharesText(checks),
            "steps[0] setWeight 25: 1 canary + 3 stable pods = 25% (model 1 + 3 = 25%); " +
                "steps[3] setWeight 50: 2 canary + 2 stable pods = 50% (model 2 + 2 = 50%)",
        );
    });

    it("fails a step that settled elsewhere, e.g. the stable scaled down too far", () => {
        const checks = observedShares([at(2, 1, 1, 2), at(3, 2, 1, 2)], app);
        assert.equal(checks[0].matches, false);
        assert.equal(sharesText(checks), "steps[0] setWeight 25: 1 canary + 2 stable pods = 33.3% (model 1 + 3 = 25%) MISMATCH");
    });

    it("leaves out steps the ladder never got past, and samples after an abort", () => {
        // Aborted at the first analysis: steps[0] settled, steps[3] never reached; the abort resets the step to 0.
        const aborted = [at(2, 1, 1, 3), at(4, 2, 1, 3), at(5, 0, 0, 4, { aborted: true }), at(6, 0, 0, 4, { aborted: true })];
        assert.deepEqual(
            observedShares(aborted, app).map((c) => c.step),
            [0],
        );
        // Pods never Ready: the ladder stays at steps[0].
        assert.deepEqual(observedShares([at(1, 0, 0, 4), at(20, 0, 0, 4), at(21, 0, 0, 4, { aborted: true })], app), []);
        assert.equal(sharesText([]), "no setWeight step completed");
    });

    it("ignores samples of a Rollout at rest (the canary hash is the stable one)", () => {
        assert.deepEqual(observedShares([at(1, 2, 4, 4, { canaryHash: "old" })], app), []);
    });
});
