import { Registered } from "./mockEngine";

// How the Pulumi runtime marks a secret value on the wire (runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export const SECRET_PLACEHOLDER = "[secret]";

export function isSecretValue(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** A copy with every secret replaced by `[secret]`, so nothing secret reaches a rendered file. */
export function redactSecrets(value: unknown): unknown {
    if (isSecretValue(value)) return SECRET_PLACEHOLDER;
    if (Array.isArray(value)) return value.map(redactSecrets);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, redactSecrets(v)]));
    }
    return value;
}

const HELM_TYPES = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"];

/** A Helm chart install as one reviewable document: chart, pinned version, repo, namespace and values. */
function helmDocument(r: Registered): Record<string, unknown> {
    const inputs = r.inputs;
    return {
        apiVersion: "canary-stack.io/render",
        kind: "HelmChart",
        metadata: { name: inputs.name ?? r.name, namespace: inputs.namespace },
        chart: inputs.chart,
        version: inputs.version,
        repo: inputs.repositoryOpts?.repo,
        namespace: inputs.namespace,
        pulumiType: r.type,
        values: inputs.values ?? {},
    };
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
        if (HELM_TYPES.includes(r.type)) return [redactSecrets(helmDocument(r)) as Record<string, unknown>];
        if (!r.type.startsWith("kubernetes:") || !r.inputs?.kind) return [];
        return [redactSecrets(r.inputs) as Record<string, unknown>];
    });
    return documents.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
}
