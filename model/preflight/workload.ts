import { AppConfig } from "../../stacks/types";
import { error, IDeployment, IRollout, LiveObjects, PreflightFinding, warning } from "./types";

/** The Deployment's `namespace/name`, as messages name it. */
export const deploymentRef = (app: AppConfig) => `${app.namespace}/${app.deployment}`;

/** A read that failed for another reason than "not found" is in `unread`, and reported there. */
export function missingObjects(app: AppConfig, live: LiveObjects): PreflightFinding[] {
    const findings: PreflightFinding[] = [];
    if (!live.deployment && !live.unread.deployment) {
        findings.push(
            error(
                "deployment",
                `${app.name}: Deployment ${deploymentRef(app)} not found: the Rollout can only adopt an existing ` +
                    "Deployment. Create it, or name the right one in the app's workloadRef.name",
            ),
        );
    }
    if (!live.service && !live.unread.service) {
        findings.push(
            error(
                "service",
                `${app.name}: Service ${app.namespace}/${app.service.name} not found: the stable and canary Services ` +
                    "copy its ports and selector. Create it, or name the right one in the app's service",
            ),
        );
    }
    return findings;
}

type Container = NonNullable<NonNullable<IDeployment["spec"]>["template"]["spec"]>["containers"][number];

export function containers(deployment: IDeployment): Container[] {
    return deployment.spec?.template.spec?.containers ?? [];
}

/**
 * The app's container must exist (the deploy commands set its image), and
 * should have a readiness probe: without one a pod is Ready as soon as its
 * containers start, so a canary pod takes traffic before it can serve, and
 * Argo Rollouts counts it available and goes on to the next step.
 * `probePort`: the port the Service targets, named in the suggested probe.
 */
export function containerFindings(app: AppConfig, deployment: IDeployment, probePort: string | number | undefined): PreflightFinding[] {
    const all = containers(deployment);
    const container = all.find((c) => c.name === app.container);
    if (!container) {
        return [
            warning(
                "container",
                `${app.name}: Deployment ${deploymentRef(app)} has no container ${app.container} ` +
                    `(it has ${all.map((c) => c.name).join(", ") || "none"}): the deploy commands would set the image of a container that does not exist. ` +
                    "Name one of its containers in the app's workloadRef.container",
            ),
        ];
    }
    if (container.readinessProbe) return [];
    const example = probePort === undefined ? "" : ` (e.g. httpGet on port ${probePort}, the port the Service sends traffic to)`;
    return [
        warning(
            "readiness",
            `${app.name}: container ${app.container} of Deployment ${deploymentRef(app)} has no readinessProbe: ` +
                "a canary pod is Ready as soon as it starts, so it takes traffic before it can serve, and the Rollout goes on to its next step " +
                `without waiting for it. Add a readinessProbe to the container${example}`,
        ),
    ];
}

/** Argo Rollouts' `RevisionAnnotation` (v1.8.3 `utils/annotations/annotations.go`: `RolloutLabel + "/revision"`). */
export const REVISION_ANNOTATION = "rollout.argoproj.io/revision";

/**
 * Pods of the Deployment beside a Rollout past its first revision. Argo
 * Rollouts v1.8.3 scales a workloadRef Deployment down only while the Rollout
 * is at revision 1 (`rollout/replicaset.go` `reconcileNewReplicaSet`:
 * `revision == 1 && ... ScaleDown == ScaleDownProgressively`; `rollout/sync.go`
 * `promoteStable`: `revision == 1 && ... ScaleDown == ScaleDownOnSuccess`), so
 * it never scales these down. A failed destroy (its restore scaled the
 * Deployment up and set `scaleDown: never`) followed by `pulumi refresh` and
 * `pulumi up` leaves exactly this: the next image set on the Deployment reaches
 * its pods at once, outside the canary.
 */
export function servingBesideRollout(app: AppConfig, deployment: IDeployment, rollout: IRollout | undefined): PreflightFinding | undefined {
    const revision = Number(rollout?.metadata?.annotations?.[REVISION_ANNOTATION]);
    if (!rollout || !(revision > 1)) return undefined;
    const specReplicas = deployment.spec?.replicas ?? 1;
    const running = deployment.status?.replicas ?? 0;
    if (specReplicas <= 0 && running <= 0) return undefined;
    const pods = Math.max(specReplicas, running);
    const rolloutPods = rollout.spec.replicas ?? 1;
    const share = Math.round((100 * pods) / (pods + rolloutPods));
    return error(
        "servingBesideRollout",
        `${app.name}: Deployment ${deploymentRef(app)} runs pods (spec.replicas ${specReplicas}, ` +
            `status.replicas ${running}) beside Rollout ${app.namespace}/${app.name}, which is at revision ${revision}: Argo Rollouts scales a ` +
            "workloadRef Deployment down only while its Rollout is at revision 1, so it never will, and the next image set on the Deployment " +
            `reaches these pods at once, outside the canary (${pods} of ${pods + rolloutPods} pods, about ${share}% of the traffic). ` +
            "A failed pulumi destroy followed by pulumi refresh and pulumi up leaves this. " +
            `Scale the Deployment to 0 (kubectl scale deployment/${app.deployment} -n ${app.namespace} --replicas=0), then run pulumi up again`,
    );
}

/**
 * The Rollout runs `replicas` from the stack config, not the Deployment's
 * count: a different count changes the app's capacity once the Rollout takes
 * over. A Deployment already at 0, or beside a Rollout the controller has
 * reconciled, is being scaled down by Argo Rollouts; one with pods beside a
 * Rollout past its first revision never will be (an error).
 */
export function replicaFindings(app: AppConfig, deployment: IDeployment, rollout?: IRollout): PreflightFinding[] {
    const beside = servingBesideRollout(app, deployment, rollout);
    if (beside) return [beside];
    // Once the controller reconciled the Rollout, the Rollout serves: the Deployment's count is Argo's scale-down in progress, not the capacity.
    if (rollout?.metadata?.annotations?.[REVISION_ANNOTATION] !== undefined) return [];
    const live = deployment.spec?.replicas ?? 1;
    if (live === 0 || live === app.replicas) return [];
    const change = live > app.replicas ? "fewer pods than serve it now" : "more pods than serve it now";
    return [
        warning(
            "replicas",
            `${app.name}: Deployment ${deploymentRef(app)} runs ${live} replicas, and the Rollout will run ${app.replicas} ` +
                `(the app's replicas in the stack config), ${change}; the canary's shares and the exposure figures are for ${app.replicas}. ` +
                `Set replicas: ${live} to keep the capacity`,
        ),
    ];
}
