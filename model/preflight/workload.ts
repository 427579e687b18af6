import { AppConfig } from "../../stacks/types";
import { error, IDeployment, LiveObjects, PreflightFinding, warning } from "./types";

/** The Deployment's `namespace/name`, as messages name it. */
export const deploymentRef = (app: AppConfig) => `${app.namespace}/${app.deployment}`;

/** A read that failed for another reason than "not found" is in `unread`, and reported there. */
export function missingObjects(app: AppConfig, live: LiveObjects): PreflightFinding[] {
    const findings: PreflightFinding[] = [];
    if (!live.deployment && !live.unread.deployment) {
        findings.push(error("deployment", `${app.name}: Deployment ${deploymentRef(app)} not found: the Rollout can only adopt an existing `
            + "Deployment. Create it, or name the right one in the app's workloadRef.name"));
    }
    if (!live.service && !live.unread.service) {
        findings.push(error("service", `${app.name}: Service ${app.namespace}/${app.service.name} not found: the stable and canary Services `
            + "copy its ports and selector. Create it, or name the right one in the app's service"));
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
        return [warning("container", `${app.name}: Deployment ${deploymentRef(app)} has no container ${app.container} `
            + `(it has ${all.map((c) => c.name).join(", ") || "none"}): the deploy commands would set the image of a container that does not exist. `
            + "Name one of its containers in the app's workloadRef.container")];
    }
    if (container.readinessProbe) return [];
    const example = probePort === undefined ? "" : ` (e.g. httpGet on port ${probePort}, the port the Service sends traffic to)`;
    return [warning("readiness", `${app.name}: container ${app.container} of Deployment ${deploymentRef(app)} has no readinessProbe: `
        + "a canary pod is Ready as soon as it starts, so it takes traffic before it can serve, and the Rollout goes on to its next step "
        + `without waiting for it. Add a readinessProbe to the container${example}`)];
}

/**
 * The Rollout runs `replicas` from the stack config, not the Deployment's
 * count: a different count changes the app's capacity once the Rollout takes
 * over. A Deployment already at 0 has been scaled down by Argo Rollouts.
 */
export function replicaFindings(app: AppConfig, deployment: IDeployment): PreflightFinding[] {
    const live = deployment.spec?.replicas ?? 1;
    if (live === 0 || live === app.replicas) return [];
    const change = live > app.replicas ? "fewer pods than serve it now" : "more pods than serve it now";
    return [warning("replicas", `${app.name}: Deployment ${deploymentRef(app)} runs ${live} replicas, and the Rollout will run ${app.replicas} `
        + `(the app's replicas in the stack config), ${change}; the canary's shares and the exposure figures are for ${app.replicas}. `
        + `Set replicas: ${live} to keep the capacity`)];
}
