/**
 * The object shapes the builders return, taken from the `@kubernetes-models/*`
 * packages (generated from the real CRD and OpenAPI schemas). Type-only: the
 * packages are ESM, and the unit tests load them at run time to validate.
 */
export type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
export type { ISecret } from "kubernetes-models/v1/Secret" with { "resolution-mode": "import" };
export type { IConfigMap } from "kubernetes-models/v1/ConfigMap" with { "resolution-mode": "import" };
export type { INamespace } from "kubernetes-models/v1/Namespace" with { "resolution-mode": "import" };
export type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role" with { "resolution-mode": "import" };
export type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding" with { "resolution-mode": "import" };
export type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy" with {
    "resolution-mode": "import",
};
export type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding" with {
    "resolution-mode": "import",
};
export type { IRollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout" with { "resolution-mode": "import" };
export type { IAnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate" with { "resolution-mode": "import" };
export type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor" with { "resolution-mode": "import" };
export type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule" with { "resolution-mode": "import" };
export type { IServicePort } from "kubernetes-models/v1/ServicePort" with { "resolution-mode": "import" };
