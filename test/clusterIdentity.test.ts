// Tests model/clusterIdentity.ts (which cluster is the stack's, and the wrong-cluster refusals).
import { strict as assert } from "assert";
import { ClusterIdentity, wrongCluster } from "../model/clusterIdentity";

const RECORDED: ClusterIdentity = { uid: "6c3f0d2e-1b7a-4c55-9a1e-3f2b8d4e5a61", server: "https://10.0.0.1:6443", context: "prod" };
const OTHER: ClusterIdentity = { uid: "0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c", server: "https://10.0.0.2:6443", context: "prod" };

describe("wrong-cluster guard: which cluster is the stack's", () => {
    it("lets any cluster through before the first up (nothing recorded, nothing accepted)", () => {
        assert.equal(wrongCluster(OTHER, undefined, undefined, "preview or up"), undefined);
    });

    it("lets the recorded cluster through, even at another server URL or context", () => {
        assert.equal(wrongCluster({ ...RECORDED, server: "https://lb.example:443", context: "prod-admin" }, RECORDED, undefined, "preview or up"), undefined);
        assert.equal(wrongCluster(RECORDED, RECORDED, undefined, "destroy"), undefined);
    });

    it("refuses a preview or up on another cluster, naming both and how to go on", () => {
        assert.equal(
            wrongCluster(OTHER, RECORDED, undefined, "preview or up"),
            'wrong cluster: this stack\'s cluster is kube-system UID 6c3f0d2e-1b7a-4c55-9a1e-3f2b8d4e5a61 (https://10.0.0.1:6443, context "prod"), ' +
                "as recorded in its state, but the kubeconfig now points at kube-system UID 0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c " +
                '(https://10.0.0.2:6443, context "prod"); refusing to preview or update: nothing was changed. ' +
                "Point the stack at its own cluster (canary-stack:cluster.context, or KUBECONFIG) and run it again. " +
                "If the stack's cluster was rebuilt and 0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c is its successor, accept it: " +
                "pulumi config set --path canary-stack:cluster.kubeSystemUid 0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c, then pulumi up.",
        );
    });

    it("refuses a destroy on another cluster, with the up before the destroy in the way to accept it", () => {
        assert.equal(
            wrongCluster(OTHER, RECORDED, undefined, "destroy"),
            'wrong cluster: this stack\'s cluster is kube-system UID 6c3f0d2e-1b7a-4c55-9a1e-3f2b8d4e5a61 (https://10.0.0.1:6443, context "prod"), ' +
                "as recorded in its state, but the kubeconfig now points at kube-system UID 0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c " +
                '(https://10.0.0.2:6443, context "prod"); refusing to destroy: nothing was deleted. ' +
                "Point the stack at its own cluster (canary-stack:cluster.context, or KUBECONFIG) and run it again. " +
                "If the stack's cluster was rebuilt and 0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c is its successor, accept it: " +
                "pulumi config set --path canary-stack:cluster.kubeSystemUid 0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c, then pulumi up and pulumi destroy.",
        );
    });

    it("takes the accepted UID (cluster.kubeSystemUid) over the recorded one", () => {
        assert.equal(wrongCluster(OTHER, RECORDED, OTHER.uid, "preview or up"), undefined);
    });

    it("refuses a cluster that is not the accepted one, naming the key", () => {
        const expected =
            "wrong cluster: canary-stack:cluster.kubeSystemUid is 6c3f0d2e-1b7a-4c55-9a1e-3f2b8d4e5a61, but the kubeconfig now points at " +
            'kube-system UID 0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c (https://10.0.0.2:6443, context "prod"); refusing to preview or update: nothing was changed. ' +
            "Point the stack at its own cluster (canary-stack:cluster.context, or KUBECONFIG) and run it again. " +
            "If the stack's cluster was rebuilt and 0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c is its successor, accept it: " +
            "pulumi config set --path canary-stack:cluster.kubeSystemUid 0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c, then pulumi up.";
        assert.equal(wrongCluster(OTHER, undefined, RECORDED.uid, "preview or up"), expected, "a new stack pinned to a UID");
        assert.equal(
            wrongCluster(OTHER, { ...RECORDED, uid: "5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c" }, RECORDED.uid, "preview or up"),
            expected,
            "accepted and recorded differ: the accepted one is named",
        );
    });

    it("names the recorded cluster when the accepted UID is the recorded one", () => {
        assert.match(
            wrongCluster(OTHER, RECORDED, RECORDED.uid, "preview or up") ?? "",
            /^wrong cluster: this stack's cluster is kube-system UID 6c3f0d2e-.* as recorded in its state/,
        );
    });
});
