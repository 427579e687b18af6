/**
 * What the fleet reads of a stack's cluster, from where the fleet runs: the stack's config file says
 * which context, apps and Prometheus; the cluster (through the operator's KUBECONFIG and that context)
 * gives its kube-system UID, each app's Rollout with its ReplicaSets and AnalysisRuns; the stack's
 * Prometheus gives its firing alerts. Every call has a timeout.
 */
import * as fs from "fs";
import * as path from "path";
import { canaryAlerts } from "../components/manifests/alerts";
import { loadKubeConfig, orThrow, orUndefined } from "../components/kube/client";
import { readStackFile } from "../scripts/stackFile";
import { CONFIG_NAMESPACE, parseStackConfig } from "../stacks";
import { AlertCheck, stackAlerts } from "./health";
import { rolloutView, RolloutView } from "./rolloutInfo";

export interface StackTarget {
    stack: string;
    context?: string;
    /** The UID the stack's config pins its cluster to, if it does. */
    kubeSystemUid?: string;
    apps: { name: string; namespace: string }[];
    /** Where the stack's Prometheus answers, or why its alerts are not read. */
    prometheus: { address: string } | { none: string };
    alertNames: string[];
}

export function configFile(configDir: string, stack: string): string {
    return path.join(configDir, `Pulumi.${stack}.yaml`);
}

export function hasConfig(configDir: string, stack: string): boolean {
    return fs.existsSync(configFile(configDir, stack));
}

/** The stack's config file, read and validated as the program reads it (secrets stay encrypted and unread). */
export function stackTarget(stack: string, configDir: string): StackTarget {
    const file = readStackFile(stack, configDir, configFile(configDir, stack));
    const json = (key: string) => {
        const raw = file.config[`${CONFIG_NAMESPACE}:${key}`];
        return raw === undefined ? undefined : JSON.parse(raw);
    };
    // A missing New Relic API key is the program's to report (in the stack's preview or up); the fleet reads no secret.
    const config = parseStackConfig({ cluster: json("cluster"), platform: json("platform"), apps: json("apps") }, {} as any);
    const { monitoring } = config.platform;
    const prometheus =
        !monitoring.prometheus || !monitoring.prometheusAddress
            ? { none: "the stack has no Prometheus (its metrics are New Relic's)" }
            : !monitoring.alerts
              ? { none: "the stack installs no canary alerts (platform.monitoring.alerts: false)" }
              : { address: monitoring.prometheusAddress };
    return {
        stack,
        context: config.cluster.context,
        kubeSystemUid: config.cluster.kubeSystemUid,
        apps: config.apps.map((a) => ({ name: a.name, namespace: a.namespace })),
        prometheus,
        alertNames: canaryAlerts(config.platform.argoRollouts.metricsJob, monitoring.alertFor).map((a) => a.alert),
    };
}

/** An in-cluster Service address (`http://<service>.<namespace>.svc[.cluster.local]:<port>`) is reached through the API server's service proxy. */
export function serviceProxy(address: string): { namespace: string; name: string; path: string } | undefined {
    const url = new URL(address);
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(url.hostname);
    if (!m) return undefined;
    const scheme = url.protocol.replace(":", "");
    const port = url.port || (scheme === "https" ? "443" : "80");
    return { namespace: m[2], name: `${scheme}:${m[1]}:${port}`, path: url.pathname.replace(/\/$/, "") };
}

const PROMETHEUS_TIMEOUT_MS = 10_000;

/** The stack's canary alerts now firing, from its Prometheus's /api/v1/alerts (directly, or through the API server's service proxy). */
export async function readAlerts(target: StackTarget): Promise<AlertCheck> {
    if ("none" in target.prometheus) return { checked: false, note: target.prometheus.none };
    const { address } = target.prometheus;
    const proxy = serviceProxy(address);
    let body: string;
    try {
        if (proxy) {
            const { k8s, config } = loadKubeConfig({ context: target.context });
            const core = config.makeApiClient(k8s.CoreV1Api);
            const raw: unknown = await orThrow(`reading the alerts through the service proxy ${proxy.namespace}/${proxy.name}`, () =>
                core.connectGetNamespacedServiceProxyWithPath({
                    namespace: proxy.namespace,
                    name: proxy.name,
                    path: `${proxy.path}/api/v1/alerts`.replace(/^\//, ""),
                }),
            );
            body = typeof raw === "string" ? raw : JSON.stringify(raw);
        } else {
            const res = await fetch(`${address.replace(/\/$/, "")}/api/v1/alerts`, { signal: AbortSignal.timeout(PROMETHEUS_TIMEOUT_MS) });
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            body = await res.text();
        }
        const alerts = JSON.parse(body)?.data?.alerts ?? [];
        return {
            checked: true,
            firing: stackAlerts(
                alerts,
                target.alertNames,
                target.apps.map((a) => a.namespace),
            ),
        };
    } catch (err) {
        // Not knowing whether an alert fires is not healthy.
        return { checked: true, firing: [], error: `${address}: ${(err as Error).message}` };
    }
}

export interface ClusterReading {
    /** kube-system's UID. */
    cluster: string;
    rollouts: { namespace: string; name: string; view?: RolloutView }[];
}

/** The cluster's identity and each app's Rollout as `kubectl argo rollouts get` shows it (rolloutInfo.ts). */
export async function readCluster(target: StackTarget): Promise<ClusterReading> {
    const { k8s, config } = loadKubeConfig({ context: target.context });
    const core = config.makeApiClient(k8s.CoreV1Api);
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const kubeSystem = await orThrow("reading namespace kube-system", () => core.readNamespace({ name: "kube-system" }));
    const cluster = kubeSystem.metadata?.uid ?? "";
    if (target.kubeSystemUid && cluster !== target.kubeSystemUid) {
        throw new Error(
            `context ${target.context ?? "(current)"} reaches the cluster with kube-system UID ${cluster}, not the stack's cluster.kubeSystemUid ${target.kubeSystemUid}`,
        );
    }
    const argo = { group: "argoproj.io", version: "v1alpha1" };
    const rollouts = await Promise.all(
        target.apps.map(async ({ name, namespace }) => {
            const ro: any = await orUndefined(`reading Rollout ${namespace}/${name}`, () =>
                custom.getNamespacedCustomObject({ ...argo, namespace, plural: "rollouts", name }),
            );
            if (!ro) return { namespace, name };
            const [replicaSets, runs] = await Promise.all([
                orThrow(`listing ReplicaSets in ${namespace}`, () => apps.listNamespacedReplicaSet({ namespace })),
                orThrow(`listing AnalysisRuns in ${namespace}`, () => custom.listNamespacedCustomObject({ ...argo, namespace, plural: "analysisruns" })),
            ]);
            // client-node returns typed objects with camelCase fields, as the API's JSON.
            return { namespace, name, view: rolloutView(ro, replicaSets.items as any[], (runs as any).items ?? []) };
        }),
    );
    return { cluster, rollouts };
}
