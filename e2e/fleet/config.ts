/**
 * The fleet phase's fixed settings and its pure helpers: two stacks, one per control plane, each
 * Pulumi.local.yaml's with its own Prometheus port and its own kubeconfig context; one kubeconfig that
 * holds both contexts, as an operator's does; and `kubectl argo rollouts get rollout` read back.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, parseDocument, stringify } from "yaml";
import type { Ports } from "../environment";

const ROOT = path.join(__dirname, "..", "..");

/** The first wave's stack (on the main run's ports) and the second's (on 14180-14184). */
export const STAGING = "fleet-staging";
export const PROD = "fleet-prod";
export const FLEET_PORTS: Ports = { prometheus: 14180, controllerMetrics: 14181, controllerHealthz: 14182, sim: 14183, operator: 14184 };

/** Pulumi.local.yaml, comments and all, with Prometheus on `prometheusPort` and the provider on kubeconfig context `context`. */
export function fleetConfigText(context: string, prometheusPort: number, localYaml = fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8")): string {
    const doc = parseDocument(localYaml);
    const address = ["config", "canary-stack:platform", "monitoring", "prometheusAddress"];
    if (!doc.hasIn(address)) throw new Error("Pulumi.local.yaml: no canary-stack:platform.monitoring.prometheusAddress");
    doc.setIn(address, `http://127.0.0.1:${prometheusPort}`);
    doc.setIn(["config", "canary-stack:cluster"], doc.createNode({ context }));
    return doc.toString();
}

/**
 * One kubeconfig with a context per cluster, named as given: each cluster-up kubeconfig's one cluster,
 * user and context, renamed (they all share cluster-up's names) and merged, as `kubectl config view
 * --flatten` of several files would be.
 */
export function mergeKubeconfigs(byContext: Record<string, string>): string {
    const merged: any = { apiVersion: "v1", kind: "Config", clusters: [], users: [], contexts: [], "current-context": Object.keys(byContext)[0] };
    for (const [name, text] of Object.entries(byContext)) {
        const doc = parse(text);
        if (doc.clusters?.length !== 1 || doc.users?.length !== 1)
            throw new Error(`the kubeconfig for ${name} has ${doc.clusters?.length} clusters and ${doc.users?.length} users, not one of each`);
        merged.clusters.push({ name, cluster: doc.clusters[0].cluster });
        merged.users.push({ name: `${name}-admin`, user: doc.users[0].user });
        merged.contexts.push({ name, context: { cluster: name, user: `${name}-admin`, namespace: "default" } });
    }
    return stringify(merged);
}

/** What `kubectl argo rollouts get rollout <name> --no-color` prints above its tree (v1.8.3 PrintRollout). */
export interface PluginView {
    status: string;
    step: string;
    setWeight: string;
    actualWeight: string;
    /** "image (tag, tag)" lines, as printed. */
    images: string[];
}

export function parsePluginGet(text: string): PluginView {
    const lines = text.split("\n");
    const field = (label: string) => {
        const line = lines.find((l) => l.startsWith(label));
        return line === undefined ? "" : line.slice(label.length).trim();
    };
    // Status: "<icon> Healthy"; the icon is one symbol.
    const status = field("Status:").split(/\s+/).pop() ?? "";
    const at = lines.findIndex((l) => l.startsWith("Images:"));
    const images: string[] = [];
    if (at >= 0) {
        images.push(lines[at].slice("Images:".length).trim());
        for (let i = at + 1; i < lines.length && /^\s+\S/.test(lines[i]) && !lines[i].startsWith("Replicas:"); i++) images.push(lines[i].trim());
    }
    return { status, step: field("  Step:"), setWeight: field("  SetWeight:"), actualWeight: field("  ActualWeight:"), images };
}
