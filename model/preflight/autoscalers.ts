import { AppConfig, ScaleDown } from "../../stacks/types";
import { deploymentRef } from "./workload";
import { IHorizontalPodAutoscaler, PreflightFinding, warning } from "./types";

/**
 * What an HPA on the adopted Deployment does once the Rollout runs the pods.
 * An HPA leaves a target at 0 replicas alone ("scaling is disabled since the
 * replica count of the target is zero", pkg/controller/podautoscaler/horizontal.go,
 * Kubernetes v1.35), and Argo Rollouts scales the Deployment by updating its
 * spec.replicas (rollout/scale_utils.go, v1.8.3).
 */
const CONSEQUENCE: Record<ScaleDown, string> = {
    onsuccess: "Argo Rollouts scales the Deployment to 0 once the Rollout is Healthy, and an HPA stops at 0 replicas: nothing would autoscale the app",
    progressively:
        "Argo Rollouts scales the Deployment down as the Rollout's pods become ready while the HPA scales it back up, " +
        "and once it is at 0 the HPA stops: nothing would autoscale the app",
    never: "the Deployment keeps its pods beside the Rollout's and the HPA scales only those: nothing would autoscale the Rollout's pods",
};

const targets = (hpa: IHorizontalPodAutoscaler, kind: string, name: string) => hpa.spec?.scaleTargetRef.kind === kind && hpa.spec.scaleTargetRef.name === name;

/**
 * An HPA on the Rollout scales it through the scale subresource, but the
 * stack writes the Rollout's spec.replicas: a `pulumi up` that changes the
 * Rollout applies `replicas` again (seen on the local control plane: an up
 * that changed one pause took a Rollout the scale subresource had set to 6
 * back to the stack's 4), until the HPA's next sync.
 */
function onRollout(app: AppConfig, hpa: IHorizontalPodAutoscaler): PreflightFinding {
    const replicas = app.replicas;
    return warning(
        "autoscaler",
        `${app.name}: HorizontalPodAutoscaler ${app.namespace}/${hpa.metadata?.name ?? ""} scales the Rollout: ` +
            `a pulumi up that changes the Rollout sets its replicas back to ${replicas} (the app's replicas in the stack config) until the HPA's next sync, ` +
            `and the canary's shares and the exposure figures are for ${replicas}. Set replicas to the count the HPA usually holds ` +
            `(it ranges from ${hpa.spec?.minReplicas ?? 1} to ${hpa.spec?.maxReplicas})`,
    );
}

export function autoscalerFindings(app: AppConfig, autoscalers: IHorizontalPodAutoscaler[]): PreflightFinding[] {
    const rollout = autoscalers.filter((hpa) => targets(hpa, "Rollout", app.name)).map((hpa) => onRollout(app, hpa));
    return rollout.concat(
        autoscalers
            .filter((hpa) => targets(hpa, "Deployment", app.deployment))
            .map((hpa) => {
                const name = hpa.metadata?.name ?? "";
                const patch = JSON.stringify({ spec: { scaleTargetRef: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: app.name } } });
                return warning(
                    "autoscaler",
                    `${app.name}: HorizontalPodAutoscaler ${app.namespace}/${name} scales Deployment ${deploymentRef(app)}; ` +
                        `${CONSEQUENCE[app.scaleDown]}. Once pulumi up has created the Rollout, change the HPA's scaleTargetRef to apiVersion argoproj.io/v1alpha1, ` +
                        `kind Rollout, name ${app.name}: kubectl patch hpa ${name} -n ${app.namespace} --type merge -p '${patch}'`,
                );
            }),
    );
}
