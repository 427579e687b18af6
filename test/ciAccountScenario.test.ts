// Tests e2e/ciAccountScenario.ts: the CI account's attempts and how the row reads the API server's answers.
import { strict as assert } from "assert";
import { ciAttempts, judgeAttempt } from "../e2e/ciAccountScenario";
import { deployerPolicy, deployerPolicyMessages } from "../components/manifests/deployerPolicy";
import { admit, mergePatch } from "./admissionPolicyEval";

const CI = "system:serviceaccount:demo:ci-deployer";
const messages = deployerPolicyMessages(
    { name: "demo", namespace: "demo" },
    { serviceAccount: "ci-deployer", namespace: "demo", admissionPolicy: true },
    { rollout: "demo", deployment: "demo" },
);
const liveRollout = {
    metadata: { name: "demo", namespace: "demo" },
    spec: {
        workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "demo" },
        strategy: { canary: { steps: [{ setWeight: 25 }, { analysis: {} }, { setWeight: 50 }] } },
    },
};
const attempts = ciAttempts(liveRollout);
const byWhat = (prefix: string) => attempts.find((a) => a.what.startsWith(prefix))!;
const denied = (message: string) => ({
    ok: false,
    output:
        `kubectl patch ... exited 1: Error from server (Forbidden): deployments.apps "demo" is forbidden: ValidatingAdmissionPolicy ` +
        `'canary-deployer.demo.demo' with binding 'canary-deployer.demo.demo' denied request: ${message}`,
});

describe("e2e: the CI account's attempts", () => {
    it("tries every write as a server-side dry run, as the CI account", () => {
        for (const a of attempts.filter((x) => x.args[0] !== "get")) {
            assert.ok(a.args.includes("--dry-run=server"), a.what);
            assert.ok(a.args.includes(`--as=${CI}`), a.what);
        }
    });
    it("removes the live Rollout's first analysis step, or its background analysis when it has one", () => {
        const remove = byWhat("remove the Rollout's analysis");
        assert.equal(remove.what, "remove the Rollout's analysis (strategy.canary.steps[1])");
        assert.equal(remove.args[remove.args.indexOf("-p") + 1], JSON.stringify([{ op: "remove", path: "/spec/strategy/canary/steps/1" }]));
        const background = { spec: { strategy: { canary: { ...liveRollout.spec.strategy.canary, analysis: { templates: [{ templateName: "w" }] } } } } };
        const removeBackground = ciAttempts(background).find((a) => a.what.startsWith("remove the Rollout's analysis"))!;
        assert.equal(removeBackground.what, "remove the Rollout's analysis (strategy.canary.analysis)");
        assert.equal(
            removeBackground.args[removeBackground.args.indexOf("-p") + 1],
            JSON.stringify([{ op: "remove", path: "/spec/strategy/canary/analysis" }]),
        );
    });
    it("expects the policy to name the field each attempt changes, and the policy does", () => {
        // The merge patches, applied as the API server would, then run through the policy's CEL.
        const deployment = {
            metadata: { name: "demo", namespace: "demo" },
            spec: { replicas: 0, template: { metadata: { labels: { app: "demo" } }, spec: { containers: [{ name: "app", image: "a:1" }] } } },
        };
        const policy = deployerPolicy(
            { name: "demo", namespace: "demo" },
            { serviceAccount: "ci-deployer", namespace: "demo", admissionPolicy: true },
            { rollout: "demo", deployment: "demo" },
        );
        const sa = byWhat("change the pod's ServiceAccount");
        const patched = mergePatch(deployment, JSON.parse(sa.args[sa.args.indexOf("-p") + 1]));
        const verdict = admit(policy, {
            operation: "UPDATE",
            group: "apps",
            resource: "deployments",
            namespace: "demo",
            username: CI,
            object: patched,
            oldObject: deployment,
        });
        assert.ok(verdict.matched);
        assert.equal(judgeAttempt(sa, denied(verdict.denied[0])).passed, true);
        const workloadRef = byWhat("repoint");
        const repointed = mergePatch(liveRollout, JSON.parse(workloadRef.args[workloadRef.args.indexOf("-p") + 1]));
        const onRollout = admit(policy, {
            operation: "UPDATE",
            group: "argoproj.io",
            resource: "rollouts",
            namespace: "demo",
            username: CI,
            object: repointed,
            oldObject: liveRollout,
        });
        assert.ok(onRollout.matched);
        assert.equal(judgeAttempt(workloadRef, denied(onRollout.denied[0])).passed, true);
    });
    it("passes a policy refusal only when it comes from the app's policy and names the field", () => {
        const sa = byWhat("change the pod's ServiceAccount");
        assert.equal(judgeAttempt(sa, denied(`${messages.deployment}spec.template.spec.serviceAccount, spec.template.spec.serviceAccountName`)).passed, true);
        assert.equal(judgeAttempt(sa, denied(`${messages.deployment}spec.template.spec.volumes`)).passed, false, "another field");
        assert.equal(
            judgeAttempt(sa, { ok: false, output: 'Error from server (Forbidden): deployments.apps "demo" is forbidden: User "x" cannot patch resource' })
                .passed,
            false,
            "RBAC, not the policy",
        );
        assert.equal(judgeAttempt(sa, { ok: true, output: "deployment.apps/demo patched (server dry run)" }).passed, false, "allowed");
    });
    it("passes an RBAC refusal only as RBAC's, and the image change only when allowed", () => {
        const del = byWhat("delete the Rollout");
        assert.equal(
            judgeAttempt(del, {
                ok: false,
                output: 'Error from server (Forbidden): rollouts.argoproj.io "demo" is forbidden: User "x" cannot delete resource "rollouts"',
            }).passed,
            true,
        );
        assert.equal(judgeAttempt(del, { ok: true, output: "deleted (server dry run)" }).passed, false);
        const image = byWhat("set the image");
        assert.equal(judgeAttempt(image, { ok: true, output: "deployment.apps/demo image updated (server dry run)" }).passed, true);
        assert.equal(judgeAttempt(image, denied(`${messages.deployment}spec.template.spec.containers[app]`)).passed, false);
    });
});
