import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { MonitoringConfig } from "../../stacks/types";
import { canaryAlertRule } from "../manifests/alerts";
import { chartLocation, GRAFANA_ADMIN_SECRET, KUBE_PROMETHEUS_STACK_CHART } from "../manifests/charts";
import { dashboardConfigMap } from "../manifests/dashboard";
import { stackLabels } from "../manifests/labels";
import { namespaceObject } from "../manifests/namespace";
import { kubePrometheusStackValues } from "../manifests/platformValues";
import { dropEmptyRules } from "./emptyRules";
import { retainOnDelete } from "./retain";

export interface MonitoringArgs {
    config: MonitoringConfig;
    /** cert-manager is in the cluster: the operator's webhook certificates come from it. */
    certManagerPresent: boolean;
    /** Prometheus `job` of the Argo Rollouts controller, for the controller-down alert and the dashboard. */
    controllerJob: string;
    /** Something scrapes the controller under that job (else there is no controller-down alert). */
    controllerScraped: boolean;
    /** Keep the chart on destroy (shared with other teams). CRDs are always kept. */
    shared: boolean;
    /**
     * The provider of the chart's CRDs: one that applies over an object that already exists
     * (`upsertExistingObjects`), so an install after a destroy takes over the CRDs that destroy kept.
     * The chart's other objects use the component's own. Defaults to the component's own.
     */
    crdProvider?: k8s.Provider;
}

/**
 * kube-prometheus-stack (or an existing Prometheus), the canary alerts and
 * the rollout dashboard; nothing on a cluster without Prometheus. The Grafana
 * admin password is a RandomPassword, stored in a Secret the chart reads, and
 * exported only as a secret.
 */
export class Monitoring extends pulumi.ComponentResource {
    /** Unset on a cluster without Prometheus. */
    public readonly prometheusAddress?: string;
    /** Set when Grafana is installed here; a Pulumi secret. */
    public readonly grafanaAdminPassword?: pulumi.Output<string>;
    /** What ServiceMonitors and PrometheusRules must wait for (the operator's CRDs come with the chart). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("canary:platform:Monitoring", name, {}, opts);
        const { config } = args;
        this.prometheusAddress = config.prometheusAddress;
        this.ready = [];
        const child = { parent: this };

        if (config.install) {
            const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, namespaceObject(config.namespace), {
                ...child,
                retainOnDelete: args.shared,
            });
            const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, child);
            this.grafanaAdminPassword = pulumi.secret(password.result);
            // The chart's Grafana reads it through required secretKeyRefs: a shared chart, kept on
            // destroy, keeps it too, or Grafana could not start again.
            const adminSecret = new k8s.core.v1.Secret(
                `${name}-grafana-admin`,
                {
                    metadata: { name: GRAFANA_ADMIN_SECRET, namespace: config.namespace, labels: stackLabels() },
                    stringData: { "admin-user": "admin", "admin-password": this.grafanaAdminPassword },
                },
                { ...child, dependsOn: [namespace], retainOnDelete: args.shared },
            );
            const chart = new k8s.helm.v4.Chart(
                `${name}-chart`,
                {
                    name: config.release,
                    ...chartLocation(KUBE_PROMETHEUS_STACK_CHART, config.chart),
                    namespace: config.namespace,
                    values: kubePrometheusStackValues(args.certManagerPresent),
                },
                {
                    ...child,
                    dependsOn: [namespace, adminSecret],
                    transforms: [retainOnDelete(args.shared, args.crdProvider), dropEmptyRules()],
                },
            );
            this.ready.push(chart);
        }

        const at = (objectName: string) => ({ name: objectName, namespace: config.namespace });
        if (config.alerts) {
            new k8s.apiextensions.CustomResource(
                `${name}-canary-alerts`,
                canaryAlertRule(at("canary-stack-alerts"), config.selectorLabels, args.controllerJob, config.alertFor, {
                    controllerScraped: args.controllerScraped,
                    runbookBaseUrl: config.runbookBaseUrl,
                }),
                { ...child, dependsOn: this.ready },
            );
        }
        if (config.grafanaDashboard) {
            new k8s.core.v1.ConfigMap(`${name}-dashboard`, dashboardConfigMap(at("canary-stack-dashboard"), args.controllerJob), {
                ...child,
                dependsOn: this.ready,
            });
        }
        this.registerOutputs({ prometheusAddress: this.prometheusAddress, grafanaAdminPassword: this.grafanaAdminPassword });
    }
}
