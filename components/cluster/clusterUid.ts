import { KubeConnection } from "../kube/client";
import { readClusterIdentity } from "./identityApi";

/** Where the program reads the cluster's kube-system UID; the mock engine answers instead (scripts/mockEngine.ts). */
export type ClusterUidSource = (connection: KubeConnection) => Promise<string | undefined>;

let override: ClusterUidSource | undefined;

export function setClusterUidSource(source: ClusterUidSource | undefined): void {
    override = source;
}

/**
 * The kube-system UID of the cluster `connection` reaches, read when the program runs, so it is known
 * at every preview, a first one included (the guard's recorded UID is unknown until its first create).
 * Undefined when it cannot be read: the guard, which reads the same, then fails the run with the reason.
 */
export function liveClusterUid(connection: KubeConnection): Promise<string | undefined> {
    const read = override ?? (async (c: KubeConnection) => (await readClusterIdentity(c)).uid);
    return read(connection).catch(() => undefined);
}
