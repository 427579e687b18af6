import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CertManager as CertManagerChart } from "@pulumi/kubernetes-cert-manager";
import { CertManagerConfig } from "../../stacks/types";
import { CERT_MANAGER_RELEASE, certManagerChartLocation } from "../manifests/charts";
import { namespaceObject } from "../manifests/namespace";
import { certManagerValues } from "../manifests/platformValues";
import { retainOnDelete } from "./retain";

export interface CertManagerArgs {
    config: CertManagerConfig;
    /** Keep all of cert-manager on destroy (shared with other teams). Its CRDs are always kept. */
    shared: boolean;
}

/**
 * cert-manager, installed only where the cluster has none (`install: true`).
 *
 * The component's provider installs the chart as one `helm.v3.Release`
 * (`<name>-chart-helm`, its only child); the CRDs are objects inside that
 * Helm release, never Pulumi resources, so no `retainOnDelete` reaches them:
 * the chart value `crds.keep` makes Helm's uninstall leave them instead.
 * The engine runs a component's `transforms` on the children its provider
 * registers, so with `shared` the transform keeps the whole Release.
 */
export class CertManager extends pulumi.ComponentResource {
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("canary:platform:CertManager", name, {}, opts);
        this.ready = [];
        if (args.config.install) {
            const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, namespaceObject(args.config.namespace), {
                parent: this,
                retainOnDelete: args.shared,
            });
            this.ready.push(
                new CertManagerChart(
                    `${name}-chart`,
                    {
                        helmOptions: {
                            name: CERT_MANAGER_RELEASE,
                            namespace: args.config.namespace,
                            ...certManagerChartLocation(args.config.chart),
                            values: certManagerValues(),
                        },
                    },
                    { parent: this, dependsOn: [namespace], transforms: [retainOnDelete(args.shared)] },
                ),
            );
        }
        this.registerOutputs({});
    }
}
