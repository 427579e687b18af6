import type { IDeployment, IReplicaSet, IRollout } from "../../../model/restorePlan";
import { KubeConnection, loadKubeConfig, orThrow, orUndefined } from "../../kube/client";

export type { KubeConnection } from "../../kube/client";

/** The few calls the restore makes. Gets return undefined for an object that does not exist. */
export interface KubeApi {
    getRollout(namespace: string, name: string): Promise<IRollout | undefined>;
    patchRollout(namespace: string, name: string, mergePatch: object): Promise<IRollout>;
    listReplicaSets(namespace: string, labelSelector: string): Promise<IReplicaSet[]>;
    getDeployment(namespace: string, name: string): Promise<IDeployment | undefined>;
    patchDeployment(namespace: string, name: string, strategicMergePatch: object): Promise<IDeployment>;
}

const ROLLOUTS = { group: "argoproj.io", version: "v1alpha1", plural: "rollouts" };

export function kubeApi(connection: KubeConnection): KubeApi {
    const { k8s, config } = loadKubeConfig(connection);
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const mergePatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    const strategicMergePatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch);
    return {
        getRollout: (namespace, name) => orUndefined(`reading Rollout ${namespace}/${name}`,
            () => custom.getNamespacedCustomObject({ ...ROLLOUTS, namespace, name }) as Promise<IRollout>),
        patchRollout: (namespace, name, body) => orThrow(`patching Rollout ${namespace}/${name}`,
            () => custom.patchNamespacedCustomObject({ ...ROLLOUTS, namespace, name, body }, mergePatch) as Promise<IRollout>),
        listReplicaSets: (namespace, labelSelector) => orThrow(`listing ReplicaSets ${labelSelector} in ${namespace}`,
            async () => (await apps.listNamespacedReplicaSet({ namespace, labelSelector })).items as unknown as IReplicaSet[]),
        getDeployment: (namespace, name) => orUndefined(`reading Deployment ${namespace}/${name}`,
            async () => (await apps.readNamespacedDeployment({ namespace, name })) as unknown as IDeployment),
        patchDeployment: (namespace, name, body) => orThrow(`patching Deployment ${namespace}/${name}`,
            async () => (await apps.patchNamespacedDeployment({ namespace, name, body }, strategicMergePatch)) as unknown as IDeployment),
    };
}
