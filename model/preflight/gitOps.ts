import { AppConfig } from "../../stacks/types";
import { deploymentRef } from "./workload";
import { IDeployment, PreflightFinding, warning } from "./types";

/**
 * Argo Rollouts scales the adopted Deployment down only while the Rollout is
 * at its first revision (`scaleDown: onsuccess` in rollout/sync.go,
 * `progressively` in rollout/replicaset.go, v1.8.3, both `revision == 1`).
 * A tool that applies the Deployment's manifest again puts spec.replicas
 * back, and from the second release on nothing scales it down: the
 * Deployment's pods run its pod template, the newest image, beside the
 * Rollout's, outside the canary.
 */

const ARGO_CD_TRACKING_ID = "argocd.argoproj.io/tracking-id";
/** Argo CD's tracking label (its default before annotation tracking); Helm charts set it too, so a Helm release is told apart first. */
const INSTANCE_LABEL = "app.kubernetes.io/instance";
const HELM_RELEASE = "meta.helm.sh/release-name";
const HELM_NAMESPACE = "meta.helm.sh/release-namespace";
const FLUX_KUSTOMIZATION = "kustomize.toolkit.fluxcd.io";
const FLUX_HELM_RELEASE = "helm.toolkit.fluxcd.io";

interface Manager {
    /** Who applies the manifest, and how we know. */
    who: string;
    /** What it does to spec.replicas. */
    when: string;
    fix: string;
}

function manager(app: AppConfig, deployment: IDeployment): Manager | undefined {
    const labels = deployment.metadata?.labels ?? {};
    const annotations = deployment.metadata?.annotations ?? {};
    const argoCdFix = (application: string) =>
        `In Argo CD Application ${application}, ignore the field and make syncs respect that: ` +
        `spec.ignoreDifferences: [{group: apps, kind: Deployment, name: ${app.deployment}, namespace: ${app.namespace}, jsonPointers: [/spec/replicas]}] ` +
        "and spec.syncPolicy.syncOptions: [RespectIgnoreDifferences=true]";
    const trackingId = annotations[ARGO_CD_TRACKING_ID];
    if (trackingId) {
        const application = trackingId.split(":")[0];
        return { who: `Argo CD (Application ${application}, annotation ${ARGO_CD_TRACKING_ID})`, when: "a sync", fix: argoCdFix(application) };
    }
    const flux = (group: string) => labels[`${group}/name`] && `${labels[`${group}/namespace`] ?? app.namespace}/${labels[`${group}/name`]}`;
    const kustomization = flux(FLUX_KUSTOMIZATION);
    if (kustomization) {
        return {
            who: `Flux (Kustomization ${kustomization}, labels ${FLUX_KUSTOMIZATION}/name and /namespace)`,
            when: "its next reconcile",
            fix:
                "Once Argo Rollouts has scaled the Deployment to 0, remove spec.replicas from the Deployment's manifest in the Kustomization's source: " +
                "the field then stays with Argo Rollouts",
        };
    }
    const helmRelease = flux(FLUX_HELM_RELEASE);
    const release = annotations[HELM_RELEASE];
    if (helmRelease || release) {
        const what = helmRelease
            ? `Flux (HelmRelease ${helmRelease}, labels ${FLUX_HELM_RELEASE}/name and /namespace)`
            : `Helm (release ${annotations[HELM_NAMESPACE] ?? app.namespace}/${release}, annotation ${HELM_RELEASE})`;
        return {
            who: what,
            when: "the next upgrade of the release",
            fix:
                `Render the Deployment without spec.replicas, and after that upgrade check that it is still at 0 replicas ` +
                `(kubectl get deployment ${app.deployment} -n ${app.namespace})`,
        };
    }
    const instance = labels[INSTANCE_LABEL];
    if (instance) {
        return { who: `Argo CD (Application ${instance}, going by Argo CD's tracking label ${INSTANCE_LABEL})`, when: "a sync", fix: argoCdFix(instance) };
    }
    return undefined;
}

export function gitOpsFindings(app: AppConfig, deployment: IDeployment): PreflightFinding[] {
    // With scaleDown never, Argo Rollouts never scales the Deployment down, so there is nothing to undo.
    if (app.scaleDown === "never") return [];
    const found = manager(app, deployment);
    if (!found) return [];
    return [
        warning(
            "gitOps",
            `${app.name}: Deployment ${deploymentRef(app)} is managed by ${found.who}: ${found.when} would put spec.replicas back ` +
                "after Argo Rollouts scales the Deployment down, which Argo Rollouts does only while the Rollout is at its first revision: " +
                "from the next release on, the Deployment's pods " +
                `would run its newest image beside the Rollout's, outside the canary. ${found.fix}`,
        ),
    ];
}
