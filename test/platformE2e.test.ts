// Tests e2e/platform/chartObjects.ts, scrapeConfig.ts and the stack file of phase.ts (the pure parts of the e2e's platform phase).
import { strict as assert } from "assert";
import { parse } from "yaml";
import { established, kindCounts, refText, v3Releases, v4ChartObjects } from "../e2e/platform/chartObjects";
import { platformConfigText } from "../e2e/platform/phase";
import { keepsPodLabel, serviceMonitorJobs } from "../e2e/platform/scrapeConfig";

const CHART = "urn:pulumi:s::p::canary:platform:Monitoring$kubernetes:helm.sh/v4:Chart::monitoring-chart";

describe("e2e platform: the charts' objects", () => {
    const state = {
        deployment: {
            resources: [
                { urn: CHART, type: "kubernetes:helm.sh/v4:Chart" },
                { urn: `${CHART}$x::a`, type: "kubernetes:core/v1:Service", parent: CHART,
                    outputs: { apiVersion: "v1", kind: "Service", metadata: { name: "kps-operator", namespace: "monitoring" } } },
                { urn: `${CHART}$x::b`, type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", parent: CHART,
                    outputs: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "prometheuses.monitoring.coreos.com" } } },
                { urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::own", type: "kubernetes:core/v1:ConfigMap",
                    outputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dashboard", namespace: "monitoring" } } },
                { urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::cm", type: "kubernetes:helm.sh/v3:Release",
                    outputs: { status: { name: "cert-manager", namespace: "cert-manager", revision: 1 } } },
            ],
        },
    };

    it("takes each helm.v4.Chart's children from the state, by the chart's name", () => {
        const charts = v4ChartObjects(state);
        assert.deepEqual([...charts.keys()], ["monitoring-chart"]);
        assert.deepEqual(charts.get("monitoring-chart")!.map(refText), ["Service monitoring/kps-operator", "CustomResourceDefinition prometheuses.monitoring.coreos.com"]);
    });

    it("finds the Helm release of each helm.v3.Release", () => {
        assert.deepEqual(v3Releases(state), [{ name: "cert-manager", namespace: "cert-manager", revision: 1 }]);
    });

    it("counts objects by kind, most first", () => {
        const o = (kind: string) => ({ apiVersion: "v1", kind, name: "x" });
        assert.equal(kindCounts([o("Service"), o("ConfigMap"), o("ConfigMap"), o("Secret")]), "2 ConfigMap, 1 Secret, 1 Service");
    });

    it("reads Established from a CRD's conditions", () => {
        assert.equal(established({ status: { conditions: [{ type: "NamesAccepted", status: "True" }, { type: "Established", status: "True" }] } }), true);
        assert.equal(established({ status: { conditions: [{ type: "Established", status: "False" }] } }), false);
        assert.equal(established(undefined), false);
    });
});

describe("e2e platform: the operator's scrape jobs", () => {
    const hash = { source_labels: ["__meta_kubernetes_pod_label_rollouts_pod_template_hash"], target_label: "rollouts_pod_template_hash" };
    const jobs = [
        { job_name: "serviceMonitor/demo/demo/0", relabel_configs: [{ source_labels: ["job"], target_label: "__tmp_prometheus_job_name" }, hash] },
        { job_name: "serviceMonitor/demo/demo-other/0" },
        { job_name: "serviceMonitor/argo-rollouts/argo-rollouts/0", relabel_configs: [] },
    ];

    it("finds a ServiceMonitor's jobs by the operator's name, one per endpoint", () => {
        assert.deepEqual(serviceMonitorJobs(jobs, "demo", "demo").map((j) => j.job_name), ["serviceMonitor/demo/demo/0"]);
        assert.deepEqual(serviceMonitorJobs(jobs, "argo-rollouts", "argo-rollouts").map((j) => j.job_name), ["serviceMonitor/argo-rollouts/argo-rollouts/0"]);
        assert.deepEqual(serviceMonitorJobs(jobs, "demo", "dem"), []);
    });

    it("recognises the relabelling podTargetLabels generates for rollouts-pod-template-hash", () => {
        assert.equal(keepsPodLabel(jobs[0], "rollouts-pod-template-hash"), true);
        assert.equal(keepsPodLabel(jobs[2], "rollouts-pod-template-hash"), false);
        assert.equal(keepsPodLabel({ job_name: "x", relabel_configs: [{ ...hash, target_label: "hash" }] }, "rollouts-pod-template-hash"), false);
    });
});

describe("e2e platform: the stack file", () => {
    const paths = (text: string) => {
        const platform = parse(text).config["canary-stack:platform"];
        return [platform.argoRollouts.chart.path, platform.monitoring.chart.path, platform.certManager.chart.path];
    };

    it("installs the vendored archives beside the checkout, or from $CANARY_VENDOR_DIR/charts", () => {
        assert.deepEqual(paths(platformConfigText("")), [
            "../shared/vendor/charts/argo-rollouts-2.40.5.tgz",
            "../shared/vendor/charts/kube-prometheus-stack-75.15.0.tgz",
            "../shared/vendor/charts/cert-manager-v1.17.2.tgz",
        ]);
        assert.deepEqual(paths(platformConfigText("/srv/vendor")), [
            "/srv/vendor/charts/argo-rollouts-2.40.5.tgz",
            "/srv/vendor/charts/kube-prometheus-stack-75.15.0.tgz",
            "/srv/vendor/charts/cert-manager-v1.17.2.tgz",
        ]);
    });
});
