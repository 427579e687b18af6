import type { IDeployment, IReplicaSet, IRollout } from "../../../model/restorePlan";
import type { IIngress } from "../../../model/ingressRoutes";
import { KubeConnection, loadKubeConfig, orThrow, orUndefined } from "../../kube/client";

export type { KubeConnection } from "../../kube/client";

/** The few calls the restore makes. Gets return undefined for an object that does not exist. */
export interface KubeApi {
    getRollout(namespace: string, name: string): Promise<IRollout | undefined>;
    patchRollout(namespace: string, name: string, mergePatch: object): Promise<IRollout>;
    listReplicaSets(namespace: string, labelSelector: string): Promise<IReplicaSet[]>;
    getDeployment(namespace: string, name: string): Promise<IDeployment | undefined>;
    patchDeployment(namespace: string, name: string, strategicMergePatch: object): Promise<IDeployment>;
    getIngress(namespace: string, name: string): Promise<IIngress | undefined>;
    patchIngress(namespace: string, name: string, jsonPatch: object[]): Promise<IIngress>;
    /** Deletes it only while it is still the object of this UID (a precondition): never a namesake created since. */
    deleteIngress(namespace: string, name: string, uid: string): Promise<void>;
    /** Whether the Service exists. */
    hasService(namespace: string, name: string): Promise<boolean>;
    /** Ready endpoints of the Service, counted over its EndpointSlices. */
    readyEndpoints(namespace: string, service: string): Promise<number>;
}

const ROLLOUTS = { group: "argoproj.io", version: "v1alpha1", plural: "rollouts" };

export function kubeApi(connection: KubeConnection): KubeApi {
    const { k8s, config } = loadKubeConfig(connection);
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const core = config.makeApiClient(k8s.CoreV1Api);
    const networking = config.makeApiClient(k8s.NetworkingV1Api);
    const discovery = config.makeApiClient(k8s.DiscoveryV1Api);
    const jsonPatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch);
    const mergePatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    const strategicMergePatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch);
    return {
        getRollout: (namespace, name) =>
            orUndefined(`reading Rollout ${namespace}/${name}`, () => custom.getNamespacedCustomObject({ ...ROLLOUTS, namespace, name }) as Promise<IRollout>),
        patchRollout: (namespace, name, body) =>
            orThrow(
                `patching Rollout ${namespace}/${name}`,
                () => custom.patchNamespacedCustomObject({ ...ROLLOUTS, namespace, name, body }, mergePatch) as Promise<IRollout>,
            ),
        listReplicaSets: (namespace, labelSelector) =>
            orThrow(
                `listing ReplicaSets ${labelSelector} in ${namespace}`,
                async () => (await apps.listNamespacedReplicaSet({ namespace, labelSelector })).items as unknown as IReplicaSet[],
            ),
        getDeployment: (namespace, name) =>
            orUndefined(
                `reading Deployment ${namespace}/${name}`,
                async () => (await apps.readNamespacedDeployment({ namespace, name })) as unknown as IDeployment,
            ),
        patchDeployment: (namespace, name, body) =>
            orThrow(
                `patching Deployment ${namespace}/${name}`,
                async () => (await apps.patchNamespacedDeployment({ namespace, name, body }, strategicMergePatch)) as unknown as IDeployment,
            ),
        getIngress: (namespace, name) =>
            orUndefined(
                `reading Ingress ${namespace}/${name}`,
                async () => (await networking.readNamespacedIngress({ namespace, name })) as unknown as IIngress,
            ),
        patchIngress: (namespace, name, body) =>
            orThrow(
                `patching Ingress ${namespace}/${name}`,
                async () => (await networking.patchNamespacedIngress({ namespace, name, body }, jsonPatch)) as unknown as IIngress,
            ),
        deleteIngress: async (namespace, name, uid) => {
            await orUndefined(`deleting Ingress ${namespace}/${name}`, () =>
                networking.deleteNamespacedIngress({ namespace, name, body: { preconditions: { uid } } }),
            );
        },
        hasService: async (namespace, name) =>
            (await orUndefined(`reading Service ${namespace}/${name}`, () => core.readNamespacedService({ namespace, name }))) !== undefined,
        readyEndpoints: (namespace, service) =>
            orThrow(`listing the EndpointSlices of Service ${namespace}/${service}`, async () => {
                const slices = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
                // EndpointConditions: "ready ... A nil value should be interpreted as 'true'" (discovery.k8s.io/v1).
                return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
            }),
    };
}
