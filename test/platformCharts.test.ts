// Tests components/manifests/charts.ts, components/platform/retain.ts and emptyRules.ts, the charts' provider (components/canaryStack.ts) and the chart source in the render (scripts/renderObjects.ts).
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { ARGO_ROLLOUTS_CHART, certManagerChartLocation, chartLocation, KUBE_PROMETHEUS_STACK_CHART } from "../components/manifests/charts";
import { dropEmptyRules } from "../components/platform/emptyRules";
import { retainOnDelete } from "../components/platform/retain";
import { renderedChartSource } from "../scripts/renderObjects";
import { renderStack } from "../scripts/renderStack";
import { readStackFile } from "../scripts/stackFile";
import { installMocks, ofType, registered, resetRegistered, setConfig, settle } from "./harness";

const indexPath = path.join(__dirname, "..", "index.ts");

function runStack(stack: string): void {
    const file = readStackFile(stack);
    setConfig(file.config, file.secretKeys);
    delete require.cache[require.resolve(indexPath)];
    require(indexPath);
}

describe("chart locations", () => {
    const cases: [string, Parameters<typeof chartLocation>[1], ReturnType<typeof chartLocation>][] = [
        [
            "the upstream repository",
            { kind: "repo" },
            { chart: "argo-rollouts", version: "2.40.5", repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" } },
        ],
        [
            "a mirror",
            { kind: "repo", repo: "https://charts.example.com/argo" },
            { chart: "argo-rollouts", version: "2.40.5", repositoryOpts: { repo: "https://charts.example.com/argo" } },
        ],
        [
            "an OCI registry",
            { kind: "oci", ref: "oci://registry.example.com/charts/argo-rollouts" },
            { chart: "oci://registry.example.com/charts/argo-rollouts", version: "2.40.5" },
        ],
        ["an archive", { kind: "path", path: "../charts/argo-rollouts-2.40.5.tgz" }, { chart: "../charts/argo-rollouts-2.40.5.tgz", version: "2.40.5" }],
    ];
    for (const [name, source, location] of cases) {
        it(`installs the pinned chart from ${name}`, () => assert.deepEqual(chartLocation(ARGO_ROLLOUTS_CHART, source), location));
    }

    it("gives cert-manager's component an empty repository for an OCI reference or a path, so its jetstack default does not apply", () => {
        assert.deepEqual(certManagerChartLocation({ kind: "repo" }), {
            chart: "cert-manager",
            version: "v1.17.2",
            repositoryOpts: { repo: "https://charts.jetstack.io" },
        });
        assert.deepEqual(certManagerChartLocation({ kind: "path", path: "cm.tgz" }), { chart: "cm.tgz", version: "v1.17.2", repositoryOpts: { repo: "" } });
        assert.deepEqual(certManagerChartLocation({ kind: "oci", ref: "oci://r.example/c/cert-manager" }), {
            chart: "oci://r.example/c/cert-manager",
            version: "v1.17.2",
            repositoryOpts: { repo: "" },
        });
    });
});

describe("chart transforms", () => {
    // Only passed through: the transforms never look into it.
    const provider = { name: "charts" } as unknown as pulumi.ProviderResource;
    const crd = { type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", name: "rollouts", props: {}, opts: {} } as any;
    const deployment = { type: "kubernetes:apps/v1:Deployment", name: "controller", props: {}, opts: {} } as any;

    const clusterRole = { type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", name: "argo-rollouts", props: {}, opts: {} } as any;

    it("puts the CRDs alone on the upserting provider, kept on destroy either way", () => {
        for (const shared of [true, false]) {
            assert.deepEqual((retainOnDelete(shared, provider)(crd) as any).opts, { retainOnDelete: true, provider });
        }
        assert.deepEqual((retainOnDelete(false)(crd) as any).opts, { retainOnDelete: true });
    });

    it("leaves every other object on the provider it is given, so one that exists already is refused, not adopted", () => {
        const given = { name: "cluster" } as unknown as pulumi.ProviderResource;
        for (const other of [deployment, clusterRole]) {
            assert.equal(retainOnDelete(false, provider)(other), undefined, `${other.type} untouched when not shared`);
            assert.deepEqual(
                (retainOnDelete(true, provider)({ ...other, opts: { provider: given } }) as any).opts,
                { provider: given, retainOnDelete: true },
                `${other.type} only kept when shared`,
            );
        }
    });

    it("drops an empty rules list of a Role or ClusterRole, and keeps every other", () => {
        const role = (type: string, rules?: unknown[]) =>
            ({ type: `kubernetes:rbac.authorization.k8s.io/v1:${type}`, name: "r", props: { kind: type, rules }, opts: {} }) as any;
        assert.deepEqual(dropEmptyRules()(role("Role", [])), { props: { kind: "Role" }, opts: {} });
        assert.deepEqual((dropEmptyRules()(role("ClusterRole", [])) as any).props, { kind: "ClusterRole" });
        assert.equal(dropEmptyRules()(role("Role", [{ verbs: ["get"] }])), undefined);
        assert.equal(dropEmptyRules()(role("Role")), undefined);
        assert.equal(dropEmptyRules()({ ...deployment, props: { rules: [] } }), undefined);
    });
});

describe("the charts' provider", () => {
    before(() => installMocks());
    beforeEach(resetRegistered);

    it("has a provider that applies over kept objects, and registers nothing with it but the charts' CRDs (through the transform)", async () => {
        runStack("prod");
        await settle();
        const providers = ofType("pulumi:providers:kubernetes");
        const charts = providers.find((p) => p.name === "charts")!;
        assert.equal(charts.inputs.upsertExistingObjects, "true");
        assert.equal(providers.find((p) => p.name === "cluster")!.inputs.upsertExistingObjects, undefined);
        // Each chart is on the component's provider: the engine hands the chart's transform that one,
        // and every object the transform does not move to "charts" (all but the CRDs) stays on it.
        const byProvider = (r: { provider?: string }) => r.provider?.split("::")[3];
        assert.deepEqual(ofType("kubernetes:helm.sh/v4:Chart").map(byProvider), ["cluster", "cluster"]);
        const others = registered.filter((r) => r.type.startsWith("kubernetes:") && r.provider);
        assert.ok(others.length > 0);
        assert.deepEqual([...new Set(others.map(byProvider))], ["cluster"]);
        for (const chart of ofType("kubernetes:helm.sh/v4:Chart")) assert.ok(chart.transformCount >= 1, `${chart.name} has the retain transform`);
    });
});

describe("render: the chart source", () => {
    it("names a repository, an OCI reference or a local chart", () => {
        assert.deepEqual(renderedChartSource("argo-rollouts", "https://argoproj.github.io/argo-helm"), { repo: "https://argoproj.github.io/argo-helm" });
        assert.deepEqual(renderedChartSource("oci://r.example/charts/argo-rollouts", undefined), { oci: "oci://r.example/charts/argo-rollouts" });
        assert.deepEqual(renderedChartSource("../charts/argo-rollouts-2.40.5.tgz", ""), { path: "../charts/argo-rollouts-2.40.5.tgz" });
    });

    it("shows the archives of the local-platform stack and the upstream repositories of prod", async () => {
        const charts = async (stack: string) =>
            parseAllDocuments((await renderStack(stack, readStackFile(stack), {})).text)
                .map((d) => d.toJS())
                .filter((d) => d?.kind === "HelmChart")
                .map((d) => [d.chart, d.version, d.source]);
        assert.deepEqual(await charts("local-platform"), [
            ["argo-rollouts", ARGO_ROLLOUTS_CHART.version, { path: "../shared/vendor/charts/argo-rollouts-2.40.5.tgz" }],
            ["cert-manager", "v1.17.2", { path: "../shared/vendor/charts/cert-manager-v1.17.2.tgz" }],
            ["kube-prometheus-stack", KUBE_PROMETHEUS_STACK_CHART.version, { path: "../shared/vendor/charts/kube-prometheus-stack-75.15.0.tgz" }],
        ]);
        assert.deepEqual(await charts("prod"), [
            ["argo-rollouts", "2.40.5", { repo: "https://argoproj.github.io/argo-helm" }],
            ["cert-manager", "v1.17.2", { repo: "https://charts.jetstack.io" }],
            ["kube-prometheus-stack", "75.15.0", { repo: "https://prometheus-community.github.io/helm-charts" }],
        ]);
    });
});
