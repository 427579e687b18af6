/**
 * Which cluster a stack belongs to, and the refusal when a kubeconfig points
 * at another one. A cluster is known by the UID of its `kube-system`
 * namespace: the API server gives it when the cluster is created, it never
 * changes, and a rebuilt or another cluster has a different one. The API
 * server's URL and the context name are kept beside it for the message only:
 * the same cluster can be reached at another URL, and two kubeconfigs can
 * name different clusters alike.
 */

export interface ClusterIdentity {
    /** `metadata.uid` of the `kube-system` namespace. */
    uid: string;
    /** The API server's URL in the kubeconfig. */
    server: string;
    /** The kubeconfig context it was reached through. */
    context: string;
}

/** The config key that accepts a cluster under another UID (and pins the stack to it). */
export const KUBE_SYSTEM_UID_KEY = "canary-stack:cluster.kubeSystemUid";

/** What the refused command was: the program's run (preview or up) or a destroy. */
export type GuardedCommand = "preview or up" | "destroy";

export function describeCluster(cluster: ClusterIdentity): string {
    return `kube-system UID ${cluster.uid} (${cluster.server}, context "${cluster.context}")`;
}

const SELECT = "Point the stack at its own cluster (canary-stack:cluster.context, or KUBECONFIG) and run it again.";

function refusing(command: GuardedCommand): string {
    return command === "destroy" ? "refusing to destroy: nothing was deleted" : "refusing to preview or update: nothing was changed";
}

/** The up records the accepted cluster (a refresh would not: it checks against the state's inputs, not the config). */
function acceptance(uid: string, command: GuardedCommand): string {
    return (
        `If the stack's cluster was rebuilt and ${uid} is its successor, accept it: ` +
        `pulumi config set --path ${KUBE_SYSTEM_UID_KEY} ${uid}, then pulumi up${command === "destroy" ? " and pulumi destroy" : ""}.`
    );
}

/**
 * Undefined when `live` is the stack's cluster, else the refusal. The stack's
 * cluster is the `accepted` UID (config) when set, else the `recorded` one
 * (state; none before the first `pulumi up`, when any cluster is accepted).
 */
export function wrongCluster(
    live: ClusterIdentity,
    recorded: ClusterIdentity | undefined,
    accepted: string | undefined,
    command: GuardedCommand,
): string | undefined {
    const expected = accepted ?? recorded?.uid;
    if (expected === undefined || live.uid === expected) return undefined;
    const now = `the kubeconfig now points at ${describeCluster(live)}`;
    if (recorded && recorded.uid === expected) {
        return (
            `wrong cluster: this stack's cluster is ${describeCluster(recorded)}, as recorded in its state, but ${now}; ` +
            `${refusing(command)}. ${SELECT} ${acceptance(live.uid, command)}`
        );
    }
    return `wrong cluster: ${KUBE_SYSTEM_UID_KEY} is ${expected}, but ${now}; ${refusing(command)}. ` + `${SELECT} ${acceptance(live.uid, command)}`;
}
