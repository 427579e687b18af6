import { Registered } from "./mockEngine";

// How the Pulumi runtime marks a secret value on the wire (runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export const SECRET_PLACEHOLDER = "[secret]";

export function isSecretValue(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/**
 * A copy with every secret replaced by `[secret]`, so nothing secret reaches
 * a rendered file. A secret mapping keeps its keys (e.g. a Secret's
 * stringData), which are not secret, so the document still has its shape.
 */
export function redactSecrets(value: unknown): unknown {
    if (isSecretValue(value)) {
        const inner = (value as { value?: unknown }).value;
        const isMapping = typeof inner === "object" && inner !== null && !Array.isArray(inner);
        return isMapping ? Object.fromEntries(Object.keys(inner).map((k) => [k, SECRET_PLACEHOLDER])) : SECRET_PLACEHOLDER;
    }
    if (Array.isArray(value)) return value.map(redactSecrets);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, redactSecrets(v)]),
        );
    }
    return value;
}

const HELM_TYPES = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"];
const CERT_MANAGER_TYPE = "kubernetes-cert-manager:index:CertManager";

/** Where Helm takes a chart from, as the provider reads `chart` and `repositoryOpts.repo`. */
export type RenderedChartSource = { repo: string } | { oci: string } | { path: string };

interface HelmInstall {
    name: string;
    /** The chart's name (for a local or OCI chart, the last part of its path). */
    chart: string;
    version: string;
    source: RenderedChartSource;
    namespace: string;
    values: unknown;
}

/** A Helm chart install as one reviewable document: chart, pinned version, source, namespace and values. */
function helmDocument(r: Registered, install: HelmInstall): Record<string, unknown> {
    return {
        apiVersion: "canary-stack.io/render",
        kind: "HelmChart",
        metadata: { name: install.name, namespace: install.namespace },
        chart: install.chart,
        version: install.version,
        source: install.source,
        namespace: install.namespace,
        pulumiType: r.type,
        values: install.values ?? {},
    };
}

/** A chart name in a repository, else an `oci://` reference, else a local archive or directory. */
export function renderedChartSource(chart: string, repo: string | undefined): RenderedChartSource {
    if (repo) return { repo };
    return chart.startsWith("oci://") ? { oci: chart } : { path: chart };
}

function chartName(chart: string, source: RenderedChartSource): string {
    if ("repo" in source) return chart;
    return chart
        .replace(/\/+$/, "")
        .split("/")
        .pop()!
        .replace(/-v?\d+\.\d+\.\d+.*\.tgz$/, "");
}

function helmInstall(r: Registered): HelmInstall | undefined {
    const i = r.inputs;
    const install = (name: string, chart: string, repo: string | undefined, rest: Pick<HelmInstall, "version" | "namespace" | "values">) => {
        const source = renderedChartSource(chart, repo);
        return { name, chart: chartName(chart, source), source, ...rest };
    };
    if (HELM_TYPES.includes(r.type)) {
        return install(i.name ?? r.name, i.chart, i.repositoryOpts?.repo, { version: i.version, namespace: i.namespace, values: i.values });
    }
    if (r.type === CERT_MANAGER_TYPE) {
        // The component's typed inputs are chart values, merged over helmOptions.values as its provider does;
        // the rest of helmOptions says which chart release. Its provider defaults chart and repo to jetstack's.
        const { helmOptions, ...typed } = i;
        return install(helmOptions?.name ?? r.name, helmOptions?.chart ?? "cert-manager", helmOptions?.repositoryOpts?.repo ?? "https://charts.jetstack.io", {
            version: helmOptions?.version,
            namespace: helmOptions?.namespace,
            values: { ...helmOptions?.values, ...typed },
        });
    }
    return undefined;
}

// Apply order an operator expects to read: namespaces and charts first, then what uses them.
const KIND_ORDER = ["Namespace", "HelmChart", "Secret", "ConfigMap", "ServiceAccount", "Role", "RoleBinding", "Service"];

function sortKey(doc: any): string {
    const rank = KIND_ORDER.indexOf(doc.kind);
    return `${String(rank < 0 ? KIND_ORDER.length : rank).padStart(2, "0")} ${doc.kind} ${doc.metadata?.namespace ?? ""}/${doc.metadata?.name ?? ""}`;
}

/** The documents a render writes, in a stable order: Kubernetes objects as they would be applied, and Helm installs. */
export function renderDocuments(resources: Registered[]): Record<string, unknown>[] {
    const documents = resources.flatMap((r) => {
        if (r.readId) return [];
        const install = helmInstall(r);
        if (install) return [redactSecrets(helmDocument(r, install)) as Record<string, unknown>];
        if (!r.type.startsWith("kubernetes:") || !r.inputs?.kind) return [];
        return [redactSecrets(r.inputs) as Record<string, unknown>];
    });
    return documents.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
}
