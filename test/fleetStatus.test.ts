// Tests fleet/rolloutInfo.ts (a Rollout as `kubectl argo rollouts get` v1.8.3 shows it), fleet/health.ts,
// fleet/report.ts's status table and fleet/cluster.ts's pure parts (the stack's target, the service proxy).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as http from "http";
import { readAlerts, serviceProxy, stackTarget, StackTarget } from "../fleet/cluster";
import { stackAlerts, stackHealth } from "../fleet/health";
import { statusText } from "../fleet/report";
import { rolloutPhase, rolloutView, setWeight } from "../fleet/rolloutInfo";

const UID = "ro-uid";
const steps = [{ setWeight: 20 }, { pause: { duration: "10s" } }, { analysis: {} }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }];

function rollout(status: any, extra: any = {}) {
    return {
        metadata: { name: "demo", namespace: "demo", uid: UID, generation: 3 },
        spec: { strategy: { canary: { steps } }, ...extra },
        status: { observedGeneration: "3", ...status },
    };
}

function rs(hash: string, image: string, replicas: number, available = replicas, owner = UID) {
    return {
        metadata: { name: `demo-${hash}`, labels: { "rollouts-pod-template-hash": hash }, ownerReferences: [{ uid: owner }] },
        spec: { template: { spec: { containers: [{ name: "app", image }] } } },
        status: { replicas, availableReplicas: available },
    };
}

const run = (name: string, created: string, phase: string, owner = UID) => ({
    metadata: { name, creationTimestamp: created, ownerReferences: [{ uid: owner }] },
    status: { phase },
});

describe("fleet status: a Rollout as kubectl argo rollouts get shows it", () => {
    it("a finished release: Healthy, the last step, weight 100, one stable image", () => {
        const ro = rollout({ phase: "Healthy", currentStepIndex: 6, stableRS: "aaa", currentPodHash: "aaa", availableReplicas: 4 });
        const view = rolloutView(ro, [rs("aaa", "demo:v1", 4), rs("old", "demo:v0", 0)], [run("demo-aaa-1", "2026-12-03T10:00:00Z", "Successful")]);
        assert.equal(view.status, "Healthy");
        assert.equal(view.step, "6/6");
        assert.equal(view.setWeight, "100");
        assert.equal(view.actualWeight, "100");
        assert.deepEqual(view.images, [{ image: "demo:v1", tags: ["stable"] }]);
        assert.equal(view.stableImage, "demo:v1");
        assert.equal(view.canaryImage, "");
        assert.deepEqual(view.lastAnalysisRun, { name: "demo-aaa-1", phase: "Successful" });
        assert.equal(view.midCanary, false);
    });
    it("mid-canary without traffic routing: the actual weight is the canary's share of the available pods", () => {
        const ro = rollout({
            phase: "Paused",
            currentStepIndex: 1,
            stableRS: "aaa",
            currentPodHash: "bbb",
            availableReplicas: 5,
            pauseConditions: [{ reason: "CanaryPauseStep" }],
        });
        const view = rolloutView(ro, [rs("aaa", "demo:v1", 4), rs("bbb", "demo:v2", 1), rs("ccc", "demo:v2", 1, 1, "someone-else")], []);
        assert.equal(view.status, "Paused");
        assert.equal(view.step, "1/6");
        assert.equal(view.setWeight, "20");
        assert.equal(view.actualWeight, "20");
        assert.deepEqual(view.images, [
            { image: "demo:v1", tags: ["stable"] },
            { image: "demo:v2", tags: ["canary"] },
        ]);
        assert.equal(view.midCanary, true);
        assert.equal(view.lastAnalysisRun, undefined);
    });
    it("with traffic routing the weight is the status's; aborted, the set weight is 0", () => {
        const routed = rollout({
            phase: "Progressing",
            currentStepIndex: 3,
            stableRS: "aaa",
            currentPodHash: "bbb",
            availableReplicas: 5,
            canary: { weights: { canary: { weight: 50 } } },
        });
        routed.spec.strategy.canary = { steps, trafficRouting: { nginx: {} } } as any;
        assert.equal(rolloutView(routed, [], []).actualWeight, "50");
        const aborted = rollout({ phase: "Degraded", abort: true, currentStepIndex: 3, stableRS: "aaa", currentPodHash: "bbb" });
        assert.equal(setWeight(aborted), 0);
        const view = rolloutView(aborted, [], []);
        assert.equal(view.midCanary, true);
        assert.equal(view.aborted, true);
    });
    it("a spec the controller has not seen yet is Progressing, whatever the status says", () => {
        assert.deepEqual(rolloutPhase({ metadata: { generation: 4 }, status: { observedGeneration: "3", phase: "Healthy" } }), {
            status: "Progressing",
            message: "waiting for rollout spec update to be observed",
        });
        assert.equal(rolloutPhase({ metadata: { generation: 4 }, status: { observedGeneration: "4", phase: "Healthy" } }).status, "Healthy");
        // A v0.9 Rollout's hash-valued observedGeneration counts as observed (isGenerationObserved).
        assert.equal(rolloutPhase({ metadata: { generation: 4 }, status: { observedGeneration: "7d9f8c", phase: "Healthy" } }).status, "Healthy");
        assert.equal(
            rolloutPhase({ metadata: { generation: 4 }, status: { observedGeneration: "4", controllerPause: true, phase: "Paused" } }).status,
            "Progressing",
        );
    });
    it("the last AnalysisRun is the newest the Rollout owns", () => {
        const ro = rollout({ phase: "Healthy", currentStepIndex: 6, stableRS: "aaa", currentPodHash: "aaa" });
        const runs = [
            run("b", "2026-12-03T10:05:00Z", "Failed"),
            run("c", "2026-12-03T10:09:00Z", "Running", "other"),
            run("a", "2026-12-03T10:01:00Z", "Successful"),
        ];
        assert.deepEqual(rolloutView(ro, [], runs).lastAnalysisRun, { name: "b", phase: "Failed" });
    });
});

