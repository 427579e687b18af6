import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { newRelicMetrics } from "../stacks";
import { StackConfig } from "../stacks/types";
import { CanaryApp } from "./app/canaryApp";
import { ArgoRollouts } from "./platform/argoRollouts";
import { CertManager } from "./platform/certManager";
import { Monitoring } from "./platform/monitoring";
import { NewRelicCredentials } from "./platform/newRelicCredentials";
import { RolloutCommands } from "./manifests/commands";
import { BrokenRelease, ExposureReport } from "../model/exposure";
import { StepShare } from "../model/ladderShares";
import { newRelicSecretNames } from "./manifests/newRelic";

/**
 * The exposure report as a stack output, with each setWeight step's real split: JSON has no Infinity,
 * so a never-aborted release shows exposure null.
 */
export type ExposureOutput = Omit<ExposureReport, "broken"> & {
    broken: Omit<BrokenRelease, "exposure"> & { exposure: number | null };
    shares: StepShare[];
};

function exposureOutput(report: ExposureReport, shares: StepShare[]): ExposureOutput {
    const exposure = Number.isFinite(report.broken.exposure) ? report.broken.exposure : null;
    return { ...report, broken: { ...report.broken, exposure }, shares };
}

export interface StackOutputs {
    /** Per app: the commands an operator runs (`kubectl argo rollouts` and `kubectl`). */
    rollouts: Record<string, RolloutCommands>;
    /** Per app: what a broken release can cost on its ladder. */
    exposure: Record<string, ExposureOutput>;
    /** Unset on a cluster without Prometheus (every metric on New Relic). */
    prometheusAddress?: string;
    /** Set when Grafana is installed by this stack; a secret. */
    grafanaAdminPassword?: pulumi.Output<string>;
}

/**
 * The whole stack for one cluster: one Kubernetes provider (the config's
 * context), the platform (cert-manager, then monitoring, then Argo Rollouts,
 * whose chart's ServiceMonitor needs the monitoring CRDs), then every app,
 * which waits for the CRDs it uses. Called once, from index.ts.
 */
export function deployStack(config: StackConfig): StackOutputs {
    const context = config.cluster.context ? { context: config.cluster.context } : {};
    const provider = new k8s.Provider("cluster", context);
    const opts: pulumi.ComponentResourceOptions = { provider };
    const { platform } = config;
    // A destroy keeps the charts' CRDs, so installing again meets them: this provider applies
    // over an existing object instead of refusing it. Only the charts' own objects use it.
    const chartProvider = new k8s.Provider("charts", { ...context, upsertExistingObjects: true });

    const certManager = new CertManager("cert-manager", { config: platform.certManager, shared: platform.shared }, opts);
    const monitoring = new Monitoring("monitoring", {
        config: platform.monitoring,
        certManagerPresent: platform.certManager.present,
        controllerJob: platform.argoRollouts.metricsJob,
        shared: platform.shared,
        chartProvider,
    }, { ...opts, dependsOn: certManager.ready });
    const argo = new ArgoRollouts("argo-rollouts", {
        config: platform.argoRollouts,
        monitoring: platform.monitoring,
        shared: platform.shared,
        chartProvider,
    }, { ...opts, dependsOn: monitoring.ready });

    const platformResources: pulumi.Resource[] = [certManager, monitoring, argo];
    const newRelicUsers = newRelicMetrics(config.apps).map((u) => u.metric);
    if (newRelicUsers.length > 0 && platform.newRelic && config.secrets.newRelicApiKey) {
        platformResources.push(new NewRelicCredentials("newrelic", {
            config: platform.newRelic,
            apiKey: config.secrets.newRelicApiKey,
            namespace: argo.namespace,
            secretNames: newRelicSecretNames(newRelicUsers),
        }, { ...opts, dependsOn: argo.ready }));
    }

    const apps = config.apps.map((app) => new CanaryApp(app.name, {
        app,
        platform,
        cluster: config.cluster,
        rolloutsReady: argo.ready,
        monitoringReady: monitoring.ready,
        platformResources,
    }, opts));
    return {
        rollouts: Object.fromEntries(apps.map((a, i) => [config.apps[i].name, a.commands])),
        exposure: Object.fromEntries(apps.map((a, i) => [config.apps[i].name, exposureOutput(a.exposure, a.shares)])),
        prometheusAddress: monitoring.prometheusAddress,
        grafanaAdminPassword: monitoring.grafanaAdminPassword,
    };
}
