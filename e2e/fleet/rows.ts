/**
 * The fleet phase's rows: `npm run fleet` (fleet/main.ts) as an operator runs it, over two stacks in
 * one shared backend, each on its own control plane with its own controller and Prometheus, through
 * one kubeconfig with a context per cluster. What the fleet reports is checked against the clusters
 * themselves and against `kubectl argo rollouts get`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DEMO, demoImage, setImageArgs } from "../demoApp";
import { Env, setBehaviour, BASE_LATENCY_SECONDS } from "../environment";
import { ScenarioResult, stepResult } from "../report/types";
import { HEALTHY } from "../traffic/split";
import { changesText, statusText } from "../../fleet/report";
import type { PreviewReport, StatusReport, UpReport } from "../../fleet/runner";
import type { RolloutView } from "../../fleet/rolloutInfo";
import { parsePluginGet, PROD, STAGING } from "./config";

const ROOT = path.join(__dirname, "..", "..");

export interface Fleet {
    /** The stack's cluster per stack name. */
    clusters: Record<string, Env>;
    /** The environment the fleet runs in: the shared backend, the passphrase, the kubeconfig of both contexts. */
    env: NodeJS.ProcessEnv;
    configDir: string;
    log: (message: string) => void;
}

export interface FleetRun {
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

/** `npm run fleet -- <args> --config-dir <dir>`, as an operator runs it (ts-node under the project's node). */
export function runFleet(fleet: Fleet, args: string[]): FleetRun {
    const t0 = Date.now();
    fleet.log(`npm run fleet -- ${args.join(" ")}`);
    const result = spawnSync("node", ["-r", "ts-node/register/transpile-only", path.join(ROOT, "fleet", "main.ts"), ...args, "--config-dir", fleet.configDir], {
        cwd: ROOT,
        env: fleet.env,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr, seconds: (Date.now() - t0) / 1000 };
}

function report<T>(run: FleetRun): T | undefined {
    try {
        return JSON.parse(run.stdout) as T;
    } catch {
        return undefined;
    }
}

const tail = (run: FleetRun) => `; stderr: ${run.stderr.slice(-800)}`;

export function previewRow(fleet: Fleet): ScenarioResult {
    const run = runFleet(fleet, ["preview", "--json"]);
    const r = report<PreviewReport>(run);
    const stacks = r?.stacks ?? [];
    const untouched = Object.values(fleet.clusters).every((env) => env.kubectl.get("rollout", DEMO.name, DEMO.namespace) === undefined);
    const each = stacks.map(
        (s) => `${s.stack}: ${s.ok ? "ok" : "FAILED"}, ${changesText(s.changes)}, ${s.warnings.length} warning(s), exposure "${s.exposure[0] ?? "none"}"`,
    );
    const ok =
        run.code === 0 &&
        stacks.length === 2 &&
        stacks.every((s) => s.ok && (s.changes.create ?? 0) > 0 && s.exposure.length > 0 && s.errors.length === 0) &&
        untouched;
    return stepResult(
        "fleet preview across both clusters",
        "exit 0; each stack's planned changes, exposure line, warnings and errors in one summary; nothing applied",
        `exit ${run.code} in ${run.seconds.toFixed(1)}s; ${each.join("; ")}; no Rollout in either cluster afterwards: ${untouched}${ok ? "" : tail(run)}`,
        ok,
        run.seconds,
        { stdout: run.stdout, stderr: run.stderr },
    );
}

/** Where a progress line first appears on stderr (-1 when it does not). */
function lineAt(run: FleetRun, text: string): number {
    return run.stderr.split("\n").findIndex((l) => l.includes(text));
}

export function upRow(fleet: Fleet): ScenarioResult {
    const run = runFleet(fleet, ["up", "--waves", `${STAGING}:${PROD}`, "--json"]);
    const r = report<UpReport>(run);
    const [first, second] = r?.waves ?? [];
    const upStaging = lineAt(run, `up ${STAGING}: succeeded`);
    const gate = lineAt(run, `wave 2: checking that ${STAGING} is healthy`);
    const upProd = lineAt(run, `wave 2: pulumi up ${PROD}`);
    const ordered = upStaging >= 0 && upStaging < gate && gate < upProd;
    const phases = Object.entries(fleet.clusters).map(
        ([stack, env]) => `${stack} ${env.kubectl.get("rollout", DEMO.name, DEMO.namespace)?.status?.phase ?? "no Rollout"}`,
    );
    const ok =
        run.code === 0 &&
        first?.ups?.[0]?.stack === STAGING &&
        first.ups[0].ok &&
        second?.gate?.[0]?.stack === STAGING &&
        second.gate[0].healthy &&
        second.ups?.[0]?.stack === PROD &&
        second.ups[0].ok &&
        (r?.final ?? []).every((h) => h.healthy) &&
        ordered &&
        phases.every((p) => p.endsWith("Healthy"));
    const ups = [first, second]
        .flatMap((w) => w?.ups ?? [])
        .map((u) => `${u.stack} ${u.ok ? "succeeded" : "FAILED"} (${changesText(u.changes)}) in ${u.seconds.toFixed(0)}s`);
    return stepResult(
        "fleet up with two waves: the first, then the second",
        `exit 0; ${STAGING} applied, then found healthy, then ${PROD} applied; both Rollouts Healthy`,
        `exit ${run.code} in ${run.seconds.toFixed(1)}s; ${ups.join("; ")}; gate before wave 2: ${second?.gate?.map((h) => `${h.stack} ${h.healthy ? "healthy" : h.reasons.join(", ")}${h.notes.length ? ` (${h.notes.join("; ")})` : ""}`).join("; ") ?? "none"}; ` +
            `progress in order (up ${STAGING} at line ${upStaging}, gate at ${gate}, up ${PROD} at ${upProd}): ${ordered}; Rollouts: ${phases.join(", ")}${ok ? "" : tail(run)}`,
        ok,
        run.seconds,
        { stdout: run.stdout, stderr: run.stderr },
    );
}

function imageText(view: RolloutView): string[] {
    return view.images.map((i) => (i.tags.length > 0 ? `${i.image} (${i.tags.join(", ")})` : i.image)).sort();
}

/** Each cluster's Rollouts as the fleet's status reports them, against the cluster's own kube-system UID and `kubectl argo rollouts get`. */
export function statusRow(fleet: Fleet, when: string): ScenarioResult {
    const run = runFleet(fleet, ["status", "--json"]);
    const r = report<StatusReport>(run);
    const problems: string[] = [];
    const seen: string[] = [];
    for (const [stack, env] of Object.entries(fleet.clusters)) {
        const s = r?.stacks.find((x) => x.stack === stack);
        const uid = env.kubectl.run(["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"]).trim();
        if (!s) {
            problems.push(`${stack}: not in the report`);
            continue;
        }
        if (s.cluster !== uid) problems.push(`${stack}: cluster ${s.cluster}, kube-system UID ${uid}`);
        const view = s.rollouts.find((v) => v.name === DEMO.name);
        const plugin = parsePluginGet(env.kubectl.run(["argo", "rollouts", "get", "rollout", DEMO.name, "-n", DEMO.namespace, "--no-color"]));
        if (!view) {
            problems.push(`${stack}: no Rollout ${DEMO.name} in the report`);
            continue;
        }
        const ours = { status: view.status, step: view.step, setWeight: view.setWeight, actualWeight: view.actualWeight, images: imageText(view) };
        const theirs = { ...plugin, images: [...plugin.images].sort() };
        for (const key of Object.keys(ours) as (keyof typeof ours)[]) {
            if (JSON.stringify(ours[key]) !== JSON.stringify(theirs[key]))
                problems.push(`${stack}: ${key} ${JSON.stringify(ours[key])}, the plugin ${JSON.stringify(theirs[key])}`);
        }
        seen.push(
            `${stack} on ${uid.slice(0, 8)}…: ${view.status}, step ${view.step}, weight ${view.actualWeight}/${view.setWeight}, ${imageText(view).join(" + ")}`,
        );
    }
    const ok = run.code === 0 && problems.length === 0 && seen.length === 2;
    return stepResult(
        `fleet status ${when}`,
        "exit 0; each cluster's kube-system UID, and its Rollout's status, step, weights and images as kubectl argo rollouts get shows them",
        `exit ${run.code} in ${run.seconds.toFixed(1)}s; ${seen.join("; ")}; ${problems.length === 0 ? "all as the plugin shows them" : `differences: ${problems.join("; ")}`}${ok ? "" : tail(run)}`,
        ok,
        run.seconds,
        { table: r ? statusText(r) : "" },
    );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A release left mid-ladder on the first wave's cluster: a new image, past its first setWeight, then
 * paused by the operator (`kubectl argo rollouts pause`), as a canary someone stopped to look at.
 */
export async function leaveMidCanary(env: Env): Promise<string> {
    const image = demoImage("v2");
    setBehaviour(env, image, { ...HEALTHY, latencySeconds: BASE_LATENCY_SECONDS });
    env.kubectl.run(setImageArgs(image));
    const deadline = Date.now() + 120_000;
    for (;;) {
        const ro = env.kubectl.get("rollout", DEMO.name, DEMO.namespace);
        if ((ro?.status?.currentStepIndex ?? 0) >= 1 && ro.status.currentPodHash !== ro.status.stableRS) break;
        if (Date.now() > deadline) throw new Error(`the canary of ${image} did not pass its first step in 120s: ${JSON.stringify(ro?.status ?? {})}`);
        await sleep(500);
    }
    env.kubectl.run(["argo", "rollouts", "pause", DEMO.name, "-n", DEMO.namespace]);
    for (;;) {
        const ro = env.kubectl.get("rollout", DEMO.name, DEMO.namespace);
        if (ro?.status?.phase === "Paused" && ro.spec?.paused) return `${image} at step ${ro.status.currentStepIndex}, paused`;
        if (Date.now() > deadline) throw new Error(`the Rollout did not pause: ${JSON.stringify(ro?.status ?? {})}`);
        await sleep(500);
    }
}

function updates(env: Env): number {
    return JSON.parse(env.pulumi.must(["stack", "history", "--json"]).stdout).length;
}

export function refusedRow(fleet: Fleet, left: string): ScenarioResult {
    const prodUpdates = updates(fleet.clusters[PROD]);
    const run = runFleet(fleet, ["up", "--waves", `${STAGING}:${PROD}`, "--health-timeout", "20s", "--json"]);
    const r = report<UpReport>(run);
    const after = updates(fleet.clusters[PROD]);
    const refusal = run.stderr.split("\n").find((l) => l.includes("wave 2 refused")) ?? "";
    const ok =
        run.code === 3 &&
        r?.stopped?.at === "gate" &&
        r.stopped.wave === 2 &&
        r.stopped.reasons.some((x) => x.startsWith(`${STAGING}: Rollout ${DEMO.namespace}/${DEMO.name} is mid-canary`)) &&
        r.waves[0]?.ups?.[0]?.ok === true &&
        r.waves[1]?.ups === undefined &&
        JSON.stringify(r.untouched) === JSON.stringify([{ wave: 2, stacks: [PROD] }]) &&
        after === prodUpdates;
    return stepResult(
        "fleet up with a canary left mid-ladder on the first cluster",
        `exit 3; ${STAGING}'s up runs, then wave 2 is refused with the reason; ${PROD} untouched (no new update in its history)`,
        `left: ${left}; exit ${run.code} in ${run.seconds.toFixed(1)}s; printed: ${JSON.stringify(refusal.replace(/^\[fleet \d+s\] /, ""))}; ` +
            `${PROD}'s updates ${prodUpdates} before, ${after} after${ok ? "" : tail(run)}`,
        ok,
        run.seconds,
        { stdout: run.stdout, stderr: run.stderr },
    );
}

/**
 * The fleet read its stacks' config from its --config-dir and wrote nothing into the project: the
 * Automation API's up once left `Pulumi.<stack>.yaml` there, holding the passphrase's salt, through the
 * `pulumi stack output --show-secrets` it runs afterwards (fleet/automation.ts no longer reads outputs).
 */
export function projectFilesRow(projectDir: string, stacks: string[]): ScenarioResult {
    const written = stacks.map((s) => `Pulumi.${s}.yaml`).filter((f) => fs.existsSync(path.join(projectDir, f)));
    for (const f of written) fs.rmSync(path.join(projectDir, f));
    return stepResult(
        "the fleet writes no stack file into the project",
        `no Pulumi.<stack>.yaml of ${stacks.join(", ")} in the project's folder after every fleet command (their config is in --config-dir)`,
        written.length === 0 ? "none" : `written (and removed now): ${written.join(", ")}`,
        written.length === 0,
    );
}