describe("fleet health gate", () => {
    const healthy = rolloutView(rollout({ phase: "Healthy", currentStepIndex: 6, stableRS: "aaa", currentPodHash: "aaa" }), [rs("aaa", "demo:v1", 4)], []);
    const paused = rolloutView(
        rollout(
            { phase: "Paused", message: "manually paused", currentStepIndex: 1, stableRS: "aaa", currentPodHash: "bbb", availableReplicas: 5 },
            { paused: true },
        ),
        [rs("aaa", "demo:v1", 4), rs("bbb", "demo:v2", 1)],
        [],
    );
    it("healthy: up succeeded, every Rollout Healthy and finished, no canary alert firing", () => {
        const h = stackHealth({
            stack: "a",
            rollouts: [{ namespace: "demo", name: "demo", view: healthy }],
            alerts: { checked: true, firing: [] },
        });
        assert.deepEqual(h, { stack: "a", healthy: true, reasons: [], notes: [] });
    });
    it("names every reason: a paused, mid-canary or missing Rollout, a firing alert; notes alerts it could not check", () => {
        const h = stackHealth({
            stack: "a",
            rollouts: [
                { namespace: "demo", name: "demo", view: paused },
                { namespace: "shop", name: "cart" },
            ],
            alerts: {
                checked: true,
                firing: [
                    { alertname: "RolloutPausedTooLong", labels: { alertname: "RolloutPausedTooLong", namespace: "demo", name: "demo", severity: "warning" } },
                ],
            },
        });
        assert.equal(h.healthy, false);
        assert.deepEqual(h.reasons, [
            "Rollout demo/demo is Paused: manually paused",
            "Rollout demo/demo is mid-canary: step 1/6, canary weight 20 (set 20), canary demo:v2",
            "Rollout shop/cart is not in the cluster",
            "alert RolloutPausedTooLong is firing (namespace=demo, name=demo)",
        ]);
        const unread = stackHealth({
            stack: "a",
            rollouts: [{ namespace: "demo", name: "demo", view: healthy }],
            alerts: { checked: true, firing: [], error: "http://127.0.0.1:14090: fetch failed" },
        });
        assert.deepEqual(
            [unread.healthy, unread.reasons],
            [false, ["its Prometheus could not be read (http://127.0.0.1:14090: fetch failed): its canary alerts are unknown"]],
        );
        const none = stackHealth({
            stack: "nr",
            rollouts: [{ namespace: "demo", name: "demo", view: healthy }],
            alerts: { checked: false, note: "no Prometheus" },
        });
        assert.deepEqual([none.healthy, none.notes], [true, ["alerts not checked: no Prometheus"]]);
    });
    it("only the stack's own canary alerts count: firing, by name, in its namespaces or in none", () => {
        const alerts: { labels: Record<string, string>; state: string }[] = [
            { labels: { alertname: "RolloutDegraded", namespace: "demo" }, state: "firing" },
            { labels: { alertname: "RolloutDegraded", namespace: "other-team" }, state: "firing" },
            { labels: { alertname: "RolloutsControllerDown" }, state: "firing" },
            { labels: { alertname: "CanaryAnalysisFailed", namespace: "demo" }, state: "pending" },
            { labels: { alertname: "KubePodCrashLooping", namespace: "demo" }, state: "firing" },
        ];
        const names = ["RolloutDegraded", "RolloutsControllerDown", "CanaryAnalysisFailed"];
        assert.deepEqual(
            stackAlerts(alerts, names, ["demo"]).map((a) => `${a.alertname} ${a.labels.namespace ?? "-"}`),
            ["RolloutDegraded demo", "RolloutsControllerDown -"],
        );
    });
    it("the status table shows each stack's cluster and Rollouts", () => {
        const text = statusText({
            command: "status",
            exitCode: 1,
            stacks: [
                { stack: "a", cluster: "uid-1", rollouts: [paused] },
                { stack: "b", rollouts: [], error: "unreachable" },
            ],
        });
        const lines = text.split("\n");
        assert.match(lines[0], /^STACK +CLUSTER \(kube-system UID\) +ROLLOUT +STATUS +STEP +WEIGHT \(actual\/set\) +STABLE +CANARY +LAST ANALYSISRUN$/);
        assert.match(lines[1], /^a +uid-1 +demo\/demo +Paused +1\/6 +20\/20 +demo:v1 +demo:v2$/);
        assert.match(lines[2], /^b +ERROR: unreachable$/);
    });
});

