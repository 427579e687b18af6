import { AppConfig } from "../../stacks/types";
import { formatLabels, mapSelects } from "./labels";
import { containers, deploymentRef } from "./workload";
import { error, IDeployment, IService, PreflightFinding, warning } from "./types";

/** The first port the Service sends traffic to that a container declares: where a readiness probe would look. */
export function probePort(deployment: IDeployment, service: IService): string | number | undefined {
    const ports = containers(deployment).flatMap((c) => c.ports ?? []);
    return (service.spec?.ports ?? [])
        .map((p) => p.targetPort ?? p.port)
        .find((t) => ports.some((p) => (typeof t === "string" ? p.name === t : p.containerPort === t)));
}

/**
 * The stable and canary Services copy the existing Service's selector and
 * ports, and Argo Rollouts narrows each to one ReplicaSet by its
 * pod-template hash. A selector that misses the Deployment's pods, or a
 * named target port no container declares (the endpoints controller then
 * lists no address for the pod), leaves both copies without endpoints:
 * whatever is sent to them fails.
 */
export function serviceWiringFindings(app: AppConfig, deployment: IDeployment, service: IService): PreflightFinding[] {
    const where = `Service ${app.namespace}/${app.service.name}`;
    const selector = service.spec?.selector ?? {};
    const podLabels = deployment.spec?.template.metadata?.labels ?? {};
    const selection: PreflightFinding[] = [];
    if (Object.keys(selector).length > 0 && !mapSelects(selector, podLabels)) {
        selection.push(
            error(
                "serviceWiring",
                `${app.name}: ${where} selects ${formatLabels(selector)}, but the pods of Deployment ${deploymentRef(app)} ` +
                    `are labelled ${formatLabels(podLabels)}: the stable and canary Services copy that selector and would reach no pod. ` +
                    "Make the Service's selector a subset of the pod template's labels, or name the app's own Service in the app's service",
            ),
        );
    }
    const ports = containers(deployment).flatMap((c) => c.ports ?? []);
    const named = new Set(ports.map((p) => p.name).filter((n): n is string => n !== undefined));
    const numbers = new Set(ports.map((p) => p.containerPort));
    const declared = ports.map((p) => (p.name ? `${p.name} (${p.containerPort})` : String(p.containerPort))).join(", ") || "none";
    return selection.concat(
        (service.spec?.ports ?? []).flatMap((port): PreflightFinding[] => {
            const target = port.targetPort ?? port.port;
            const label = `${where} port ${port.name ? `${port.name} (${port.port})` : port.port}`;
            if (typeof target === "string") {
                if (named.has(target)) return [];
                return [
                    error(
                        "serviceWiring",
                        `${app.name}: ${label} targets the container port named ${target}, which no container of ` +
                            `Deployment ${deploymentRef(app)} declares (its ports: ${declared}): the stable and canary Services would have no endpoints for it. ` +
                            `Name the container port ${target}, or point the Service's targetPort at a declared one`,
                    ),
                ];
            }
            if (!numbers.has(target)) {
                return [
                    warning(
                        "serviceWiring",
                        `${app.name}: ${label} targets port ${target}, which no container of Deployment ${deploymentRef(app)} ` +
                            `declares (its ports: ${declared}): traffic reaches the pods only if the app listens there anyway. ` +
                            "Declare the port on the container, or point the Service's targetPort at a declared one",
                    ),
                ];
            }
            return [];
        }),
    );
}
