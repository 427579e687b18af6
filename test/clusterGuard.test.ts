// Tests components/cluster/clusterGuard.ts (and identityApi.ts) against a fake API server: what the guard's providers record and refuse.
import { strict as assert } from "assert";
import * as fs from "fs";
import { ClusterIdentity, DestroyGuard, destroyGuardProvider, identityProvider } from "../components/cluster/clusterGuard";
import { readClusterIdentity } from "../components/cluster/identityApi";
import { FakeKubeApi } from "./fakeKubeApi";
import { installMocks, ofType, providerOf, resetRegistered, settle } from "./harness";

const RECORDED_UID = "11111111-1111-4111-8111-111111111111";
const OTHER_UID = "22222222-2222-4222-8222-222222222222";

describe("wrong-cluster guard against a fake Kubernetes API", () => {
    let fake: FakeKubeApi;
    let kubeconfig: string;
    /** The inputs the program gives ClusterIdentity (and DestroyGuard) for the `fake` context. */
    let inputs: Record<string, any>;
    let recorded: { uid: string; server: string; context: string };

    beforeEach(async () => {
        fake = await FakeKubeApi.start();
        fake.kubeSystemUid = RECORDED_UID;
        kubeconfig = fake.writeKubeconfig("elsewhere");
        inputs = { kubeconfig, context: "fake" };
        recorded = { uid: RECORDED_UID, server: fake.url, context: "fake" };
    });
    afterEach(async () => fake.close());

    /** The error a provider call rejects with. */
    async function rejection(call: () => Promise<unknown>): Promise<Error & { code?: number; details?: string }> {
        try {
            await call();
        } catch (error) {
            return error as Error;
        }
        throw new Error("expected the call to reject");
    }

    const refusal = (command: "preview or update: nothing was changed" | "destroy: nothing was deleted", then: string) =>
        `wrong cluster: this stack's cluster is kube-system UID ${RECORDED_UID} (${fake.url}, context "fake"), as recorded in its state, ` +
        `but the kubeconfig now points at kube-system UID ${OTHER_UID} (${fake.url}, context "fake"); refusing to ${command}. ` +
        "Point the stack at its own cluster (canary-stack:cluster.context, or KUBECONFIG) and run it again. " +
        `If the stack's cluster was rebuilt and ${OTHER_UID} is its successor, accept it: ` +
        `pulumi config set --path canary-stack:cluster.kubeSystemUid ${OTHER_UID}, then ${then}.`;

    it("reads the cluster the connection names: kube-system's UID, the server and the context", async () => {
        assert.deepEqual(await readClusterIdentity({ kubeconfig, context: "fake" }), recorded);
        assert.deepEqual(fake.calls(), ["GET /api/v1/namespaces/kube-system"]);
    });

    it("says what the guard needs when kube-system cannot be read", async () => {
        fake.kubeSystemUid = undefined;
        const error = await rejection(() => readClusterIdentity({ kubeconfig, context: "fake" }));
        assert.equal(
            error.message,
            `reading namespace kube-system at ${fake.url} (the cluster guard needs get on it) failed (HTTP 403): ` +
                'namespaces "kube-system" is forbidden: User "system:anonymous" cannot get resource "namespaces" in API group "" in the namespace "kube-system"',
        );
    });

    it("reaches the cluster through a kubeconfig's contents, as the state stores them, and never prints them", async () => {
        const contents = fs.readFileSync(kubeconfig, "utf8");
        assert.deepEqual(await readClusterIdentity({ kubeconfig: `${contents}\n`, context: "fake" }), recorded);
        const error = await rejection(() => readClusterIdentity({ kubeconfig: `${contents}\n`, context: "nowhere" }));
        assert.equal(error.message, 'context "nowhere" is not in the stored kubeconfig (it has: fake, elsewhere)');
    });

    it("records the cluster at the first up", async () => {
        const created = await identityProvider.create!(inputs);
        assert.deepEqual(created, { id: "kube-system", outs: { ...inputs, cluster: recorded } });
    });

    it("lets the recorded cluster through unchanged, under another server URL, context or kubeconfig too (the provider's clusterIdentifier stays known)", async () => {
        // As the engine hands the state back: keys sorted.
        const olds = { ...inputs, cluster: { context: recorded.context, server: recorded.server, uid: recorded.uid } };
        assert.deepEqual(await identityProvider.diff!("kube-system", olds, inputs), { changes: false });
        const moved = {
            ...olds,
            kubeconfig: "/old/kubeconfig",
            context: "old",
            cluster: { ...recorded, server: "https://old-lb.example:443", context: "old" },
        };
        assert.deepEqual(await identityProvider.diff!("kube-system", moved, inputs), { changes: false });
        // A state written before the guard recorded nothing: the first up records the cluster.
        const { cluster: _none, ...unrecorded } = olds;
        assert.deepEqual(await identityProvider.diff!("kube-system", unrecorded, inputs), { changes: true });
        assert.deepEqual(await identityProvider.update!("kube-system", unrecorded, inputs), { outs: { ...inputs, cluster: recorded } });
    });

    it("refuses a preview or up on another cluster in its diff, the message sent once as the error's gRPC details", async () => {
        fake.kubeSystemUid = OTHER_UID;
        const error = await rejection(() => identityProvider.diff!("kube-system", { ...inputs, cluster: recorded }, inputs));
        assert.equal(error.details, refusal("preview or update: nothing was changed", "pulumi up"));
        assert.equal(error.code, 2, "gRPC UNKNOWN: grpc-js then sends details as the error's message");
        assert.doesNotMatch(error.stack ?? "", /wrong cluster|\n\s+at /, "the provider host logs the stack: no second copy, no trace");
        assert.deepEqual(fake.writes(), []);
    });

    it("accepts another cluster under cluster.kubeSystemUid and records it", async () => {
        fake.kubeSystemUid = OTHER_UID;
        const olds = { ...inputs, cluster: recorded };
        const news = { ...inputs, kubeSystemUid: OTHER_UID };
        assert.deepEqual(await identityProvider.diff!("kube-system", olds, news), { changes: true });
        assert.deepEqual(await identityProvider.update!("kube-system", olds, news), { outs: { ...news, cluster: { ...recorded, uid: OTHER_UID } } });
    });

    it("checks a new stack pinned to a UID at its first preview, and nothing else in check", async () => {
        const error = await rejection(() => identityProvider.check!({}, { ...inputs, kubeSystemUid: OTHER_UID }));
        assert.match(
            error.details ?? "",
            /^wrong cluster: canary-stack:cluster\.kubeSystemUid is 22222222-2222-4222-8222-222222222222, but the kubeconfig now points at kube-system UID 11111111-/,
        );
        assert.deepEqual(await identityProvider.check!({}, inputs), { inputs });
        assert.deepEqual(
            await identityProvider.check!({ ...inputs, kubeSystemUid: OTHER_UID }, { ...inputs, kubeSystemUid: OTHER_UID }),
            { inputs: { ...inputs, kubeSystemUid: OTHER_UID } },
            "an existing stack is checked by diff",
        );
        assert.equal(fake.requests.length, 1);
    });

    it("lets a destroy through on the recorded cluster", async () => {
        await destroyGuardProvider.delete!("destroy-guard", { ...inputs, cluster: recorded });
        assert.deepEqual(fake.calls(), ["GET /api/v1/namespaces/kube-system"]);
    });

    it("refuses a destroy on another cluster", async () => {
        fake.kubeSystemUid = OTHER_UID;
        const error = await rejection(() => destroyGuardProvider.delete!("destroy-guard", { ...inputs, cluster: recorded }));
        assert.equal(error.details, refusal("destroy: nothing was deleted", "pulumi up and pulumi destroy"));
        assert.deepEqual(fake.writes(), []);
    });

    it("takes the recorded cluster along when the identity changes (an accepted cluster)", async () => {
        const olds = { ...inputs, cluster: recorded };
        const news = { ...inputs, cluster: { ...recorded, uid: OTHER_UID } };
        assert.deepEqual(await destroyGuardProvider.diff!("destroy-guard", olds, olds), { changes: false });
        assert.deepEqual(await destroyGuardProvider.diff!("destroy-guard", olds, news), { changes: true });
        assert.deepEqual(await destroyGuardProvider.update!("destroy-guard", olds, news), { outs: news });
        assert.deepEqual(fake.requests, [], "neither reads the cluster");
    });
});

