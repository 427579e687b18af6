// Tests e2e/traffic/ingressRoute.ts and e2e/traffic/ingressStandIn.ts (routeOne): the e2e's ingress-nginx stand-in.
import { strict as assert } from "assert";
import { ingressView, RoundRobin, routeRequest, shareWithinSamplingError } from "../e2e/traffic/ingressRoute";
import { routeOne } from "../e2e/traffic/ingressStandIn";

const ingress = (service: string, annotations?: Record<string, string>) =>
    ({
        metadata: { name: "x", annotations },
        spec: {
            rules: [
                { host: "demo.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service, port: { number: 80 } } } }] } },
            ],
        },
    }) as any;
const canary = (weight: string, total?: string) =>
    ingress("demo-canary", {
        "nginx.ingress.kubernetes.io/canary": "true",
        "nginx.ingress.kubernetes.io/canary-weight": weight,
        ...(total ? { "nginx.ingress.kubernetes.io/canary-weight-total": total } : {}),
    });

describe("the Ingress stand-in", () => {
    it("reads the stable Ingress's Service and the canary Ingress's Service, weight and total", () => {
        assert.deepEqual(ingressView(ingress("demo-stable"), canary("10")), {
            stableService: "demo-stable",
            canary: { service: "demo-canary", weight: 10, total: 100 },
        });
        assert.deepEqual(ingressView(ingress("demo-stable"), canary("3", "1000")).canary, { service: "demo-canary", weight: 3, total: 1000 });
        assert.deepEqual(ingressView(ingress("demo-stable"), ingress("other")), { stableService: "demo-stable" }, "not a canary without the annotation");
        assert.deepEqual(ingressView(undefined, undefined), { stableService: undefined });
    });

    it("sends a request to the canary when ingress-nginx's draw in 1..total is at most the weight", () => {
        const view = ingressView(ingress("demo-stable"), canary("10"));
        const draws = Array.from({ length: 100 }, (_, i) => i / 100);
        assert.equal(draws.filter((d) => routeRequest(view, d).side === "canary").length, 10);
        assert.equal(draws.filter((d) => routeRequest(ingressView(ingress("demo-stable"), canary("0")), d).side === "canary").length, 0);
        assert.equal(draws.filter((d) => routeRequest(ingressView(ingress("demo-stable"), canary("100")), d).side === "canary").length, 100);
    });

    it("spreads requests over the chosen Service's ready pods; none ready is unrouted (a 503)", () => {
        const state = {
            view: ingressView(ingress("demo-stable"), canary("50")),
            readyPods: new Map([
                ["demo-stable", ["demo-aaa-1", "demo-aaa-2"]],
                ["demo-canary", []],
            ]),
            hashOfPod: new Map([
                ["demo-aaa-1", "aaa"],
                ["demo-aaa-2", "aaa"],
                ["demo-x", "deployment"],
            ]),
        };
        const robin = new RoundRobin();
        assert.deepEqual(
            [0.9, 0.9].map((d) => routeOne(state, robin, d).pod),
            ["demo-aaa-1", "demo-aaa-2"],
        );
        assert.deepEqual(routeOne(state, robin, 0), { side: "canary", service: "demo-canary", pod: undefined, key: "unrouted" });
        assert.deepEqual(routeOne({ ...state, view: { stableService: "gone" } }, robin, 0).key, "unrouted");
    });

    it("judges a share against the weight with three binomial standard deviations", () => {
        // 600 requests at 10%: sd 1.22 points; 20% (the pods' share without routing) is far outside.
        assert.deepEqual(shareWithinSamplingError(62, 600, 10).within, true);
        assert.equal(shareWithinSamplingError(120, 600, 10).within, false);
        assert.ok(Math.abs(shareWithinSamplingError(62, 600, 10).slack - 3.674) < 0.001);
        assert.equal(shareWithinSamplingError(0, 0, 10).within, false);
    });
});
