import * as pulumi from "@pulumi/pulumi";
import { KubeConnection } from "./client";

/**
 * What the dynamic resources that talk to the cluster (the restore, the cluster guard) share. Their
 * providers are serialized into the stack's state with what they capture from here.
 */

/** Their inputs: the stack's Kubernetes provider's connection. */
export interface ConnectionArgs {
    /** The kubeconfig file of the stack's Kubernetes provider. Defaults to `KUBECONFIG`, else `~/.kube/config`. */
    kubeconfig?: pulumi.Input<string>;
    /** The context of the stack's Kubernetes provider. Defaults to the kubeconfig's current context. */
    context?: pulumi.Input<string>;
}

/** A dynamic resource's inputs or outputs as its provider gets them. */
export type Props = Record<string, any>;

export const connection = (props: Props): KubeConnection => ({ kubeconfig: props.kubeconfig, context: props.context });

/** The keys whose values differ (as JSON) between two states. */
export const differs = (olds: Props, news: Props, keys: string[]) => keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));

/**
 * A resource that only stores its inputs (any change is an update, never a replacement, and reads
 * nothing) and acts when it is deleted: `onDelete` gets the stored inputs and may refuse by throwing.
 */
export function deleteHookProvider(id: (inputs: Props) => string, onDelete: (props: Props) => Promise<void>): pulumi.dynamic.ResourceProvider {
    return {
        async create(inputs: Props) {
            return { id: id(inputs), outs: inputs };
        },
        async diff(_id: string, olds: Props, news: Props) {
            const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])];
            return { changes: differs(olds, news, keys).length > 0 };
        },
        async update(_id: string, _olds: Props, news: Props) {
            return { outs: news };
        },
        async delete(_id: string, props: Props) {
            await onDelete(props);
        },
    };
}