describe("fleet targets from the stack files", () => {
    it("reads the apps, context and Prometheus of a checked-in stack as the program validates them", () => {
        const local = stackTarget("local", path.join(__dirname, ".."));
        assert.deepEqual(local.apps, [{ name: "demo", namespace: "demo" }]);
        assert.deepEqual(local.prometheus, { address: "http://127.0.0.1:14090" });
        assert.ok(local.alertNames.includes("RolloutDegraded") && local.alertNames.includes("RolloutsControllerDown"));
        const nr = stackTarget("newrelic", path.join(__dirname, ".."));
        assert.ok("none" in nr.prometheus);
        assert.equal(stackTarget("prod", path.join(__dirname, "..")).context, "prod");
    });
    it("refuses a stack file the program would refuse", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-"));
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config:\n  canary-stack:apps:\n    - name: demo\n      replicas: -1\n");
        assert.throws(() => stackTarget("bad", dir), /apps/);
    });
    it("an in-cluster Prometheus is reached through the API server's service proxy", () => {
        assert.deepEqual(serviceProxy("http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090"), {
            namespace: "monitoring",
            name: "http:kube-prometheus-stack-prometheus:9090",
            path: "",
        });
        assert.deepEqual(serviceProxy("https://prom.obs.svc/prometheus/"), { namespace: "obs", name: "https:prom:443", path: "/prometheus" });
        assert.equal(serviceProxy("http://127.0.0.1:14090"), undefined);
        assert.equal(serviceProxy("https://prometheus.example.com"), undefined);
    });
    it("reads the firing alerts from the stack's Prometheus; one that does not answer leaves them unknown", async () => {
        const server = http.createServer((_req, res) => {
            res.setHeader("content-type", "application/json");
            res.end(
                JSON.stringify({
                    status: "success",
                    data: {
                        alerts: [
                            { labels: { alertname: "RolloutDegraded", namespace: "demo", name: "demo" }, state: "firing", activeAt: "2026-12-03T10:00:00Z" },
                        ],
                    },
                }),
            );
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = (server.address() as { port: number }).port;
        const target: StackTarget = {
            stack: "a",
            apps: [{ name: "demo", namespace: "demo" }],
            prometheus: { address: `http://127.0.0.1:${port}/` },
            alertNames: ["RolloutDegraded"],
        };
        try {
            const read = await readAlerts(target);
            assert.deepEqual(read, {
                checked: true,
                firing: [
                    {
                        alertname: "RolloutDegraded",
                        labels: { alertname: "RolloutDegraded", namespace: "demo", name: "demo" },
                        activeAt: "2026-12-03T10:00:00Z",
                    },
                ],
            });
        } finally {
            await new Promise((r) => server.close(r));
        }
        const gone = await readAlerts(target);
        assert.ok(gone.checked && gone.firing.length === 0 && /127\.0\.0\.1/.test(gone.error ?? ""), JSON.stringify(gone));
        assert.deepEqual(await readAlerts({ ...target, prometheus: { none: "no Prometheus" } }), { checked: false, note: "no Prometheus" });
    });
});
