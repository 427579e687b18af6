// Tests components/app/restore/restore.ts against a fake API server.
import { strict as assert } from "assert";
import { kubeApi } from "../components/app/restore/kubeApi";
import { restoreDeployment, RestoreTarget, snapshotDeployment } from "../components/app/restore/restore";
import { availableStatus, FakeKubeApi } from "./fakeKubeApi";
import {
    NS,
    NAME,
    KEY,
    STABLE,
    NEWEST,
    SIDECAR,
    HEALTHY,
    PAUSED,
    behind,
    rolloutObject,
    deploymentObject,
    CANARY_SERVING,
    RECORDED_IMAGES,
    PAUSED_REFUSAL,
    BEHIND_REFUSAL,
    fakeWithAppAtRest,
} from "./restoreFixtures";

describe("restore against a fake Kubernetes API", () => {
    let fake: FakeKubeApi;
    let kubeconfig: string;

    const target = (change: Partial<RestoreTarget> = {}): RestoreTarget => ({
        namespace: NS,
        rollout: NAME,
        deployment: NAME,
        recordedReplicas: 4,
        recordedImages: RECORDED_IMAGES,
        allowUnhealthy: false,
        timeoutSeconds: 5,
        pollIntervalSeconds: 0.01,
        ...change,
    });
    const restore = (change: Partial<RestoreTarget> = {}, log?: (message: string) => void) =>
        restoreDeployment(kubeApi({ kubeconfig, context: "fake" }), target(change), log);
    const images = () => fake.deployments.get(KEY).spec.template.spec.containers.map((c: any) => `${c.name}=${c.image}`);

    beforeEach(async () => {
        ({ fake, kubeconfig } = await fakeWithAppAtRest());
        fake.availableAfterPolls = 3;
    });
    afterEach(async () => fake.close());

    it("healthy: stops Argo's scale-down before scaling up, restores stable images and replicas, waits until Available", async () => {
        await restore();
        assert.deepEqual(fake.calls(), [
            "GET rollout instant/instant-api",
            "GET deployment instant/instant-api",
            "GET replicasets instant rollouts-pod-template-hash",
            "PATCH rollout instant/instant-api",
            "PATCH deployment instant/instant-api",
            "GET deployment instant/instant-api",
            "GET deployment instant/instant-api",
            "GET deployment instant/instant-api",
        ]);
        const [rolloutPatch, deploymentPatchRequest] = fake.writes();
        assert.equal(rolloutPatch.contentType, "application/merge-patch+json");
        assert.deepEqual(rolloutPatch.body, { spec: { workloadRef: { scaleDown: "never" } } });
        assert.equal(deploymentPatchRequest.contentType, "application/strategic-merge-patch+json");
        const rollout = fake.rollouts.get(KEY);
        assert.deepEqual(rollout.spec.workloadRef, { apiVersion: "apps/v1", kind: "Deployment", name: NAME, scaleDown: "never" });
        const deployment = fake.deployments.get(KEY);
        assert.equal(deployment.spec.replicas, 4);
        assert.deepEqual(images(), [`api=${STABLE}`, `envoy=${SIDECAR}`]);
        assert.deepEqual(deployment.spec.template.spec.containers[0].ports, [{ containerPort: 8080 }], "strategic merge keeps the rest of the container");
        assert.equal(deployment.status.availableReplicas, 4);
    });

    it("mid-canary: refuses with the state and the commands, and writes nothing", async () => {
        fake.rollouts.set(KEY, rolloutObject(PAUSED));
        fake.deployments.set(KEY, deploymentObject(NEWEST));
        await assert.rejects(restore(), (error: Error) => {
            assert.equal(error.message, PAUSED_REFUSAL);
            return true;
        });
        assert.deepEqual(fake.writes(), []);
        assert.equal(fake.deployments.get(KEY).spec.replicas, 0);
        assert.equal(fake.rollouts.get(KEY).spec.workloadRef.scaleDown, "onsuccess");
    });

    it("mid-canary with allowUnhealthy: restores the stable image, not the Deployment's newest one", async () => {
        fake.rollouts.set(KEY, rolloutObject(PAUSED));
        fake.deployments.set(KEY, deploymentObject(NEWEST));
        await restore({ allowUnhealthy: true });
        assert.deepEqual(images(), [`api=${STABLE}`, `envoy=${SIDECAR}`]);
        assert.deepEqual(fake.deployments.get(KEY).spec.template.spec.initContainers, [{ name: "migrate", image: STABLE }]);
        assert.equal(fake.deployments.get(KEY).spec.replicas, 4);
    });

    for (const [title, replicas] of [
        ["at its original replicas", 4],
        ["at 0", 0],
    ] as const) {
        it(`never reconciled (no status, no ReplicaSets), Deployment ${title}: the recorded images and replicas, then Available`, async () => {
            fake.rollouts.set(KEY, rolloutObject(undefined));
            fake.replicaSets = [];
            fake.deployments.set(KEY, deploymentObject(NEWEST, replicas));
            const logged: string[] = [];
            await restore({}, (message) => logged.push(message));
            assert.deepEqual(fake.calls(), [
                "GET rollout instant/instant-api",
                "GET deployment instant/instant-api",
                "PATCH rollout instant/instant-api",
                "PATCH deployment instant/instant-api",
                "GET deployment instant/instant-api",
                "GET deployment instant/instant-api",
                "GET deployment instant/instant-api",
            ]);
            assert.deepEqual(
                fake.writes().map((w) => w.body),
                [
                    { spec: { workloadRef: { scaleDown: "never" } } },
                    {
                        spec: {
                            replicas: 4,
                            template: {
                                spec: {
                                    containers: [
                                        { name: "api", image: STABLE },
                                        { name: "envoy", image: SIDECAR },
                                    ],
                                },
                            },
                        },
                    },
                ],
            );
            assert.deepEqual(images(), [`api=${STABLE}`, `envoy=${SIDECAR}`]);
            assert.deepEqual(
                fake.deployments.get(KEY).spec.template.spec.initContainers,
                [{ name: "migrate", image: NEWEST }],
                "the record has no init containers",
            );
            assert.equal(fake.deployments.get(KEY).status.availableReplicas, 4);
            assert.deepEqual(logged, [
                "Rollout instant/instant-api was never reconciled (the Argo Rollouts controller has never written its status); " +
                    "the images recorded before the migration [never-reconciled]: " +
                    `Deployment instant/instant-api is Available with 4 replicas (api=${STABLE}, envoy=${SIDECAR}); the Rollout can go`,
            ]);
        });
    }

    it("the controller died mid-canary and is behind the Rollout's generation: refuses while the canary serves, and writes nothing", async () => {
        fake.rollouts.set(KEY, rolloutObject(behind(PAUSED)));
        fake.replicaSets = structuredClone(CANARY_SERVING);
        await assert.rejects(restore(), { message: BEHIND_REFUSAL });
        assert.deepEqual(fake.writes(), []);
    });

    it("the controller is behind and the canary has no ready pods: restores the stable image and says so", async () => {
        fake.rollouts.set(KEY, rolloutObject(behind(PAUSED)));
        fake.deployments.set(KEY, deploymentObject(NEWEST));
        const logged: string[] = [];
        await restore({}, (message) => logged.push(message));
        assert.deepEqual(images(), [`api=${STABLE}`, `envoy=${SIDECAR}`]);
        assert.deepEqual(logged, [
            "Rollout instant/instant-api has no ready canary pods, and the Argo Rollouts controller last updated its status for generation 2, " +
                "the Rollout is at generation 3; the images of its stable ReplicaSet instant-api-stable1 [controller-behind]: " +
                `Deployment instant/instant-api is Available with 4 replicas (api=${STABLE}, envoy=${SIDECAR}); the Rollout can go`,
        ]);
    });

    it("healthy but the Deployment's template differs from the stable ReplicaSet: the stable image wins", async () => {
        fake.deployments.set(KEY, deploymentObject(NEWEST));
        await restore();
        assert.deepEqual(images(), [`api=${STABLE}`, `envoy=${SIDECAR}`]);
    });

    it("restores the Rollout's current replicas when larger than the recorded ones", async () => {
        fake.rollouts.set(KEY, rolloutObject(HEALTHY, 7));
        await restore({ recordedReplicas: 4 });
        assert.equal(fake.deployments.get(KEY).spec.replicas, 7);
        assert.equal(fake.deployments.get(KEY).status.availableReplicas, 7);
    });

    it("Deployment missing: a clear error, nothing written", async () => {
        fake.deployments.clear();
        await assert.rejects(restore(), {
            message:
                "Deployment instant/instant-api not found: there is nothing to hand the app back to, so the destroy stops here " +
                "and Rollout instant/instant-api keeps serving. Recreate the Deployment, then run pulumi destroy again.",
        });
        assert.deepEqual(fake.writes(), []);
    });

    it("never Available: times out naming the Deployment and what it saw; the Rollout stays", async () => {
        fake.availableAfterPolls = "never";
        await assert.rejects(restore({ timeoutSeconds: 0.2 }), (error: Error) => {
            assert.match(
                error.message,
                /^Deployment instant\/instant-api did not become Available with the planned 4 replicas within 0\.2s \(last seen: generation 8, observedGeneration 8, 4 replicas planned, 4 in spec, 4 updated, 0 available, Available=False \(MinimumReplicasUnavailable\)\)\. /,
            );
            assert.match(error.message, /Rollout instant\/instant-api was not deleted \(its workloadRef\.scaleDown is now never\), so the app keeps serving\./);
            return true;
        });
        assert.ok(fake.rollouts.has(KEY));
        assert.ok(fake.requests.every((r) => r.method !== "DELETE"));
        assert.ok(fake.calls().filter((c) => c === "GET deployment instant/instant-api").length > 3, "it polled until the deadline");
    });

    /** A stale reconcile of the Argo controller (rollout/scale_utils.go scaleDeployment) scales the Deployment to 0 at the given polls. */
    const scaledToZeroAt = (polls: number[]) => {
        let done = 0;
        fake.interfere = (deployment, poll) => {
            if (done >= polls.length || poll !== polls[done]) return;
            done++;
            deployment.spec.replicas = 0;
            deployment.metadata.generation += 1;
            deployment.status = availableStatus(deployment);
        };
    };

    it("scaled to 0 while it waits: not Available, patched again, success only once the planned replicas are available", async () => {
        scaledToZeroAt([1]);
        const logged: string[] = [];
        await restore({}, (message) => logged.push(message));
        assert.deepEqual(fake.calls().slice(4), [
            "PATCH deployment instant/instant-api",
            "GET deployment instant/instant-api",
            "PATCH deployment instant/instant-api",
            "GET deployment instant/instant-api",
            "GET deployment instant/instant-api",
            "GET deployment instant/instant-api",
        ]);
        const [, firstPatch, again] = fake.writes();
        assert.deepEqual(again.body, firstPatch.body, "the same replicas and images, asserted again");
        assert.equal(again.contentType, "application/strategic-merge-patch+json");
        assert.deepEqual(logged, [
            "Deployment instant/instant-api is scaled to 0 replicas, below the planned 4 after the restore's patch: patching it again",
            "Rollout instant/instant-api is at rest (Healthy); the images of its stable ReplicaSet instant-api-stable1 [at-rest]: " +
                `Deployment instant/instant-api is Available with 4 replicas (api=${STABLE}, envoy=${SIDECAR}); the Rollout can go`,
        ]);
        const deployment = fake.deployments.get(KEY);
        assert.equal(deployment.spec.replicas, 4);
        assert.equal(deployment.status.availableReplicas, 4);
    });

    it("an image set back while it waits: patched again with the stable image", async () => {
        let done = false;
        fake.interfere = (deployment, poll) => {
            if (poll === 1 && !done) {
                done = true;
                deployment.spec.template.spec.containers[0].image = NEWEST;
                deployment.metadata.generation += 1;
            }
        };
        const logged: string[] = [];
        await restore({}, (message) => logged.push(message));
        assert.equal(
            logged[0],
            `Deployment instant/instant-api container api has image ${NEWEST}, not the planned ${STABLE} after the restore's patch: patching it again`,
        );
        assert.deepEqual(images(), [`api=${STABLE}`, `envoy=${SIDECAR}`]);
        assert.equal(fake.writes().length, 3);
    });

    it("scaled to 0 after every patch: never reports success, times out saying so, and the Rollout stays", async () => {
        fake.interfere = (deployment, poll) => {
            if (poll !== 1) return;
            deployment.spec.replicas = 0;
            deployment.status = availableStatus(deployment);
        };
        const logged: string[] = [];
        await assert.rejects(
            restore({ timeoutSeconds: 0.2 }, (message) => logged.push(message)),
            (error: Error) => {
                assert.match(
                    error.message,
                    /^Deployment instant\/instant-api did not become Available with the planned 4 replicas within 0\.2s \(last seen: generation \d+, observedGeneration \d+, 4 replicas planned, 0 in spec, 0 updated, 0 available, Available=True \(MinimumReplicasAvailable\); it is scaled to 0 replicas, below the planned 4\)\. The restore patched it again \d+ time\(s\) after something changed it back\. Rollout instant\/instant-api was not deleted/,
                );
                return true;
            },
        );
        assert.ok(logged.length > 1 && logged.every((m) => m.endsWith("patching it again")), "no success line");
        assert.ok(fake.rollouts.has(KEY));
    });

    it("Rollout already gone, Deployment serving: nothing to do", async () => {
        fake.rollouts.clear();
        fake.deployments.set(KEY, deploymentObject(STABLE, 3));
        const logged: string[] = [];
        await restore({}, (message) => logged.push(message));
        assert.deepEqual(fake.writes(), []);
        assert.deepEqual(logged, ["Rollout instant/instant-api is already gone and Deployment instant/instant-api runs 3 replicas: nothing to restore"]);
    });

    it("Rollout already gone, Deployment left at 0 (argo-rollouts#3855): scales back to the recorded replicas", async () => {
        fake.rollouts.clear();
        await restore({ recordedReplicas: 5 });
        assert.deepEqual(
            fake.writes().map((w) => w.body),
            [{ spec: { replicas: 5 } }],
        );
        assert.equal(fake.deployments.get(KEY).status.availableReplicas, 5);
        assert.deepEqual(images(), [`api=${STABLE}`, `envoy=${SIDECAR}`]);
    });

    it("snapshot: reads replicas and images of the live Deployment", async () => {
        fake.deployments.set(KEY, deploymentObject(STABLE, 6));
        assert.deepEqual(await snapshotDeployment(kubeApi({ kubeconfig, context: "fake" }), NS, NAME), {
            replicas: 6,
            images: { api: STABLE, envoy: SIDECAR },
        });
    });

    it("honours KUBECONFIG and its current context when no kubeconfig or context is given", async () => {
        const saved = process.env.KUBECONFIG;
        process.env.KUBECONFIG = fake.writeKubeconfig("fake");
        try {
            assert.equal((await snapshotDeployment(kubeApi({}), NS, NAME)).replicas, 0);
        } finally {
            if (saved === undefined) delete process.env.KUBECONFIG;
            else process.env.KUBECONFIG = saved;
        }
    });

    it("names a context the kubeconfig does not have", () => {
        assert.throws(() => kubeApi({ kubeconfig, context: "prod" }), {
            message: `context "prod" is not in ${kubeconfig} (it has: fake, elsewhere)`,
        });
    });

    it("stops at the first failed call with the API server's message, before the Deployment is touched", async () => {
        fake.deny = { method: "PATCH", kind: "rollouts" };
        await assert.rejects(restore(), {
            message:
                'patching Rollout instant/instant-api failed (HTTP 403): rollouts.argoproj.io "instant-api" is forbidden: ' +
                'User "system:anonymous" cannot patch resource "rollouts" in API group "argoproj.io" in the namespace "instant"',
        });
        assert.deepEqual(
            fake.writes().map((w) => w.path),
            ["/apis/argoproj.io/v1alpha1/namespaces/instant/rollouts/instant-api"],
        );
        assert.equal(fake.deployments.get(KEY).spec.replicas, 0);
    });
});
