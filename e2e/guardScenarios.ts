/**
 * The wrong-cluster guard under the real engine. A second control plane is
 * started beside the stack's (scripts/cluster-up in its own dir, on its own
 * ports), the stack's kubeconfig file is pointed at it, and `pulumi preview`,
 * `up` and `refresh --run-program` must each refuse with the message that
 * names both clusters, with nothing created, changed or deleted on either; a
 * plain `pulumi refresh` and a destroy use the kubeconfig stored at the last
 * up, the stack's own (kubeconfigScenarios.ts); then the second cluster is
 * stopped by its own scripts/cluster-down. Also `pulumi config set`
 * without `--path`: the flat key is refused with the command that sets it.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ClusterIdentity, GuardedCommand, wrongCluster } from "../model/clusterIdentity";
import { Env } from "./environment";
import { Kubectl } from "./lib/kubectl";
import { run } from "./lib/proc";
import { plainRefresh } from "./kubeconfigScenarios";
import { EngineRun } from "./pulumiStack";
import { ScenarioResult, stepResult } from "./report/types";

const ROOT = path.join(__dirname, "..");

export interface SecondCluster {
    dir: string;
    kubeconfig: string;
    kubectl: Kubectl;
    /** How long its cluster-up took. */
    seconds: number;
}

/**
 * Starts a second control plane in `dir` in the background (scripts/cluster-up picks free ports; no smoke
 * check), so that it comes up while the first rows run. Its output goes to `log`.
 */
export function startSecondCluster(dir: string, log: string): Promise<SecondCluster> {
    const t0 = Date.now();
    const out = fs.openSync(log, "a");
    const child = spawn(path.join(ROOT, "scripts", "cluster-up"), [], {
        env: { ...process.env, CANARY_E2E_DIR: dir, CANARY_E2E_SKIP_SMOKE: "1" },
        stdio: ["ignore", out, out],
    });
    fs.closeSync(out);
    const started = new Promise<SecondCluster>((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code) => {
            const kubeconfig = path.join(dir, "kubeconfig");
            if (code === 0) resolve({ dir, kubeconfig, kubectl: new Kubectl(kubeconfig), seconds: (Date.now() - t0) / 1000 });
            else reject(new Error(`the second cluster's scripts/cluster-up exited ${code} (see ${log})`));
        });
    });
    // Awaited later; until then a failure must not count as an unhandled rejection.
    started.catch(() => undefined);
    return started;
}

/** scripts/cluster-down of the second cluster: it stops the PIDs its cluster-up recorded, and does nothing when none is up. */
export function stopSecondCluster(dir: string): string {
    return run(path.join(ROOT, "scripts", "cluster-down"), [], { ...process.env, CANARY_E2E_DIR: dir });
}

