import * as pulumi from "@pulumi/pulumi";

const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

/**
 * Keeps CRDs on destroy (deleting the Rollout CRD deletes every Rollout in
 * the cluster), and with `everything`, every object of a shared chart: the
 * controller and Prometheus serve other teams and are inert without Rollouts.
 *
 * `crdProvider` (one with `upsertExistingObjects`) is set on the CRDs alone:
 * an install after a destroy meets the CRDs that destroy kept and applies
 * over them. Every other object keeps the provider the engine hands the
 * transform, so one of the same name already in the cluster (a ClusterRole,
 * a binding, a webhook) makes the create fail with the provider's "already
 * exists" instead of being adopted, and deleted by the next destroy. The
 * engine (v3.259.0) hands a helm.v4.Chart's transform the provider of the
 * component around the chart, not the chart's (seen in the e2e): the charts
 * therefore take that same provider.
 */
export function retainOnDelete(everything: boolean, crdProvider?: pulumi.ProviderResource): pulumi.ResourceTransform {
    return (args) => {
        if (args.type === CRD_TYPE) {
            return { props: args.props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true, ...(crdProvider ? { provider: crdProvider } : {}) }) };
        }
        return everything ? { props: args.props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true }) } : undefined;
    };
}
