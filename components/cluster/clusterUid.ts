import * as pulumi from "@pulumi/pulumi";
import { ClusterIdentity, wrongCluster } from "../../model/clusterIdentity";
import { KubeConnection } from "../kube/client";
import { readClusterIdentity } from "./identityApi";

/** Where the program reads the cluster its kubeconfig reaches; the mock engine answers instead (scripts/mockEngine.ts). */
export type LiveClusterSource = (connection: KubeConnection) => Promise<ClusterIdentity | undefined>;

let override: LiveClusterSource | undefined;

export function setLiveClusterSource(source: LiveClusterSource | undefined): void {
    override = source;
}

/** The cluster `connection` reaches, read when the program runs; undefined when it cannot be read. */
export function liveCluster(connection: KubeConnection): Promise<ClusterIdentity | undefined> {
    const read = override ?? readClusterIdentity;
    return read(connection).catch(() => undefined);
}

/**
 * The value of an output when the engine knows it, else undefined (an unknown at a preview: a first
 * one, or one that plans an update of the resource), without waiting for a value that will not come.
 * `isKnown` and `promise()` are the SDK's own (internal, not in its .d.ts).
 */
export async function knownValue<T>(output: pulumi.Output<T>): Promise<T | undefined> {
    const o = output as unknown as { isKnown: Promise<boolean>; promise(): Promise<T> };
    return (await o.isKnown) ? o.promise() : undefined;
}

/**
 * The stack's Kubernetes provider's `clusterIdentifier`: the kube-system UID of the cluster `connection`
 * reaches, read as the program runs, so it is known at every preview, a first one included (the
 * guard's recorded UID is unknown until its first create; an unknown identifier would leave the
 * provider unconfigured and the first preview's reads of existing objects unknown).
 *
 * Refused (a RunError with the guard's message) when the cluster identity's record, once the engine has
 * it, is another cluster's and no `accepted` UID says so: the provider then never gets this connection.
 * That is what stops `pulumi refresh --run-program` on another cluster, which never runs the identity's
 * diff (a refresh only reads, and the identity's read keeps its record): without it the provider was
 * replaced by one on the other cluster and every object it read there, missing, left the state.
 * With an `accepted` UID (`cluster.kubeSystemUid`), that UID, checked the same way. Without one, undefined
 * when the cluster cannot be read (the identity, which reads the same, fails the run with the reason).
 */
export function checkedClusterUid(
    connection: KubeConnection,
    recorded: pulumi.Output<ClusterIdentity | undefined>,
    accepted: string | undefined,
): pulumi.Output<string | undefined> {
    return pulumi.output(
        (async () => {
            const live = await liveCluster(connection);
            if (live === undefined) return accepted;
            // A record that cannot come (the identity refused the run itself) leaves the refusal to it.
            const record = await knownValue(recorded).catch(() => undefined);
            const refused = wrongCluster(live, record, accepted, "preview or up");
            if (refused) throw new pulumi.RunError(refused);
            return accepted ?? live.uid;
        })(),
    );
}
