/**
 * Validates a plain Kubernetes object against the real schema of its kind,
 * from the `@kubernetes-models/*` packages (ESM, so loaded with import()).
 */
type ModelClass = new (data: any) => { validate(): void };

const loaders: Record<string, () => Promise<ModelClass>> = {
    "v1/Service": async () => (await import("kubernetes-models/v1/Service")).Service,
    "v1/Secret": async () => (await import("kubernetes-models/v1/Secret")).Secret,
    "v1/ConfigMap": async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap,
    "v1/Namespace": async () => (await import("kubernetes-models/v1/Namespace")).Namespace,
    "rbac.authorization.k8s.io/v1/Role": async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1/Role")).Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding")).RoleBinding,
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": async () =>
        (await import("kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy")).ValidatingAdmissionPolicy,
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": async () =>
        (await import("kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding")).ValidatingAdmissionPolicyBinding,
    "argoproj.io/v1alpha1/Rollout": async () => (await import("@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout")).Rollout,
    "argoproj.io/v1alpha1/AnalysisTemplate": async () =>
        (await import("@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate")).AnalysisTemplate,
    "monitoring.coreos.com/v1/ServiceMonitor": async () =>
        (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor")).ServiceMonitor,
    "monitoring.coreos.com/v1/PrometheusRule": async () =>
        (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule")).PrometheusRule,
};

export function knownKinds(): string[] {
    return Object.keys(loaders);
}

/** Throws, naming the object and the schema's complaint, unless the object is valid. */
export async function validateObject(object: any): Promise<void> {
    const key = `${object.apiVersion}/${object.kind}`;
    const load = loaders[key];
    if (!load) throw new Error(`no schema for ${key}: add its model to test/schema.ts`);
    const Model = await load();
    try {
        new Model(object).validate();
    } catch (err) {
        throw new Error(`${key} ${object.metadata?.namespace}/${object.metadata?.name} is invalid: ${(err as Error).message}`);
    }
}
