import * as fs from "fs";
import { parse, stringify } from "yaml";
import { canaryIngressName } from "../model/ingressHandBack";
import { ingressFindings } from "../model/preflight/ingress";
import { parseStackConfig } from "../stacks";
import { AppConfig } from "../stacks/types";
import { asStream, DEMO, demoImage, demoManifests, setImageArgs } from "./demoApp";
import { rolloutPodsGone } from "./destroyScenarios";
import { BASE_LATENCY_SECONDS, Env, servedByHash, setBehaviour, startController } from "./environment";
import { run, sleep, waitFor } from "./lib/proc";
import { ScenarioResult, stepResult } from "./report/types";
import { shareWithinSamplingError } from "./traffic/ingressRoute";
import { UNROUTED } from "./traffic/ingressStandIn";

/**
 * nginx traffic routing, run: the demo app behind an Ingress with
 * `stableIngress` set, and the traffic simulator standing in for
 * ingress-nginx (it reads the stable and canary Ingresses from the API server
 * and splits requests by the canary's weight, e2e/traffic/ingressRoute.ts).
 * Runs last in the main phase, on the stack destroyed by the rows before it.
 */

export const INGRESS = DEMO.name;
export const CANARY_INGRESS = canaryIngressName(DEMO.name, INGRESS);
/** The ladder: one setWeight below the pods' own share (1 canary pod beside 4 stable is 20%), then a pause until promoted. */
export const INGRESS_STEPS = [{ setWeight: 10 }, { pause: {} }];
const WEIGHT = 10;
const SAMPLE_SECONDS = 15;
const QUIET_SECONDS = 5;

/** The local stack's config with the demo app routed by nginx through Ingress `demo`, on INGRESS_STEPS. */
export function ingressConfigText(text: string): string {
    const config = parse(text);
    const [app] = config.config["canary-stack:apps"];
    config.config["canary-stack:apps"] = [{ ...app, stableIngress: INGRESS, steps: INGRESS_STEPS, allowNoAnalysis: true }];
    return stringify(config);
}

export function ingressApp(text: string): AppConfig {
    const config = parse(text).config;
    return parseStackConfig({ platform: config["canary-stack:platform"], apps: config["canary-stack:apps"] }).apps[0];
}

/** ingress-nginx's IngressClass and the app's Ingress as the operator has it before the migration: on the app's own Service. */
export function ingressManifests(): any[] {
    return [
        { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: "nginx" }, spec: { controller: "k8s.io/ingress-nginx" } },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: { name: INGRESS, namespace: DEMO.namespace },
            spec: {
                ingressClassName: "nginx",
                rules: [
                    {
                        host: "demo.example",
                        http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: DEMO.name, port: { number: 80 } } } }] },
                    },
                ],
            },
        },
    ];
}

/** The preflight's warning for this Ingress on a first migration, as the model words it. */
export function firstMigrationWarning(app: AppConfig): string {
    const [ingressClass, ingress] = ingressManifests();
    const service = demoManifests(demoImage("v1")).find((o: any) => o.kind === "Service") as any;
    const [finding] = ingressFindings(app, `${DEMO.name}-stable`, { ingress, ingressClass, service, autoscalers: [], disruptionBudgets: [], unread: {} });
    return finding.message;
}

const delta = (after: Record<string, number>, before: Record<string, number>) =>
    Object.fromEntries(
        Object.keys(after)
            .map((k) => [k, after[k] - (before[k] ?? 0)])
            .filter(([, n]) => (n as number) > 0),
    ) as Record<string, number>;
const total = (d: Record<string, number>) => Object.values(d).reduce((a, b) => a + b, 0);
const canaryWeight = (env: Env) =>
    env.kubectl.get("ingress", CANARY_INGRESS, DEMO.namespace)?.metadata?.annotations?.["nginx.ingress.kubernetes.io/canary-weight"];
const rolloutOf = (env: Env) => env.kubectl.get("rollout", DEMO.name, DEMO.namespace);

/** Requests through the stand-in over `seconds`, by pod-template hash (and `deployment`, `unrouted`). */
async function sample(env: Env, seconds: number): Promise<Record<string, number>> {
    const before = await servedByHash(env);
    await sleep(seconds * 1000);
    return delta(await servedByHash(env), before);
}

