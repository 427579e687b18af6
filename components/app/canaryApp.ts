import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { constantFallbackWarnings } from "../../stacks/promql";
import { AppConfig, PlatformConfig } from "../../stacks/types";
import { KubeConnection } from "../kube/client";
import { connectionInputs } from "../kube/dynamic";
import { timedPausesWarning } from "../manifests/alerts";
import { analysisTemplate } from "../manifests/analysisTemplate";
import { rolloutCommands, RolloutCommands } from "../manifests/commands";
import { ExposureReport, exposureReport, exposureSummary } from "../../model/exposure";
import { ladderShares, StepShare } from "../../model/ladderShares";
import { ClusterIdentity } from "../cluster/clusterGuard";
import { DeploymentRestore, DeploymentSnapshot } from "./deploymentRestore";
import { canaryIngressName } from "../../model/ingressHandBack";
import { appObjectNames } from "../manifests/labels";
import { deployerRole, deployerRoleBinding } from "../manifests/rbac";
import { deployerPolicy, deployerPolicyBinding } from "../manifests/deployerPolicy";
import { rollout } from "../manifests/rollout";
import { serviceMonitor } from "../manifests/serviceMonitor";
import { copiedService, ExistingService, metricsService } from "../manifests/services";
import { IServicePort } from "../manifests/k8sTypes";
import { preflight } from "./preflight/gate";
import { liveSource } from "./preflight/liveSource";

export interface CanaryAppArgs {
    /** The validated app config from `stacks/`. */
    app: AppConfig;
    /** Where ServiceMonitors must be labelled to be scraped. */
    platform: PlatformConfig;
    /**
     * The kubeconfig (contents) and context of the stack's Kubernetes provider: the snapshot and the
     * restore store them, as a secret, and reach the cluster it reaches; the preflight reads through them.
     */
    connection: KubeConnection;
    /**
     * The stack's ClusterIdentity. The snapshot and the preflight read the cluster without the Kubernetes
     * provider (which already waits for it), so they wait for it too (the preflight for the provider itself,
     * when `opts.provider` is given): nothing reads or writes a cluster before it is checked.
     * The restore, a destroy's first delete, checks the cluster against the one it recorded.
     */
    clusterIdentity?: ClusterIdentity;
    /** What the Argo Rollouts custom resources wait for (the chart that brings their CRDs). */
    rolloutsReady?: pulumi.Resource[];
    /** What the ServiceMonitor waits for (the chart that brings the Prometheus operator's CRDs). */
    monitoringReady?: pulumi.Resource[];
    /**
     * The stack's cluster-wide resources. The destroy-time restore depends on them, so that a
     * destroy deletes nothing of the stack before the restore has run (or refused).
     */
    platformResources?: pulumi.Resource[];
}

function existingService(service: k8s.core.v1.Service): pulumi.Output<ExistingService> {
    return service.spec.apply((spec): ExistingService => ({
        ports: (spec.ports ?? []).map((p) => ({
            name: p.name,
            port: p.port,
            targetPort: p.targetPort,
            protocol: p.protocol as IServicePort["protocol"],
            appProtocol: p.appProtocol,
        })),
        selector: spec.selector ?? {},
    }));
}

/**
 * The Argo Rollouts controller writes the Rollout with full updates, and the API server
 * then counts it as the manager of `spec.strategy.canary.steps` (an atomic list; seen in
 * the e2e's managedFields: `rollouts-controller (Update)`), so the next ladder change from
 * the stack was refused as a server-side apply conflict. The ladder is the stack's:
 * `pulumi.com/patchForce` takes it back on apply.
 */
function withPatchForce<T extends { metadata?: { annotations?: Record<string, string> } }>(object: T): T {
    return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata?.annotations, "pulumi.com/patchForce": "true" } } };
}

/**
 * One application's canary: stable/canary Services beside the existing
 * Service, the AnalysisTemplate, the Rollout that adopts the existing
 * Deployment, the metrics Service and ServiceMonitor when Prometheus scrapes
 * the app, and the CI deployer's RBAC and admission policy. The existing
 * Deployment, Service and stableIngress are read by the preflight; only a
 * destroy writes the Deployment (its replicas and images) and the Ingress (its
 * backends on the stable Service go back to the app's own Service).
 */
export class CanaryApp extends pulumi.ComponentResource {
    public readonly commands: RolloutCommands;
    /** What a healthy, a broken and a silent release do on this ladder (see model/exposure.ts). */
    public readonly exposure: ExposureReport;
    /** Each setWeight step's pod counts and the canary's real share of traffic (see model/ladderShares.ts). */
    public readonly shares: StepShare[];
    public readonly rollout: k8s.apiextensions.CustomResource;

