// Tests model/restorePlan.ts.
import { strict as assert } from "assert";
import {
    canaryWeight, deploymentAvailability, deploymentPatch, deploymentRecord, restorePlan, RestoreDecision, unhealthyState,
} from "../model/restorePlan";
import { NS, NAME, STABLE, NEWEST, SIDECAR, HEALTHY, PAUSED, rolloutObject, replicaSet, deploymentObject, REPLICA_SETS, PAUSED_REFUSAL } from "./restoreFixtures";

describe("restore plan (pure)", () => {
    const states: [string, any, string | undefined][] = [
        ["Healthy, stable", HEALTHY, undefined],
        ["Paused mid-canary", PAUSED, "Paused at step 2/8 (canary weight 10%)"],
        ["Progressing to 50%", { phase: "Progressing", stableRS: "stable1", currentPodHash: "canary2", currentStepIndex: 4 }, "Progressing at step 4/8 (canary weight 50%)"],
        ["weight reported by traffic routing", { ...PAUSED, canary: { weights: { canary: { weight: 25 } } } }, "Paused at step 2/8 (canary weight 25%)"],
        ["aborted", { phase: "Degraded", abort: true, stableRS: "stable1", currentPodHash: "canary2", currentStepIndex: 0 }, "Degraded (aborted)"],
        ["Healthy but paused", { ...HEALTHY, pauseConditions: [{ reason: "PausedByUser" }] }, "Healthy (paused: PausedByUser) at step 8/8 (canary weight 100%)"],
        ["Healthy phase, canary hash not yet stable", { ...HEALTHY, currentPodHash: "canary2" }, "Healthy (pod template canary2 is not the stable stable1 yet) at step 8/8 (canary weight 100%)"],
        ["never reconciled", undefined, "without status (the Argo Rollouts controller has not reconciled it)"],
    ];
    for (const [title, status, expected] of states) {
        it(`state: ${title} -> ${expected ?? "at rest"}`, () => assert.equal(unhealthyState(rolloutObject(status)), expected));
    }

    it("reads the canary weight from the last setWeight reached", () => {
        assert.equal(canaryWeight(rolloutObject({ ...PAUSED, currentStepIndex: 0 })), 10);
        assert.equal(canaryWeight(rolloutObject({ ...PAUSED, currentStepIndex: 5 })), 50);
        assert.equal(canaryWeight(rolloutObject({ ...PAUSED, currentStepIndex: 8 })), 100);
    });

    /** The plan that puts the stable ReplicaSet's images back, with `replicas`. */
    const stableRestore = (replicas: number): RestoreDecision => ({
        kind: "restore",
        plan: { replicas, containers: [{ name: "api", image: STABLE }, { name: "envoy", image: SIDECAR }], initContainers: [{ name: "migrate", image: STABLE }] },
    });
    const restores: [string, any, boolean, number, string, RestoreDecision][] = [
        ["healthy: stable images, recorded replicas", HEALTHY, false, 4, STABLE, stableRestore(4)],
        ["healthy, Deployment template already newer: still the stable image", HEALTHY, false, 4, NEWEST, stableRestore(4)],
        ["mid-canary refused", PAUSED, false, 4, NEWEST, { kind: "refuse", message: PAUSED_REFUSAL }],
        ["mid-canary allowed: the stable image, not the canary's", PAUSED, true, 4, NEWEST, stableRestore(4)],
        ["more replicas recorded than the Rollout runs", HEALTHY, false, 9, STABLE, stableRestore(9)],
        ["never reconciled, allowed: replicas only, the Deployment's own images", undefined, true, 2, NEWEST, {
            kind: "restore", plan: { replicas: 4, containers: [], initContainers: [] },
        }],
    ];
    for (const [title, status, allowUnhealthy, recordedReplicas, deploymentImage, expected] of restores) {
        it(title, () => assert.deepEqual(restorePlan({
            rollout: rolloutObject(status), replicaSets: REPLICA_SETS, deployment: deploymentObject(deploymentImage), recordedReplicas, allowUnhealthy,
        }), expected));
    }

    it("refuses when no ReplicaSet the Rollout owns carries the stable hash", () => {
        const decision = restorePlan({
            rollout: rolloutObject(HEALTHY), replicaSets: [replicaSet("stable1", "evil/api:0", "other-rollout", "uid-other")],
            deployment: deploymentObject(STABLE), recordedReplicas: 4, allowUnhealthy: true,
        });
        assert.equal(decision.kind, "refuse");
        assert.match((decision as { message: string }).message,
            /^Rollout instant\/instant-api names stable ReplicaSet hash stable1 \(status\.stableRS\), but no ReplicaSet it owns carries rollouts-pod-template-hash=stable1: cannot tell which image is stable/);
    });

    it("never scales below the Rollout's replicas nor the Deployment's own", () => {
        const plan = (rolloutReplicas: number, deploymentReplicas: number) => {
            const decision = restorePlan({
                rollout: rolloutObject(HEALTHY, rolloutReplicas), replicaSets: REPLICA_SETS,
                deployment: deploymentObject(STABLE, deploymentReplicas), recordedReplicas: 4, allowUnhealthy: false,
            });
            return decision.kind === "restore" ? decision.plan.replicas : undefined;
        };
        assert.equal(plan(6, 0), 6);
        assert.equal(plan(2, 0), 4);
        assert.equal(plan(2, 5), 5);
    });

    it("leaves containers the stable ReplicaSet does not have, and ignores ones the Deployment no longer has", () => {
        const deployment = deploymentObject(NEWEST);
        deployment.spec.template.spec.containers = [{ name: "api", image: NEWEST }, { name: "new-agent", image: "agent:2" }];
        const decision = restorePlan({ rollout: rolloutObject(HEALTHY), replicaSets: REPLICA_SETS, deployment, recordedReplicas: 1, allowUnhealthy: false });
        assert.deepEqual(decision.kind === "restore" && decision.plan.containers, [{ name: "api", image: STABLE }]);
    });

    it("patches images by container name, and only replicas when no image is known", () => {
        assert.deepEqual(deploymentPatch({ replicas: 3, containers: [{ name: "api", image: STABLE }], initContainers: [] }),
            { spec: { replicas: 3, template: { spec: { containers: [{ name: "api", image: STABLE }] } } } });
        assert.deepEqual(deploymentPatch({ replicas: 3, containers: [], initContainers: [] }), { spec: { replicas: 3 } });
    });

    const availability: [string, any, boolean][] = [
        ["rolled out and available", { observedGeneration: 8, updatedReplicas: 4, availableReplicas: 4, conditions: [{ type: "Available", status: "True" }] }, true],
        ["old generation observed", { observedGeneration: 7, updatedReplicas: 4, availableReplicas: 4, conditions: [{ type: "Available", status: "True" }] }, false],
        ["pods not yet available", { observedGeneration: 8, updatedReplicas: 4, availableReplicas: 2, conditions: [{ type: "Available", status: "True" }] }, false],
        ["old pods still counted", { observedGeneration: 8, updatedReplicas: 2, availableReplicas: 4, conditions: [{ type: "Available", status: "True" }] }, false],
        ["Available=False", { observedGeneration: 8, updatedReplicas: 4, availableReplicas: 4, conditions: [{ type: "Available", status: "False" }] }, false],
        ["no status", undefined, false],
    ];
    for (const [title, status, expected] of availability) {
        it(`availability: ${title} -> ${expected}`, () => {
            const deployment = { ...deploymentObject(STABLE, 4), metadata: { name: NAME, namespace: NS, generation: 8 }, status };
            assert.equal(deploymentAvailability(deployment).available, expected);
        });
    }

    it("records replicas (1 when unset) and images by container", () => {
        assert.deepEqual(deploymentRecord(deploymentObject(STABLE, 5)), { replicas: 5, images: { api: STABLE, envoy: SIDECAR } });
        const unset = deploymentObject(STABLE);
        delete unset.spec.replicas;
        assert.equal(deploymentRecord(unset).replicas, 1);
    });
});
