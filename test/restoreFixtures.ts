/** Objects of a migrated app as the API server returns them, for the restore tests. */
import { FakeKubeApi } from "./fakeKubeApi";

export const NS = "instant";
export const NAME = "instant-api";
export const KEY = `${NS}/${NAME}`;
export const STABLE = "registry.example/api:1.4.0";
export const NEWEST = "registry.example/api:1.5.0";
export const SIDECAR = "envoyproxy/envoy:v1.30.1";

/** `kubectl argo rollouts get` shows Step 2/8, SetWeight 10 for a Rollout paused at steps[2]. */
export const STEPS = [
    { setWeight: 10 },
    { analysis: { templates: [{ templateName: NAME }] } },
    { pause: {} },
    { setWeight: 50 },
    { analysis: { templates: [{ templateName: NAME }] } },
    { pause: { duration: "5m" } },
    { setWeight: 100 },
    { pause: { duration: "1m" } },
];

/** The statuses below are the controller's view of the Rollout's current generation (`rolloutObject` is at 3). */
export const HEALTHY = { phase: "Healthy", observedGeneration: "3", stableRS: "stable1", currentPodHash: "stable1", currentStepIndex: 8 };
export const PAUSED = {
    phase: "Paused",
    observedGeneration: "3",
    stableRS: "stable1",
    currentPodHash: "canary2",
    currentStepIndex: 2,
    pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2025-01-01T00:00:00Z" }],
};
/** The controller's first write: it goes through the reset branch of syncRolloutStatusCanary, before any stableRS. */
export const FIRST_WRITE = { phase: "Progressing", observedGeneration: "3", currentPodHash: "stable1", currentStepIndex: 0 };
/** A status the controller wrote for generation 2: it has not seen the Rollout's current spec. */
export const behind = (status: object) => ({ ...status, observedGeneration: "2" });

export function rolloutObject(status: any, replicas = 4): any {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: NAME, namespace: NS, uid: "uid-rollout", generation: 3 },
        spec: {
            replicas,
            workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: NAME, scaleDown: "onsuccess" },
            strategy: { canary: { stableService: `${NAME}-stable`, canaryService: `${NAME}-canary`, steps: STEPS } },
        },
        ...(status ? { status } : {}),
    };
}

export function podSpec(api: string) {
    return {
        initContainers: [{ name: "migrate", image: api }],
        containers: [
            { name: "api", image: api, ports: [{ containerPort: 8080 }] },
            { name: "envoy", image: SIDECAR },
        ],
    };
}

export function replicaSet(hash: string, api: string, owner = NAME, uid = "uid-rollout"): any {
    return {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
            name: `${owner}-${hash}`,
            namespace: NS,
            labels: { app: NAME, "rollouts-pod-template-hash": hash },
            ownerReferences: [{ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: owner, uid, controller: true }],
        },
        spec: { replicas: 4, selector: { matchLabels: { app: NAME } }, template: { metadata: { labels: { app: NAME } }, spec: podSpec(api) } },
    };
}

/** The ReplicaSet with `ready` ready pods, as Kubernetes' ReplicaSet controller reports them. */
export function withReady(replicaSet: any, ready: number): any {
    return { ...replicaSet, status: { replicas: ready, readyReplicas: ready, availableReplicas: ready } };
}

/** As Argo leaves it: scaled to 0 (scaleDown onsuccess), template already holding the image under canary. */
export function deploymentObject(api: string, replicas = 0): any {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: NAME, namespace: NS, generation: 7 },
        spec: {
            replicas,
            selector: { matchLabels: { app: NAME } },
            template: { metadata: { labels: { app: NAME } }, spec: podSpec(api) },
        },
        status: { observedGeneration: 7, replicas: 0, updatedReplicas: 0, availableReplicas: 0, conditions: [] },
    };
}

export const REPLICA_SETS = [replicaSet("stable1", STABLE), replicaSet("canary2", NEWEST), replicaSet("stable1", "evil/api:0", "other-rollout", "uid-other")];
/** The controller died mid-canary: the stable ReplicaSet and a canary with 2 ready pods, both serving. */
export const CANARY_SERVING = [withReady(replicaSet("stable1", STABLE), 4), withReady(replicaSet("canary2", NEWEST), 2)];

/** `DeploymentSnapshot.images`, taken before the migration. */
export const RECORDED_IMAGES = { api: STABLE, envoy: SIDECAR };

export const PAUSED_REFUSAL =
    "Rollout instant/instant-api is Paused at steps[2] of 8 (setWeight 10): refusing to destroy mid-canary. " +
    "Finish it first (kubectl argo rollouts promote instant-api -n instant) or abort it (kubectl argo rollouts abort instant-api -n instant), " +
    "or set allowDestroyMidCanary: true on the app to restore the stable image and go on " +
    "(run pulumi up after setting it: a destroy reads it from the stack's state).";

/** The controller died mid-canary (CANARY_SERVING) and has not seen generation 3 (`behind(PAUSED)`). */
export const BEHIND_REFUSAL =
    "Rollout instant/instant-api has a canary in progress: ReplicaSet instant-api-canary2 (pod template canary2, not the stable stable1) " +
    "has 2 ready pods, and the Argo Rollouts controller last updated its status for generation 2, the Rollout is at generation 3: " +
    "refusing to destroy mid-canary. Start the Argo Rollouts controller again, then finish the canary " +
    "(kubectl argo rollouts promote instant-api -n instant) or abort it (kubectl argo rollouts abort instant-api -n instant), " +
    "or set allowDestroyMidCanary: true on the app to restore the stable image and go on " +
    "(run pulumi up after setting it: a destroy reads it from the stack's state).";

/** A fake API server holding the migrated app at rest (the Rollout Healthy on stable1), and a kubeconfig for it. */
export async function fakeWithAppAtRest(): Promise<{ fake: FakeKubeApi; kubeconfig: string }> {
    const fake = await FakeKubeApi.start();
    const kubeconfig = fake.writeKubeconfig("elsewhere");
    fake.rollouts.set(KEY, rolloutObject(HEALTHY));
    fake.deployments.set(KEY, deploymentObject(STABLE));
    fake.replicaSets = structuredClone(REPLICA_SETS);
    return { fake, kubeconfig };
}
