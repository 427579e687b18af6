import type { IDeployment, IReplicaSet, IRollout } from "../../../model/restorePlan";

type ClientNode = typeof import("@kubernetes/client-node", { with: { "resolution-mode": "import" } });

/** Where the restore talks to: the same kubeconfig and context as the stack's Kubernetes provider. */
export interface KubeConnection {
    /** A kubeconfig file. Defaults to what kubectl would use (`KUBECONFIG`, else `~/.kube/config`). */
    kubeconfig?: string;
    /** A context in that kubeconfig. Defaults to its current context. */
    context?: string;
}

/** The few calls the restore makes. Gets return undefined for an object that does not exist. */
export interface KubeApi {
    getRollout(namespace: string, name: string): Promise<IRollout | undefined>;
    patchRollout(namespace: string, name: string, mergePatch: object): Promise<IRollout>;
    listReplicaSets(namespace: string, labelSelector: string): Promise<IReplicaSet[]>;
    getDeployment(namespace: string, name: string): Promise<IDeployment | undefined>;
    patchDeployment(namespace: string, name: string, strategicMergePatch: object): Promise<IDeployment>;
}

const ROLLOUTS = { group: "argoproj.io", version: "v1alpha1", plural: "rollouts" };

export function statusCode(error: unknown): number | undefined {
    return typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "number"
        ? (error as { code: number }).code
        : undefined;
}

/** client-node's errors carry the whole response; keep the API server's own message. */
export function apiError(action: string, error: unknown): Error {
    const code = statusCode(error);
    const body = (error as { body?: unknown }).body;
    let reason = error instanceof Error ? error.message : String(error);
    if (typeof body === "string") {
        try {
            reason = JSON.parse(body).message ?? body;
        } catch {
            reason = body;
        }
    } else if (typeof body === "object" && body !== null && "message" in body) {
        reason = String((body as { message: unknown }).message);
    }
    return new Error(`${action} failed${code ? ` (HTTP ${code})` : ""}: ${reason}`);
}

async function orUndefined<T>(action: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
        return await call();
    } catch (error) {
        if (statusCode(error) === 404) return undefined;
        throw apiError(action, error);
    }
}

async function orThrow<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (error) {
        throw apiError(action, error);
    }
}

/**
 * client-node is loaded here, at call time, not at the top of the module: the
 * dynamic providers that use this are serialized into the stack's state, and
 * the package must resolve from node_modules when a destroy runs them.
 */
export function loadKubeConfig(connection: KubeConnection) {
    const k8s = require("@kubernetes/client-node") as ClientNode;
    const config = new k8s.KubeConfig();
    if (connection.kubeconfig) config.loadFromFile(connection.kubeconfig);
    else config.loadFromDefault();
    if (connection.context) {
        const names = config.getContexts().map((c) => c.name);
        if (!names.includes(connection.context)) {
            const source = connection.kubeconfig ?? "the default kubeconfig";
            throw new Error(`context "${connection.context}" is not in ${source} (it has: ${names.join(", ") || "none"})`);
        }
        config.setCurrentContext(connection.context);
    }
    return { k8s, config };
}

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
