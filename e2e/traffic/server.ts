/**
 * The traffic simulator: simulated pods run no process, so this server stands
 * in for the app's pods. It follows the Rollout's live ReplicaSets and sends
 * a steady request rate to the app Service's ready endpoints, as the Service
 * would (a pod that is not Ready gets nothing), and serves each version's
 * metrics at /metrics/<pod-template-hash> and the requests each version has
 * served so far at /served (JSON, by hash), and the New Relic
 * `Transaction` events those requests would be (transactions.ts) at
 * /transactions?since=<epoch ms>, for the NerdGraph stand-in. It writes a Prometheus
 * file_sd targets file with one target per version, labelled
 * `rollouts_pod_template_hash` as the ServiceMonitor's podTargetLabels would.
 *
 * With `podTargets`, it stands in for each pod instead: a version's requests
 * are spread over its ready pods, each pod's metrics are served at
 * /metrics/pod/<pod> (503 while the pod is not Ready, as a pod that is not
 * listening yet fails its scrape), and the targets file has one target per
 * endpoint of the app's metrics Service with the labels of Prometheus's
 * endpoints discovery (podTargets.ts), for the relabelling the Prometheus
 * operator generates.
 *
 * With `ingress`, it stands in for ingress-nginx in front of the app
 * (ingressStandIn.ts): each request goes to the stable Ingress's Service or,
 * by the canary Ingress's weight, to Argo Rollouts' canary Ingress's, and
 * then to one of that Service's ready pods; /served then also counts the
 * Deployment's own pods (`deployment`) and requests no ready pod took
 * (`unrouted`), and /route sends one request through fresh reads and says
 * where it went.
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
import { endpointTarget, MetricsServiceInfo, PodInfo, splitOverPods } from "./podTargets";
import { Accumulator, Behaviour, HEALTHY, readyEndpointsByHash, splitRequests, Version } from "./split";
import { RoundRobin } from "./ingressRoute";
import { TransactionLog } from "./transactions";
import { IngressNames, readIngressState, routeOne } from "./ingressStandIn";

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
    /** One scrape target per pod, found through this metrics Service's endpoints (its port named `port`). */
    podTargets?: { metricsService: string; port: string };
    /** Route through these Ingresses instead of the app Service's endpoints. */
    ingress?: IngressNames;
}

const TICK_MS = 250;

function readConfig(file: string): SimConfig {
    return JSON.parse(fs.readFileSync(file, "utf8")) as SimConfig;
}

interface Apis {
    apps: k8sClient.AppsV1Api;
    core: k8sClient.CoreV1Api;
    discovery: k8sClient.DiscoveryV1Api;
    networking: k8sClient.NetworkingV1Api;
}

interface Live {
    versions: Version[];
    /** Ready pods (endpoints of the app Service) by pod-template hash. */
    readyPods: Map<string, string[]>;
    /** Every ready pod behind the app Service, the Rollout's or not. */
    ready: Set<string>;
    pods: k8sClient.V1Pod[];
}

