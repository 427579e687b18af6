import { DeployerConfig } from "../../stacks/types";
import { IValidatingAdmissionPolicy, IValidatingAdmissionPolicyBinding } from "./k8sTypes";
import { ObjectName, stackLabels } from "./labels";
import { DeployerTargets } from "./rbac";

/**
 * The Rollout fields `kubectl argo rollouts` v1.8.3 writes (pkg/kubectl-argo-rollouts/cmd/):
 * promote patches `spec.paused` and, on the status subresource, `pauseConditions`,
 * `controllerPause`, `currentStepIndex` (`--skip-current-step`, `--skip-all-steps`, or past a
 * running analysis) or `promoteFull` (`--full`); abort and retry patch `status.abort`; restart
 * patches `spec.restartAt`; pause patches `spec.paused`.
 */
export const ROLLOUT_SPEC_WRITES = ["paused", "restartAt"];
export const ROLLOUT_STATUS_WRITES = ["pauseConditions", "controllerPause", "currentStepIndex", "abort", "promoteFull"];
/** Metadata a client can write (the rest is the API server's); `ownerReferences` would let the garbage collector delete the object. */
const WRITABLE_METADATA = ["labels", "annotations", "ownerReferences", "finalizers"];
/** `kubectl rollout restart deployment/...` writes this pod template annotation; the new template then goes through the canary. */
export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
/** The pod spec's lists whose entries' `image` the account may change (`kubectl set image` and the plugin's `set image` write both). */
const IMAGE_LISTS = ["containers", "initContainers"];

/** The user name the API server gives requests made with the service account's token (or `--as` it). */
export function deployerUser(deployer: DeployerConfig): string {
    return `system:serviceaccount:${deployer.namespace}:${deployer.serviceAccount}`;
}

/** Cluster-scoped, so the namespace is in the name; a namespace has no dots, so no two apps share one. */
export function deployerPolicyName(app: ObjectName): string {
    return `canary-deployer.${app.namespace}.${app.name}`;
}

/** What the policy answers, exactly; the Deployment and Rollout messages end with the changed fields. */
export function deployerPolicyMessages(app: ObjectName, deployer: DeployerConfig, targets: DeployerTargets) {
    const who = deployerUser(deployer);
    const deployment = `${app.namespace}/${targets.deployment}`;
    const rollout = `${app.namespace}/${targets.rollout}`;
    return {
        deleteRollout: `${who} may not delete the Rollout ${rollout}`,
        deleteDeployment: `${who} may not delete the Deployment ${deployment}`,
        subresource: `${who} may not scale the Deployment ${deployment} or the Rollout ${rollout}, nor write the Deployment's status`,
        deployment: `${who} may change only the containers' images of the Deployment ${deployment} (and restart it with ${RESTARTED_AT}); this request changes: `,
        rollout:
            `${who} may only promote, abort, retry, restart or pause the Rollout ${rollout} ` +
            `(${[...ROLLOUT_SPEC_WRITES.map((f) => `spec.${f}`), ...ROLLOUT_STATUS_WRITES.map((f) => `status.${f}`)].join(", ")}); this request changes: `,
    };
}

/** A CEL string literal; the names quoted here are DNS names, JSON's escaping is CEL's. */
const q = (text: string) => JSON.stringify(text);
const list = (items: string[]) => `[${items.map(q).join(", ")}]`;
/** `map[key]`, or `empty` when the key is absent (the objects are JSON maps: absent and empty differ). */
const orEmpty = (map: string, key: string, empty = "{}") => `(${q(key)} in ${map} ? ${map}[${q(key)}] : ${empty})`;
const prefixed = (keys: string, prefix: string) => `(${keys}).map(k, ${q(prefix)} + k)`;

/** CEL: the keys whose values differ between the maps `now` and `before` (set in one only, or unequal), other than `except`. */
export function changedKeys(now: string, before: string, except: string[]): string {
    const skip = except.length > 0 ? `!(k in ${list(except)}) && ` : "";
    return `${now}.filter(k, ${skip}(!(k in ${before}) || ${before}[k] != ${now}[k])) + ${before}.filter(k, ${skip}!(k in ${now}))`;
}

/** CEL: those of `keys` whose values differ between the maps `now` and `before`. */
function changedAmong(now: string, before: string, keys: string[]): string {
    return `${list(keys)}.filter(k, (k in ${now}) != (k in ${before}) || (k in ${now} && ${now}[k] != ${before}[k]))`;
}

/**
 * CEL: `spec.template.spec.<field>` when the list's names or their order changed, else each
 * entry (by its name, unique in a pod) that changed more than its `image`.
 */
