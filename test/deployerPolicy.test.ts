// Tests components/manifests/deployerPolicy.ts: the rendered policy, and its CEL run on the requests the CI account makes.
import { strict as assert } from "assert";
import {
    deployerPolicy,
    deployerPolicyBinding,
    deployerPolicyMessages,
    deployerPolicyName,
    deployerUser,
    RESTARTED_AT,
} from "../components/manifests/deployerPolicy";
import { admit, AdmissionRequest, mergePatch } from "./admissionPolicyEval";
import { validateObject } from "./schema";

const app = { name: "instant-api", namespace: "instant" };
const deployer = { serviceAccount: "ci-deployer", namespace: "ci", admissionPolicy: true };
const targets = { rollout: "instant-api", deployment: "instant-api-web" };
const policy = deployerPolicy(app, deployer, targets);
const messages = deployerPolicyMessages(app, deployer, targets);
const CI = "system:serviceaccount:ci:ci-deployer";

/** The adopted Deployment as the API server hands it to admission: defaulted, unstructured. */
function deployment(): any {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
            name: "instant-api-web",
            namespace: "instant",
            generation: 4,
            resourceVersion: "812",
            labels: { app: "instant-api" },
            annotations: { "deployment.kubernetes.io/revision": "3" },
        },
        spec: {
            replicas: 0,
            selector: { matchLabels: { app: "instant-api" } },
            revisionHistoryLimit: 10,
            progressDeadlineSeconds: 600,
            strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
            template: {
                metadata: { creationTimestamp: null, labels: { app: "instant-api" } },
                spec: {
                    serviceAccountName: "instant-api",
                    serviceAccount: "instant-api",
                    restartPolicy: "Always",
                    dnsPolicy: "ClusterFirst",
                    terminationGracePeriodSeconds: 30,
                    schedulerName: "default-scheduler",
                    securityContext: {},
                    initContainers: [{ name: "migrate", image: "registry.example/api-migrate:1.4.0", imagePullPolicy: "IfNotPresent", resources: {} }],
                    containers: [
                        {
                            name: "api",
                            image: "registry.example/api:1.4.0",
                            imagePullPolicy: "IfNotPresent",
                            ports: [{ containerPort: 8080, protocol: "TCP" }],
                            resources: { limits: { cpu: "500m" } },
                        },
                        { name: "proxy", image: "registry.example/proxy:2.0", imagePullPolicy: "IfNotPresent", resources: {} },
                    ],
                },
            },
        },
        status: { replicas: 0, observedGeneration: 4 },
    };
}

/** The Rollout as the controller keeps it: paused at a step, with an inline analysis and a background one. */
function rollout(): any {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: "instant-api", namespace: "instant", generation: 7, annotations: { "rollout.argoproj.io/revision": "5" } },
        spec: {
            replicas: 4,
            paused: true,
            workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "instant-api-web", scaleDown: "progressively" },
            strategy: {
                canary: {
                    stableService: "instant-api-stable",
                    canaryService: "instant-api-canary",
                    analysis: { templates: [{ templateName: "instant-api-watchdog" }] },
                    steps: [{ setWeight: 25 }, { pause: {} }, { analysis: { templates: [{ templateName: "instant-api" }] } }, { setWeight: 100 }],
                },
            },
        },
        status: {
            currentStepIndex: 1,
            stableRS: "5d4f8",
            currentPodHash: "7c9b2",
            controllerPause: true,
            abort: false,
            pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2026-12-03T04:00:00Z" }],
        },
    };
}

type Change = (o: any) => void;
const changed = (make: () => any, change: Change) => {
    const o = make();
    change(o);
    return o;
};

function onDeployment(change: Change, username = CI, extra: Partial<AdmissionRequest> = {}): ReturnType<typeof admit> {
    return admit(policy, {
        operation: "UPDATE",
        group: "apps",
        resource: "deployments",
        namespace: "instant",
        username,
        object: changed(deployment, change),
        oldObject: deployment(),
        ...extra,
    });
}

