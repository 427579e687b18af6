/**
 * The CI account against the real API server: what its Role refuses (RBAC), what the
 * app's admission policy refuses (a ValidatingAdmissionPolicy, CEL in the API server),
 * and the image change it must still be able to make. Every write is a server-side dry
 * run: admission runs in full, nothing is stored.
 */
import { deployerPolicyMessages, deployerPolicyName } from "../components/manifests/deployerPolicy";
import { AS_CI, CI_DEPLOYER, DEMO, demoImage } from "./demoApp";
import { Env } from "./environment";
import { ScenarioResult, stepResult } from "./report/types";

type Expectation = { by: "allowed" } | { by: "rbac" } | { by: "policy"; message: string; field: string };

export interface CiAttempt {
    what: string;
    args: string[];
    expect: Expectation;
}

const demo = { name: DEMO.name, namespace: DEMO.namespace };
const deployer = { serviceAccount: CI_DEPLOYER.name, namespace: CI_DEPLOYER.namespace, admissionPolicy: true };
const targets = { rollout: DEMO.name, deployment: DEMO.name };
const POLICY = deployerPolicyName(demo);

/** The attempts, given the live Rollout (whose analysis one of them removes). */
export function ciAttempts(rollout: any): CiAttempt[] {
    const messages = deployerPolicyMessages(demo, deployer, targets);
    const ns = ["-n", DEMO.namespace];
    const dry = ["--dry-run=server", AS_CI];
    const patch = (kind: string, type: string, body: unknown) => ["patch", kind, DEMO.name, ...ns, `--type=${type}`, "-p", JSON.stringify(body), ...dry];
    // The background analysis when the Rollout has one, else its first inline analysis step.
    const canary = rollout?.spec?.strategy?.canary ?? {};
    const analysis =
        canary.analysis !== undefined
            ? "strategy.canary.analysis"
            : `strategy.canary.steps[${(canary.steps ?? []).findIndex((s: any) => s.analysis !== undefined)}]`;
    const analysisPath = `/spec/${analysis.replace(/\[(\d+)\]/, "/$1").replaceAll(".", "/")}`;
    const onDeployment = (field: string): Expectation => ({ by: "policy", message: messages.deployment, field });
    const onRollout = (field: string): Expectation => ({ by: "policy", message: messages.rollout, field });
    return [
        { what: "delete the Rollout", args: ["delete", "rollout", DEMO.name, ...ns, ...dry], expect: { by: "rbac" } },
        { what: "read Secrets", args: ["get", "secrets", ...ns, AS_CI], expect: { by: "rbac" } },
        { what: "delete the Deployment", args: ["delete", "deployment", DEMO.name, ...ns, ...dry], expect: { by: "rbac" } },
        {
            what: "set the image (kubectl set image)",
            args: ["set", "image", `deployment/${DEMO.name}`, `${DEMO.container}=${demoImage("ci-dry-run")}`, ...ns, ...dry],
            expect: { by: "allowed" },
        },
        {
            what: "change the pod's ServiceAccount",
            args: patch("deployment", "merge", { spec: { template: { spec: { serviceAccountName: "default" } } } }),
            expect: onDeployment("spec.template.spec.serviceAccountName"),
        },
        {
            what: "add a Secret volume",
            args: patch("deployment", "strategic", { spec: { template: { spec: { volumes: [{ name: "stolen", secret: { secretName: "any" } }] } } } }),
            expect: onDeployment("spec.template.spec.volumes"),
        },
        {
            what: `remove the Rollout's analysis (${analysis})`,
            args: patch("rollout", "json", [{ op: "remove", path: analysisPath }]),
            expect: onRollout("spec.strategy"),
        },
        {
            what: "repoint the Rollout's workloadRef",
            args: patch("rollout", "merge", { spec: { workloadRef: { name: "unverified" } } }),
            expect: onRollout("spec.workloadRef"),
        },
    ];
}

/** The policy's answer on kubectl's error line: `... denied request: <message><changed fields>`. */
function changedFieldsIn(output: string, message: string): string[] | undefined {
    const at = output.indexOf(message);
    if (at < 0) return undefined;
    return output
        .slice(at + message.length)
        .split("\n")[0]
        .split(", ")
        .map((f) => f.trim());
}

/** Whether an attempt went as expected, and what the API server said, in one line. */
export function judgeAttempt(attempt: CiAttempt, outcome: { ok: boolean; output: string }): { passed: boolean; said: string } {
    const line = /Error from server \(Forbidden\)[^\n]*/.exec(outcome.output)?.[0];
    const said = outcome.ok ? "allowed" : (line ?? outcome.output.slice(-200));
    const expect = attempt.expect;
    if (expect.by === "allowed") return { passed: outcome.ok, said };
    if (outcome.ok || !line) return { passed: false, said };
    if (expect.by === "rbac") return { passed: / cannot /.test(line), said };
    const fields = changedFieldsIn(line, expect.message);
    const byPolicy = line.includes(`ValidatingAdmissionPolicy '${POLICY}'`);
    return { passed: byPolicy && (fields?.includes(expect.field) ?? false), said };
}

const expectedText = (e: Expectation) => (e.by === "allowed" ? "allowed" : e.by === "rbac" ? "refused by RBAC" : `refused by ${POLICY}, naming ${e.field}`);

/**
 * The CI account can do what the deploy flow needs and nothing more: RBAC refuses deletes
 * and Secrets; the admission policy refuses every write to the Deployment but an image, and
 * every write to the Rollout but the plugin's. (Promote, abort and retry as this account are
 * the operator-command rows.)
 */
export function ciAccountLimits(env: Env): ScenarioResult {
    const t0 = Date.now();
    const attempts = ciAttempts(env.kubectl.get("rollout", DEMO.name, DEMO.namespace));
    const outcomes = attempts.map((attempt) => {
        let outcome: { ok: boolean; output: string };
        try {
            outcome = { ok: true, output: env.kubectl.run(attempt.args) };
        } catch (err) {
            outcome = { ok: false, output: (err as Error).message };
        }
        return { attempt, ...judgeAttempt(attempt, outcome) };
    });
    return stepResult(
        "the CI account outside its Role and its admission policy",
        attempts.map((a) => `${a.what}: ${expectedText(a.expect)}`).join("; "),
        outcomes.map((o) => `${o.attempt.what}: ${o.passed ? "as expected" : "NOT as expected"} (${o.said})`).join("; "),
        outcomes.every((o) => o.passed),
        (Date.now() - t0) / 1000,
    );
}
