import { ClusterIdentity } from "../../model/clusterIdentity";
import { KubeConnection, loadKubeConfig, orThrow } from "../kube/client";

/** The cluster `connection` points at: its kube-system namespace's UID, the API server's URL and the context. */
export async function readClusterIdentity(connection: KubeConnection): Promise<ClusterIdentity> {
    const { k8s, config } = loadKubeConfig(connection);
    const server = config.getCurrentCluster()?.server ?? "no server";
    const core = config.makeApiClient(k8s.CoreV1Api);
    const namespace = await orThrow(`reading namespace kube-system at ${server} (the cluster guard needs get on it)`, () =>
        core.readNamespace({ name: "kube-system" }),
    );
    const uid = namespace.metadata?.uid;
    if (!uid) throw new Error(`namespace kube-system at ${server} has no metadata.uid`);
    return { uid, server, context: config.getCurrentContext() };
}
