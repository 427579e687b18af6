// Tests e2e/platform/labelSelector.ts (label selectors as the API machinery and the Prometheus operator evaluate them).
import { strict as assert } from "assert";
import { matchNamespaceSelector, matchSelector } from "../e2e/platform/labelSelector";

describe("label selectors", () => {
    const labels = { release: "kube-prometheus-stack", app: "demo" };
    const cases: [string, Parameters<typeof matchSelector>[0], boolean, string][] = [
        ["nil selects nothing", undefined, false, "no selector (selects nothing)"],
        ["null selects nothing", null, false, "no selector (selects nothing)"],
        ["empty selects everything", {}, true, "{} (everything)"],
        ["matchLabels hit", { matchLabels: { release: "kube-prometheus-stack" } }, true, "release=kube-prometheus-stack"],
        ["matchLabels miss", { matchLabels: { release: "other" } }, false, "not release=other"],
        ["In", { matchExpressions: [{ key: "app", operator: "In", values: ["demo", "x"] }] }, true, "app in (demo,x)"],
        ["NotIn with the label absent", { matchExpressions: [{ key: "team", operator: "NotIn", values: ["a"] }] }, true, "team notin (a)"],
        ["NotIn miss", { matchExpressions: [{ key: "app", operator: "NotIn", values: ["demo"] }] }, false, "not app notin (demo)"],
        ["Exists", { matchExpressions: [{ key: "release", operator: "Exists" }] }, true, "release"],
        ["DoesNotExist miss", { matchExpressions: [{ key: "release", operator: "DoesNotExist" }] }, false, "not !release"],
        [
            "all of them must hold",
            { matchLabels: { app: "demo" }, matchExpressions: [{ key: "release", operator: "In", values: ["kube-prometheus-stack"] }] },
            true,
            "app=demo, release in (kube-prometheus-stack)",
        ],
    ];
    for (const [name, selector, matches, because] of cases) {
        it(name, () => assert.deepEqual(matchSelector(selector, labels), { matches, because }));
    }

    it("a nil namespace selector of a Prometheus resource is its own namespace only", () => {
        assert.deepEqual(matchNamespaceSelector(undefined, "monitoring", {}, "monitoring"), {
            matches: true,
            because: "no selector: only monitoring, the Prometheus resource's own",
        });
        assert.equal(matchNamespaceSelector(undefined, "demo", {}, "monitoring").matches, false);
        assert.deepEqual(matchNamespaceSelector({}, "demo", { "kubernetes.io/metadata.name": "demo" }, "monitoring"), {
            matches: true,
            because: "{} (everything)",
        });
    });
});
