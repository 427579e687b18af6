// Tests components/cluster/clusterUid.ts: the provider's clusterIdentifier, read live and checked against the identity's record.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { checkedClusterUid, knownValue, setLiveClusterSource } from "../components/cluster/clusterUid";
import { ClusterIdentity } from "../model/clusterIdentity";

const RECORDED: ClusterIdentity = { uid: "11111111-1111-4111-8111-111111111111", server: "https://127.0.0.1:6443", context: "prod" };
const OTHER: ClusterIdentity = { uid: "22222222-2222-4222-8222-222222222222", server: "https://127.0.0.1:7443", context: "prod" };
const CONNECTION = { kubeconfig: "apiVersion: v1\nkind: Config\n", context: "prod" };

/** An output the engine does not know yet (a first preview's, or one of a resource that plans an update). */
const unknown = <T>() => pulumi.output(pulumi.unknown as unknown as T);

async function outcome(output: pulumi.Output<string | undefined>): Promise<{ value?: string; error?: Error }> {
    try {
        return { value: await knownValue(output) };
    } catch (error) {
        return { error: error as Error };
    }
}

describe("clusterIdentifier: the live kube-system UID, checked against the identity's record", () => {
    let live: ClusterIdentity | undefined;
    beforeEach(() => {
        live = RECORDED;
        setLiveClusterSource(async () => live);
    });
    after(() => setLiveClusterSource(undefined));

    it("is the live UID at a first preview, when the record is still unknown", async () => {
        assert.deepEqual(await outcome(checkedClusterUid(CONNECTION, unknown(), undefined)), { value: RECORDED.uid });
    });

    it("is the live UID when the identity has recorded no cluster (a state from before the guard)", async () => {
        assert.deepEqual(await outcome(checkedClusterUid(CONNECTION, pulumi.output(undefined), undefined)), { value: RECORDED.uid });
    });

    it("is the live UID on the recorded cluster, whatever its server URL or context now", async () => {
        live = { ...RECORDED, server: "https://localhost:6443", context: "renamed" };
        assert.deepEqual(await outcome(checkedClusterUid(CONNECTION, pulumi.output(RECORDED), undefined)), { value: RECORDED.uid });
    });

    it("refuses another cluster than the recorded one with the guard's message: what stops refresh --run-program there", async () => {
        live = OTHER;
        const { value, error } = await outcome(checkedClusterUid(CONNECTION, pulumi.output(RECORDED), undefined));
        assert.equal(value, undefined);
        assert.ok(pulumi.RunError.isInstance(error), "a RunError: the engine shows the message without a stack trace");
        assert.match(
            error!.message,
            new RegExp(
                `^wrong cluster: this stack's cluster is kube-system UID ${RECORDED.uid} .*as recorded in its state, ` +
                    `but the kubeconfig now points at kube-system UID ${OTHER.uid} .*refusing to preview or update: nothing was changed`,
            ),
        );
    });

    it("is the accepted UID (cluster.kubeSystemUid) on that cluster, and refuses any other", async () => {
        live = OTHER;
        assert.deepEqual(await outcome(checkedClusterUid(CONNECTION, pulumi.output(RECORDED), OTHER.uid)), { value: OTHER.uid });
        live = RECORDED;
        const { error } = await outcome(checkedClusterUid(CONNECTION, pulumi.output(RECORDED), OTHER.uid));
        assert.match(
            error!.message,
            new RegExp(`^wrong cluster: canary-stack:cluster.kubeSystemUid is ${OTHER.uid}, but the kubeconfig now points at kube-system UID ${RECORDED.uid}`),
        );
    });

    it("leaves the refusal to the identity when its record cannot come (its own diff refused the run)", async () => {
        live = OTHER;
        // What the SDK's output of a failed registration does, without a rejection nobody awaits (mocha would count it).
        const failure = () => Promise.reject(new Error("the identity's registration failed"));
        const failed = {
            get isKnown() {
                return failure();
            },
            promise: failure,
        } as unknown as pulumi.Output<ClusterIdentity>;
        assert.deepEqual(await outcome(checkedClusterUid(CONNECTION, failed, undefined)), { value: OTHER.uid });
    });

    it("is undefined when the cluster cannot be read, or the accepted UID (the identity fails the run with the reason)", async () => {
        live = undefined;
        assert.deepEqual(await outcome(checkedClusterUid(CONNECTION, pulumi.output(RECORDED), undefined)), { value: undefined });
        assert.deepEqual(await outcome(checkedClusterUid(CONNECTION, pulumi.output(RECORDED), OTHER.uid)), { value: OTHER.uid });
    });
});
