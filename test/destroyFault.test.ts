// Tests the fault e2e/destroyScenarios.ts injects during a destroy: the Deployment scaled to 0 only once the
// restore's patch is seen and its pods are not yet available, and only after the given delay.
import { strict as assert } from "assert";
import { DestroyTimeline, injectScaleDown } from "../e2e/destroyScenarios";
import { DEMO } from "../e2e/demoApp";

const deployment = (replicas: number, available: number) => ({ spec: { replicas }, status: { availableReplicas: available } }) as any;

describe("e2e: the scale-down fault during the restore's wait", () => {
    const fault = { afterSeconds: 5 };

    it("waits for the restore's patch (the planned replicas, not yet available), then the delay, then scales once", async () => {
        const timeline: DestroyTimeline = { probes: [] };
        const scaled: number[] = [];
        const steps: [number, any][] = [
            [0, deployment(0, 0)],
            [1, deployment(DEMO.replicas, 0)],
            [3, deployment(DEMO.replicas, 1)],
            [6.5, deployment(DEMO.replicas, 2)],
            [7, deployment(0, 0)],
        ];
        for (const [t, d] of steps) {
            if (timeline.scaledDownAt === undefined) await injectScaleDown(async () => scaled.push(t), d, t, timeline, fault);
        }
        assert.deepEqual([timeline.patchedAt, timeline.scaledDownAt, scaled], [1, 6.5, [6.5]]);
    });

    it("never scales a Deployment already available at its replicas (nothing to race), nor one that is missing", async () => {
        const timeline: DestroyTimeline = { probes: [] };
        const scaled: number[] = [];
        for (const [t, d] of [
            [0, undefined],
            [1, deployment(DEMO.replicas, DEMO.replicas)],
            [20, deployment(DEMO.replicas, DEMO.replicas)],
        ] as [number, any][]) {
            await injectScaleDown(async () => scaled.push(t), d, t, timeline, fault);
        }
        assert.deepEqual([timeline.patchedAt, timeline.scaledDownAt, scaled], [undefined, undefined, []]);
    });
});
