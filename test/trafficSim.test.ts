// Tests e2e/traffic/ (the traffic simulator's model).
import { strict as assert } from "assert";
import { VersionMetrics } from "../e2e/traffic/metrics";
import { Accumulator, HEALTHY, readyEndpointsByHash, splitRequests } from "../e2e/traffic/split";

describe("traffic simulator model", () => {
    const stable = { hash: "aaa", image: "demo:1", readyEndpoints: 3 };
    const canary = { hash: "bbb", image: "demo:2", readyEndpoints: 1 };

    it("counts only ready endpoints, by the pod-template hash of the pod behind each", () => {
        const hashOfPod = new Map([
            ["demo-aaa-1", "aaa"],
            ["demo-aaa-2", "aaa"],
            ["demo-bbb-1", "bbb"],
        ]);
        const endpoints = [
            { pod: "demo-aaa-1", ready: true },
            { pod: "demo-aaa-2", ready: true },
            // A canary pod that is Running but not Ready: the Service lists it, not ready; it gets nothing.
            { pod: "demo-bbb-1", ready: false },
            { pod: "other-1", ready: true },
            { ready: true },
        ];
        assert.deepEqual([...readyEndpointsByHash(endpoints, hashOfPod)], [["aaa", 2]]);
    });
    it("splits requests by share of ready endpoints, as a Service does without a traffic router", () => {
        assert.deepEqual(
            [...splitRequests([stable, canary], 100, () => HEALTHY)],
            [
                ["aaa", 75],
                ["bbb", 25],
            ],
        );
    });
    it("sends nothing to a version with no ready endpoints or one marked noTraffic", () => {
        assert.deepEqual([...splitRequests([stable, { ...canary, readyEndpoints: 0 }], 10, () => HEALTHY)], [["aaa", 10]]);
        const behaviour = (image: string) => (image === "demo:2" ? { ...HEALTHY, noTraffic: true } : HEALTHY);
        assert.deepEqual([...splitRequests([stable, canary], 10, behaviour)], [["aaa", 10]]);
    });
    it("turns fractions into whole requests and errors exactly, carrying remainders", () => {
        const acc = new Accumulator();
        let requests = 0;
        let errors = 0;
        for (let i = 0; i < 40; i++) {
            const taken = acc.take("bbb", 2.5, 0.05);
            requests += taken.requests;
            errors += taken.errors;
        }
        assert.deepEqual({ requests, errors }, { requests: 100, errors: 5 });
    });
    it("exports requests by code and a duration histogram like a real app", async () => {
        const m = new VersionMetrics();
        m.record(20, 3, 0.12);
        const text = await m.registry.metrics();
        assert.match(text, /http_requests_total\{code="200"\} 17/);
        assert.match(text, /http_requests_total\{code="500"\} 3/);
        assert.match(text, /http_request_duration_seconds_bucket\{le="0.15"\} 20/);
        assert.match(text, /http_request_duration_seconds_bucket\{le="0.1"\} 0/);
    });
});
