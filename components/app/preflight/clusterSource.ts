import type { LiveObjects, LiveRead } from "../../../model/preflight";
import { ingressClass } from "../../../model/ingressRoutes";
import { apiError, KubeConnection, loadKubeConfig, statusCode, withTimeout } from "../../kube/client";
import type { LiveSource, LiveTarget } from "./liveSource";

type Outcome<T> = { value: T } | { unread: string };

/** One read: its value (undefined for "not found"), or why it failed. */
async function attempt<T>(action: string, call: () => Promise<T>): Promise<Outcome<T | undefined>> {
    try {
        return { value: await withTimeout(call) };
    } catch (err) {
        if (statusCode(err) === 404) return { value: undefined };
        return { unread: apiError(action, err).message };
    }
}

/**
 * The live objects through `@kubernetes/client-node`, as the destroy-time
 * restore reads them: the Deployment, the Services and the stableIngress by
 * name, the IngressClass that Ingress names, and the namespace's
 * HorizontalPodAutoscalers and PodDisruptionBudgets (no Pulumi resource
 * lists objects). Reads only; a read that fails is reported, not thrown.
 */
export function clusterSource(connection: KubeConnection): LiveSource {
    return async (target: LiveTarget): Promise<LiveObjects> => {
        let client: ReturnType<typeof loadKubeConfig>;
        try {
            client = loadKubeConfig(connection);
        } catch (err) {
            // The provider fails on the same kubeconfig with its own message; the preflight only says it could not look.
            const reason = (err as Error).message;
            const reads: LiveRead[] = ["deployment", "service", "rollout", "autoscalers", "disruptionBudgets", "stableService"];
            if (target.ingress) reads.push("ingress");
            return { autoscalers: [], disruptionBudgets: [], unread: Object.fromEntries(reads.map((read) => [read, reason])) };
        }
        const { k8s, config } = client;
        const apps = config.makeApiClient(k8s.AppsV1Api);
        const core = config.makeApiClient(k8s.CoreV1Api);
        const autoscaling = config.makeApiClient(k8s.AutoscalingV2Api);
        const policy = config.makeApiClient(k8s.PolicyV1Api);
        const custom = config.makeApiClient(k8s.CustomObjectsApi);
        const networking = config.makeApiClient(k8s.NetworkingV1Api);
        const { namespace, ingress: ingressName } = target;
        const [deployment, service, rollout, autoscalers, disruptionBudgets, stableService, ingress] = await Promise.all([
            attempt(`reading Deployment ${namespace}/${target.deployment}`, () => apps.readNamespacedDeployment({ namespace, name: target.deployment })),
            attempt(`reading Service ${namespace}/${target.service}`, () => core.readNamespacedService({ namespace, name: target.service })),
            // Not found also when the Rollout CRD is not installed yet: a first migration.
            attempt(`reading Rollout ${namespace}/${target.rollout}`, () =>
                custom.getNamespacedCustomObject({
                    group: "argoproj.io",
                    version: "v1alpha1",
                    plural: "rollouts",
                    namespace,
                    name: target.rollout,
                }),
            ),
            attempt(
                `listing HorizontalPodAutoscalers in ${namespace}`,
                async () => (await autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace })).items,
            ),
            attempt(`listing PodDisruptionBudgets in ${namespace}`, async () => (await policy.listNamespacedPodDisruptionBudget({ namespace })).items),
            attempt(`reading Service ${namespace}/${target.stableService}`, () => core.readNamespacedService({ namespace, name: target.stableService })),
            ingressName === undefined
                ? { value: undefined }
                : attempt(`reading Ingress ${namespace}/${ingressName}`, () => networking.readNamespacedIngress({ namespace, name: ingressName })),
        ]);
        const unread: LiveObjects["unread"] = {};
        const value = <T>(read: LiveRead, outcome: Outcome<T>): T | undefined => {
            if ("unread" in outcome) {
                unread[read] = outcome.unread;
                return undefined;
            }
            return outcome.value;
        };
        const liveIngress = value("ingress", ingress) as LiveObjects["ingress"];
        const cls = liveIngress && ingressClass(liveIngress);
        const ingressClassRead =
            cls?.from === "ingressClassName"
                ? await attempt(`reading IngressClass ${cls.name}`, () => networking.readIngressClass({ name: cls.name }))
                : { value: undefined };
        return {
            deployment: value("deployment", deployment) as LiveObjects["deployment"],
            service: value("service", service) as LiveObjects["service"],
            rollout: value("rollout", rollout) as LiveObjects["rollout"],
            autoscalers: (value("autoscalers", autoscalers) ?? []) as LiveObjects["autoscalers"],
            disruptionBudgets: (value("disruptionBudgets", disruptionBudgets) ?? []) as LiveObjects["disruptionBudgets"],
            stableService: value("stableService", stableService) as LiveObjects["stableService"],
            ingress: liveIngress,
            ingressClass: value("ingressClass", ingressClassRead) as LiveObjects["ingressClass"],
            unread,
        };
    };
}
