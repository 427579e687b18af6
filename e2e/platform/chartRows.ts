/**
 * Rows about the charts' objects on the live cluster: all there after the
 * install, the CRDs Established, and what each kind of destroy leaves.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { ScenarioResult, stepResult } from "../report/types";
import { established, kindCounts, liveObjects, ObjectRef, refText } from "./chartObjects";
import { Chart, PlatformEnv } from "./installed";

const isCrd = (o: ObjectRef) => o.kind === "CustomResourceDefinition";

/** `pulumi preview` with the Argo Rollouts chart's archive missing stops with the key, before anything is registered. */
export function missingChartRow(env: PlatformEnv): ScenarioResult {
    const config = parse(fs.readFileSync(env.pulumi.configFile, "utf8"));
    const missing = "../no-such-dir/argo-rollouts-2.40.5.tgz";
    config.config["canary-stack:platform"].argoRollouts.chart = { path: missing };
    const file = path.join(env.dir, "Pulumi.missing-chart.yaml");
    fs.writeFileSync(file, stringify(config));
    const t0 = Date.now();
    const result = env.pulumi.run(["preview"], file);
    const expected =
        `platform.argoRollouts.chart.path: "${missing}" does not exist (resolved against the project directory: ${path.resolve(missing)}); ` +
        "give a chart archive (.tgz) or a chart directory";
    const lines = result.output.split("\n").filter((l) => l.includes(expected));
    const ok = result.code !== 0 && lines.length >= 1 && !result.output.includes("ConfigError:");
    return stepResult(
        "platform: pulumi preview with a chart archive that does not exist",
        `fails with "${expected}", no stack trace`,
        `exit ${result.code}; ${lines.length} line(s) with the message: ${JSON.stringify(lines[0]?.trim() ?? "")}` +
            (ok ? "" : `; output: ${result.output.slice(-1200)}`),
        ok,
        (Date.now() - t0) / 1000,
    );
}

/** Every object of the chart is live, and carries the chart's `helm.sh/chart` label where the chart sets one. */
export function chartRow(env: PlatformEnv, chart: Chart): ScenarioResult {
    const { present, missing, live } = liveObjects(env.kubectl, chart.objects);
    const chartLabel = (o: ObjectRef) => live.get(refText(o))?.metadata?.labels ?? {};
    const versions = new Set(present.map((o) => chartLabel(o)["helm.sh/chart"] ?? chartLabel(o).chart).filter(Boolean));
    const ok = missing.length === 0 && chart.objects.length > 0;
    return stepResult(
        `platform: every object of ${chart.label} exists`,
        `all ${chart.objects.length} objects the chart installed are in the cluster`,
        `${present.length} of ${chart.objects.length} live (${kindCounts(chart.objects)}); chart labels: ${[...versions].join(", ") || "none"}` +
            (missing.length ? `; missing: ${missing.map(refText).join(", ")}` : ""),
        ok,
        0,
        { objects: chart.objects.map(refText) },
    );
}

export function crdRow(env: PlatformEnv, charts: Chart[]): ScenarioResult {
    const parts = charts.map((chart) => {
        const crds = chart.objects.filter(isCrd);
        const { live } = liveObjects(env.kubectl, crds);
        const notEstablished = crds.filter((c) => !established(live.get(refText(c))));
        return { text: `${chart.label}: ${crds.length - notEstablished.length} of ${crds.length}`, notEstablished };
    });
    const failed = parts.flatMap((p) => p.notEstablished);
    return stepResult(
        "platform: the charts' CRDs are Established",
        "every CRD of the three charts reports Established=True",
        `${parts.map((p) => p.text).join("; ")} Established` + (failed.length ? `; not: ${failed.map(refText).join(", ")}` : ""),
        failed.length === 0,
    );
}

/** The stack's destroy: with `shared`, nothing of the charts goes; without, all but their CRDs. */
export async function destroyRow(env: PlatformEnv, charts: Chart[], shared: boolean): Promise<ScenarioResult> {
    const t0 = Date.now();
    const destroy = await env.pulumi.destroy();
    const seconds = (Date.now() - t0) / 1000;
    env.log(`pulumi destroy (shared: ${shared}): exit ${destroy.code}; ${destroy.summary}`);
    const all = charts.flatMap((c) => c.objects);
    const { present, missing } = liveObjects(env.kubectl, all);
    const crdsGone = missing.filter(isCrd);
    const stateLeft = env.pulumi.resources().filter((urn) => !urn.includes("pulumi:pulumi:Stack"));
    if (shared) {
        const ok = destroy.code === 0 && missing.length === 0 && stateLeft.length === 0;
        return stepResult(
            "platform: pulumi destroy with shared: true deletes nothing of the charts",
            "exit 0, the state empty, every object of the three charts still in the cluster",
            `exit ${destroy.code}; ${destroy.summary}; ${present.length} of ${all.length} chart objects still live; state: ${stateLeft.length} resources` +
                (missing.length ? `; deleted: ${missing.map(refText).join(", ")}` : ""),
            ok,
            seconds,
        );
    }
    const kept = present.filter((o) => !isCrd(o));
    const crds = all.filter(isCrd);
    const ok = destroy.code === 0 && kept.length === 0 && crdsGone.length === 0 && stateLeft.length === 0;
    return stepResult(
        "platform: pulumi destroy removes the charts and keeps their CRDs",
        "exit 0, the state empty, no object of the three charts left but their CRDs, all of which stay",
        `exit ${destroy.code}; ${destroy.summary}; ${all.length - crds.length - kept.length} of ${all.length - crds.length} chart objects deleted, ` +
            `${crds.length - crdsGone.length} of ${crds.length} CRDs kept; state: ${stateLeft.length} resources` +
            (kept.length ? `; left: ${kept.map(refText).join(", ")}` : "") +
            (crdsGone.length ? `; CRDs deleted: ${crdsGone.map(refText).join(", ")}` : ""),
        ok,
        seconds,
    );
}
