import * as pulumi from "@pulumi/pulumi";

const ROLE_TYPES = ["kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"];

/**
 * Drops an empty `rules` list from a chart's Role or ClusterRole. The API
 * server stores no field for it, and the provider then diffs `[]` against
 * nothing on every run (pulumi/pulumi-kubernetes#3538), so a second
 * `pulumi up` would always update the object: kube-prometheus-stack
 * 75.15.0's Grafana Role is written with `rules: []` (seen in the e2e).
 */
export function dropEmptyRules(): pulumi.ResourceTransform {
    return (args) => {
        if (!ROLE_TYPES.includes(args.type) || !Array.isArray(args.props.rules) || args.props.rules.length > 0) return undefined;
        const { rules: _empty, ...props } = args.props;
        return { props, opts: args.opts };
    };
}
