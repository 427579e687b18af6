import * as pulumi from "@pulumi/pulumi";

const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

/**
 * Keeps CRDs on destroy (deleting the Rollout CRD deletes every Rollout in
 * the cluster), and with `everything`, every object of a shared chart: the
 * controller and Prometheus serve other teams and are inert without Rollouts.
 */
export function retainOnDelete(everything: boolean): pulumi.ResourceTransform {
    return (args) => (everything || args.type === CRD_TYPE
        ? { props: args.props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true }) }
        : undefined);
}
