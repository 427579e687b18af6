// Tests components/app/deploymentRestore.ts (DeploymentSnapshot and DeploymentRestore) against a fake API server.
import { strict as assert } from "assert";
import { DeploymentRestore, DeploymentSnapshot } from "../components/app/deploymentRestore";
import { FakeKubeApi } from "./fakeKubeApi";
import { installMocks, ofType, providerOf, resetRegistered, settle } from "./harness";
import { NS, NAME, KEY, STABLE, NEWEST, SIDECAR, HEALTHY, rolloutObject, deploymentObject, REPLICA_SETS, RECORDED_IMAGES } from "./restoreFixtures";

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
