// Tests e2e/scenarios.ts (how the e2e reads a canary's outcome from the live Rollout).
import { strict as assert } from "assert";
import { outcomeOf } from "../e2e/scenarios";

describe("e2e canary outcome", () => {
    const none = () => [];
    it("an Inconclusive AnalysisRun's pause condition (InconclusiveAnalysisRun, as the controller writes it) is paused", () => {
        const rollout = { status: { phase: "Paused", pauseConditions: [{ reason: "InconclusiveAnalysisRun", startTime: "2026-12-01T22:00:00Z" }] } };
        assert.equal(outcomeOf(rollout, "old", none), "paused");
    });
    it("a timed pause step is not an outcome", () => {
        const rollout = { status: { phase: "Paused", pauseConditions: [{ reason: "CanaryPauseStep" }], currentPodHash: "new", stableRS: "old" } };
        assert.equal(outcomeOf(rollout, "old", none), undefined);
    });
    it("aborted, and promoted once the new hash is stable and Healthy", () => {
        assert.equal(outcomeOf({ status: { abort: true, phase: "Degraded" } }, "old", none), "aborted");
        assert.equal(outcomeOf({ status: { phase: "Healthy", currentPodHash: "new", stableRS: "new" } }, "old", none), "promoted");
        assert.equal(outcomeOf({ status: { phase: "Healthy", currentPodHash: "old", stableRS: "old" } }, "old", none), undefined);
    });
    it("a previous canary's abort, still in the status until the controller sees the new image, is no outcome", () => {
        const stale = { status: { abort: true, phase: "Degraded", currentPodHash: "aborted1", stableRS: "old" } };
        assert.equal(outcomeOf(stale, "old", none, "aborted1"), undefined);
        assert.equal(outcomeOf({ status: { ...stale.status, currentPodHash: "new" } }, "old", none, "aborted1"), "aborted");
    });
});