describe("wrong-cluster guard: the providers as the state stores them", () => {
    let fake: FakeKubeApi;

    before(() => installMocks());
    beforeEach(async () => {
        resetRegistered();
        fake = await FakeKubeApi.start();
        fake.kubeSystemUid = RECORDED_UID;
    });
    afterEach(async () => fake.close());

    it("records at create and refuses another cluster at diff and at delete, run from their serialized code", async () => {
        const kubeconfig = fake.writeKubeconfig("elsewhere");
        const identity = new ClusterIdentity("cluster-identity", { kubeconfig, context: "fake" });
        new DestroyGuard("cluster-destroy-guard", { cluster: identity.cluster, kubeconfig, context: "fake" });
        await settle();
        const inputsOf = (name: string) => ofType("pulumi-nodejs:dynamic:Resource").find((r) => r.name === name)!.inputs;
        const identityInputs = inputsOf("cluster-identity");
        const created = await providerOf(identityInputs).create(identityInputs);
        const recorded = { uid: RECORDED_UID, server: fake.url, context: "fake" };
        assert.deepEqual(created.outs.cluster, recorded);

        fake.kubeSystemUid = OTHER_UID;
        const diff = await providerOf(identityInputs)
            .diff("kube-system", created.outs, identityInputs)
            .then(
                () => undefined,
                (e: any) => e,
            );
        assert.match(diff?.details ?? "", /^wrong cluster: .* refusing to preview or update: nothing was changed\./);
        const guardProps = { ...inputsOf("cluster-destroy-guard"), cluster: recorded };
        const deleted = await providerOf(guardProps)
            .delete("destroy-guard", guardProps)
            .then(
                () => undefined,
                (e: any) => e,
            );
        assert.match(deleted?.details ?? "", /^wrong cluster: .* refusing to destroy: nothing was deleted\./);
    });
});