const shown = (d: Record<string, number>) =>
    Object.entries(d)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ") || "none";

/** pulumi up behind the Ingress, then the command of the preflight's warning, run as written. */
async function migrateBehindIngress(env: Env, app: AppConfig): Promise<ScenarioResult> {
    const t0 = Date.now();
    const warning = firstMigrationWarning(app);
    const up = env.pulumi.run(["up", "--yes", "--skip-preview"]);
    const warned = up.output
        .split("\n")
        .map((l) => l.trim())
        .includes(`warning: ${warning}`);
    const invalid = await waitFor(
        "the Rollout to be InvalidSpec",
        30000,
        () => rolloutOf(env)?.status?.conditions?.find((c: any) => c.type === "InvalidSpec" && c.status === "True")?.message,
        500,
    ).catch(() => undefined);
    const servingBefore = env.kubectl.get("deployment", DEMO.name, DEMO.namespace)?.status?.availableReplicas ?? 0;
    const command = warning.slice(warning.lastIndexOf(": kubectl ") + 2);
    const t1 = Date.now();
    run("bash", ["-c", command], { ...process.env, KUBECONFIG: env.kubeconfig });
    const healthy = await waitFor(
        "the Rollout to adopt the Deployment",
        60000,
        () => {
            const s = rolloutOf(env)?.status;
            return s?.phase === "Healthy" && s.stableRS ? (Date.now() - t1) / 1000 : undefined;
        },
        500,
    ).catch(() => undefined);
    const passed =
        up.code === 0 &&
        warned &&
        invalid !== undefined &&
        /has no rules using service demo-stable backend/.test(invalid) &&
        servingBefore === DEMO.replicas &&
        healthy !== undefined;
    return stepResult(
        "pulumi up of an app behind its Ingress, still on the app's own Service (first migration)",
        "exit 0 with the preflight's warning; the Rollout InvalidSpec (no rules using service demo-stable) and the Deployment serving meanwhile; " +
            "the warning's kubectl command, run as written, points the Ingress at demo-stable and Argo Rollouts adopts the Deployment within 20 s",
        `exit ${up.code}; warning ${warned ? "shown" : "NOT shown"}; Rollout condition: ${invalid ?? "no InvalidSpec"}; Deployment available ` +
            `${servingBefore}/${DEMO.replicas} before the command; Healthy ${healthy === undefined ? "never" : `${healthy.toFixed(1)}s`} after it` +
            `${passed ? "" : `; output: ${up.output.slice(-1500)}`}`,
        passed,
        (Date.now() - t0) / 1000,
        { warning, command },
    );
}

/** setWeight 10 on 4 replicas: the canary serves 10% of requests within sampling error (the pods' share would be 20%). */
async function weightRow(env: Env): Promise<{ row: ScenarioResult; canaryHash: string }> {
    const t0 = Date.now();
    const previousStable = rolloutOf(env).status.stableRS;
    const image = demoImage("ingress-1");
    setBehaviour(env, image, { errorRate: 0, latencySeconds: BASE_LATENCY_SECONDS });
    env.kubectl.run(setImageArgs(image));
    const canaryHash: string = await waitFor(
        `the canary at setWeight ${WEIGHT}`,
        60000,
        () => {
            const s = rolloutOf(env)?.status;
            return s?.phase === "Paused" && s.currentPodHash !== previousStable && canaryWeight(env) === String(WEIGHT) ? s.currentPodHash : undefined;
        },
        250,
    );
    const pods = (hash: string) => env.kubectl.list("replicaset", DEMO.namespace, `rollouts-pod-template-hash=${hash}`)[0]?.status?.readyReplicas ?? 0;
    const served = await sample(env, SAMPLE_SECONDS);
    const n = total(served);
    const judged = shareWithinSamplingError(served[canaryHash] ?? 0, n, WEIGHT);
    const podShare = (100 * pods(canaryHash)) / (pods(canaryHash) + pods(previousStable));
    const passed = judged.within && !(served[UNROUTED] > 0) && Math.abs(judged.share - podShare) > judged.slack;
    return {
        canaryHash,
        row: stepResult(
            `nginx routing: setWeight ${WEIGHT} on ${DEMO.replicas} replicas`,
            `the canary serves ${WEIGHT}% of the requests through the Ingress stand-in, within 3 binomial standard deviations (the model: ${WEIGHT}%; ` +
                "without routing it would be its share of the pods, 20%); none unrouted",
            `${pods(canaryHash)} canary + ${pods(previousStable)} stable pods ready (pods' share ${podShare.toFixed(0)}%); over ${SAMPLE_SECONDS}s, ` +
                `${n} requests: canary ${served[canaryHash] ?? 0} = ${judged.share.toFixed(1)}% (10 ± ${judged.slack.toFixed(1)}); by hash: ${shown(served)}`,
            passed,
            (Date.now() - t0) / 1000,
            { served, share: judged.share, slack: judged.slack },
        ),
    };
}

