// Tests stacks/chartSource.ts (platform.<chart>.chart: repo, oci or path) through parseStackConfig.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseStackConfig } from "../stacks";
import { validApp } from "./fixtures";

/** A platform that installs all three charts, each from `chart` where given. */
function platform(charts: { argo?: unknown; monitoring?: unknown; certManager?: unknown } = {}): any {
    return {
        argoRollouts: { install: true, ...(charts.argo === undefined ? {} : { chart: charts.argo }) },
        monitoring: { install: true, ...(charts.monitoring === undefined ? {} : { chart: charts.monitoring }) },
        certManager: { install: true, ...(charts.certManager === undefined ? {} : { chart: charts.certManager }) },
    };
}

function parse(p: any) {
    return parseStackConfig({ platform: p, apps: [validApp()] }).platform;
}

describe("chart sources", () => {
    let dir: string;
    let archive: string;
    let chartDir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-source-"));
        archive = path.join(dir, "argo-rollouts-2.40.5.tgz");
        fs.writeFileSync(archive, "");
        chartDir = path.join(dir, "kube-prometheus-stack");
        fs.mkdirSync(chartDir);
        fs.writeFileSync(path.join(chartDir, "Chart.yaml"), "name: kube-prometheus-stack\n");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("defaults every chart to its upstream repository", () => {
        const p = parse(platform());
        assert.deepEqual([p.argoRollouts.chart, p.monitoring.chart, p.certManager.chart], [{ kind: "repo" }, { kind: "repo" }, { kind: "repo" }]);
    });

    it("takes a repository URL, an OCI reference, an archive or a chart directory", () => {
        const p = parse(
            platform({
                argo: { path: archive },
                monitoring: { repo: "https://charts.example.com/prometheus-community" },
                certManager: { oci: "oci://registry.example.com:5000/charts/cert-manager" },
            }),
        );
        assert.deepEqual(p.argoRollouts.chart, { kind: "path", path: archive });
        assert.deepEqual(p.monitoring.chart, { kind: "repo", repo: "https://charts.example.com/prometheus-community" });
        assert.deepEqual(p.certManager.chart, { kind: "oci", ref: "oci://registry.example.com:5000/charts/cert-manager" });
        assert.deepEqual(parse(platform({ monitoring: { path: chartDir } })).monitoring.chart, { kind: "path", path: chartDir });
    });

    it("resolves a relative path against the project directory and keeps it as written", () => {
        const relative = path.relative(process.cwd(), archive);
        assert.deepEqual(parse(platform({ argo: { path: relative } })).argoRollouts.chart, { kind: "path", path: relative });
    });

    const missing = "../no-such-dir/argo-rollouts-2.40.5.tgz";
    const cases: [string, () => any, string | (() => string)][] = [
        [
            "a missing archive",
            () => platform({ argo: { path: missing } }),
            `platform.argoRollouts.chart.path: "${missing}" does not exist (resolved against the project directory: ${path.resolve(missing)}); ` +
                "give a chart archive (.tgz) or a chart directory",
        ],
        [
            "a directory without Chart.yaml",
            () => platform({ monitoring: { path: dir } }),
            () =>
                `platform.monitoring.chart.path: ${JSON.stringify(dir)} is a directory without a Chart.yaml (${dir}); give a chart archive (.tgz) or a chart directory`,
        ],
        [
            "two sources",
            () => platform({ certManager: { repo: "https://charts.jetstack.io", path: archive } }),
            "platform.certManager.chart: give one of repo (a chart repository URL), oci (an oci:// chart reference) or path (a chart archive or directory), not repo and path",
        ],
        [
            "no source",
            () => platform({ argo: {} }),
            "platform.argoRollouts.chart: give one of repo (a chart repository URL), oci (an oci:// chart reference) or path (a chart archive or directory)",
        ],
        ["an unknown key", () => platform({ argo: { url: "https://x" } }), "platform.argoRollouts.chart.url: unknown key (allowed: repo, oci, path)"],
        [
            "a repository that is not a URL",
            () => platform({ monitoring: { repo: "prometheus-community" } }),
            'platform.monitoring.chart.repo: "prometheus-community" is not an http(s) chart repository URL such as https://charts.example.com/argo',
        ],
        [
            "an OCI reference with a tag",
            () => platform({ argo: { oci: "oci://ghcr.io/argoproj/argo-helm/argo-rollouts:2.40.5" } }),
            'platform.argoRollouts.chart.oci: "oci://ghcr.io/argoproj/argo-helm/argo-rollouts:2.40.5" is not an OCI chart reference without a tag ' +
                "(oci://<registry>/<repository>/<chart>; the version is the pinned one)",
        ],
        [
            "an OCI reference without oci://",
            () => platform({ argo: { oci: "ghcr.io/argoproj/argo-helm/argo-rollouts" } }),
            'platform.argoRollouts.chart.oci: "ghcr.io/argoproj/argo-helm/argo-rollouts" is not an OCI chart reference without a tag ' +
                "(oci://<registry>/<repository>/<chart>; the version is the pinned one)",
        ],
        [
            "a chart for something not installed",
            () => ({ argoRollouts: { install: false, chart: { path: archive } }, monitoring: platform().monitoring }),
            "platform.argoRollouts.chart: only used with install: true (nothing is installed here); remove it",
        ],
        [
            "a chart for cert-manager not installed",
            () => ({ ...platform(), certManager: { present: true, chart: { repo: "https://charts.jetstack.io" } } }),
            "platform.certManager.chart: only used with install: true (nothing is installed here); remove it",
        ],
        [
            "a chart without Prometheus",
            () => ({ monitoring: { prometheus: false, chart: { repo: "https://x.example" } } }),
            "platform.monitoring.chart: not used with prometheus: false (the cluster has no Prometheus); remove it",
        ],
    ];
    for (const [name, config, message] of cases) {
        it(`refuses ${name}`, () =>
            assert.throws(
                () => parse(config()),
                (err: Error) => {
                    assert.equal(err.message, typeof message === "function" ? message() : message);
                    return true;
                },
            ));
    }
});
