// Tests e2e/platform/chartObjects.ts, scrapeConfig.ts, keptReferences.ts, foreignObject.ts and the stack file of phase.ts (the pure parts of the e2e's platform phase).
import { strict as assert } from "assert";
import { parse } from "yaml";
import { established, kindCounts, refText, v3Releases, v4ChartObjects } from "../e2e/platform/chartObjects";
import { platformConfigText } from "../e2e/platform/phase";
import { keepsPodLabel, serviceMonitorJobs } from "../e2e/platform/scrapeConfig";
import { fingerprint, foreignClusterRole, foreignRow, operatorClusterRole, stateHasClusterRole } from "../e2e/platform/foreignObject";
import { keptReferences, keptReferencesRow, LiveSnapshot, podSpecReferences } from "../e2e/platform/keptReferences";

const CHART = "urn:pulumi:s::p::canary:platform:Monitoring$kubernetes:helm.sh/v4:Chart::monitoring-chart";

describe("e2e platform: the charts' objects", () => {
    const state = {
        deployment: {
            resources: [
                { urn: CHART, type: "kubernetes:helm.sh/v4:Chart" },
                {
                    urn: `${CHART}$x::a`,
                    type: "kubernetes:core/v1:Service",
                    parent: CHART,
                    outputs: { apiVersion: "v1", kind: "Service", metadata: { name: "kps-operator", namespace: "monitoring" } },
                },
                {
                    urn: `${CHART}$x::b`,
                    type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
                    parent: CHART,
                    outputs: {
                        apiVersion: "apiextensions.k8s.io/v1",
                        kind: "CustomResourceDefinition",
                        metadata: { name: "prometheuses.monitoring.coreos.com" },
                    },
                },
                {
                    urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::own",
                    type: "kubernetes:core/v1:ConfigMap",
                    outputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dashboard", namespace: "monitoring" } },
                },
                {
                    urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::cm",
                    type: "kubernetes:helm.sh/v3:Release",
                    outputs: { status: { name: "cert-manager", namespace: "cert-manager", revision: 1 } },
                },
            ],
        },
    };

    it("takes each helm.v4.Chart's children from the state, by the chart's name", () => {
        const charts = v4ChartObjects(state);
        assert.deepEqual([...charts.keys()], ["monitoring-chart"]);
        assert.deepEqual(charts.get("monitoring-chart")!.map(refText), [
            "Service monitoring/kps-operator",
            "CustomResourceDefinition prometheuses.monitoring.coreos.com",
        ]);
    });

    it("finds the Helm release of each helm.v3.Release", () => {
        assert.deepEqual(v3Releases(state), [{ name: "cert-manager", namespace: "cert-manager", revision: 1 }]);
    });

    it("counts objects by kind, most first", () => {
        const o = (kind: string) => ({ apiVersion: "v1", kind, name: "x" });
        assert.equal(kindCounts([o("Service"), o("ConfigMap"), o("ConfigMap"), o("Secret")]), "2 ConfigMap, 1 Secret, 1 Service");
    });

    it("reads Established from a CRD's conditions", () => {
        assert.equal(
            established({
                status: {
                    conditions: [
                        { type: "NamesAccepted", status: "True" },
                        { type: "Established", status: "True" },
                    ],
                },
            }),
            true,
        );
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
        assert.deepEqual(
            serviceMonitorJobs(jobs, "demo", "demo").map((j) => j.job_name),
            ["serviceMonitor/demo/demo/0"],
        );
        assert.deepEqual(
            serviceMonitorJobs(jobs, "argo-rollouts", "argo-rollouts").map((j) => j.job_name),
            ["serviceMonitor/argo-rollouts/argo-rollouts/0"],
        );
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

describe("e2e platform: what the kept workloads reference", () => {
    // The shape of kube-prometheus-stack 75.15.0's Grafana: the admin Secret through required secretKeyRefs.
    const grafana = {
        initContainers: [{ name: "init", envFrom: [{ configMapRef: { name: "init-env", optional: true } }] }],
        containers: [
            {
                name: "grafana",
                env: [
                    { name: "GF_SECURITY_ADMIN_USER", valueFrom: { secretKeyRef: { name: "grafana-admin", key: "admin-user" } } },
                    { name: "GF_SECURITY_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: "grafana-admin", key: "admin-password" } } },
                    { name: "PLAIN", value: "x" },
                ],
                envFrom: [{ secretRef: { name: "extra", optional: true } }],
            },
        ],
        volumes: [
            { name: "config", configMap: { name: "kps-grafana" } },
            { name: "tls", secret: { secretName: "tls", optional: true } },
            {
                name: "token",
                projected: { sources: [{ serviceAccountToken: { path: "t" } }, { configMap: { name: "kube-root-ca.crt" } }, { secret: { name: "bundle" } }] },
            },
            { name: "tmp", emptyDir: {} },
        ],
    };

    it("finds every Secret and ConfigMap a pod spec names, once each, optional only where every mention is", () => {
        assert.deepEqual(podSpecReferences(grafana), [
            { kind: "ConfigMap", name: "init-env", optional: true },
            { kind: "Secret", name: "grafana-admin", optional: false },
            { kind: "Secret", name: "extra", optional: true },
            { kind: "ConfigMap", name: "kps-grafana", optional: false },
            { kind: "Secret", name: "tls", optional: true },
            { kind: "ConfigMap", name: "kube-root-ca.crt", optional: false },
            { kind: "Secret", name: "bundle", optional: false },
        ]);
        assert.deepEqual(
            podSpecReferences({ containers: [{ envFrom: [{ secretRef: { name: "s", optional: true } }] }], volumes: [{ secret: { secretName: "s" } }] }),
            [{ kind: "Secret", name: "s", optional: false }],
        );
        assert.deepEqual(podSpecReferences(undefined), []);
    });

    const snapshot = (workloads: [string, any][], objects: string[]): LiveSnapshot => ({ workloads: new Map(workloads), objects: new Set(objects) });
    const all = [
        "Secret monitoring/grafana-admin",
        "ConfigMap monitoring/kps-grafana",
        "ConfigMap monitoring/kube-root-ca.crt",
        "Secret monitoring/bundle",
        "Secret monitoring/tls",
    ];
    const before = snapshot(
        [
            ["Deployment monitoring/grafana", grafana],
            ["Deployment demo/gone", { containers: [] }],
        ],
        all,
    );

    it("counts a reference there before the destroy and gone after it as lost, required or optional", () => {
        const after = snapshot(
            [["Deployment monitoring/grafana", grafana]],
            all.filter((o) => o !== "Secret monitoring/grafana-admin" && o !== "Secret monitoring/tls"),
        );
        const { workloads, lost } = keptReferences(before, after);
        assert.deepEqual(workloads, ["Deployment monitoring/grafana"]);
        assert.deepEqual(
            lost.map((r) => `${r.kind} ${r.namespace}/${r.name} ${r.optional}`),
            ["Secret monitoring/grafana-admin false", "Secret monitoring/tls true"],
        );
        const row = keptReferencesRow(before, after, 1.5);
        assert.equal(row.passed, false);
        assert.match(row.observed, /gone: Secret monitoring\/grafana-admin of Deployment monitoring\/grafana, Secret monitoring\/tls \(optional\) of/);
    });

    it("passes when everything a kept workload named before the destroy is still there, and lists what was never there", () => {
        const row = keptReferencesRow(before, snapshot([["Deployment monitoring/grafana", grafana]], all), 1.5);
        assert.equal(row.passed, true, row.observed);
        assert.equal(
            row.observed,
            "1 kept workloads; 7 references (4 required) to 7 Secrets and ConfigMaps (ConfigMap monitoring/init-env, " +
                "Secret monitoring/grafana-admin, Secret monitoring/extra, ConfigMap monitoring/kps-grafana, Secret monitoring/tls, " +
                "ConfigMap monitoring/kube-root-ca.crt, Secret monitoring/bundle); none gone; " +
                "not there before the destroy either: ConfigMap monitoring/init-env (optional) of Deployment monitoring/grafana, " +
                "Secret monitoring/extra (optional) of Deployment monitoring/grafana",
        );
        assert.equal(keptReferencesRow(before, snapshot([], all), 1).passed, false, "no kept workload proves nothing");
    });

    it("does not blame the destroy for a required Secret that was missing before it (one cert-manager never issued)", () => {
        const operator = { containers: [{ name: "operator" }], volumes: [{ name: "tls", secret: { secretName: "kps-admission" } }] };
        const cluster = snapshot([["Deployment monitoring/operator", operator]], []);
        const { lost, neverThere } = keptReferences(cluster, cluster);
        assert.deepEqual([lost.length, neverThere.map((r) => r.name)], [0, ["kps-admission"]]);
        assert.equal(keptReferencesRow(cluster, cluster, 1).passed, true);
    });
});

describe("e2e platform: a chart's ClusterRole name already taken", () => {
    const name = operatorClusterRole("kube-prometheus-stack");
    const live = (resourceVersion: string, managers: string[]) => ({
        ...foreignClusterRole(name),
        metadata: { name, resourceVersion, labels: { "canary-e2e/owner": "another-team" }, managedFields: managers.map((manager) => ({ manager })) },
    });
    const refused = {
        code: 255,
        summary: "Resources: + 40 created",
        output:
            `  kubernetes:rbac.authorization.k8s.io/v1:ClusterRole (monitoring-chart:${name}):\n    error: clusterroles.rbac.authorization.k8s.io "${name}" already exists\n\n` +
            "The resource already exists in the cluster. This can happen when:\n",
    };

    it("is kube-prometheus-stack's operator ClusterRole, with nothing the chart sets", () => {
        assert.equal(name, "kube-prometheus-stack-operator");
        assert.equal((foreignClusterRole(name) as any).rules, undefined);
    });

    it("passes only when the up fails with the provider's already-exists and the ClusterRole is untouched and not in the state", () => {
        const before = fingerprint(live("100", ["another-team"]));
        assert.equal(foreignRow(name, refused, before, before, false, 3).passed, true);
        assert.equal(
            foreignRow(name, refused, before, fingerprint(live("101", ["another-team", "pulumi-kubernetes-1234"])), false, 3).passed,
            false,
            "adopted",
        );
        assert.equal(foreignRow(name, refused, before, before, true, 3).passed, false, "in the state");
        assert.equal(foreignRow(name, { code: 0, output: "", summary: "Resources: + 172 created" }, before, before, false, 3).passed, false, "not refused");
    });

    it("finds a ClusterRole of that name in the stack's state", () => {
        const state = {
            deployment: { resources: [{ outputs: { kind: "ClusterRole", metadata: { name } } }, { outputs: { kind: "Role", metadata: { name: "x" } } }] },
        };
        assert.equal(stateHasClusterRole(state, name), true);
        assert.equal(stateHasClusterRole(state, "x"), false);
        assert.equal(stateHasClusterRole({ deployment: {} }, name), false);
    });
});