/** An abort sets the canary Ingress's weight to 0; from then on no request reaches the canary, whose pods are still up. */
async function abortRow(env: Env, canaryHash: string): Promise<ScenarioResult> {
    const t0 = Date.now();
    env.kubectl.run(["argo", "rollouts", "abort", DEMO.name, "-n", DEMO.namespace]);
    const zero = await waitFor("the canary Ingress at weight 0", 30000, () => (canaryWeight(env) === "0" ? (Date.now() - t0) / 1000 : undefined), 100).catch(
        () => undefined,
    );
    const served = await sample(env, QUIET_SECONDS);
    const canaryPods = env.kubectl.list("replicaset", DEMO.namespace, `rollouts-pod-template-hash=${canaryHash}`)[0]?.status?.readyReplicas ?? 0;
    const passed = zero !== undefined && !(served[canaryHash] > 0) && !(served[UNROUTED] > 0) && total(served) > 0;
    return stepResult(
        "nginx routing: abort",
        "the canary Ingress's weight goes to 0, and no request reaches the canary after it (its pods are still ready: " + "abortScaleDownDelaySeconds)",
        `weight 0 ${zero === undefined ? "never" : `${zero.toFixed(1)}s after the abort`}; the next ${QUIET_SECONDS}s: ${total(served)} requests, ` +
            `canary ${served[canaryHash] ?? 0}, unrouted ${served[UNROUTED] ?? 0} (${shown(served)}); canary pods ready then: ${canaryPods}`,
        passed,
        (Date.now() - t0) / 1000,
        { served },
    );
}

/** Retry and promote: all traffic ends on the new stable. */
async function promotionRow(env: Env, canaryHash: string): Promise<ScenarioResult> {
    const t0 = Date.now();
    env.kubectl.run(["argo", "rollouts", "retry", "rollout", DEMO.name, "-n", DEMO.namespace]);
    await waitFor(
        "the retried canary at its pause",
        60000,
        () => (rolloutOf(env)?.status?.phase === "Paused" && !rolloutOf(env)?.status?.abort ? true : undefined),
        250,
    );
    env.kubectl.run(["argo", "rollouts", "promote", "--full", DEMO.name, "-n", DEMO.namespace]);
    const promoted = await waitFor(
        "the promotion",
        60000,
        () => {
            const s = rolloutOf(env)?.status;
            return s?.phase === "Healthy" && s.stableRS === canaryHash && canaryWeight(env) === "0" ? (Date.now() - t0) / 1000 : undefined;
        },
        250,
    ).catch(() => undefined);
    const served = await sample(env, QUIET_SECONDS);
    const passed = promoted !== undefined && total(served) > 0 && served[canaryHash] === total(served);
    return stepResult(
        "nginx routing: promotion",
        "retry and promote --full: Healthy on the new stable, and every request goes to it",
        `Healthy on ${canaryHash} ${promoted === undefined ? "never" : `after ${promoted.toFixed(1)}s`}; the next ${QUIET_SECONDS}s: ` +
            `${total(served)} requests, new stable ${served[canaryHash] ?? 0} (${shown(served)})`,
        passed,
        (Date.now() - t0) / 1000,
        { served },
    );
}

