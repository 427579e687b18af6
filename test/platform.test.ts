// Tests components/platform/, under the mock engine.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ARGO_ROLLOUTS_CHART, KUBE_PROMETHEUS_STACK_CHART } from "../components/manifests/charts";
import { CONTROLLER_NAMESPACE_RELABELINGS, kubePrometheusStackValues } from "../components/manifests/platformValues";
import { retainOnDelete } from "../components/platform/retain";
import { renderDocuments, isSecretValue } from "../scripts/renderObjects";
import { readStackFile } from "../scripts/stackFile";
import { installMocks, kubernetesObjects, ofType, registered, resetRegistered, setConfig, settle } from "./harness";
import { existingPlatform, newRelicOnlyApp, noPrometheusPlatform, validApp } from "./fixtures";
import { validateObject } from "./schema";

const indexPath = path.join(__dirname, "..", "index.ts");
const API_KEY = "test-only-personal-api-key";

function runProgram(): any {
    delete require.cache[require.resolve(indexPath)];
    return require(indexPath);
}

function runStack(stack: string, extra: Record<string, unknown> = {}, secretKeys: string[] = []): any {
    const file = readStackFile(stack);
    setConfig({ ...file.config, ...extra }, [...file.secretKeys, ...secretKeys]);
    return runProgram();
}

function objectsOfKind(kind: string): any[] {
    return kubernetesObjects().filter((o) => o.kind === kind);
}

function chart(release: string) {
    const charts = ofType("kubernetes:helm.sh/v4:Chart").filter((c) => c.inputs.name === release);
    assert.equal(charts.length, 1, `one chart with release ${release}`);
    return charts[0];
}

function newRelicApp(): any {
    const app = validApp();
    app.analysis.metrics.push({
        name: "nr-errors",
        kind: "custom",
        provider: "newRelic",
        nrql: "SELECT count(*) FROM TransactionError",
        successCondition: "result.count < 5",
    });
    return app;
}

