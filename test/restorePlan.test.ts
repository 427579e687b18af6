// Tests model/restorePlan.ts and model/rolloutReconciliation.ts: the Rollout's state, the controller's reconciliation, and the restore decision.
import { strict as assert } from "assert";
import { lastSetWeight, deploymentPatch, restorePlan, RestoreCase, RestoreDecision, unhealthyState } from "../model/restorePlan";
import { canaryWithTraffic, controllerBehind, neverReconciled } from "../model/rolloutReconciliation";
import {
    STABLE,
    NEWEST,
    SIDECAR,
    HEALTHY,
    PAUSED,
    FIRST_WRITE,
    behind,
    rolloutObject,
    replicaSet,
    withReady,
    deploymentObject,
    REPLICA_SETS,
    CANARY_SERVING,
    RECORDED_IMAGES,
    PAUSED_REFUSAL,
    BEHIND_REFUSAL,
} from "./restoreFixtures";

describe("restore plan (pure)", () => {
    const states: [string, any, string | undefined][] = [
        ["Healthy, stable", HEALTHY, undefined],
        ["Paused mid-canary", PAUSED, "Paused at steps[2] of 8 (setWeight 10)"],
        [
            "Progressing to 50%",
            { phase: "Progressing", stableRS: "stable1", currentPodHash: "canary2", currentStepIndex: 4 },
            "Progressing at steps[4] of 8 (setWeight 50)",
        ],
        ["weight reported by traffic routing", { ...PAUSED, canary: { weights: { canary: { weight: 25 } } } }, "Paused at steps[2] of 8 (canary weight 25%)"],
        ["aborted", { phase: "Degraded", abort: true, stableRS: "stable1", currentPodHash: "canary2", currentStepIndex: 0 }, "Degraded (aborted)"],
        [
            "Healthy but paused",
            { ...HEALTHY, pauseConditions: [{ reason: "PausedByUser" }] },
            "Healthy (paused: PausedByUser) past the last of 8 steps (setWeight 100)",
        ],
        [
            "Healthy phase, canary hash not yet stable",
            { ...HEALTHY, currentPodHash: "canary2" },
            "Healthy (pod template canary2 is not the stable stable1 yet) past the last of 8 steps (setWeight 100)",
        ],
        ["no phase", undefined, "without status.phase"],
    ];
    for (const [title, status, expected] of states) {
        it(`state: ${title} -> ${expected ?? "at rest"}`, () => assert.equal(unhealthyState(rolloutObject(status)), expected));
    }

    it("reads the last setWeight reached", () => {
        assert.equal(lastSetWeight(rolloutObject({ ...PAUSED, currentStepIndex: 0 })), 10);
        assert.equal(lastSetWeight(rolloutObject({ ...PAUSED, currentStepIndex: 5 })), 50);
        assert.equal(lastSetWeight(rolloutObject({ ...PAUSED, currentStepIndex: 8 })), 100);
    });

    const NEVER_WRITTEN = "was never reconciled (the Argo Rollouts controller has never written its status)";
    const BEHIND = "the Argo Rollouts controller last updated its status for generation 2, the Rollout is at generation 3";
    const readers: [string, any, any[], string | undefined, string | undefined, string | undefined][] = [
        // [title, status, ReplicaSets, neverReconciled, controllerBehind, canaryWithTraffic's name]
        [
            "no status",
            undefined,
            [],
            "the Argo Rollouts controller has never written its status",
            BEHIND.replace("generation 2", "generation (none)"),
            undefined,
        ],
        [
            "the first write, without stableRS",
            FIRST_WRITE,
            [],
            "the Argo Rollouts controller wrote a status, phase Progressing, but no status.stableRS",
            undefined,
            undefined,
        ],
        ["Healthy, current", HEALTHY, REPLICA_SETS, undefined, undefined, undefined],
        ["mid-canary, canary pods not ready yet", PAUSED, REPLICA_SETS, undefined, undefined, undefined],
        ["mid-canary, canary serving", PAUSED, CANARY_SERVING, undefined, undefined, "instant-api-canary2"],
        ["mid-canary, behind, canary serving", behind(PAUSED), CANARY_SERVING, undefined, BEHIND, "instant-api-canary2"],
        ["Healthy, behind: the stable ReplicaSet's ready pods are no canary", behind(HEALTHY), CANARY_SERVING, undefined, BEHIND, undefined],
        [
            "a ready canary-hash ReplicaSet of another Rollout",
            PAUSED,
            [withReady(replicaSet("canary2", NEWEST, "other-rollout", "uid-other"), 3)],
            undefined,
            undefined,
            undefined,
        ],
    ];
    for (const [title, status, replicaSets, never, lag, canary] of readers) {
        it(`reads the controller's progress: ${title}`, () => {
            const rollout = rolloutObject(status);
            assert.equal(neverReconciled(rollout), never);
            assert.equal(controllerBehind(rollout), lag);
            assert.equal(canaryWithTraffic(rollout, replicaSets)?.metadata?.name, canary);
        });
    }

    /** The plan that puts the stable ReplicaSet's images back, with `replicas`. */
    const stableRestore = (replicas: number, restoreCase: RestoreCase, state: string): RestoreDecision => ({
        kind: "restore",
        case: restoreCase,
        why: `${state}; the images of its stable ReplicaSet instant-api-stable1`,
        plan: {
            replicas,
            containers: [
                { name: "api", image: STABLE },
                { name: "envoy", image: SIDECAR },
            ],
            initContainers: [{ name: "migrate", image: STABLE }],
        },
    });
    const atRest = (replicas: number) => stableRestore(replicas, "at-rest", "is at rest (Healthy)");
    /** The plan that puts the recorded images back: containers only, the record has no init containers. */
    const snapshotRestore = (replicas: number, never = NEVER_WRITTEN): RestoreDecision => ({
        kind: "restore",
        case: "never-reconciled",
        why: `${never}; the images recorded before the migration`,
        plan: {
            replicas,
            containers: [
                { name: "api", image: STABLE },
                { name: "envoy", image: SIDECAR },
            ],
            initContainers: [],
        },
    });

    interface Row {
        status: any;
        replicaSets?: any[];
        allowUnhealthy?: boolean;
        recordedReplicas?: number;
        /** Defaults to RECORDED_IMAGES; null for a state written before the restore took them. */
        recordedImages?: Record<string, string> | null;
        deploymentImage?: string;
        deploymentReplicas?: number;
        expected: RestoreDecision;
    }
    const restores: [string, Row][] = [
        ["healthy: stable images, recorded replicas", { status: HEALTHY, deploymentImage: STABLE, expected: atRest(4) }],
        ["healthy, Deployment template already newer: still the stable image", { status: HEALTHY, expected: atRest(4) }],
        ["mid-canary refused", { status: PAUSED, expected: { kind: "refuse", message: PAUSED_REFUSAL } }],
        [
            "mid-canary allowed: the stable image, not the canary's",
            {
                status: PAUSED,
                allowUnhealthy: true,
                expected: stableRestore(4, "mid-canary-allowed", "is Paused at steps[2] of 8 (setWeight 10), restored as allowDestroyMidCanary says"),
            },
        ],
        ["more replicas recorded than the Rollout runs", { status: HEALTHY, deploymentImage: STABLE, recordedReplicas: 9, expected: atRest(9) }],
        [
            "never reconciled, Deployment at its own replicas: the recorded images, not the Deployment's newer one",
            {
                status: undefined,
                replicaSets: [],
                deploymentReplicas: 4,
                expected: snapshotRestore(4),
            },
        ],
        [
            "never reconciled, Deployment at 0: the recorded replicas",
            { status: undefined, replicaSets: [], deploymentReplicas: 0, expected: snapshotRestore(4) },
        ],
        [
            "never reconciled: never below the Deployment's own replicas",
            { status: undefined, replicaSets: [], deploymentReplicas: 6, expected: snapshotRestore(6) },
        ],
        [
            "never reconciled: the recorded replicas, not the Rollout's spec.replicas it never ran",
            {
                status: undefined,
                replicaSets: [],
                recordedReplicas: 2,
                deploymentReplicas: 0,
                expected: snapshotRestore(2),
            },
        ],
        ["never reconciled, allowDestroyMidCanary changes nothing", { status: undefined, replicaSets: [], allowUnhealthy: true, expected: snapshotRestore(4) }],
        [
            "the controller's first write, without stableRS (phase Progressing): not mid-canary, the recorded images",
            {
                status: FIRST_WRITE,
                replicaSets: [withReady(replicaSet("stable1", NEWEST), 1)],
                deploymentReplicas: 4,
                expected: snapshotRestore(4, "was never reconciled (the Argo Rollouts controller wrote a status, phase Progressing, but no status.stableRS)"),
            },
        ],
        [
            "never reconciled, a state without recorded images: the replicas, the Deployment's own images",
            {
                status: undefined,
                replicaSets: [],
                recordedImages: null,
                expected: {
                    kind: "restore",
                    case: "never-reconciled",
                    why: `${NEVER_WRITTEN}; the Deployment's own images (the stack's state has none recorded: a pulumi up records them)`,
                    plan: { replicas: 4, containers: [], initContainers: [] },
                },
            },
        ],
        [
            "the controller died mid-canary, status current: the canary serves, refused",
            { status: PAUSED, replicaSets: CANARY_SERVING, expected: { kind: "refuse", message: PAUSED_REFUSAL } },
        ],
        [
            "the controller died mid-canary, status behind: the canary serves, refused",
            {
                status: behind(PAUSED),
                replicaSets: CANARY_SERVING,
                expected: { kind: "refuse", message: BEHIND_REFUSAL },
            },
        ],
        [
            "the controller died mid-canary, status behind, allowed: the stable image",
            {
                status: behind(PAUSED),
                replicaSets: CANARY_SERVING,
                allowUnhealthy: true,
                expected: stableRestore(
                    4,
                    "mid-canary-allowed",
                    `has a canary in progress (ReplicaSet instant-api-canary2 has 2 ready pods, and ${BEHIND}), restored as allowDestroyMidCanary says`,
                ),
            },
        ],
        [
            "status behind, paused, canary with no ready pods: no canary in progress, the stable image",
            {
                status: behind(PAUSED),
                expected: stableRestore(4, "controller-behind", `has no ready canary pods, and ${BEHIND}`),
            },
        ],
        [
            "status behind, aborted, canary scaled down: the stable image",
            {
                status: behind({ phase: "Degraded", abort: true, stableRS: "stable1", currentPodHash: "canary2", currentStepIndex: 0 }),
                replicaSets: [withReady(replicaSet("stable1", STABLE), 4), withReady(replicaSet("canary2", NEWEST), 0)],
                expected: stableRestore(4, "controller-behind", `has no ready canary pods, and ${BEHIND}`),
            },
        ],
        [
            "status behind, Healthy: the stable image",
            { status: behind(HEALTHY), expected: stableRestore(4, "controller-behind", `has no ready canary pods, and ${BEHIND}`) },
        ],
    ];
    for (const [title, row] of restores) {
        it(title, () =>
            assert.deepEqual(
                restorePlan({
                    rollout: rolloutObject(row.status),
                    replicaSets: row.replicaSets ?? REPLICA_SETS,
                    deployment: deploymentObject(row.deploymentImage ?? NEWEST, row.deploymentReplicas),
                    recordedReplicas: row.recordedReplicas ?? 4,
                    recordedImages: row.recordedImages === null ? undefined : (row.recordedImages ?? RECORDED_IMAGES),
                    allowUnhealthy: row.allowUnhealthy ?? false,
                }),
                row.expected,
            ),
        );
    }

    it("refuses when no ReplicaSet the Rollout owns carries the stable hash", () => {
        const decision = restorePlan({
            rollout: rolloutObject(HEALTHY),
            replicaSets: [replicaSet("stable1", "evil/api:0", "other-rollout", "uid-other")],
            deployment: deploymentObject(STABLE),
            recordedReplicas: 4,
            allowUnhealthy: true,
        });
        assert.equal(decision.kind, "refuse");
        assert.match(
            (decision as { message: string }).message,
            /^Rollout instant\/instant-api names stable ReplicaSet hash stable1 \(status\.stableRS\), but no ReplicaSet it owns carries rollouts-pod-template-hash=stable1: cannot tell which image is stable/,
        );
    });

    it("never scales below the Rollout's replicas nor the Deployment's own", () => {
        const plan = (rolloutReplicas: number, deploymentReplicas: number) => {
            const decision = restorePlan({
                rollout: rolloutObject(HEALTHY, rolloutReplicas),
                replicaSets: REPLICA_SETS,
                deployment: deploymentObject(STABLE, deploymentReplicas),
                recordedReplicas: 4,
                allowUnhealthy: false,
            });
            return decision.kind === "restore" ? decision.plan.replicas : undefined;
        };
        assert.equal(plan(6, 0), 6);
        assert.equal(plan(2, 0), 4);
        assert.equal(plan(2, 5), 5);
    });

    it("leaves containers the stable ReplicaSet does not have, and ignores ones the Deployment no longer has", () => {
        const deployment = deploymentObject(NEWEST);
        deployment.spec.template.spec.containers = [
            { name: "api", image: NEWEST },
            { name: "new-agent", image: "agent:2" },
        ];
        const decision = restorePlan({ rollout: rolloutObject(HEALTHY), replicaSets: REPLICA_SETS, deployment, recordedReplicas: 1, allowUnhealthy: false });
        assert.deepEqual(decision.kind === "restore" && decision.plan.containers, [{ name: "api", image: STABLE }]);
    });

    it("patches images by container name, and only replicas when no image is known", () => {
        assert.deepEqual(deploymentPatch({ replicas: 3, containers: [{ name: "api", image: STABLE }], initContainers: [] }), {
            spec: { replicas: 3, template: { spec: { containers: [{ name: "api", image: STABLE }] } } },
        });
        assert.deepEqual(deploymentPatch({ replicas: 3, containers: [], initContainers: [] }), { spec: { replicas: 3 } });
    });
});