/** pulumi destroy while a request goes through the stand-in every 100 ms: none fails; the Ingress ends on the app's Service. */
async function destroyRow(env: Env): Promise<ScenarioResult> {
    const t0 = Date.now();
    const probes: { ms: number; ok: boolean; to?: string }[] = [];
    let done = false;
    const probing = (async () => {
        while (!done) {
            const at = Date.now() - t0;
            const answer = await fetch(`http://127.0.0.1:${env.sim.port}/route`).then(
                async (r) => ({ ok: r.ok, body: (await r.json()) as any }),
                () => ({ ok: false, body: {} }),
            );
            probes.push({ ms: at, ok: answer.ok, to: answer.body.service });
            await sleep(100);
        }
    })();
    env.log("pulumi destroy of the app behind its Ingress, a request through the stand-in every 100 ms");
    const destroy = await env.pulumi.destroy();
    await rolloutPodsGone(env);
    done = true;
    await probing;
    const failed = probes.filter((p) => !p.ok);
    const ingress = env.kubectl.get("ingress", INGRESS, DEMO.namespace);
    const backend = ingress?.spec?.rules?.[0]?.http?.paths?.[0]?.backend?.service?.name;
    const canaryLeft = env.kubectl.get("ingress", CANARY_INGRESS, DEMO.namespace) !== undefined;
    const services = [...new Set(probes.map((p) => p.to).filter(Boolean))].join(" then ");
    const passed = destroy.code === 0 && probes.length > 0 && failed.length === 0 && backend === DEMO.name && !canaryLeft;
    return stepResult(
        "pulumi destroy behind the Ingress",
        "every request through the Ingress stand-in, one every 100 ms, succeeds; " +
            "the Ingress ends on the app's own Service, Argo Rollouts' canary Ingress is gone",
        `exit ${destroy.code}; ${destroy.summary}; ${probes.length} requests, ${failed.length} failed` +
            `${failed.length ? ` (first at ${(failed[0].ms / 1000).toFixed(1)}s)` : ""}; served by ${services || "nothing"}; ` +
            `Ingress on ${backend ?? "nothing"}; canary Ingress ${canaryLeft ? "LEFT" : "gone"}${destroy.code === 0 ? "" : `: ${destroy.output.slice(-1500)}`}`,
        passed,
        (Date.now() - t0) / 1000,
        { probes: probes.length, failed: failed.length },
    );
}

/**
 * The rows, on the main phase's cluster once its stack is destroyed: the controller started again, the
 * Ingress and ingress-nginx's IngressClass applied, the stack's config routed through them, the simulator
 * switched to the stand-in; all of it put back afterwards.
 */
export async function ingressRows(env: Env): Promise<ScenarioResult[]> {
    const original = fs.readFileSync(env.pulumi.configFile, "utf8");
    const text = ingressConfigText(original);
    const app = ingressApp(text);
    const rows: ScenarioResult[] = [];
    env.controller = startController(env.dir, env.kubeconfig, env.ports);
    env.kubectl.apply(asStream(ingressManifests()));
    fs.writeFileSync(env.pulumi.configFile, text);
    env.sim.ingress = { stable: INGRESS, canary: CANARY_INGRESS };
    fs.writeFileSync(env.simConfigFile, JSON.stringify(env.sim, null, 2));
    try {
        rows.push(await migrateBehindIngress(env, app));
        if (!rows[0].passed) return rows;
        const { row, canaryHash } = await weightRow(env);
        rows.push(row, await abortRow(env, canaryHash), await promotionRow(env, canaryHash), await destroyRow(env));
        return rows;
    } finally {
        fs.writeFileSync(env.pulumi.configFile, original);
        delete env.sim.ingress;
        fs.writeFileSync(env.simConfigFile, JSON.stringify(env.sim, null, 2));
        env.kubectl.run(["delete", "ingress", INGRESS, "-n", DEMO.namespace, "--ignore-not-found"]);
        env.kubectl.run(["delete", "ingressclass", "nginx", "--ignore-not-found"]);
        env.log(`nginx routing rows: ${rows.map((r) => `${r.seconds.toFixed(0)}s`).join(" + ")}`);
    }
}
