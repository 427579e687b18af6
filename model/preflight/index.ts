import { AppConfig } from "../../stacks/types";
import { unrealizedWeightsWarning } from "../ladderShares";
import { autoscalerFindings } from "./autoscalers";
import { disruptionBudgetFindings } from "./disruptionBudgets";
import { gitOpsFindings } from "./gitOps";
import { ingressFindings } from "./ingress";
import { probePort, serviceWiringFindings } from "./serviceWiring";
import { LiveObjects, LiveRead, PreflightFinding, warning } from "./types";
import { containerFindings, missingObjects, replicaFindings } from "./workload";

export * from "./types";

function readWhat(app: AppConfig, stableService: string, read: LiveRead): string {
    switch (read) {
        case "deployment":
            return `Deployment ${app.namespace}/${app.deployment}`;
        case "service":
            return `Service ${app.namespace}/${app.service.name}`;
        case "rollout":
            return `Rollout ${app.namespace}/${app.name}`;
        case "autoscalers":
            return `the HorizontalPodAutoscalers of namespace ${app.namespace}`;
        case "disruptionBudgets":
            return `the PodDisruptionBudgets of namespace ${app.namespace}`;
        case "ingress":
            return `Ingress ${app.namespace}/${app.stableIngress}`;
        case "ingressClass":
            return `the IngressClass of Ingress ${app.namespace}/${app.stableIngress}`;
        case "stableService":
            return `Service ${app.namespace}/${stableService}`;
    }
}

/**
 * Every check of an app before the Rollout adopts its Deployment, from the
 * stack config and, when given, the app's live objects (without them, e.g. in
 * the offline render, only what the config alone tells). Pure: the reads are
 * the caller's (components/app/preflight/). `stableService`: the name of the
 * stable Service the stack creates (`<app>-stable`).
 */
export function preflightFindings(app: AppConfig, live: LiveObjects | undefined, stableService: string): PreflightFinding[] {
    const unrealized = unrealizedWeightsWarning(app);
    const findings: PreflightFinding[] = unrealized ? [warning("replicas", unrealized)] : [];
    if (!live) return findings;
    for (const [read, reason] of Object.entries(live.unread) as [LiveRead, string][]) {
        findings.push(
            warning(
                "unread",
                `${app.name}: the preflight could not read ${readWhat(app, stableService, read)}, and skipped the checks that need it: ${reason}`,
            ),
        );
    }
    const { deployment, service } = live;
    findings.push(...missingObjects(app, live), ...ingressFindings(app, stableService, live));
    if (!deployment) return findings;
    findings.push(
        ...containerFindings(app, deployment, service && probePort(deployment, service)),
        ...replicaFindings(app, deployment, live.rollout),
        ...(live.unread.autoscalers ? [] : autoscalerFindings(app, live.autoscalers)),
        ...(live.unread.disruptionBudgets ? [] : disruptionBudgetFindings(app, deployment.spec?.template.metadata?.labels ?? {}, live.disruptionBudgets)),
        ...gitOpsFindings(app, deployment),
        ...(service ? serviceWiringFindings(app, deployment, service) : []),
    );
    return findings;
}

/** The findings' messages of one severity. */
export function messages(findings: PreflightFinding[], severity: PreflightFinding["severity"]): string[] {
    return findings.filter((f) => f.severity === severity).map((f) => f.message);
}
