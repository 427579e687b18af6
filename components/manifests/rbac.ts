import { DeployerConfig } from "../../stacks/types";
import { IRole, IRoleBinding } from "./k8sTypes";
import { ObjectName, stackLabels } from "./labels";

/**
 * What a CI deployer needs to drive a Rollout with `kubectl argo rollouts`:
 * set the image and promote/abort (rollouts, and rollouts/status for abort
 * and full promotion), and read what `get rollout --watch` and `status` show.
 */
export function deployerRole(target: ObjectName, app: string): IRole {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { ...target, labels: stackLabels(app) },
        rules: [
            { apiGroups: ["argoproj.io"], resources: ["rollouts"], verbs: ["get", "list", "watch", "update", "patch"] },
            { apiGroups: ["argoproj.io"], resources: ["rollouts/status"], verbs: ["update", "patch"] },
            { apiGroups: ["argoproj.io"], resources: ["analysisruns", "experiments"], verbs: ["get", "list", "watch"] },
            { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
            { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
        ],
    };
}

export function deployerRoleBinding(target: ObjectName, app: string, deployer: DeployerConfig): IRoleBinding {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { ...target, labels: stackLabels(app) },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: target.name },
        subjects: [{ kind: "ServiceAccount", name: deployer.serviceAccount, namespace: deployer.namespace }],
    };
}