async function liveVersions(api: Apis, config: SimConfig): Promise<Live> {
    const namespace = config.namespace;
    const [replicaSets, slices, pods] = await Promise.all([
        api.apps.listNamespacedReplicaSet({ namespace }),
        api.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${config.service}` }),
        api.core.listNamespacedPod({ namespace, labelSelector: "rollouts-pod-template-hash" }),
    ]);
    const hashOfPod = new Map(pods.items.map((p) => [p.metadata?.name ?? "", p.metadata?.labels?.["rollouts-pod-template-hash"] ?? ""]));
    const endpoints = slices.items
        .flatMap((s) => s.endpoints ?? [])
        .map((e) => ({
            pod: e.targetRef?.kind === "Pod" ? e.targetRef.name : undefined,
            ready: e.conditions?.ready === true,
        }));
    const ready = readyEndpointsByHash(endpoints, hashOfPod);
    const readyPods = new Map<string, string[]>();
    for (const e of endpoints) {
        const hash = e.ready && e.pod ? hashOfPod.get(e.pod) : undefined;
        if (hash) readyPods.set(hash, [...(readyPods.get(hash) ?? []), e.pod!]);
    }
    const versions = replicaSets.items
        .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === "Rollout" && o.name === config.rollout))
        .map((rs) => {
            const hash = rs.metadata?.labels?.["rollouts-pod-template-hash"] ?? "";
            return { hash, image: rs.spec?.template?.spec?.containers?.[0]?.image ?? "", readyEndpoints: ready.get(hash) ?? 0 };
        })
        .filter((v) => v.hash !== "");
    return { versions, readyPods, ready: new Set(endpoints.filter((e) => e.ready && e.pod).map((e) => e.pod!)), pods: pods.items };
}

function podInfo(p: k8sClient.V1Pod): PodInfo {
    const owner = p.metadata?.ownerReferences?.find((o) => o.controller);
    return {
        name: p.metadata?.name ?? "",
        uid: p.metadata?.uid,
        ip: p.status?.podIP,
        phase: p.status?.phase,
        nodeName: p.spec?.nodeName,
        hostIP: p.status?.hostIP,
        ready: p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
        labels: p.metadata?.labels ?? {},
        controller: owner ? { kind: owner.kind, name: owner.name } : undefined,
        containers: (p.spec?.containers ?? []).map((c) => ({
            name: c.name,
            ports: (c.ports ?? []).map((q) => ({ name: q.name, containerPort: q.containerPort, protocol: q.protocol })),
        })),
    };
}

/** One target per endpoint of the metrics Service, ready or not, as the endpoints discovery role lists them. */
async function podTargetGroups(api: Apis, config: SimConfig, pods: k8sClient.V1Pod[]) {
    const { metricsService, port } = config.podTargets!;
    const namespace = config.namespace;
    const [service, slices] = await Promise.all([
        api.core.readNamespacedService({ name: metricsService, namespace }),
        api.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${metricsService}` }),
    ]);
    const servicePort = service.spec?.ports?.find((p) => p.name === port);
    if (!servicePort) throw new Error(`Service ${namespace}/${metricsService} has no port named ${port}`);
    const info: MetricsServiceInfo = {
        namespace,
        name: metricsService,
        labels: service.metadata?.labels ?? {},
        port: { name: port, port: Number(servicePort.targetPort ?? servicePort.port), protocol: servicePort.protocol ?? "TCP" },
    };
    const podByName = new Map(pods.map((p) => [p.metadata?.name ?? "", p]));
    return slices.items
        .flatMap((s) => s.endpoints ?? [])
        .filter((e) => e.targetRef?.kind === "Pod" && e.targetRef.name)
        .map((e) => {
            const pod = podByName.get(e.targetRef!.name!);
            return endpointTarget(
                info,
                { pod: e.targetRef!.name!, ready: e.conditions?.ready === true, nodeName: e.nodeName },
                pod && podInfo(pod),
                `127.0.0.1:${config.port}`,
            );
        })
        .sort((a, b) => a.labels.__metrics_path__.localeCompare(b.labels.__metrics_path__));
}

function versionTargets(config: SimConfig, versions: Version[]) {
    return versions
        .map((v) => ({
            targets: [`127.0.0.1:${config.port}`],
            labels: { __metrics_path__: `/metrics/${v.hash}`, rollouts_pod_template_hash: v.hash },
        }))
        .sort((a, b) => a.labels.__metrics_path__.localeCompare(b.labels.__metrics_path__));
}

