import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { newRelicMetrics } from "../stacks";
import { ClusterConfig, StackConfig } from "../stacks/types";
import { KubeConnection } from "./kube/client";
import { connectionInputs } from "./kube/dynamic";
import { CanaryApp } from "./app/canaryApp";
import { ClusterIdentity, DestroyGuard } from "./cluster/clusterGuard";
import { checkedClusterUid } from "./cluster/clusterUid";
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
 * How the stack reaches its cluster. `kubeconfig` is the contents of the run's kubeconfig file for the
 * stack's context, flattened (stacks/kubeconfig.ts); it goes to the provider and to the dynamic resources
 * alike, as a secret: their inputs are stored in the state, and a refresh or destroy, which do not run the
 * program, configure each from there, so every one of them reaches the cluster of the last `pulumi up`,
 * wherever the kubeconfig file points by then. Each up stores the file's contents again.
 */
function stackConnection(cluster: ClusterConfig): KubeConnection {
    return { kubeconfig: cluster.kubeconfig, context: cluster.context };
}

/**
 * The stack's Kubernetes provider's `clusterIdentifier` (pulumi-kubernetes 4.16+): the provider is
 * replaced, and every object with it, only when this changes, not when the kubeconfig does (a new
 * server URL or credentials for the same cluster are an update). The cluster's kube-system UID: the
 * accepted one when `cluster.kubeSystemUid` is set, else the live one, read as the program runs so it
 * is known at preview. Refused when the live cluster is not the stack's (the accepted UID, else the
 * identity's record): components/cluster/clusterUid.ts. Unset without a kubeconfig file (the provider's defaults).
 */
function clusterIdentifier(cluster: ClusterConfig, connection: KubeConnection, identity: ClusterIdentity): pulumi.Input<string | undefined> {
    if (connection.kubeconfig === undefined) return cluster.kubeSystemUid;
    return checkedClusterUid(connection, identity.cluster, cluster.kubeSystemUid);
}

/**
 * The whole stack for one cluster: the cluster's identity, checked before
 * anything else (see components/cluster/clusterGuard.ts), one Kubernetes
 * provider (the config's context) that waits for that check, the platform
 * (cert-manager, then monitoring, then Argo Rollouts, whose chart's
 * ServiceMonitor needs the monitoring CRDs), then every app, which waits for
 * the CRDs it uses (its restore checks the cluster on destroy), or, without
 * apps, the guard a destroy deletes first. Called once, from index.ts.
 */
export function deployStack(config: StackConfig): StackOutputs {
    const connection = stackConnection(config.cluster);
    const inputs = connectionInputs(connection);
    const identity = new ClusterIdentity("cluster-identity", { ...inputs, kubeSystemUid: config.cluster.kubeSystemUid });
    const providerArgs: k8s.ProviderArgs = { ...inputs, clusterIdentifier: clusterIdentifier(config.cluster, connection, identity) };
    const provider = new k8s.Provider("cluster", providerArgs, { dependsOn: [identity] });
    const opts: pulumi.ComponentResourceOptions = { provider };
    const { platform } = config;
    // A destroy keeps the charts' CRDs, so installing again meets them: this provider applies
    // over an existing object instead of refusing it. Only the charts' CRDs use it; any other
    // object that exists already is refused, not adopted. (Named "charts" since every chart
    // object used it: its CRDs in an existing stack's state still refer to it by that name.)
    const crdProvider =
        platform.monitoring.install || platform.argoRollouts.install
            ? new k8s.Provider("charts", { ...providerArgs, upsertExistingObjects: true }, { dependsOn: [identity] })
            : undefined;

    const certManager = new CertManager("cert-manager", { config: platform.certManager, shared: platform.shared }, opts);
    const monitoring = new Monitoring(
        "monitoring",
        {
            config: platform.monitoring,
            certManagerPresent: platform.certManager.present,
            controllerJob: platform.argoRollouts.metricsJob,
            controllerScraped: platform.argoRollouts.scraped,
            shared: platform.shared,
            crdProvider,
        },
        { ...opts, dependsOn: certManager.ready },
    );
    const argo = new ArgoRollouts(
        "argo-rollouts",
        {
            config: platform.argoRollouts,
            monitoring: platform.monitoring,
            shared: platform.shared,
            crdProvider,
        },
        { ...opts, dependsOn: monitoring.ready },
    );

    const platformResources: pulumi.Resource[] = [certManager, monitoring, argo];
    const newRelicUsers = newRelicMetrics(config.apps).map((u) => u.metric);
    if (newRelicUsers.length > 0 && platform.newRelic && config.secrets.newRelicApiKey) {
        platformResources.push(
            new NewRelicCredentials(
                "newrelic",
                {
                    config: platform.newRelic,
                    apiKey: config.secrets.newRelicApiKey,
                    namespace: argo.namespace,
                    secretNames: newRelicSecretNames(newRelicUsers),
                },
                { ...opts, dependsOn: argo.ready },
            ),
        );
    }

    const apps = config.apps.map(
        (app) =>
            new CanaryApp(
                app.name,
                {
                    app,
                    platform,
                    connection,
                    clusterIdentity: identity,
                    rolloutsReady: argo.ready,
                    monitoringReady: monitoring.ready,
                    platformResources,
                },
                opts,
            ),
    );
    // With apps, their restores are a destroy's first deletes and check the cluster themselves.
    if (apps.length === 0) new DestroyGuard("cluster-destroy-guard", { cluster: identity.cluster, ...inputs }, { dependsOn: platformResources });
    return {
        rollouts: Object.fromEntries(apps.map((a, i) => [config.apps[i].name, a.commands])),
        exposure: Object.fromEntries(apps.map((a, i) => [config.apps[i].name, exposureOutput(a.exposure, a.shares)])),
        prometheusAddress: monitoring.prometheusAddress,
        grafanaAdminPassword: monitoring.grafanaAdminPassword,
    };
}