function onRollout(patch: any, subResource = ""): ReturnType<typeof admit> {
    return admit(policy, {
        operation: "UPDATE",
        group: "argoproj.io",
        resource: "rollouts",
        subResource,
        namespace: "instant",
        username: CI,
        object: mergePatch(rollout(), patch),
        oldObject: rollout(),
    });
}

const allowed = (verdict: ReturnType<typeof admit>) => assert.deepEqual(verdict, { matched: true, denied: [] });
const deniedWith = (verdict: ReturnType<typeof admit>, message: string) => assert.deepEqual(verdict, { matched: true, denied: [message] });
const container = (o: any, name: string) => o.spec.template.spec.containers.find((c: any) => c.name === name);

describe("the CI deployer's admission policy: the objects", () => {
    it("is named for the app's namespace and name, and matches the app's Deployment and Rollout in its namespace only", async () => {
        assert.equal(policy.metadata?.name, "canary-deployer.instant.instant-api");
        assert.equal(deployerPolicyName({ name: "a.b", namespace: "c" }), "canary-deployer.c.a.b");
        assert.equal(deployerUser(deployer), CI);
        assert.equal(policy.spec?.failurePolicy, "Fail");
        assert.deepEqual(policy.spec?.matchConstraints, {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "instant" } },
            resourceRules: [
                {
                    apiGroups: ["apps"],
                    apiVersions: ["*"],
                    resources: ["deployments", "deployments/status", "deployments/scale"],
                    operations: ["UPDATE", "DELETE"],
                },
                {
                    apiGroups: ["argoproj.io"],
                    apiVersions: ["*"],
                    resources: ["rollouts", "rollouts/status", "rollouts/scale"],
                    operations: ["UPDATE", "DELETE"],
                },
            ],
        });
        assert.deepEqual(
            policy.spec?.matchConditions?.map((c) => c.name),
            ["ci-account", "app-objects"],
        );
        assert.equal(policy.spec?.matchConditions?.[0].expression, `has(request.userInfo.username) && request.userInfo.username == "${CI}"`);
        assert.deepEqual(
            policy.spec?.validations?.map((v) => v.reason),
            ["Forbidden", "Forbidden", "Forbidden", "Forbidden", "Forbidden"],
        );
        await validateObject(policy);
    });
    it("is bound cluster-wide with Deny, under the policy's name", async () => {
        const binding = deployerPolicyBinding(app);
        assert.deepEqual(binding.metadata, {
            name: "canary-deployer.instant.instant-api",
            labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "canary-stack", "canary-stack.io/app": "instant-api" },
        });
        assert.deepEqual(binding.spec, { policyName: "canary-deployer.instant.instant-api", validationActions: ["Deny"] });
        await validateObject(binding);
    });
    it("says who may do what, with these exact messages", () => {
        assert.deepEqual(messages, {
            deleteRollout: `${CI} may not delete the Rollout instant/instant-api`,
            deleteDeployment: `${CI} may not delete the Deployment instant/instant-api-web`,
            subresource: `${CI} may not scale the Deployment instant/instant-api-web or the Rollout instant/instant-api, nor write the Deployment's status`,
            deployment: `${CI} may change only the containers' images of the Deployment instant/instant-api-web (and restart it with ${RESTARTED_AT}); this request changes: `,
            rollout:
                `${CI} may only promote, abort, retry, restart or pause the Rollout instant/instant-api (spec.paused, spec.restartAt, ` +
                "status.pauseConditions, status.controllerPause, status.currentStepIndex, status.abort, status.promoteFull); this request changes: ",
        });
    });
});

