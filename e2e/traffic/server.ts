/**
 * The traffic simulator: simulated pods run no process, so this server stands
 * in for the app's pods. It follows the Rollout's live ReplicaSets and sends
 * a steady request rate to the app Service's ready endpoints, as the Service
 * would (a pod that is not Ready gets nothing), and serves each version's
 * metrics at /metrics/<pod-template-hash> and the requests each version has
 * served so far at /served (JSON, by hash). It writes a Prometheus
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
import { Accumulator, Behaviour, HEALTHY, readyEndpointsByHash, splitRequests, Version } from "./split";

export interface SimConfig {
    kubeconfig: string;
    namespace: string;
    rollout: string;
    /** The app's own Service, whose ready endpoints get the requests. */
    service: string;
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

interface Apis {
    apps: k8sClient.AppsV1Api;
    core: k8sClient.CoreV1Api;
    discovery: k8sClient.DiscoveryV1Api;
}

async function liveVersions(api: Apis, config: SimConfig): Promise<Version[]> {
    const namespace = config.namespace;
    const [replicaSets, slices, pods] = await Promise.all([
        api.apps.listNamespacedReplicaSet({ namespace }),
        api.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${config.service}` }),
        api.core.listNamespacedPod({ namespace, labelSelector: "rollouts-pod-template-hash" }),
    ]);
    const hashOfPod = new Map(pods.items.map((p) => [p.metadata?.name ?? "", p.metadata?.labels?.["rollouts-pod-template-hash"] ?? ""]));
    const endpoints = slices.items.flatMap((s) => s.endpoints ?? []).map((e) => ({
        pod: e.targetRef?.kind === "Pod" ? e.targetRef.name : undefined,
        ready: e.conditions?.ready === true,
    }));
    const ready = readyEndpointsByHash(endpoints, hashOfPod);
    return replicaSets.items
        .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === "Rollout" && o.name === config.rollout))
        .map((rs) => {
            const hash = rs.metadata?.labels?.["rollouts-pod-template-hash"] ?? "";
            return { hash, image: rs.spec?.template?.spec?.containers?.[0]?.image ?? "", readyEndpoints: ready.get(hash) ?? 0 };
        })
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
    const api: Apis = { apps: kc.makeApiClient(k8s.AppsV1Api), core: kc.makeApiClient(k8s.CoreV1Api), discovery: kc.makeApiClient(k8s.DiscoveryV1Api) };

    const metrics = new Map<string, VersionMetrics>();
    const metricsOf = (hash: string) => metrics.get(hash) ?? metrics.set(hash, new VersionMetrics()).get(hash)!;
    const accumulator = new Accumulator();
    const served = new Map<string, number>();
    let lastTargets = "";

    const server = http.createServer(async (req, res) => {
        if (req.url === "/served") {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify(Object.fromEntries(served)));
            return;
        }
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
            served.set(v.hash, (served.get(v.hash) ?? 0) + requests);
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
