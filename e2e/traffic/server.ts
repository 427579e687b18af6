/**
 * The traffic simulator: simulated pods run no process, so this server stands
 * in for the app's pods. It watches the Rollout's live ReplicaSets, sends a
 * steady request rate split by their ready replicas, and serves each
 * version's metrics at /metrics/<pod-template-hash>. It writes a Prometheus
 * file_sd targets file with one target per version, labelled
 * `rollouts_pod_template_hash` as the ServiceMonitor's podTargetLabels would.
 *
 *   node e2e/traffic/server.ts <config.json>
 *
 * The config file is re-read every tick, so a scenario changes an image's
 * behaviour by rewriting it. Listens on 127.0.0.1 only.
 */
import * as fs from "fs";
import * as http from "http";
import type * as k8sClient from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { VersionMetrics } from "./metrics";
import { Accumulator, Behaviour, HEALTHY, splitRequests, Version } from "./split";

export interface SimConfig {
    kubeconfig: string;
    namespace: string;
    rollout: string;
    port: number;
    targetsFile: string;
    requestsPerSecond: number;
    /** Behaviour per image; images not listed are healthy. */
    behaviours: Record<string, Behaviour>;
}

const TICK_MS = 250;

function readConfig(file: string): SimConfig {
    return JSON.parse(fs.readFileSync(file, "utf8")) as SimConfig;
}

async function liveVersions(api: k8sClient.AppsV1Api, config: SimConfig): Promise<Version[]> {
    const list = await api.listNamespacedReplicaSet({ namespace: config.namespace });
    return list.items
        .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === "Rollout" && o.name === config.rollout))
        .map((rs) => ({
            hash: rs.metadata?.labels?.["rollouts-pod-template-hash"] ?? "",
            image: rs.spec?.template?.spec?.containers?.[0]?.image ?? "",
            readyReplicas: rs.status?.readyReplicas ?? 0,
        }))
        .filter((v) => v.hash !== "");
}

function writeTargets(config: SimConfig, versions: Version[]): void {
    const targets = versions.map((v) => ({
        targets: [`127.0.0.1:${config.port}`],
        labels: { __metrics_path__: `/metrics/${v.hash}`, rollouts_pod_template_hash: v.hash },
    }));
    const tmp = `${config.targetsFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(targets));
    fs.renameSync(tmp, config.targetsFile);
}

async function main(): Promise<void> {
    const configFile = process.argv[2];
    let config = readConfig(configFile);
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(config.kubeconfig);
    const api = kc.makeApiClient(k8s.AppsV1Api);

    const metrics = new Map<string, VersionMetrics>();
    const metricsOf = (hash: string) => metrics.get(hash) ?? metrics.set(hash, new VersionMetrics()).get(hash)!;
    const accumulator = new Accumulator();
    let lastTargets = "";

    const server = http.createServer(async (req, res) => {
        const match = /^\/metrics\/([a-z0-9]+)$/.exec(req.url ?? "");
        const version = match ? metrics.get(match[1]) : undefined;
        if (!version) {
            res.writeHead(404).end();
            return;
        }
        res.writeHead(200, { "Content-Type": version.registry.contentType });
        res.end(await version.registry.metrics());
    });
    await new Promise<void>((resolve) => server.listen(config.port, "127.0.0.1", resolve));
    process.stderr.write(`traffic simulator on 127.0.0.1:${config.port} for ${config.namespace}/${config.rollout}\n`);

    const tick = async () => {
        config = readConfig(configFile);
        const versions = await liveVersions(api, config);
        const behaviourOf = (image: string) => config.behaviours[image] ?? HEALTHY;
        const split = splitRequests(versions, (config.requestsPerSecond * TICK_MS) / 1000, behaviourOf);
        for (const v of versions) {
            const behaviour = behaviourOf(v.image);
            const { requests, errors } = accumulator.take(v.hash, split.get(v.hash) ?? 0, behaviour.errorRate);
            metricsOf(v.hash).record(requests, errors, behaviour.latencySeconds);
        }
        const targets = JSON.stringify(versions.map((v) => v.hash).sort());
        if (targets !== lastTargets) {
            writeTargets(config, versions);
            lastTargets = targets;
        }
    };
    const loop = async () => {
        try {
            await tick();
        } catch (err) {
            process.stderr.write(`tick failed: ${(err as Error).message}\n`);
        }
        setTimeout(loop, TICK_MS);
    };
    await loop();
    const stop = () => server.close(() => process.exit(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

main().catch((err: Error) => {
    process.stderr.write(`traffic simulator failed: ${err.message}\n`);
    process.exit(1);
});