/** The cluster a kubeconfig names, read with kubectl (not with the guard's own code). */
function identityOf(kubectl: Kubectl): ClusterIdentity {
    return {
        uid: kubectl.run(["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"]).trim(),
        server: kubectl.run(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"]).trim(),
        context: kubectl.run(["config", "current-context"]).trim(),
    };
}

const KINDS = [
    "namespaces",
    "deployments",
    "services",
    "configmaps",
    "serviceaccounts",
    "roles",
    "rolebindings",
    "rollouts.argoproj.io",
    "analysistemplates.argoproj.io",
    "servicemonitors.monitoring.coreos.com",
    "prometheusrules.monitoring.coreos.com",
];

/**
 * Every object of the kinds the stack writes or reads, with its UID and generation: a delete, a re-create or a
 * spec change shows. Objects a controller owns (ownerReferences: the Prometheus operator's rule ConfigMap and
 * Service) are left out: they follow their owner, not the stack.
 */
function inventory(kubectl: Kubectl): string[] {
    const list = kubectl.json<{ items: any[] }>(["get", KINDS.join(","), "-A"]);
    return list.items
        .filter((o) => !(o.metadata.ownerReferences?.length > 0))
        .map((o) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name} ${o.metadata.uid} ${o.metadata.generation ?? ""}`)
        .sort();
}

function difference(before: string[], after: string[]): string {
    const gone = before.filter((o) => !after.includes(o));
    const added = after.filter((o) => !before.includes(o));
    return gone.length + added.length === 0 ? "unchanged" : `gone or changed: ${gone.join(", ") || "none"}; new: ${added.join(", ") || "none"}`;
}

interface Snapshot {
    own: string[];
    other: string[];
    state: string[];
}

/**
 * With the stack's kubeconfig on the second cluster: preview, up and destroy each refuse with the message
 * naming both clusters, and neither cluster nor the state changes. Stops the second cluster afterwards.
 */
export async function wrongClusterRows(env: Env, starting: Promise<SecondCluster>): Promise<ScenarioResult[]> {
    const t0 = Date.now();
    const second = await starting;
    const waited = (Date.now() - t0) / 1000;
    const own = identityOf(env.kubectl);
    const other = identityOf(second.kubectl);
    env.log(
        `second cluster up in ${second.seconds.toFixed(0)}s (waited ${waited.toFixed(0)}s for it): kube-system ${other.uid} at ${other.server}; ` +
            `the stack's: ${own.uid} at ${own.server}`,
    );
    const snapshot = (): Snapshot => ({ own: inventory(env.kubectl), other: inventory(second.kubectl), state: env.pulumi.resources() });
    const before = snapshot();
    const rows: ScenarioResult[] = [];
    fs.copyFileSync(second.kubeconfig, env.stackKubeconfig);
    try {
        const refused = async (command: string, guarded: GuardedCommand, engine: () => Promise<EngineRun> | EngineRun) => {
            const t = Date.now();
            const result = await engine();
            const seconds = (Date.now() - t) / 1000;
            env.log(`pulumi ${command} on the second cluster: exit ${result.code}; ${result.summary || "(no summary)"}`);
            const expected = wrongCluster(other, own, undefined, guarded)!;
            const after = snapshot();
            const unchanged = {
                own: difference(before.own, after.own),
                other: difference(before.other, after.other),
                state: difference(before.state, after.state),
            };
            const ok = result.code !== 0 && result.output.includes(expected) && Object.values(unchanged).every((u) => u === "unchanged");
            rows.push(
                stepResult(
                    `pulumi ${command} with the stack's kubeconfig on a second cluster`,
                    "refused with the message naming both clusters; nothing created, changed or deleted on either, the state unchanged",
                    `exit ${result.code}; ${result.output.includes(expected) ? `"${expected}"` : `message not found in: ${result.output.slice(-1500)}`}; ` +
                        `${result.summary || "no resource summary"}; the stack's cluster (${before.own.length} objects): ${unchanged.own}; ` +
                        `the second cluster (${before.other.length} objects): ${unchanged.other}; state (${before.state.length} resources): ${unchanged.state}`,
                    ok,
                    seconds,
                    { summary: result.summary, exitCode: result.code },
                ),
            );
        };
        await refused("preview", "preview or up", () => env.pulumi.run(["preview"]));
        await refused("up", "preview or up", () => env.pulumi.run(["up", "--yes", "--skip-preview"]));
        // refresh runs the program only when asked to: then the guard stops it like an up.
        await refused("refresh --run-program", "preview or up", () => env.pulumi.run(["refresh", "--run-program", "--yes", "--skip-preview"]));
        rows.push(plainRefresh(env, before.state));
    } finally {
        fs.copyFileSync(env.kubeconfig, env.stackKubeconfig);
        const t = Date.now();
        stopSecondCluster(second.dir);
        env.log(`second cluster stopped by its cluster-down in ${((Date.now() - t) / 1000).toFixed(1)}s`);
    }
    return rows;
}

/**
 * `pulumi config set canary-stack:cluster.context x` without `--path`, under the real CLI: the program refuses
 * the flat key it would otherwise ignore, with the commands that set it as meant.
 */
export function flatKeyRow(env: Env): ScenarioResult {
    const t0 = Date.now();
    const file = path.join(env.dir, "Pulumi.flat.yaml");
    fs.copyFileSync(env.pulumi.configFile, file);
    const set = env.pulumi.run(["config", "set", "canary-stack:cluster.context", "elsewhere", "--config-file", file]);
    const written = parseYaml(fs.readFileSync(file, "utf8")).config;
    const result = env.pulumi.run(["preview"], file);
    const expected =
        'canary-stack:cluster.context: "elsewhere" set without --path, as one key named "cluster.context", which this program never reads ' +
        "(it reads cluster as a whole); set it with --path instead: " +
        "pulumi config rm canary-stack:cluster.context && pulumi config set --path canary-stack:cluster.context elsewhere";
    const flat = written["canary-stack:cluster.context"] === "elsewhere" && written["canary-stack:cluster"] === undefined;
    const ok = set.code === 0 && flat && result.code !== 0 && result.output.includes(expected);
    return stepResult(
        "pulumi config set canary-stack:cluster.context without --path, then pulumi preview",
        "the CLI writes a flat key; the preview fails with the message naming the --path command, before anything is registered",
        `config set exit ${set.code}, wrote ${JSON.stringify(Object.keys(written).filter((k) => k.startsWith("canary-stack:cluster")))}; ` +
            `preview exit ${result.code}; ${result.output.includes(expected) ? `"${expected}"` : `message not found in: ${result.output.slice(-1200)}`}; ` +
            `${result.summary || "no resource summary"}`,
        ok,
        (Date.now() - t0) / 1000,
    );
}
