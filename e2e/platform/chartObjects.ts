/**
 * Chart objects as references, where they are listed (a helm.v4.Chart's
 * children in a `pulumi stack export`, a Helm release's manifest in its
 * `sh.helm.release.v1.<name>.v<revision>` Secret, hooks left out), and which
 * of them the cluster has.
 */
import { gunzipSync } from "zlib";
import { parseAllDocuments } from "yaml";
import { Kubectl } from "../lib/kubectl";

export interface ObjectRef {
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
}

/** `Kind namespace/name`, or `Kind name` for a cluster-scoped object. */
export function refText(o: ObjectRef): string {
    return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

interface StateResource {
    urn: string;
    type: string;
    parent?: string;
    outputs?: any;
}

const V4_CHART = "kubernetes:helm.sh/v4:Chart";
const V3_RELEASE = "kubernetes:helm.sh/v3:Release";

/** The objects of each helm.v4.Chart in a `pulumi stack export`, by the chart's resource name (e.g. `monitoring-chart`). */
export function v4ChartObjects(state: { deployment: { resources?: StateResource[] } }): Map<string, ObjectRef[]> {
    const resources = state.deployment.resources ?? [];
    const charts = new Map<string, ObjectRef[]>();
    for (const chart of resources.filter((r) => r.type === V4_CHART)) {
        const objects = resources
            .filter((r) => r.parent === chart.urn && r.outputs?.kind)
            .map((r) => ({
                apiVersion: r.outputs.apiVersion,
                kind: r.outputs.kind,
                name: r.outputs.metadata.name,
                namespace: r.outputs.metadata.namespace,
            }));
        charts.set(chart.urn.split("::").pop()!, objects);
    }
    return charts;
}

/** The Helm releases (name, namespace, revision) of the helm.v3.Releases in a `pulumi stack export`. */
export function v3Releases(state: { deployment: { resources?: StateResource[] } }): { name: string; namespace: string; revision: number }[] {
    return (state.deployment.resources ?? [])
        .filter((r) => r.type === V3_RELEASE && r.outputs?.status)
        .map((r) => ({ name: r.outputs.status.name, namespace: r.outputs.status.namespace, revision: r.outputs.status.revision }));
}

/** Helm's record of a release: a Secret holding base64 of the gzipped release JSON. */
export function helmRelease(kubectl: Kubectl, name: string, namespace: string, revision: number): { chartVersion: string; objects: ObjectRef[] } {
    const secret = kubectl.get("secret", `sh.helm.release.v1.${name}.v${revision}`, namespace);
    if (!secret) throw new Error(`no Helm release record ${namespace}/sh.helm.release.v1.${name}.v${revision}`);
    const release = JSON.parse(gunzipSync(Buffer.from(Buffer.from(secret.data.release, "base64").toString(), "base64")).toString());
    // Helm puts a namespaced object without a namespace into the release's.
    const clusterScoped = clusterScopedKinds(kubectl);
    const objects = parseAllDocuments(release.manifest)
        .map((d) => d.toJS())
        .filter((o) => o?.kind)
        .map((o) => ({
            apiVersion: o.apiVersion,
            kind: o.kind,
            name: o.metadata.name,
            namespace: clusterScoped.has(o.kind) ? undefined : (o.metadata.namespace ?? namespace),
        }));
    return { chartVersion: release.chart.metadata.version, objects };
}

/** The kinds the API server serves without a namespace (`kubectl api-resources --namespaced=false`). */
function clusterScopedKinds(kubectl: Kubectl): Set<string> {
    const lines = kubectl.run(["api-resources", "--namespaced=false", "--no-headers"]).trim().split("\n");
    return new Set(lines.map((l) => l.trim().split(/\s+/).pop()!));
}

/** kubectl's name for a kind of an API group: `deployment.v1.apps`, or `service` for the core group. */
function resourceArg(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    return group ? `${kind.toLowerCase()}.${version}.${group}` : kind.toLowerCase();
}

/** The live objects among `objects`, listed with one kubectl call per kind. */
export function liveObjects(kubectl: Kubectl, objects: ObjectRef[]): { present: ObjectRef[]; missing: ObjectRef[]; live: Map<string, any> } {
    const live = new Map<string, any>();
    const kinds = [...new Set(objects.map((o) => `${o.apiVersion}|${o.kind}`))];
    for (const key of kinds) {
        const [apiVersion, kind] = key.split("|");
        let items: any[] = [];
        try {
            items = kubectl.json<{ items: any[] }>(["get", resourceArg(apiVersion, kind), "-A"]).items;
        } catch {
            // A kind the API server does not serve (its CRD is gone): none of its objects exist.
        }
        for (const item of items) {
            live.set(refText({ apiVersion, kind, name: item.metadata.name, namespace: item.metadata.namespace }), item);
        }
    }
    const present = objects.filter((o) => live.has(refText(o)));
    return { present, missing: objects.filter((o) => !live.has(refText(o))), live };
}

/** `3 CustomResourceDefinition, 2 Deployment, ...`, most first. */
export function kindCounts(objects: ObjectRef[]): string {
    const counts = new Map<string, number>();
    for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
    return [...counts]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([kind, n]) => `${n} ${kind}`)
        .join(", ");
}

/** Whether a live CRD reports Established=True. */
export function established(crd: any): boolean {
    return (crd?.status?.conditions ?? []).some((c: any) => c.type === "Established" && c.status === "True");
}
