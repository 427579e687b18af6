import * as pulumi from "@pulumi/pulumi";
import { KubeConnection } from "./client";

/**
 * What the dynamic resources that talk to the cluster (the restore, the cluster guard) share. Their
 * providers are serialized into the stack's state with what they capture from here.
 */

/** Their inputs: the stack's Kubernetes provider's connection. */
export interface ConnectionArgs {
    /** The kubeconfig of the stack's Kubernetes provider (its contents, a secret). Defaults to `KUBECONFIG`, else `~/.kube/config`. */
    kubeconfig?: pulumi.Input<string>;
    /** The context of the stack's Kubernetes provider. Defaults to the kubeconfig's current context. */
    context?: pulumi.Input<string>;
}

/** A dynamic resource's inputs or outputs as its provider gets them. */
export type Props = Record<string, any>;

export const connection = (props: Props): KubeConnection => ({ kubeconfig: props.kubeconfig, context: props.context });

/** The connection as resource inputs: the kubeconfig's contents hold credentials, so they are a secret in the state. */
export function connectionInputs(connection: KubeConnection): ConnectionArgs {
    return { kubeconfig: connection.kubeconfig === undefined ? undefined : pulumi.secret(connection.kubeconfig), context: connection.context };
}

/** Options for a dynamic resource that stores the connection: its outputs repeat the kubeconfig, kept secret too. */
export function secretConnectionOptions<T extends pulumi.CustomResourceOptions>(opts: T | undefined): T {
    return pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }) as T;
}

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
