import { DeployerConfig } from "../../stacks/types";
import { IRole, IRoleBinding } from "./k8sTypes";
import { ObjectName, stackLabels } from "./labels";

/** The app's objects the CI deployer may write: the Rollout and the Deployment it adopts. */
export interface DeployerTargets {
    rollout: string;
    deployment: string;
}

/**
 * What the CI deploy job needs, and nothing more (verbs checked against the
 * kubectl-argo-rollouts v1.8.3 source, pkg/kubectl-argo-rollouts/):
 *
 * - the Deployment, by name: `get` and `patch` for `kubectl set image
 *   deployment/...` and `undo` (cmd/undo/undo.go patches the workloadRef
 *   Deployment), `update` for the plugin's `set image` (cmd/set/set_image.go
 *   reads the Rollout, then updates the workloadRef Deployment);
 * - the Rollout, by name: `get` (promote, undo and set image read it first;
 *   CI reads `.status.stableRS`), `patch` (promote unpauses the spec), and
 *   `patch` of `rollouts/status` (abort, retry, promote and `promote --full`
 *   patch the status subresource: cmd/abort, cmd/retry, cmd/promote);
 * - `list` and `watch` of rollouts, deployments, replicasets, pods,
 *   analysisruns and experiments in the namespace: `get rollout` and
 *   `status` build their view from informers over all of these
 *   (viewcontroller/viewcontroller.go; the adopted Deployment is read from
 *   its informer's cache), `undo` lists the ReplicaSets.
 *
 * Why list/watch have no `resourceNames`: RBAC authorizes a named list or
 * watch only when the request carries the `metadata.name` field selector,
 * and the plugin's informers send none, so a named rule would refuse them.
 * They can read every object of those kinds in this namespace (no Secrets).
 * Named rules hold only verbs that act on one object: `create` and
 * `deletecollection` cannot be limited by name at all, and none is granted.
 */
export function deployerRole(target: ObjectName, app: string, targets: DeployerTargets): IRole {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { ...target, labels: stackLabels(app) },
        rules: [
            { apiGroups: ["apps"], resources: ["deployments"], resourceNames: [targets.deployment], verbs: ["get", "patch", "update"] },
            { apiGroups: ["argoproj.io"], resources: ["rollouts"], resourceNames: [targets.rollout], verbs: ["get", "patch"] },
            { apiGroups: ["argoproj.io"], resources: ["rollouts/status"], resourceNames: [targets.rollout], verbs: ["patch"] },
            { apiGroups: ["argoproj.io"], resources: ["rollouts", "analysisruns", "experiments"], verbs: ["list", "watch"] },
            { apiGroups: ["apps"], resources: ["deployments", "replicasets"], verbs: ["list", "watch"] },
            { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
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