describe("the CI deployer's admission policy: the Deployment", () => {
    it("lets the CI account set a container's image (kubectl set image)", () =>
        allowed(
            onDeployment((o) => {
                container(o, "api").image = "registry.example/api:1.5.0";
            }),
        ));
    it("lets it set every image, init containers' too (the plugin's set image '*')", () =>
        allowed(
            onDeployment((o) => {
                for (const c of [...o.spec.template.spec.containers, ...o.spec.template.spec.initContainers]) c.image = "registry.example/all:2";
            }),
        ));
    it("lets it restart the Deployment (kubectl rollout restart): a new template that goes through the canary", () =>
        allowed(
            onDeployment((o) => {
                o.spec.template.metadata.annotations = { [RESTARTED_AT]: "2026-12-03T05:00:00Z" };
            }),
        ));
    it("lets an update that changes nothing through", () => allowed(onDeployment(() => undefined)));

    const refused: [string, Change, string][] = [
        [
            "the pod's ServiceAccount",
            (o) => {
                o.spec.template.spec.serviceAccountName = "admin";
            },
            "spec.template.spec.serviceAccountName",
        ],
        [
            "a volume",
            (o) => {
                o.spec.template.spec.volumes = [{ name: "token", secret: { secretName: "db-admin" } }];
            },
            "spec.template.spec.volumes",
        ],
        [
            "a container's env",
            (o) => {
                container(o, "api").env = [{ name: "DEBUG", value: "1" }];
            },
            "spec.template.spec.containers[api]",
        ],
        [
            "an image and a pull policy",
            (o) => {
                Object.assign(container(o, "proxy"), { image: "x:1", imagePullPolicy: "Always" });
            },
            "spec.template.spec.containers[proxy]",
        ],
        [
            "a container more",
            (o) => {
                o.spec.template.spec.containers.push({ name: "miner", image: "evil:1" });
            },
            "spec.template.spec.containers",
        ],
        [
            "the containers' order",
            (o) => {
                o.spec.template.spec.containers.reverse();
            },
            "spec.template.spec.containers",
        ],
        [
            "an init container's command",
            (o) => {
                o.spec.template.spec.initContainers[0].command = ["sh"];
            },
            "spec.template.spec.initContainers[migrate]",
        ],
        [
            "the replicas (Argo's to set)",
            (o) => {
                o.spec.replicas = 4;
            },
            "spec.replicas",
        ],
        [
            "a pod template label",
            (o) => {
                o.spec.template.metadata.labels.tier = "x";
            },
            "spec.template.metadata.labels",
        ],
        [
            "a pod template annotation",
            (o) => {
                o.spec.template.metadata.annotations = { "sidecar.istio.io/inject": "false" };
            },
            "spec.template.metadata.annotations.sidecar.istio.io/inject",
        ],
        [
            "the node selector",
            (o) => {
                o.spec.template.spec.nodeSelector = { pool: "gpu" };
            },
            "spec.template.spec.nodeSelector",
        ],
        [
            "an owner (the garbage collector would delete it)",
            (o) => {
                o.metadata.ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "1" }];
            },
            "metadata.ownerReferences",
        ],
        [
            "its labels",
            (o) => {
                o.metadata.labels = {};
            },
            "metadata.labels",
        ],
    ];
    for (const [what, change, field] of refused) {
        it(`refuses the CI account a change of ${what}, naming ${field}`, () => deniedWith(onDeployment(change), `${messages.deployment}${field}`));
    }
    it("names every field a request changes", () => {
        const verdict = onDeployment((o) => {
            o.spec.template.spec.serviceAccountName = "admin";
            o.spec.template.spec.serviceAccount = "admin";
            o.spec.paused = true;
        });
        assert.ok(verdict.matched);
        assert.equal(verdict.denied.length, 1);
        const fields = verdict.denied[0].slice(messages.deployment.length).split(", ").sort();
        assert.deepEqual(fields, ["spec.paused", "spec.template.spec.serviceAccount", "spec.template.spec.serviceAccountName"]);
    });
    it("refuses the CI account a delete, a scale and a status write", () => {
        const request = { group: "apps", resource: "deployments", namespace: "instant", username: CI, object: deployment(), oldObject: deployment() };
        deniedWith(admit(policy, { ...request, operation: "DELETE", object: null }), messages.deleteDeployment);
        const scale = { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "instant-api-web", namespace: "instant" }, spec: { replicas: 4 } };
        deniedWith(
            admit(policy, { ...request, operation: "UPDATE", subResource: "scale", object: scale, oldObject: { ...scale, spec: { replicas: 0 } } }),
            messages.subresource,
        );
        deniedWith(admit(policy, { ...request, operation: "UPDATE", subResource: "status" }), messages.subresource);
    });
    it("leaves everyone else alone: the operator, the Argo controller, another service account", () => {
        for (const user of ["kubernetes-admin", "system:serviceaccount:argo-rollouts:argo-rollouts", "system:serviceaccount:ci:other"]) {
            assert.deepEqual(
                onDeployment((o) => {
                    o.spec.template.spec.serviceAccountName = "admin";
                }, user),
                { matched: false },
                user,
            );
        }
    });
    it("leaves the CI account's other Deployments, and other namespaces, to RBAC", () => {
        const other = () => ({ ...deployment(), metadata: { ...deployment().metadata, name: "other" } });
        assert.deepEqual(
            onDeployment(() => undefined, CI, { object: other(), oldObject: other() }),
            { matched: false },
        );
        assert.deepEqual(
            onDeployment(() => undefined, CI, { namespace: "shop" }),
            { matched: false },
        );
    });
});

