import * as pulumi from "@pulumi/pulumi";
import { ClusterIdentity } from "../../model/clusterIdentity";
import { IngressNames } from "../../model/ingressHandBack";
import { refuseOtherCluster } from "../cluster/clusterGuard";
import { connection, ConnectionArgs, deleteHookProvider, differs, Props, secretConnectionOptions } from "../kube/dynamic";
import { kubeApi } from "./restore/kubeApi";
import { restoreDeployment, snapshotDeployment } from "./restore/restore";

/**
 * The rollback half of the migration, as two dynamic resources. Their
 * providers are serialized into the stack's state, so a plain
 * `pulumi destroy` (no `--run-program`) runs them. A beforeDelete resource
 * hook would only run under `pulumi destroy --run-program`: a plain destroy
 * would skip it and leave the Deployment at 0 replicas.
 */

export const DEFAULT_RESTORE_TIMEOUT_SECONDS = 600;
export const DEFAULT_POLL_INTERVAL_SECONDS = 2;

export interface DeploymentSnapshotArgs extends ConnectionArgs {
    namespace: pulumi.Input<string>;
    /** The existing Deployment the Rollout will adopt. */
    deployment: pulumi.Input<string>;
}

export interface DeploymentRestoreArgs extends ConnectionArgs {
    /** Namespace of the Rollout and the Deployment. */
    namespace: pulumi.Input<string>;
    rollout: pulumi.Input<string>;
    deployment: pulumi.Input<string>;
    /** `DeploymentSnapshot.replicas`: the restore never scales the Deployment below it. */
    recordedReplicas: pulumi.Input<number>;
    /**
     * `DeploymentSnapshot.images`: what the restore puts back when the Argo Rollouts controller never made a
     * ReplicaSet stable. Without it, that restore keeps the Deployment's own images. Adding it to an existing
     * stack is an update of this resource, not a replacement.
     */
    recordedImages?: pulumi.Input<Record<string, string>>;
    /** The app's `allowDestroyMidCanary`: restore the stable image mid-canary instead of refusing. Defaults to false. */
    allowUnhealthy?: pulumi.Input<boolean>;
    /** How long the destroy waits for the Deployment to become Available. Defaults to 600. */
    timeoutSeconds?: pulumi.Input<number>;
    /** Between two reads of the Deployment while waiting. Defaults to 2. */
    pollIntervalSeconds?: pulumi.Input<number>;
    /**
     * `ClusterIdentity.cluster`, the stack's recorded cluster: the delete refuses another one before it reads
     * or writes anything (a restore is the first delete of a destroy). Adding it is an update, not a replacement.
     */
    cluster?: pulumi.Input<ClusterIdentity>;
    /**
     * The app's stableIngress and the Services it moves between: after the Deployment is Available, the delete moves
     * the Ingress's backends on the stable Service back to the app's own Service and deletes Argo Rollouts' canary
     * Ingress. Unset without stableIngress. Adding it is an update, not a replacement.
     */
    ingress?: pulumi.Input<IngressNames>;
}

/** Only another Deployment means another record; a new kubeconfig or provider code is stored without reading again. */
const snapshotProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: Props) {
        const record = await snapshotDeployment(kubeApi(connection(inputs)), inputs.namespace, inputs.deployment);
        return { id: `${inputs.namespace}/${inputs.deployment}`, outs: { ...inputs, ...record } };
    },
    async diff(_id: string, olds: Props, news: Props) {
        const replaces = differs(olds, news, ["namespace", "deployment"]);
        return { changes: replaces.length > 0 || differs(olds, news, ["kubeconfig", "context", "__provider"]).length > 0, replaces };
    },
    async update(_id: string, olds: Props, news: Props) {
        return { outs: { ...news, replicas: olds.replicas, images: olds.images } };
    },
};

/** DeploymentRestore's provider (exported for its tests). */
export const restoreProvider = deleteHookProvider(
    (inputs) => `${inputs.namespace}/${inputs.rollout}`,
    async (props) => {
        await refuseOtherCluster(props);
        await restoreDeployment(
            kubeApi(connection(props)),
            {
                namespace: props.namespace,
                rollout: props.rollout,
                deployment: props.deployment,
                recordedReplicas: props.recordedReplicas,
                recordedImages: props.recordedImages,
                allowUnhealthy: props.allowUnhealthy === true,
                timeoutSeconds: props.timeoutSeconds ?? DEFAULT_RESTORE_TIMEOUT_SECONDS,
                pollIntervalSeconds: props.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS,
                ingress: props.ingress,
            },
            (message) => console.error(message),
        );
    },
);

/**
 * The Deployment's replicas and images before the Rollout adopts it, read
 * once, at the first `pulumi up`: a later run never reads again, because by
 * then Argo may have scaled the Deployment to 0. Create it before the Rollout
 * and let the Rollout depend on it. Its delete does nothing.
 */
export class DeploymentSnapshot extends pulumi.dynamic.Resource {
    declare public readonly namespace: pulumi.Output<string>;
    declare public readonly deployment: pulumi.Output<string>;
    /** `spec.replicas` as it was (1 when unset). */
    declare public readonly replicas: pulumi.Output<number>;
    /** Container name -> image, as it was. */
    declare public readonly images: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: DeploymentSnapshotArgs, opts?: pulumi.CustomResourceOptions) {
        super(snapshotProvider, name, { ...args, replicas: undefined, images: undefined }, secretConnectionOptions(opts));
    }
}

/**
 * Does nothing until it is deleted; its delete is the rollback: refuse on
 * another cluster than `cluster`, refuse mid-canary (unless allowed), set the Rollout's `workloadRef.scaleDown` to
 * never, put the stable images (the recorded ones for a Rollout the
 * controller never reconciled) and the replicas back on the Deployment,
 * wait until it is Available, and move the stableIngress back to the app's
 * own Service. Create it with `dependsOn: [rollout]`, so a
 * destroy deletes it, and restores the Deployment, before the Rollout goes;
 * if the restore fails, the destroy stops with the Rollout still serving.
 */
export class DeploymentRestore extends pulumi.dynamic.Resource {
    declare public readonly namespace: pulumi.Output<string>;
    declare public readonly rollout: pulumi.Output<string>;
    declare public readonly deployment: pulumi.Output<string>;
    declare public readonly recordedReplicas: pulumi.Output<number>;
    declare public readonly recordedImages: pulumi.Output<Record<string, string> | undefined>;
    declare public readonly allowUnhealthy: pulumi.Output<boolean>;
    declare public readonly timeoutSeconds: pulumi.Output<number>;
    declare public readonly pollIntervalSeconds: pulumi.Output<number>;
    declare public readonly ingress: pulumi.Output<IngressNames | undefined>;

    constructor(name: string, args: DeploymentRestoreArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            restoreProvider,
            name,
            {
                ...args,
                allowUnhealthy: args.allowUnhealthy ?? false,
                timeoutSeconds: args.timeoutSeconds ?? DEFAULT_RESTORE_TIMEOUT_SECONDS,
                pollIntervalSeconds: args.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS,
            },
            secretConnectionOptions(opts),
        );
    }
}
