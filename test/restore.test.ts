// Tests components/app/restore/restore.ts against a fake API server, and components/app/deploymentRestore.ts.
import { strict as assert } from "assert";
import { DeploymentRestore, DeploymentSnapshot } from "../components/app/deploymentRestore";
import { kubeApi } from "../components/app/restore/kubeApi";
import { restoreDeployment, RestoreTarget, snapshotDeployment } from "../components/app/restore/restore";
import { availableStatus, FakeKubeApi } from "./fakeKubeApi";
import { installMocks, ofType, providerOf, resetRegistered, settle } from "./harness";

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
    REPLICA_SETS,
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

describe("DeploymentSnapshot and DeploymentRestore", () => {
    let fake: FakeKubeApi;

    before(() => installMocks());
    beforeEach(async () => {
        resetRegistered();
        fake = await FakeKubeApi.start();
        fake.rollouts.set(KEY, rolloutObject(HEALTHY));
        fake.deployments.set(KEY, deploymentObject(STABLE));
        fake.replicaSets = structuredClone(REPLICA_SETS);
    });
    afterEach(async () => fake.close());

    async function construct(kubeconfig: string) {
        const snapshot = new DeploymentSnapshot("instant-api-snapshot", { namespace: NS, deployment: NAME, kubeconfig, context: "fake" });
        new DeploymentRestore("instant-api-restore", {
            namespace: NS,
            rollout: NAME,
            deployment: NAME,
            recordedReplicas: snapshot.replicas,
            recordedImages: snapshot.images,
            kubeconfig,
            context: "fake",
            pollIntervalSeconds: 0.01,
        });
        await settle();
        const inputsOf = (name: string) => ofType("pulumi-nodejs:dynamic:Resource").find((r) => r.name === name)?.inputs;
        return { snapshotInputs: inputsOf("instant-api-snapshot"), restoreInputs: inputsOf("instant-api-restore") };
    }

    it("registers two dynamic resources with their inputs and defaults", async () => {
        const { snapshotInputs, restoreInputs } = await construct("/nonexistent/kubeconfig");
        assert.equal(ofType("pulumi-nodejs:dynamic:Resource").length, 2);
        assert.equal(snapshotInputs.namespace, NS);
        assert.equal(snapshotInputs.deployment, NAME);
        assert.equal(typeof snapshotInputs.__provider, "string");
        assert.equal(restoreInputs.rollout, NAME);
        assert.equal(restoreInputs.allowUnhealthy, false);
        assert.equal(restoreInputs.timeoutSeconds, 600);
        assert.equal(restoreInputs.pollIntervalSeconds, 0.01);
    });

    it("their serialized providers run as a plain destroy would: the snapshot reads, the restore's delete restores", async () => {
        const kubeconfig = fake.writeKubeconfig("elsewhere");
        const { snapshotInputs, restoreInputs } = await construct(kubeconfig);
        fake.deployments.set(KEY, deploymentObject(STABLE, 3));
        const created = await providerOf(snapshotInputs).create(snapshotInputs);
        assert.equal(created.id, KEY);
        assert.equal(created.outs.replicas, 3);
        assert.deepEqual(created.outs.images, { api: STABLE, envoy: SIDECAR });

        fake.deployments.set(KEY, deploymentObject(NEWEST, 0));
        const restore = providerOf(restoreInputs);
        const props = { ...restoreInputs, recordedReplicas: created.outs.replicas, recordedImages: created.outs.images };
        assert.deepEqual(await restore.create(props), { id: KEY, outs: props });
        const logged: string[] = [];
        const consoleError = console.error;
        console.error = (message: string) => logged.push(message);
        try {
            await restore.delete(KEY, props);
        } finally {
            console.error = consoleError;
        }
        assert.deepEqual(logged, [
            "Rollout instant/instant-api is at rest (Healthy); the images of its stable ReplicaSet instant-api-stable1 [at-rest]: " +
                `Deployment instant/instant-api is Available with 4 replicas (api=${STABLE}, envoy=${SIDECAR}); the Rollout can go`,
        ]);
        assert.equal(fake.rollouts.get(KEY).spec.workloadRef.scaleDown, "never");
        assert.equal(fake.deployments.get(KEY).spec.replicas, 4);
        assert.equal(fake.deployments.get(KEY).spec.template.spec.containers[0].image, STABLE);
    });

    it("the serialized restore checks the cluster first: on another one it refuses before reading the Rollout", async () => {
        const kubeconfig = fake.writeKubeconfig("elsewhere");
        const { restoreInputs } = await construct(kubeconfig);
        const recorded = { uid: "99999999-9999-4999-8999-999999999999", server: "https://10.0.0.1:6443", context: "prod" };
        const props = { ...restoreInputs, recordedReplicas: 4, recordedImages: RECORDED_IMAGES, cluster: recorded };
        const refusal = await providerOf(restoreInputs)
            .delete(KEY, props)
            .then(
                () => undefined,
                (error: any) => error,
            );
        assert.match(
            refusal?.details ?? "",
            /^wrong cluster: this stack's cluster is kube-system UID 99999999-9999-4999-8999-999999999999 \(https:\/\/10\.0\.0\.1:6443, context "prod"\), as recorded in its state, but the kubeconfig now points at kube-system UID 11111111-1111-4111-8111-111111111111 \(http:\/\/127\.0\.0\.1:\d+, context "fake"\); refusing to destroy: nothing was deleted\./,
        );
        assert.deepEqual(fake.calls(), ["GET /api/v1/namespaces/kube-system"]);

        fake.requests.length = 0;
        const consoleError = console.error;
        console.error = () => undefined;
        try {
            await providerOf(restoreInputs).delete(KEY, { ...props, cluster: { ...recorded, uid: fake.kubeSystemUid } });
        } finally {
            console.error = consoleError;
        }
        assert.deepEqual(
            fake.calls().slice(0, 2),
            ["GET /api/v1/namespaces/kube-system", "GET rollout instant/instant-api"],
            "the recorded cluster: checked, then restored",
        );
        assert.equal(fake.deployments.get(KEY).spec.replicas, 4);
    });

    it("the snapshot never re-reads: an update keeps the record, only another Deployment replaces it", async () => {
        const { snapshotInputs } = await construct("/k");
        const provider = providerOf(snapshotInputs);
        const olds = { ...snapshotInputs, replicas: 4, images: { api: STABLE } };
        assert.deepEqual(await provider.diff(KEY, olds, { ...snapshotInputs }), { changes: false, replaces: [] });
        assert.deepEqual(await provider.diff(KEY, olds, { ...snapshotInputs, context: "other" }), { changes: true, replaces: [] });
        assert.deepEqual(await provider.diff(KEY, olds, { ...snapshotInputs, deployment: "other" }), { changes: true, replaces: ["deployment"] });
        assert.deepEqual((await provider.update(KEY, olds, { ...snapshotInputs, context: "other" })).outs.replicas, 4);
    });

    it("the restore stores new settings on update and is never replaced", async () => {
        const { restoreInputs } = await construct("/k");
        const provider = providerOf(restoreInputs);
        const news = { ...restoreInputs, allowUnhealthy: true };
        assert.deepEqual(await provider.diff(KEY, restoreInputs, news), { changes: true });
        assert.deepEqual(await provider.update(KEY, restoreInputs, news), { outs: news });
    });

    it("a stack whose restore predates recordedImages gets them by an update, not a replacement", async () => {
        const { restoreInputs } = await construct("/k");
        const provider = providerOf(restoreInputs);
        const olds = { ...restoreInputs, recordedReplicas: 4 };
        delete olds.recordedImages;
        const news = { ...olds, recordedImages: RECORDED_IMAGES };
        assert.deepEqual(await provider.diff(KEY, olds, news), { changes: true });
        assert.deepEqual(await provider.update(KEY, olds, news), { outs: news });
    });
});
