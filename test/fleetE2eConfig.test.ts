// Tests e2e/fleet/config.ts: the fleet phase's stacks' config, its merged kubeconfig, and the reading of `kubectl argo rollouts get`.
import { strict as assert } from "assert";
import { parse } from "yaml";
import { fleetConfigText, mergeKubeconfigs, parsePluginGet } from "../e2e/fleet/config";

const clusterUp = (port: number) => `apiVersion: v1
kind: Config
clusters:
- name: canary-e2e
  cluster:
    server: https://127.0.0.1:${port}
    certificate-authority-data: Q0E${port}
users:
- name: canary-e2e-admin
  user:
    client-certificate-data: Q0VSVA${port}
    client-key-data: S0VZ${port}
contexts:
- name: canary-e2e
  context:
    cluster: canary-e2e
    user: canary-e2e-admin
    namespace: default
current-context: canary-e2e
`;

describe("fleet phase settings", () => {
    it("each stack is Pulumi.local.yaml's with its own Prometheus and kubeconfig context", () => {
        const doc = parse(fleetConfigText("fleet-prod", 14180)).config;
        assert.equal(doc["canary-stack:platform"].monitoring.prometheusAddress, "http://127.0.0.1:14180");
        assert.deepEqual(doc["canary-stack:cluster"], { context: "fleet-prod" });
        assert.equal(doc["canary-stack:apps"][0].name, "demo");
    });
    it("one kubeconfig holds a context per cluster, each with its own server and credentials", () => {
        const merged = parse(mergeKubeconfigs({ a: clusterUp(15001), b: clusterUp(15002) }));
        assert.deepEqual(
            merged.contexts.map((c: any) => [c.name, c.context.cluster, c.context.user]),
            [
                ["a", "a", "a-admin"],
                ["b", "b", "b-admin"],
            ],
        );
        assert.deepEqual(
            merged.clusters.map((c: any) => c.cluster.server),
            ["https://127.0.0.1:15001", "https://127.0.0.1:15002"],
        );
        assert.equal(merged.users[1].user["client-key-data"], "S0VZ15002");
        assert.throws(() => mergeKubeconfigs({ a: "clusters: []\nusers: []\n" }), /not one of each/);
    });
    it("reads the plugin's Status, Step, weights and Images lines (v1.8.3 PrintRollout, columns of 17)", () => {
        const text = [
            "Name:            demo",
            "Namespace:       demo",
            "Status:          ॥ Paused",
            "Message:         manually paused",
            "Strategy:        Canary",
            "  Step:          1/6",
            "  SetWeight:     25",
            "  ActualWeight:  20",
            "Images:          registry.local/demo:v1 (stable)",
            "                 registry.local/demo:v2 (canary)",
            "Replicas:",
            "  Desired:       4",
            "",
            "NAME  KIND  STATUS  AGE  INFO",
        ].join("\n");
        assert.deepEqual(parsePluginGet(text), {
            status: "Paused",
            step: "1/6",
            setWeight: "25",
            actualWeight: "20",
            images: ["registry.local/demo:v1 (stable)", "registry.local/demo:v2 (canary)"],
        });
    });
});