describe("platform: the prod stack installs it all", () => {
    before(() => installMocks());
    beforeEach(resetRegistered);

    it("installs the pinned argo-rollouts and kube-prometheus-stack charts in their namespaces", async () => {
        runStack("prod");
        await settle();
        const argo = chart("argo-rollouts");
        assert.deepEqual([argo.inputs.chart, argo.inputs.version, argo.inputs.namespace], ["argo-rollouts", ARGO_ROLLOUTS_CHART.version, "argo-rollouts"]);
        assert.equal(argo.inputs.values.controller.metrics.enabled, true);
        assert.equal(argo.inputs.values.controller.metrics.service.port, 8090);
        const kps = chart("kube-prometheus-stack");
        assert.deepEqual(
            [kps.inputs.chart, kps.inputs.version, kps.inputs.namespace],
            ["kube-prometheus-stack", KUBE_PROMETHEUS_STACK_CHART.version, "monitoring"],
        );
        assert.deepEqual(
            objectsOfKind("Namespace")
                .map((n) => n.metadata.name)
                .sort(),
            ["argo-rollouts", "cert-manager", "monitoring"],
        );
        const certManager = ofType("kubernetes-cert-manager:index:CertManager");
        assert.equal(certManager.length, 1);
        assert.equal(certManager[0].inputs.helmOptions.version, "v1.17.2");
    });

    it("labels every ServiceMonitor and PrometheusRule with the release kube-prometheus-stack selects", async () => {
        runStack("prod");
        await settle();
        const kps = chart("kube-prometheus-stack");
        const release = kps.inputs.name;
        const prometheusSpec = kps.inputs.values.prometheus?.prometheusSpec ?? {};
        // The chart's Prometheus selects `release: <release>` only while these stay at their default (true).
        assert.equal(prometheusSpec.serviceMonitorSelectorNilUsesHelmValues, undefined);
        assert.equal(prometheusSpec.ruleSelectorNilUsesHelmValues, undefined);
        const argo = chart("argo-rollouts");
        assert.deepEqual(argo.inputs.values.controller.metrics.serviceMonitor, {
            enabled: true,
            additionalLabels: { release },
            metricRelabelings: CONTROLLER_NAMESPACE_RELABELINGS,
        });
        const selected = [...objectsOfKind("ServiceMonitor"), ...objectsOfKind("PrometheusRule")];
        assert.equal(selected.length, 2);
        for (const o of selected) assert.equal(o.metadata.labels.release, release, `${o.kind} ${o.metadata.name}`);
    });

    it("gets the Prometheus operator's webhook certificates from cert-manager, not the patch Job", () => {
        assert.deepEqual(kubePrometheusStackValues(true).prometheusOperator, {
            admissionWebhooks: { enabled: true, certManager: { enabled: true }, patch: { enabled: false } },
            tls: { enabled: true },
        });
        assert.deepEqual(kubePrometheusStackValues(false).prometheusOperator, {
            admissionWebhooks: { enabled: false, patch: { enabled: false } },
            tls: { enabled: false },
        });
    });

    it("makes the Grafana admin password a RandomPassword, kept secret in its Secret and the stack output", async () => {
        const outputs = runStack("prod");
        await settle();
        assert.equal(ofType("random:index/randomPassword:RandomPassword").length, 1);
        const secret = ofType("kubernetes:core/v1:Secret").find((s) => s.inputs.metadata.name === "grafana-admin");
        assert.ok(secret && isSecretValue(secret.inputs.stringData), "stringData is a secret");
        assert.equal(chart("kube-prometheus-stack").inputs.values.grafana.admin.existingSecret, "grafana-admin");
        assert.equal(JSON.stringify(chart("kube-prometheus-stack").inputs.values).includes("adminPassword"), false);
        assert.equal(await pulumi.isSecret(outputs.grafanaAdminPassword), true);
    });

    it("keeps CRDs on destroy always, and everything when the platform is shared", async () => {
        runStack("prod");
        await settle();
        assert.equal(chart("argo-rollouts").transformCount, 1, "argo-rollouts has the retain transform");
        assert.equal(chart("kube-prometheus-stack").transformCount, 2, "kube-prometheus-stack has the retain and the empty-rules transforms");
        assert.equal(ofType("kubernetes-cert-manager:index:CertManager")[0].transformCount, 1, "cert-manager has the retain transform");
        const crd = { type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", name: "rollouts", props: {}, opts: {} } as any;
        const deployment = { type: "kubernetes:apps/v1:Deployment", name: "controller", props: {}, opts: {} } as any;
        assert.equal((retainOnDelete(false)(crd) as any).opts.retainOnDelete, true);
        assert.equal(retainOnDelete(false)(deployment), undefined);
        assert.equal((retainOnDelete(true)(deployment) as any).opts.retainOnDelete, true);
    });

    it("keeps cert-manager's CRDs through Helm: they are inside its helm.v3.Release, out of reach of retainOnDelete", async () => {
        runStack("prod");
        await settle();
        const certManager = ofType("kubernetes-cert-manager:index:CertManager")[0];
        // crds.keep annotates them helm.sh/resource-policy: keep, which Helm's uninstall skips;
        // installCRDs (deprecated) must stay unset: the chart refuses it beside crds.enabled.
        assert.deepEqual(certManager.inputs.helmOptions.values, { crds: { enabled: true, keep: true } });
        assert.equal(certManager.inputs.installCRDs, undefined);
        const doc = renderDocuments(registered).find((d) => d.kind === "HelmChart" && d.chart === "cert-manager");
        assert.deepEqual(doc?.values, { crds: { enabled: true, keep: true } }, "the render shows the values the chart gets");
        // The Release is the component's only child, so the transform reaches it, and only keeps it when shared.
        const release = { type: "kubernetes:helm.sh/v3:Release", name: "cert-manager-chart-helm", props: {}, opts: {} } as any;
        assert.equal((retainOnDelete(true)(release) as any).opts.retainOnDelete, true);
        assert.equal(retainOnDelete(false)(release), undefined);
    });

    for (const shared of [true, false]) {
        it(`${shared ? "keeps" : "deletes"} every platform namespace, cert-manager's included, on destroy with shared: ${shared}`, async () => {
            const file = readStackFile("prod");
            const platform = { ...JSON.parse(file.config["canary-stack:platform"]), shared };
            runStack("prod", { "canary-stack:platform": platform });
            await settle();
            const namespaces = ofType("kubernetes:core/v1:Namespace").map((n) => [n.inputs.metadata.name, n.retainOnDelete]);
            assert.deepEqual(namespaces.sort(), [
                ["argo-rollouts", shared],
                ["cert-manager", shared],
                ["monitoring", shared],
            ]);
            assert.equal(ofType("kubernetes-cert-manager:index:CertManager")[0].transformCount, 1);
        });
    }

    /** Every string in a chart's values: where the chart is pointed at an object by name. */
    const strings = (value: unknown): string[] =>
        typeof value === "string" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(strings) : [];

    for (const shared of [true, false]) {
        it(`${shared ? "keeps" : "deletes"} every Secret and ConfigMap of the stack's that a chart's values name, on destroy with shared: ${shared}`, async () => {
            for (const stack of ["prod", "local-platform"]) {
                resetRegistered();
                const file = readStackFile(stack);
                runStack(stack, { "canary-stack:platform": { ...JSON.parse(file.config["canary-stack:platform"]), shared } });
                await settle();
                const charts = [
                    ...ofType("kubernetes:helm.sh/v4:Chart").map((c) => ({ namespace: c.inputs.namespace, values: c.inputs.values })),
                    ...ofType("kubernetes-cert-manager:index:CertManager").map((c) => ({
                        namespace: c.inputs.helmOptions.namespace,
                        values: c.inputs.helmOptions.values,
                    })),
                ];
                const own = [...ofType("kubernetes:core/v1:Secret"), ...ofType("kubernetes:core/v1:ConfigMap")];
                const named = own.filter((o) =>
                    charts.some((c) => c.namespace === o.inputs.metadata.namespace && strings(c.values).includes(o.inputs.metadata.name)),
                );
                assert.deepEqual(
                    named.map((o) => o.inputs.metadata.name),
                    ["grafana-admin"],
                    `${stack}: the chart's Grafana reads the admin Secret`,
                );
                for (const o of named) assert.equal(o.retainOnDelete, shared, `${stack}: ${o.inputs.metadata.name}`);
                // The dashboard's ConfigMap is found by the sidecar by its label, not named by the chart: it goes with the stack.
                const dashboard = own.find((o) => o.inputs.metadata.name === "canary-stack-dashboard");
                assert.ok(dashboard && !dashboard.retainOnDelete, `${stack}: the dashboard is not kept`);
            }
        });
    }

    it("validates every object of the prod and local renders against its schema", async () => {
        for (const stack of ["prod", "local"]) {
            resetRegistered();
            runStack(stack);
            await settle();
            const docs = renderDocuments(registered).filter((d) => d.kind !== "HelmChart");
            assert.ok(docs.length >= 8, `${stack}: ${docs.length} objects`);
            for (const doc of docs) await validateObject(doc);
        }
    });
});

describe("platform: an existing controller and Prometheus (install: false)", () => {
    before(() => installMocks());
    beforeEach(resetRegistered);

    it("installs nothing and points every metric at the given Prometheus", async () => {
        const outputs = runStack("local");
        await settle();
        assert.equal(ofType("kubernetes:helm.sh/v4:Chart").length, 0);
        assert.equal(objectsOfKind("Namespace").length, 0);
        assert.equal(outputs.prometheusAddress, "http://127.0.0.1:14090");
        // null, not undefined: the engine warns on every run about an undefined stack output.
        assert.strictEqual(outputs.grafanaAdminPassword, null);
        const template = objectsOfKind("AnalysisTemplate")[0];
        assert.ok(template.spec.metrics.every((m: any) => m.provider.prometheus.address === "http://127.0.0.1:14090"));
    });

    it("writes the local stack's selector labels and alertFor into the PrometheusRule", async () => {
        runStack("local");
        await settle();
        const rule = objectsOfKind("PrometheusRule")[0];
        assert.equal(rule.metadata.labels.prometheus, "canary-e2e");
        assert.deepEqual(
            rule.spec.groups[0].rules.map((r: any) => [r.alert, r.for]),
            [
                ["CanaryAnalysisFailed", undefined],
                ["CanaryAnalysisErrored", undefined],
                ["RolloutDegraded", "5s"],
                ["RolloutPausedTooLong", "45s"],
                ["RolloutsControllerDown", "10s"],
            ],
        );
    });

    it("writes the New Relic Secret in the controller's namespace, with the key kept secret", async () => {
        const platform = { ...existingPlatform(), newRelic: { accountId: "4242", region: "eu", baseUrlRest: "https://api.eu.newrelic.com/v2" } };
        setConfig({ platform, apps: [newRelicApp()], newRelicApiKey: API_KEY }, ["newRelicApiKey"]);
        runProgram();
        await settle();
        const secrets = ofType("kubernetes:core/v1:Secret");
        assert.deepEqual(
            secrets.map((s) => `${s.inputs.metadata.namespace}/${s.inputs.metadata.name}`),
            ["argo-rollouts/newrelic"],
        );
        const data = secrets[0].inputs.stringData;
        assert.ok(isSecretValue(data));
        assert.deepEqual(data.value, {
            "personal-api-key": API_KEY,
            "account-id": "4242",
            region: "eu",
            "base-url-rest": "https://api.eu.newrelic.com/v2",
        });
        const rendered = JSON.stringify(renderDocuments(registered));
        assert.equal(rendered.includes(API_KEY), false, "the API key never reaches a render");
    });

    it("names the New Relic Secret after the profile a metric uses", async () => {
        const app = newRelicApp();
        app.analysis.metrics[4].profile = "team-payments";
        setConfig({ platform: { ...existingPlatform(), newRelic: { accountId: "1" } }, apps: [app], newRelicApiKey: API_KEY }, ["newRelicApiKey"]);
        runProgram();
        await settle();
        assert.deepEqual(
            ofType("kubernetes:core/v1:Secret").map((s) => s.inputs.metadata.name),
            ["team-payments"],
        );
    });

    for (const [what, key] of [
        ["no API key", undefined],
        ["an empty API key (Pulumi.yaml's default)", ""],
    ] as const) {
        it(`stops at preview, naming the command, when a New Relic metric has ${what}`, async () => {
            const values = { platform: { ...existingPlatform(), newRelic: { accountId: "1" } }, apps: [newRelicApp()] };
            setConfig(key === undefined ? values : { ...values, newRelicApiKey: key }, key === undefined ? [] : ["newRelicApiKey"]);
            assert.throws(runProgram, /newRelicApiKey: missing .* pulumi config set --secret canary-stack:newRelicApiKey <personal-api-key>/);
            await settle();
            assert.deepEqual(registered, []);
        });
    }
});

describe("platform: a cluster without Prometheus (monitoring.prometheus: false)", () => {
    before(() => installMocks());
    beforeEach(resetRegistered);

    it("installs the controller with its chart's ServiceMonitor off, and writes no Prometheus kind, alerts or dashboard", async () => {
        const platform = { ...noPrometheusPlatform(), argoRollouts: { install: true } };
        setConfig({ platform, apps: [newRelicOnlyApp()], newRelicApiKey: API_KEY }, ["newRelicApiKey"]);
        const outputs = runProgram();
        await settle();
        assert.deepEqual(
            ofType("kubernetes:helm.sh/v4:Chart").map((c) => c.inputs.name),
            ["argo-rollouts"],
        );
        assert.deepEqual(chart("argo-rollouts").inputs.values.controller.metrics.serviceMonitor, { enabled: false });
        const kinds = kubernetesObjects().map((o) => o.kind);
        for (const absent of ["ServiceMonitor", "PrometheusRule", "ConfigMap"]) assert.ok(!kinds.includes(absent), `no ${absent} in ${kinds.join(", ")}`);
        assert.deepEqual(
            objectsOfKind("Namespace").map((n) => n.metadata.name),
            ["argo-rollouts"],
        );
        assert.strictEqual(outputs.prometheusAddress, null, "null, not undefined: the engine warns on an undefined output");
        assert.strictEqual(outputs.grafanaAdminPassword, null);
    });
});
