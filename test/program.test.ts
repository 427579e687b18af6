// Tests index.ts and components/canaryStack.ts (the whole program), under the mock engine.
import { strict as assert } from "assert";
import * as path from "path";
import { readStackFile } from "../scripts/stackFile";
import { installMocks, kubernetesObjects, registered, resetRegistered, setConfig, settle } from "./harness";
import { existingPlatform, validApp } from "./fixtures";
import { validateObject } from "./schema";

const indexPath = path.join(__dirname, "..", "index.ts");

/** Runs index.ts afresh, as `pulumi preview` would, and returns its stack outputs. */
function runProgram(): any {
    delete require.cache[require.resolve(indexPath)];
    return require(indexPath);
}

describe("the whole program under the mock engine", () => {
    before(() => installMocks());
    beforeEach(resetRegistered);

    it("registers the prod stack's objects, every one valid against its schema", async () => {
        const file = readStackFile("prod");
        setConfig(file.config, file.secretKeys);
        const outputs = runProgram();
        await settle();
        const objects = kubernetesObjects();
        const kinds = objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
        for (const expected of [
            "Rollout instant/instant-api", "AnalysisTemplate instant/instant-api", "AnalysisTemplate instant/instant-api-watchdog",
            "Service instant/instant-api-stable",
            "Service instant/instant-api-canary", "Service instant/instant-api-metrics", "ServiceMonitor instant/instant-api",
            "Role instant/instant-api-deployer", "RoleBinding instant/instant-api-deployer",
        ]) assert.ok(kinds.includes(expected), `${expected} in ${kinds.join(", ")}`);
        for (const object of objects) await validateObject(object);
        assert.match(outputs.rollouts["instant-api"].status, /^kubectl argo rollouts status instant-api -n instant --timeout \d+s$/);
        // 4 replicas without traffic routing: setWeight 10 is 1 canary pod of 5.
        const exposure = outputs.exposure["instant-api"];
        assert.deepEqual(exposure.shares, [
            { step: 0, setWeight: 10, canary: 1, stable: 4, share: 20 },
            { step: 3, setWeight: 50, canary: 2, stable: 2, share: 50 },
            { step: 6, setWeight: 100, canary: 4, stable: 0, share: 100 },
        ]);
        // The watchdog aborts a broken release 45 s into the 20% step; the inline gates alone would at 6 minutes.
        assert.deepEqual([exposure.broken.maxWeight, exposure.broken.exposure, exposure.brokenWithoutWatchdog.exposure, exposure.noTraffic.weight],
            [20, 900, 7200, 20]);
        // Pods never Ready: setWeight 10 waits for its pod from 0s; the watchdog (from steps[0]) sees no traffic and gives up
        // at its 2nd inconclusive measurement (30 s delay, then 15 s), 45 s, long before Argo's 600 s deadline: paused, no deadline.
        assert.deepEqual(exposure.neverReady, { step: 0, outcome: "paused", seconds: 45 });
    });

    it("never creates, only reads, the app's existing Service, Deployment and Ingress", async () => {
        const file = readStackFile("prod");
        setConfig(file.config, file.secretKeys);
        runProgram();
        await settle();
        const reads = registered.filter((r) => r.readId).map((r) => `${r.type} ${r.readId}`);
        assert.deepEqual(reads, ["kubernetes:core/v1:Service instant/instant-api"]);
        const written = kubernetesObjects().map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
        for (const untouched of ["Service instant/instant-api", "Deployment instant/instant-api", "Ingress instant/api"]) {
            assert.ok(!written.includes(untouched), `${untouched} must not be written`);
        }
    });

    it("deletes each app's restore before anything else of the stack, the platform included", async () => {
        const file = readStackFile("prod");
        setConfig(file.config, file.secretKeys);
        runProgram();
        await settle();
        const restore = registered.find((r) => r.name === "instant-api-restore")!;
        const platform = registered.filter((r) => ["monitoring-canary-alerts", "monitoring-dashboard", "monitoring-chart", "argo-rollouts-chart", "cert-manager-chart"].includes(r.name));
        assert.equal(platform.length, 5, registered.map((r) => r.name).join(", "));
        for (const r of platform) assert.ok(restore.dependencies.some((urn) => urn.endsWith(`::${r.name}`)), `the restore depends on ${r.name}`);
    });

    it("registers no ServiceMonitor, PrometheusRule, metrics Service or dashboard for the New Relic-only stack, and turns the Argo chart's ServiceMonitor off", async () => {
        const file = readStackFile("newrelic");
        setConfig({ ...file.config, newRelicApiKey: "test-only-personal-api-key" }, [...file.secretKeys, "newRelicApiKey"]);
        const outputs = runProgram();
        await settle();
        const objects = kubernetesObjects();
        const kinds = objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`);
        assert.deepEqual(kinds.sort(), [
            "AnalysisTemplate shop/checkout", "Namespace /argo-rollouts", "Role shop/checkout-deployer", "RoleBinding shop/checkout-deployer",
            "Rollout shop/checkout", "Secret argo-rollouts/newrelic", "Service shop/checkout-canary", "Service shop/checkout-stable",
        ]);
        for (const type of ["monitoring.coreos.com/v1:ServiceMonitor", "monitoring.coreos.com/v1:PrometheusRule", "core/v1:ConfigMap"]) {
            assert.deepEqual(registered.filter((r) => r.type === `kubernetes:${type}`), [], `no ${type}`);
        }
        assert.ok(!registered.some((r) => r.name.endsWith("-metrics")), "no metrics Service");
        const charts = registered.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
        assert.deepEqual(charts.map((c) => c.inputs.name), ["argo-rollouts"], "no kube-prometheus-stack");
        assert.deepEqual(charts[0].inputs.values.controller.metrics.serviceMonitor, { enabled: false });
        const template = objects.find((o) => o.kind === "AnalysisTemplate");
        assert.ok(template.spec.metrics.every((m: any) => m.provider.newRelic && m.initialDelay === "3m"), "New Relic metrics with the lag's initialDelay");
        for (const object of objects) await validateObject(object);
        assert.strictEqual(outputs.prometheusAddress, null);
    });

    it("registers nothing at all when the config is bad", async () => {
        const app = validApp();
        app.steps[0] = { setWeight: 150 };
        setConfig({ platform: existingPlatform(), apps: [app] });
        assert.throws(runProgram, /apps\[0\]\.steps\[0\]\.setWeight: 150 is not an integer from 0 to 100/);
        await settle();
        assert.deepEqual(registered, []);
    });
});