    constructor(name: string, args: CanaryAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("canary:app:CanaryApp", name, {}, opts);
        const { app, platform } = args;
        const names = appObjectNames(app.name);
        const at = (objectName: string) => ({ name: objectName, namespace: app.namespace });
        const child = { parent: this };

        const existingRead = k8s.core.v1.Service.get(`${name}-existing-service`, `${app.namespace}/${app.service.name}`, child);
        const existing = existingService(existingRead);
        const service = (role: "stable" | "canary", objectName: string) => {
            const spec = existing.apply((e) => copiedService(at(objectName), app.name, role, e));
            return new k8s.core.v1.Service(`${name}-${role}`, { metadata: spec.metadata, spec: spec.spec }, child);
        };
        const stable = service("stable", names.stableService);
        const canary = service("canary", names.canaryService);
        // Only an app whose metrics query Prometheus has a metrics block; without one nothing scrapes it.
        const scraping: pulumi.Resource[] = [];
        if (app.metrics) {
            const endpoint = app.metrics;
            const metricsSpec = existing.apply((e) => metricsService(at(names.metricsService), app.name, endpoint.job, endpoint.port, e.selector));
            scraping.push(
                new k8s.core.v1.Service(`${name}-metrics`, { metadata: metricsSpec.metadata, spec: metricsSpec.spec }, child),
                new k8s.apiextensions.CustomResource(
                    `${name}-servicemonitor`,
                    serviceMonitor({
                        target: at(names.serviceMonitor),
                        app: app.name,
                        path: endpoint.path,
                        scrapeInterval: endpoint.scrapeInterval,
                        selectedBy: platform.monitoring.selectorLabels,
                    }),
                    { ...child, dependsOn: args.monitoringReady ?? [] },
                ),
            );
        }

        const rolloutsReady = args.rolloutsReady ?? [];
        const { connection } = args;
        // Taken before the Rollout exists, so Argo has not scaled the Deployment down yet.
        const snapshot = new DeploymentSnapshot(
            `${name}-snapshot`,
            {
                namespace: app.namespace,
                deployment: app.deployment,
                ...connectionInputs(connection),
            },
            { ...child, dependsOn: args.clusterIdentity ? [args.clusterIdentity] : [] },
        );
        const template = new k8s.apiextensions.CustomResource(`${name}-analysistemplate`, analysisTemplate(at(names.analysisTemplate), app), {
            ...child,
            dependsOn: rolloutsReady,
        });
        const templates = [template];
        if (app.analysis.watchdog) {
            templates.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-watchdogtemplate`,
                    analysisTemplate(at(names.watchdogTemplate), app, app.analysis.watchdog.metrics),
                    { ...child, dependsOn: rolloutsReady },
                ),
            );
        }

        // Warnings are logged; an error (going on would break traffic) keeps the Rollout from being created or changed.
        // The reads wait for the stack's Kubernetes provider when the app has one: its registration waits for the
        // cluster identity and for its clusterIdentifier's check (components/cluster/clusterUid.ts), which alone stops
        // a `pulumi refresh --run-program` on another cluster (a refresh never runs the identity's diff).
        const checked = preflight(app, liveSource(connection), this, opts?.provider ?? args.clusterIdentity);
        this.rollout = new k8s.apiextensions.CustomResource(`${name}-rollout`, withPatchForce(rollout(at(names.rollout), app)), {
            ...child,
            dependsOn: checked.apply(() => [...rolloutsReady, stable, canary, ...templates, snapshot]),
        });
        const rbac: pulumi.Resource[] = [];
        if (app.deployer) {
            const targets = { rollout: names.rollout, deployment: app.deployment };
            const role = new k8s.rbac.v1.Role(`${name}-deployer`, deployerRole(at(names.deployerRole), app.name, targets), child);
            rbac.push(
                role,
                new k8s.rbac.v1.RoleBinding(`${name}-deployer`, deployerRoleBinding(at(names.deployerRole), app.name, app.deployer), {
                    ...child,
                    dependsOn: [role],
                }),
            );
            // What RBAC cannot say: which fields the Role's patch and update may change.
            if (app.deployer.admissionPolicy) {
                const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                    `${name}-deployer-policy`,
                    deployerPolicy(at(app.name), app.deployer, targets),
                    child,
                );
                rbac.push(
                    policy,
                    new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(`${name}-deployer-policy`, deployerPolicyBinding(at(app.name)), {
                        ...child,
                        dependsOn: [policy],
                    }),
                );
            }
        }

        // Depends on everything else of the stack, so `pulumi destroy` deletes it first: its delete
        // checks the cluster, puts the stable image and the replica count back on the Deployment,
        // waits until it serves and moves the Ingress back to the app's Service, or refuses
        // (another cluster, mid-canary) before anything else is gone.
        new DeploymentRestore(
            `${name}-restore`,
            {
                namespace: app.namespace,
                rollout: names.rollout,
                deployment: app.deployment,
                recordedReplicas: snapshot.replicas,
                recordedImages: snapshot.images,
                allowUnhealthy: app.allowDestroyMidCanary,
                cluster: args.clusterIdentity?.cluster,
                ingress:
                    app.stableIngress === undefined
                        ? undefined
                        : {
                              stableIngress: app.stableIngress,
                              stableService: names.stableService,
                              service: app.service.name,
                              canaryIngress: canaryIngressName(names.rollout, app.stableIngress),
                          },
                ...connectionInputs(connection),
            },
            { ...child, dependsOn: [this.rollout, stable, canary, ...scraping, ...templates, existingRead, ...rbac, ...(args.platformResources ?? [])] },
        );

        this.exposure = exposureReport(app);
        this.shares = ladderShares(app);
        this.commands = rolloutCommands(app, this.exposure.healthy.worstSeconds);
        pulumi.log.info(exposureSummary(app), this);
        // The ladder's unrealized weights are a preflight finding (model/preflight/).
        const longPause = timedPausesWarning(app, platform.monitoring);
        if (longPause) pulumi.log.warn(longPause, this);
        for (const fallback of constantFallbackWarnings(app)) pulumi.log.warn(fallback, this);
        this.registerOutputs({ commands: this.commands, exposure: this.exposure, shares: this.shares });
    }
}
