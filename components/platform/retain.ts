import * as pulumi from "@pulumi/pulumi";

const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

/**
 * Keeps CRDs on destroy (deleting the Rollout CRD deletes every Rollout in
 * the cluster), and with `everything`, every object of a shared chart: the
 * controller and Prometheus serve other teams and are inert without Rollouts.
 *
 * `provider` is the chart's own, set again on every object the transform
 * changes: the engine (v3.259.0) hands a helm.v4.Chart's transform the
 * provider of the component around the chart, not the chart's, so a
 * transformed object would otherwise move to that one (seen in the e2e).
 */
export function retainOnDelete(everything: boolean, provider?: pulumi.ProviderResource): pulumi.ResourceTransform {
    return (args) => (everything || args.type === CRD_TYPE
        ? { props: args.props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true, ...(provider ? { provider } : {}) }) }
        : undefined);
}