function imageListChanges(field: string): string {
    const now = orEmpty("variables.pod", field, "[]");
    const before = orEmpty("variables.podBefore", field, "[]");
    const path = `spec.template.spec.${field}`;
    return (
        `(${now}.map(c, c.name) != ${before}.map(c, c.name) ? [${q(path)}] : ` +
        `${now}.filter(c, ${before}.exists(was, was.name == c.name && (${changedKeys("c", "was", ["image"])}).size() > 0))` +
        `.map(c, ${q(`${path}[`)} + c.name + "]"))`
    );
}

const variables = [
    // `request` is the AdmissionRequest as JSON, whose `subResource` is omitted when empty: reading it then would be an error.
    { name: "subResource", expression: `has(request.subResource) ? request.subResource : ""` },
    { name: "pod", expression: "object.spec.template.spec" },
    { name: "podBefore", expression: "oldObject.spec.template.spec" },
    { name: "template", expression: orEmpty("object.spec.template", "metadata") },
    { name: "templateBefore", expression: orEmpty("oldObject.spec.template", "metadata") },
    {
        name: "deploymentChanges",
        expression: [
            prefixed(changedAmong("object.metadata", "oldObject.metadata", WRITABLE_METADATA), "metadata."),
            prefixed(changedKeys("object.spec", "oldObject.spec", ["template"]), "spec."),
            prefixed(changedKeys("object.spec.template", "oldObject.spec.template", ["metadata", "spec"]), "spec.template."),
            prefixed(changedKeys("variables.template", "variables.templateBefore", ["annotations"]), "spec.template.metadata."),
            prefixed(
                changedKeys(orEmpty("variables.template", "annotations"), orEmpty("variables.templateBefore", "annotations"), [RESTARTED_AT]),
                "spec.template.metadata.annotations.",
            ),
            prefixed(changedKeys("variables.pod", "variables.podBefore", IMAGE_LISTS), "spec.template.spec."),
            ...IMAGE_LISTS.map(imageListChanges),
        ].join(" + "),
    },
    {
        name: "rolloutChanges",
        // The status subresource keeps the old spec and metadata, the main resource the old status: both are checked whole either way.
        expression: [
            prefixed(changedAmong("object.metadata", "oldObject.metadata", WRITABLE_METADATA), "metadata."),
            prefixed(changedKeys("object.spec", "oldObject.spec", ROLLOUT_SPEC_WRITES), "spec."),
            prefixed(changedKeys(orEmpty("object", "status"), orEmpty("oldObject", "status"), ROLLOUT_STATUS_WRITES), "status."),
        ].join(" + "),
    },
];

/**
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes 1.30+) that narrows
 * what the deployer Role's `patch` and `update` allow, for the CI account only: on the adopted
 * Deployment only the containers' images (and `kubectl rollout restart`), on the Rollout only
 * what the plugin's promote, abort, retry, restart and pause write; no delete of either, no
 * scale. It applies to the account however it got its rights (the Role, or grants it kept).
 *
 * The objects are matched by name in a match condition, not with `resourceNames`: a
 * deletecollection is admitted item by item under the empty name, which `resourceNames`
 * would not match. The CEL compares `object` and `oldObject` as the JSON maps the API server
 * hands the policy, so a field Kubernetes adds later is compared too, and it uses no library
 * newer than Kubernetes 1.30.
 */
export function deployerPolicy(app: ObjectName, deployer: DeployerConfig, targets: DeployerTargets): IValidatingAdmissionPolicy {
    const messages = deployerPolicyMessages(app, deployer, targets);
    const rule = (apiGroup: string, resource: string) => ({
        apiGroups: [apiGroup],
        apiVersions: ["*"],
        resources: [resource, `${resource}/status`, `${resource}/scale`],
        operations: ["UPDATE" as const, "DELETE" as const],
    });
    const isRollout = `request.resource.group == "argoproj.io"`;
    const isDeployment = `request.resource.group == "apps"`;
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: deployerPolicyName(app), labels: stackLabels(app.name) },
        spec: {
            failurePolicy: "Fail",
            matchConstraints: {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": app.namespace } },
                resourceRules: [rule("apps", "deployments"), rule("argoproj.io", "rollouts")],
            },
            matchConditions: [
                { name: "ci-account", expression: `has(request.userInfo.username) && request.userInfo.username == ${q(deployerUser(deployer))}` },
                {
                    name: "app-objects",
                    expression:
                        `(request.operation == "DELETE" ? oldObject.metadata.name : object.metadata.name) == ` +
                        `(${isDeployment} ? ${q(targets.deployment)} : ${q(targets.rollout)})`,
                },
            ],
            variables,
            validations: [
                { expression: `!(${isRollout} && request.operation == "DELETE")`, message: messages.deleteRollout, reason: "Forbidden" },
                { expression: `!(${isDeployment} && request.operation == "DELETE")`, message: messages.deleteDeployment, reason: "Forbidden" },
                {
                    expression: `variables.subResource == "" || (${isRollout} && variables.subResource == "status")`,
                    message: messages.subresource,
                    reason: "Forbidden",
                },
                {
                    expression: `!(${isDeployment} && request.operation == "UPDATE" && variables.subResource == "") || variables.deploymentChanges.size() == 0`,
                    message: `${messages.deployment}fields other than the images`,
                    messageExpression: `${q(messages.deployment)} + variables.deploymentChanges.join(", ")`,
                    reason: "Forbidden",
                },
                {
                    expression: `!(${isRollout} && request.operation == "UPDATE" && variables.subResource in ["", "status"]) || variables.rolloutChanges.size() == 0`,
                    message: `${messages.rollout}other fields`,
                    messageExpression: `${q(messages.rollout)} + variables.rolloutChanges.join(", ")`,
                    reason: "Forbidden",
                },
            ],
        },
    };
}

export function deployerPolicyBinding(app: ObjectName): IValidatingAdmissionPolicyBinding {
    const name = deployerPolicyName(app);
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name, labels: stackLabels(app.name) },
        spec: { policyName: name, validationActions: ["Deny"] },
    };
}
