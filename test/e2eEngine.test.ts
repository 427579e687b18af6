// Tests e2e/pulumiStack.ts and e2e/engineScenarios.ts (how the e2e reads the engine).
import { strict as assert } from "assert";
import { changedFields, specOwners } from "../e2e/engineScenarios";
import { engineSummary, plannedObject } from "../e2e/pulumiStack";

describe("e2e: reading the engine's output", () => {
    it("folds the engine's Resources summary into one line", () => {
        const output = [
            "Updating (local):",
            "     Type  Name  Status",
            "",
            "Outputs:",
            "    rollouts: {...}",
            "",
            "Resources:",
            "    + 12 created",
            "    1 unchanged",
            "",
            "Duration: 9s",
            "",
        ].join("\n");
        assert.equal(engineSummary(output), "Resources: + 12 created, 1 unchanged");
        assert.equal(engineSummary("error: no stack"), "");
    });

    it("names the Kubernetes object of a preview step, and nothing for other resources", () => {
        const step = (type: string, inputs: object) => ({ op: "create", newState: { type, inputs } });
        assert.equal(
            plannedObject(step("kubernetes:argoproj.io/v1alpha1:Rollout", { kind: "Rollout", metadata: { name: "demo", namespace: "demo" } })),
            "Rollout demo/demo",
        );
        assert.equal(
            plannedObject(step("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", { kind: "ClusterRole", metadata: { name: "x" } })),
            "ClusterRole x",
        );
        assert.equal(plannedObject(step("pulumi:providers:kubernetes", { kind: "x" })), undefined);
        assert.equal(plannedObject(step("pulumi-nodejs:dynamic:Resource", { namespace: "demo" })), undefined);
        assert.equal(
            plannedObject({
                op: "delete",
                oldState: { type: "kubernetes:core/v1:Service", inputs: { kind: "Service", metadata: { name: "s", namespace: "n" } } },
            }),
            "Service n/s",
        );
    });

    it("lists the spec fields each field manager owns", () => {
        const rollout = {
            metadata: {
                managedFields: [
                    {
                        manager: "pulumi-kubernetes-1",
                        operation: "Apply",
                        fieldsV1: { "f:spec": { ".": {}, "f:replicas": {}, "f:strategy": { ".": {}, "f:canary": { "f:steps": {} } } } },
                    },
                    { manager: "rollouts-controller", operation: "Update", fieldsV1: { "f:metadata": { "f:annotations": {} } } },
                ],
            },
        };
        assert.deepEqual(specOwners(rollout), { "pulumi-kubernetes-1 (Apply)": ["spec.replicas", "spec.strategy.canary.steps"] });
    });

    it("lists the fields that differ, by dotted path", () => {
        const before = { spec: { replicas: 4, template: { spec: { containers: [{ image: "a" }] } } }, metadata: { labels: { app: "demo" } } };
        const after = { spec: { replicas: 0, template: { spec: { containers: [{ image: "a" }] } } }, metadata: { labels: { app: "demo", x: "1" } } };
        assert.deepEqual(changedFields(before, after), ['metadata.labels.x: undefined -> "1"', "spec.replicas: 4 -> 0"]);
        assert.deepEqual(changedFields(before, structuredClone(before)), []);
    });
});
