// Tests e2e/production/ and the simulator's per-pod targets (e2e/traffic/podTargets.ts): what the
// production phase runs must be Pulumi.prod.yaml's timing, and its targets must carry the labels
// Kubernetes discovery gives, so that the operator's relabelling works on them unchanged.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { productionApp, productionAppConfig, SHORT_PAUSE } from "../e2e/production/config";
import { onSimulatorTargets } from "../e2e/prometheus";
import { VersionMetrics } from "../e2e/traffic/metrics";
import { endpointTarget, podMetricsPath, splitOverPods } from "../e2e/traffic/podTargets";

const prod = () => parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.prod.yaml"), "utf8")).config["canary-stack:apps"][0];

describe("e2e production phase: the app it runs", () => {
    it("keeps Pulumi.prod.yaml's ladder, analysis timing, gates, watchdog, replicas and scrape, pauses shortened only", () => {
        const original = prod();
        const app = productionApp();
        assert.deepEqual(
            app.steps.map((s: any) => Object.keys(s)[0]),
            original.steps.map((s: any) => Object.keys(s)[0]),
        );
        assert.deepEqual(
            app.steps.filter((s: any) => !s.pause),
            original.steps.filter((s: any) => !s.pause),
        );
        assert.ok(app.steps.filter((s: any) => s.pause).every((s: any) => s.pause.duration === SHORT_PAUSE));
        const { metrics, ...timing } = app.analysis;
        const { metrics: prodMetrics, ...prodTiming } = original.analysis;
        assert.deepEqual(timing, prodTiming);
        assert.deepEqual(
            metrics,
            prodMetrics.filter((m: any) => m.enabled !== false),
        );
        for (const key of ["replicas", "scaleDown", "maxBadCanaryWeight"]) assert.deepEqual(app[key], original[key], key);
        assert.equal(app.metrics.job, original.metrics.job);
        assert.equal(app.metrics.scrapeInterval, original.metrics.scrapeInterval);
    });
    it("parses, with the watchdog on and the default 15s scrape", () => {
        const app = productionAppConfig();
        assert.ok(app.analysis.watchdog);
        assert.equal(app.metrics?.scrapeInterval, "15s");
    });
});

describe("e2e traffic simulator: per-pod targets", () => {
    const service = {
        namespace: "demo",
        name: "demo-metrics",
        labels: { "canary-stack.io/job": "instant-api", "canary-stack.io/role": "metrics" },
        port: { name: "metrics", port: 8080, protocol: "TCP" },
    };
    const pod = {
        name: "demo-abc-1",
        uid: "u1",
        ip: "10.0.0.7",
        phase: "Running",
        ready: false,
        nodeName: "kwok-node-0",
        hostIP: "10.0.0.1",
        labels: { app: "demo", "rollouts-pod-template-hash": "abc" },
        controller: { kind: "ReplicaSet", name: "demo-abc" },
        containers: [{ name: "app", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }] }],
    };
    it("labels an endpoint as the endpoints discovery role does, ready or not, at the simulator's address", () => {
        const target = endpointTarget(service, { pod: pod.name, ready: false, nodeName: "kwok-node-0" }, pod, "127.0.0.1:14093");
        assert.deepEqual(target.targets, ["127.0.0.1:14093"]);
        const l = target.labels;
        assert.equal(l.__metrics_path__, podMetricsPath(pod.name));
        assert.equal(l.__meta_kubernetes_endpoint_ready, "false");
        assert.equal(l.__meta_kubernetes_endpoint_port_name, "metrics");
        assert.equal(l.__meta_kubernetes_endpoint_address_target_kind, "Pod");
        assert.equal(l.__meta_kubernetes_endpoint_address_target_name, pod.name);
        assert.equal(l.__meta_kubernetes_service_label_canary_stack_io_job, "instant-api");
        assert.equal(l.__meta_kubernetes_service_labelpresent_canary_stack_io_job, "true");
        assert.equal(l.__meta_kubernetes_pod_label_rollouts_pod_template_hash, "abc");
        assert.equal(l.__meta_kubernetes_pod_container_name, "app");
        assert.equal(l.__meta_kubernetes_pod_container_port_number, "8080");
        assert.equal(l.__meta_kubernetes_pod_ready, "false");
        assert.equal(l.__meta_kubernetes_namespace, "demo");
    });
    it("spreads a version's requests evenly over its ready pods", () => {
        assert.deepEqual(
            [...splitOverPods(10, ["a", "b"])],
            [
                ["a", 5],
                ["b", 5],
            ],
        );
        assert.deepEqual([...splitOverPods(10, [])], []);
    });
    it("creates a failure counter at its first failure, not before", async () => {
        const m = new VersionMetrics();
        assert.doesNotMatch(await m.registry.metrics(), /instant_deploy_jobs_failed_total/);
        m.countFailures("instant_deploy_jobs_failed_total", 0);
        assert.doesNotMatch(await m.registry.metrics(), /instant_deploy_jobs_failed_total/);
        m.countFailures("instant_deploy_jobs_failed_total", 1);
        assert.match(await m.registry.metrics(), /instant_deploy_jobs_failed_total\{reason="e2e"\} 1/);
    });
    it("expands the operator's $(SHARD) placeholder as the config-reloader does for shard 0", () => {
        const job = { job_name: "j", relabel_configs: [{ source_labels: ["__tmp_hash", "__tmp_disable_sharding"], regex: "$(SHARD);|.+;.+", action: "keep" }] };
        assert.equal((onSimulatorTargets(job, "/t.json") as any).relabel_configs[0].regex, "0;|.+;.+");
    });
    it("keeps a generated job whole but for its discovery", () => {
        const job = {
            job_name: "serviceMonitor/demo/demo/0",
            scrape_interval: "15s",
            kubernetes_sd_configs: [{ role: "endpoints" }],
            relabel_configs: [{ action: "keep" }],
        };
        assert.deepEqual(onSimulatorTargets(job, "/tmp/t.json"), {
            job_name: "serviceMonitor/demo/demo/0",
            scrape_interval: "15s",
            relabel_configs: [{ action: "keep" }],
            file_sd_configs: [{ files: ["/tmp/t.json"], refresh_interval: "5s" }],
        });
    });
});