function writeTargets(config: SimConfig, targets: object[]): void {
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
    const api: Apis = {
        apps: kc.makeApiClient(k8s.AppsV1Api),
        core: kc.makeApiClient(k8s.CoreV1Api),
        discovery: kc.makeApiClient(k8s.DiscoveryV1Api),
        networking: kc.makeApiClient(k8s.NetworkingV1Api),
    };
    const robin = new RoundRobin();

    // Keyed by version hash, or by pod with podTargets.
    const metrics = new Map<string, VersionMetrics>();
    const metricsOf = (key: string) => metrics.get(key) ?? metrics.set(key, new VersionMetrics()).get(key)!;
    let readyNow = new Set<string>();
    /** Pods (or versions) that have served requests: their start-up failures are counted. */
    const started = new Set<string>();
    const accumulator = new Accumulator();
    const served = new Map<string, number>();
    const transactions = new TransactionLog();
    let lastTargets = "";

    const server = http.createServer(async (req, res) => {
        if (req.url === "/served") {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify(Object.fromEntries(served)));
            return;
        }
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        if (url.pathname === "/transactions") {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify(transactions.since(Number(url.searchParams.get("since") ?? 0))));
            return;
        }
        if (req.url === "/route" && config.ingress) {
            const routed = await readIngressState(api, config.namespace, config.ingress).then(
                (state) => routeOne(state, robin),
                (err: Error) => ({ error: err.message }),
            );
            res.writeHead("key" in routed && routed.pod ? 200 : 503, { "Content-Type": "application/json" });
            res.end(JSON.stringify(routed));
            return;
        }
        const pod = /^\/metrics\/pod\/([a-z0-9.-]+)$/.exec(req.url ?? "")?.[1];
        if (pod && !readyNow.has(pod)) {
            res.writeHead(503).end("not ready");
            return;
        }
        const match = /^\/metrics\/([a-z0-9]+)$/.exec(req.url ?? "");
        const version = pod ? metricsOf(pod) : match ? metrics.get(match[1]) : undefined;
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
        const { versions, readyPods, ready, pods } = await liveVersions(api, config);
        const behaviourOf = (image: string) => config.behaviours[image] ?? HEALTHY;
        readyNow = ready;
        if (config.ingress) {
            const state = await readIngressState(api, config.namespace, config.ingress);
            const imageOf = new Map(versions.map((v) => [v.hash, v.image]));
            const { requests } = accumulator.take("ingress", (config.requestsPerSecond * TICK_MS) / 1000, 0);
            for (let i = 0; i < requests; i++) {
                const { key } = routeOne(state, robin);
                served.set(key, (served.get(key) ?? 0) + 1);
                const image = imageOf.get(key);
                if (image !== undefined) {
                    const behaviour = behaviourOf(image);
                    const one = accumulator.take(key, 1, behaviour.errorRate);
                    metricsOf(key).record(one.requests, one.errors, behaviour.latencySeconds);
                }
            }
        }
        const split = splitRequests(versions, config.ingress ? 0 : (config.requestsPerSecond * TICK_MS) / 1000, behaviourOf);
        for (const v of versions) {
            const behaviour = behaviourOf(v.image);
            const share = config.podTargets ? splitOverPods(split.get(v.hash) ?? 0, readyPods.get(v.hash) ?? []) : new Map([[v.hash, split.get(v.hash) ?? 0]]);
            for (const [key, owed] of share) {
                const { requests, errors } = accumulator.take(key, owed, behaviour.errorRate);
                metricsOf(key).record(requests, errors, behaviour.latencySeconds);
                transactions.record(
                    Date.now(),
                    config.rollout,
                    config.podTargets ? [key] : (readyPods.get(v.hash) ?? []),
                    requests,
                    errors,
                    behaviour.latencySeconds,
                );
                served.set(v.hash, (served.get(v.hash) ?? 0) + requests);
                if (requests > 0 && !started.has(key)) {
                    started.add(key);
                    for (const [counter, n] of Object.entries(behaviour.failuresAtStart ?? {})) metricsOf(key).countFailures(counter, n);
                }
            }
        }
        const targets = JSON.stringify(config.podTargets ? await podTargetGroups(api, config, pods) : versionTargets(config, versions));
        if (targets !== lastTargets) {
            writeTargets(config, JSON.parse(targets));
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
