import type { LiveObjects } from "../../../model/preflight";
import { KubeConnection } from "../../kube/client";
import { clusterSource } from "./clusterSource";

/** The app's objects the preflight reads, by name, in the app's namespace. */
export interface LiveTarget {
    namespace: string;
    deployment: string;
    service: string;
    /** The app's Rollout, which an earlier pulumi up may have created. */
    rollout: string;
    /** The stable Service the stack creates, which an earlier pulumi up may have created. */
    stableService: string;
    /** The app's stableIngress, when it has one. */
    ingress?: string;
}

/** Reads an app's live objects; undefined when there is no live view at all (the offline render without them). */
export type LiveSource = (target: LiveTarget) => Promise<LiveObjects | undefined>;

let override: LiveSource | undefined;

/**
 * Where the preflight's reads go instead of the cluster: the mock engine
 * (scripts/mockEngine.ts, for the tests and the offline render) answers them
 * from its fixtures, as it answers the program's reads of existing objects.
 */
export function setLiveSource(source: LiveSource | undefined): void {
    override = source;
}

/** The cluster of the stack's Kubernetes provider (same kubeconfig and context), unless the mock engine answers. */
export function liveSource(connection: KubeConnection): LiveSource {
    return override ?? clusterSource(connection);
}
