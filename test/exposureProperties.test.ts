// Tests model/exposure.ts, model/exposureTimeline.ts and model/exposureBudget.ts by property: on random rising ladders.
import { strict as assert } from "assert";
import fc from "fast-check";
import { AnalysisMode, CanaryStep, MetricConfig } from "../stacks/types";
import { exposureReport } from "../model/exposure";
import { insertSteps } from "../model/exposureBudget";
import { analysisRunSeconds, firstServedAt, signalDelaySeconds, timeline } from "../model/exposureTimeline";
import { w, pause, A, custom, builtin, ladder } from "./exposureFixtures";

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