describe("the CI deployer's admission policy: the Rollout", () => {
    // The patches of kubectl-argo-rollouts v1.8.3, pkg/kubectl-argo-rollouts/cmd/{promote,abort,retry,restart,pause}.
    const plugin: [string, any, string][] = [
        ["promote: unpause", { spec: { paused: false } }, ""],
        ["promote: clear the pause conditions", { status: { pauseConditions: null } }, "status"],
        ["promote past an inconclusive analysis", { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 3 } }, "status"],
        ["promote past a running analysis", { status: { pauseConditions: null, currentStepIndex: 3 } }, "status"],
        ["promote --skip-all-steps", { status: { currentStepIndex: 4 } }, "status"],
        ["promote --full", { status: { promoteFull: true } }, "status"],
        ["abort", { status: { abort: true } }, "status"],
        ["retry", { status: { abort: false } }, "status"],
        ["restart", { spec: { restartAt: "2026-12-03T05:00:00Z" } }, ""],
        ["pause", { spec: { paused: true } }, ""],
        ["promote on a Rollout without the status subresource (the plugin's fallback)", { spec: { paused: false }, status: { pauseConditions: null } }, ""],
    ];
    for (const [what, patch, subResource] of plugin) {
        it(`lets the CI account ${what}`, () => allowed(onRollout(patch, subResource)));
    }
    const refused: [string, any, string, string][] = [
        ["remove the background analysis (strategy.canary.analysis)", { spec: { strategy: { canary: { analysis: null } } } }, "", "spec.strategy"],
        [
            "remove the analysis step",
            { spec: { strategy: { canary: { steps: [{ setWeight: 25 }, { pause: {} }, { setWeight: 100 }] } } } },
            "",
            "spec.strategy",
        ],
        ["repoint workloadRef", { spec: { workloadRef: { name: "unverified" } } }, "", "spec.workloadRef"],
        ["change the replicas", { spec: { replicas: 40 } }, "", "spec.replicas"],
        ["mark the canary stable", { status: { stableRS: "7c9b2" } }, "status", "status.stableRS"],
        ["annotate it", { metadata: { annotations: { "rollout.argoproj.io/revision": "1" } } }, "", "metadata.annotations"],
    ];
    for (const [what, patch, subResource, field] of refused) {
        it(`refuses the CI account to ${what}, naming ${field}`, () => deniedWith(onRollout(patch, subResource), `${messages.rollout}${field}`));
    }
    it("refuses the CI account a delete (even a deletecollection, admitted item by item) and a scale", () => {
        const request = { group: "argoproj.io", resource: "rollouts", namespace: "instant", username: CI, object: null, oldObject: rollout() };
        deniedWith(admit(policy, { ...request, operation: "DELETE" }), messages.deleteRollout);
        const scale = { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "instant-api", namespace: "instant" }, spec: { replicas: 0 } };
        deniedWith(
            admit(policy, { ...request, operation: "UPDATE", subResource: "scale", object: scale, oldObject: { ...scale, spec: { replicas: 4 } } }),
            messages.subresource,
        );
    });
});
