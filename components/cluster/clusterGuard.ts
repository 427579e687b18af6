import * as pulumi from "@pulumi/pulumi";
import { ClusterIdentity as Identity, GuardedCommand, wrongCluster } from "../../model/clusterIdentity";
import { connection, ConnectionArgs, deleteHookProvider, differs, Props, secretConnectionOptions } from "../kube/dynamic";
import { readClusterIdentity } from "./identityApi";

/**
 * The wrong-cluster guard (dynamic resources: their provider code is stored
 * in the stack's state, so a plain `pulumi destroy` runs it too).
 * `ClusterIdentity` comes first: it records the cluster at the first
 * `pulumi up` and refuses a later preview or up on another cluster; the
 * stack's Kubernetes provider depends on it, so nothing reaches a cluster
 * before it has been checked. A destroy is checked by whatever it deletes
 * first, before that changes anything (`refuseOtherCluster`): each app's
 * DeploymentRestore, or, in a stack without apps, `DestroyGuard`. A separate
 * guard deleted before the restores would be gone after a destroy that a
 * restore refuses (mid-canary), and the next destroy would run unguarded.
 */

export interface ClusterIdentityArgs extends ConnectionArgs {
    /**
     * `cluster.kubeSystemUid`: the UID the cluster's kube-system namespace must have. Unset, the UID recorded
     * at the first `pulumi up` is the stack's; set, it replaces it (a rebuilt cluster, accepted).
     */
    kubeSystemUid?: pulumi.Input<string>;
}

export interface DestroyGuardArgs extends ConnectionArgs {
    /** `ClusterIdentity.cluster`: the cluster a destroy may run on. */
    cluster: pulumi.Input<Identity>;
}

const PROGRAM: GuardedCommand = "preview or up";

/**
 * The refusal as the engine shows it. Before it answers, the dynamic provider host logs `${error}: ${error.stack}`,
 * which would print the message a second time with a stack trace; gRPC sends `details` (grpc-js's
 * ServerErrorResponse) as the error, so the message appears once, as the error of this resource.
 */
function refusal(message: string): Error {
    return Object.assign(new Error("the cluster is not this stack's"), {
        name: "ClusterGuard",
        stack: "refused; the reason is the error of this resource",
        code: 2,
        details: message,
    });
}

/** The live cluster, or the refusal when it is not the stack's. */
async function verified(props: Props, recorded: Identity | undefined, accepted: string | undefined, command: GuardedCommand): Promise<Identity> {
    const live = await readClusterIdentity(connection(props));
    const refused = wrongCluster(live, recorded, accepted, command);
    if (refused) throw refusal(refused);
    return live;
}

/**
 * For a delete that changes the cluster: throws the refusal unless the cluster `props` (kubeconfig, context)
 * reach is `props.cluster`, the stack's recorded one. A state written before the guard has none: no check.
 */
export async function refuseOtherCluster(props: Props): Promise<void> {
    if (props.cluster) await verified(props, props.cluster, undefined, "destroy");
}

/**
 * ClusterIdentity's provider (exported for its tests). No `read`: a `pulumi refresh` keeps the recorded
 * cluster rather than taking whichever one the kubeconfig names.
 */
export const identityProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: Props, news: Props) {
        // A new stack pinned to a UID: checked at its first preview already, not only by the create.
        if (Object.keys(olds).length === 0 && news.kubeSystemUid) await verified(news, undefined, news.kubeSystemUid, PROGRAM);
        return { inputs: news };
    },
    async create(inputs: Props) {
        const cluster = await verified(inputs, undefined, inputs.kubeSystemUid, PROGRAM);
        return { id: "kube-system", outs: { ...inputs, cluster } };
    },
    async diff(_id: string, olds: Props, news: Props) {
        const live = await verified(news, olds.cluster, news.kubeSystemUid, PROGRAM);
        // Only another cluster (an accepted UID) is a change: the same cluster under another URL,
        // context or credentials plans no update of the record, as it plans no replacement of the
        // provider (its clusterIdentifier is the same UID).
        return { changes: live.uid !== olds.cluster?.uid || differs(olds, news, ["kubeSystemUid", "__provider"]).length > 0 };
    },
    async update(_id: string, olds: Props, news: Props) {
        const cluster = await verified(news, olds.cluster, news.kubeSystemUid, PROGRAM);
        return { outs: { ...news, cluster } };
    },
};

/** DestroyGuard's provider (exported for its tests). */
export const destroyGuardProvider = deleteHookProvider(() => "destroy-guard", refuseOtherCluster);

/**
 * The cluster this stack manages, recorded at its first `pulumi up`; every
 * later preview and up reads the live cluster first and refuses another one.
 * Create it before anything else and make the stack's Kubernetes provider
 * (and whatever else talks to the cluster) depend on it.
 */
export class ClusterIdentity extends pulumi.dynamic.Resource {
    /** The recorded cluster. */
    declare public readonly cluster: pulumi.Output<Identity>;

    constructor(name: string, args: ClusterIdentityArgs, opts?: pulumi.CustomResourceOptions) {
        super(identityProvider, name, { ...args, cluster: undefined }, secretConnectionOptions(opts));
    }
}

/**
 * Does nothing until it is deleted; its delete reads the live cluster and
 * refuses, stopping the destroy, when it is not `cluster`. For a stack
 * without apps (with apps, their restores check): create it with `dependsOn`
 * every other resource of the stack, so a destroy deletes it first.
 */
export class DestroyGuard extends pulumi.dynamic.Resource {
    declare public readonly cluster: pulumi.Output<Identity>;

    constructor(name: string, args: DestroyGuardArgs, opts?: pulumi.CustomResourceOptions) {
        super(destroyGuardProvider, name, args, secretConnectionOptions(opts));
    }
}
