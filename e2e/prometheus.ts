import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { start, Started, waitFor } from "./lib/proc";

export interface PrometheusOptions {
    dir: string;
    port: number;
    /** The app's Prometheus job (the ServiceMonitor's jobLabel value); none where the operator's generated job is loaded instead. */
    job?: string;
    /**
     * Scrape jobs as the Prometheus operator generated them, their discovery pointed at files of targets
     * labelled as Kubernetes discovery labels them: the controller's (controllerScrape.ts) and, in the
     * production phase, the app's pods.
     */
    generatedJobs?: object[];
    /** file_sd targets written by the traffic simulator, one per version. */
    targetsFile: string;
    /** The folder of the operator's rules ConfigMap, as it mounts it (see operator.ts); Prometheus loads its *.yaml. */
    ruleFolder: string;
}

/**
 * A real Prometheus (Debian's package) on loopback. It stands in for the
 * operator-managed one: the controller's scrape job is the operator's
 * (controllerScrape.ts), and the app's has the same `job` and the
 * `rollouts_pod_template_hash` target label the ServiceMonitor would give
 * (in the production phase, the operator's job too).
 */
export function prometheusConfig(o: PrometheusOptions): string {
    return [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        // As the operator writes it: <the ConfigMap's folder>/*.yaml (only the last segment may be a glob).
        "rule_files:",
        `  - ${JSON.stringify(path.join(o.ruleFolder, "*.yaml"))}`,
        "scrape_configs:",
        ...(o.job
            ? [`  - job_name: ${o.job}`, "    file_sd_configs:", `      - files: [${JSON.stringify(o.targetsFile)}]`, "        refresh_interval: 1s"]
            : []),
        ...(o.generatedJobs ?? []).map((job) => stringify([job]).trimEnd().replace(/^/gm, "  ")),
        "",
    ].join("\n");
}

/**
 * A job of the operator's generated configuration with its Kubernetes discovery replaced by the
 * simulator's targets file (whose targets carry the labels that discovery would give): the
 * relabelling, interval and everything else are the operator's.
 */
export function onSimulatorTargets(job: Record<string, unknown>, targetsFile: string): Record<string, unknown> {
    const { kubernetes_sd_configs: _discovery, ...rest } = job;
    return { ...asShardZero(rest), file_sd_configs: [{ files: [targetsFile], refresh_interval: "5s" }] };
}

/**
 * The operator writes its sharding rule with the placeholder `$(SHARD)` (`regex: $(SHARD);|.+;.+`), which
 * the prometheus-config-reloader beside each Prometheus replaces with that replica's shard from its
 * SHARD environment variable before Prometheus reads the file; a one-shard Prometheus is shard 0.
 */
function asShardZero<T>(value: T): T {
    return JSON.parse(JSON.stringify(value).split("$(SHARD)").join("0"));
}

/** Rewrites the config with the given generated jobs and reloads it. */
export async function loadGeneratedJobs(o: PrometheusOptions, jobs: object[]): Promise<void> {
    fs.writeFileSync(path.join(o.dir, "prometheus.yml"), prometheusConfig({ ...o, generatedJobs: jobs }));
    await reloadPrometheus(o.port);
}

export async function startPrometheus(o: PrometheusOptions): Promise<Started> {
    fs.mkdirSync(o.dir, { recursive: true });
    const config = path.join(o.dir, "prometheus.yml");
    fs.writeFileSync(config, prometheusConfig(o));
    if (!fs.existsSync(o.targetsFile)) fs.writeFileSync(o.targetsFile, "[]");
    const started = start(
        "prometheus",
        "prometheus",
        [
            `--config.file=${config}`,
            `--storage.tsdb.path=${path.join(o.dir, "data")}`,
            `--web.listen-address=127.0.0.1:${o.port}`,
            "--storage.tsdb.retention.time=1h",
            // POST /-/reload: load the operator's rule file without a restart, and say if it failed.
            "--web.enable-lifecycle",
        ],
        path.join(o.dir, "prometheus.log"),
    );
    await waitFor("Prometheus to be ready", 30000, async () => {
        const res = await fetch(`http://127.0.0.1:${o.port}/-/ready`).catch(() => undefined);
        return res?.ok ? true : undefined;
    });
    return started;
}

/** Re-reads the config and every rule file; throws with Prometheus's own message when one does not load. */
export async function reloadPrometheus(port: number): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${port}/-/reload`, { method: "POST" });
    if (!res.ok) throw new Error(`Prometheus reload failed (${res.status}): ${(await res.text()).trim()}`);
}

/** One instant query; the series it returned (labels and value), for queries whose labels matter. */
export async function querySeries(port: number, promql: string): Promise<{ metric: Record<string, string>; value: number }[]> {
    const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`;
    const body = (await (await fetch(url)).json()) as {
        status: string;
        error?: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== "success") throw new Error(`query failed: ${promql}: ${body.error}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** One instant query; the vector's values. */
export async function query(port: number, promql: string): Promise<number[]> {
    const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`;
    const body = (await (await fetch(url)).json()) as { status: string; data: { result: { value: [number, string] }[] } };
    if (body.status !== "success") throw new Error(`query failed: ${promql}`);
    return body.data.result.map((r) => Number(r.value[1]));
}
