import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgoRolloutsConfig, MonitoringConfig } from "../../stacks/types";
import { ARGO_ROLLOUTS_CHART, ARGO_ROLLOUTS_RELEASE, chartLocation } from "../manifests/charts";
import { namespaceObject } from "../manifests/namespace";
import { argoRolloutsValues } from "../manifests/platformValues";
import { retainOnDelete } from "./retain";

export interface ArgoRolloutsArgs {
    config: ArgoRolloutsConfig;
    /** Whose Prometheus scrapes the controller: its ServiceMonitor carries these selector labels. */
    monitoring: MonitoringConfig;
    /** Keep everything on destroy (shared with other teams). CRDs are always kept. */
    shared: boolean;
    /**
     * The provider of the chart's CRDs: one that applies over an object that already exists
     * (`upsertExistingObjects`), so an install after a destroy takes over the CRDs that destroy kept.
     * The chart's other objects use the component's own. Defaults to the component's own.
     */
    crdProvider?: k8s.Provider;
}

/**
 * The Argo Rollouts controller: its namespace and the upstream chart, or,
 * with `install: false`, nothing but the namespace it already runs in.
 */
export class ArgoRollouts extends pulumi.ComponentResource {
    /** Where the controller runs (and reads the New Relic Secret). */
    public readonly namespace: string;
    /** What custom resources of its kinds must wait for (the CRDs come with the chart). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: ArgoRolloutsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("canary:platform:ArgoRollouts", name, {}, opts);
        this.namespace = args.config.namespace;
        this.ready = [];
        if (args.config.install) {
            const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, namespaceObject(args.config.namespace), {
                parent: this,
                retainOnDelete: args.shared,
            });
            const chart = new k8s.helm.v4.Chart(
                `${name}-chart`,
                {
                    name: ARGO_ROLLOUTS_RELEASE,
                    ...chartLocation(ARGO_ROLLOUTS_CHART, args.config.chart),
                    namespace: args.config.namespace,
                    values: argoRolloutsValues(args.config, args.monitoring),
                },
                { parent: this, dependsOn: [namespace], transforms: [retainOnDelete(args.shared, args.crdProvider)] },
            );
            this.ready.push(chart);
        }
        this.registerOutputs({ namespace: this.namespace });
    }
}
