import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CertManager as CertManagerChart } from "@pulumi/kubernetes-cert-manager";
import { CertManagerConfig } from "../../stacks/types";
import { CERT_MANAGER_CHART } from "../manifests/charts";
import { namespaceObject } from "../manifests/namespace";

export interface CertManagerArgs {
    config: CertManagerConfig;
}

/** cert-manager, installed only where the cluster has none (`install: true`). */
export class CertManager extends pulumi.ComponentResource {
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("canary:platform:CertManager", name, {}, opts);
        this.ready = [];
        if (args.config.install) {
            const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, namespaceObject(args.config.namespace), { parent: this });
            this.ready.push(new CertManagerChart(`${name}-chart`, {
                installCRDs: true,
                helmOptions: { name: CERT_MANAGER_CHART.chart, namespace: args.config.namespace, version: CERT_MANAGER_CHART.version },
            }, { parent: this, dependsOn: [namespace] }));
        }
        this.registerOutputs({});
    }
}
