/**
 * The demo phase of npm run e2e: `npm start` as a user runs it (its own state dir and ports), then
 * the commands it printed, each pasted into a fresh bash after the printed `source` line: the good
 * release must promote, the failing one abort (and the printed Prometheus query show the canary's
 * errors), the printed destroy undo the migration, and the printed `npm stop` leave no process of
 * the demo's (by the PIDs it recorded) and no cluster.
 *
 *   CANARY_E2E_DEMO=skip   leave the phase out
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { DEMO } from "../demoApp";
import { Kubectl } from "../lib/kubectl";
import { PidFile, pidFileAlive, readPidFiles } from "../lib/pidFiles";
import { run, waitFor } from "../lib/proc";
import { querySeries } from "../prometheus";
import { ScenarioResult, stepResult } from "../report/types";
import { outcomeOf } from "../scenarios";
import { DemoCommand, demoCommands, parseDemoCommands } from "./commands";
import { ALL_DEMO_PORTS, DEMO_PORTS, demoPidDir } from "./config";

const ROOT = path.join(__dirname, "..", "..");
/** A canary of the local ladder takes about a minute; this is the most a phase run waits for one. */
const OUTCOME_TIMEOUT_MS = 240000;

interface Shell {
    code: number;
    output: string;
    seconds: number;
}

/** `script` in a fresh bash, from /tmp as a user's shell might be, with the phase's environment (no KUBECONFIG of its own). */
function bash(script: string, env: NodeJS.ProcessEnv, timeoutMs = 600000): Shell {
    const t0 = Date.now();
    const result = spawnSync("bash", ["-c", script], { cwd: "/tmp", env, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}`, seconds: (Date.now() - t0) / 1000 };
}

const tail = (text: string, lines = 6) => text.trim().split("\n").slice(-lines).join(" | ");

function portFree(port: number): boolean {
    return spawnSync("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: "ignore" }).status !== 0;
}

export async function demoPhase(dir: string, log: (message: string) => void, record: (row: ScenarioResult) => void): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env, CANARY_DEMO_DIR: dir };
    delete env.KUBECONFIG;
    delete env.CANARY_E2E_DIR;
    const tools = run(path.join(ROOT, "scripts", "toolchain"), ["--print-path"]).trim();
    const kubectl = new Kubectl(path.join(dir, "kubeconfig"));
    process.env.PATH = `${tools}:${process.env.PATH}`;
    const expected = demoCommands(ROOT, dir);
    let stopCommand = `npm --prefix ${ROOT} stop`;
    let recorded: PidFile[] = [];
    try {
        log(`npm start (CANARY_DEMO_DIR=${dir})`);
        const start = bash(`cd ${ROOT} && npm start`, env);
        const printed = parseDemoCommands(start.output);
        const titles = (cs: { title: string }[]) => cs.map((c) => c.title);
        const startOk = start.code === 0 && JSON.stringify(titles(printed)) === JSON.stringify(titles(expected));
        recorded = [...readPidFiles(demoPidDir(dir)), ...readPidFiles(path.join(dir, "pids"))];
        record(
            stepResult(
                "demo: npm start from a cold state dir",
                `exit 0 and the ${expected.length} commands printed (${expected.map((c) => c.key).join(", ")}), every process recorded in a PID file`,
                start.code === 0
                    ? `exit 0 in ${start.seconds.toFixed(0)} s; printed ${printed.length} commands; PID files: ${recorded.map((p) => `${p.name} ${p.pid}`).join(", ")}; running: ${recorded.filter(pidFileAlive).length}`
                    : `exit ${start.code} after ${start.seconds.toFixed(0)} s: ${tail(start.output)}`,
                startOk && recorded.length > 0 && recorded.every(pidFileAlive),
                start.seconds,
            ),
        );
        if (!startOk) return;
        const paste = (key: DemoCommand["key"]) => printed[expected.findIndex((c) => c.key === key)].command;
        const source = paste("env");
        stopCommand = paste("stop");

        const release = async (key: "good" | "bad", want: "promoted" | "aborted") => {
            const before = kubectl.get("rollout", DEMO.name, DEMO.namespace)?.status?.stableRS;
            const t0 = Date.now();
            const shell = bash(`${source}\n${paste(key)}`, env);
            if (shell.code !== 0) return { outcome: `the command exited ${shell.code}: ${tail(shell.output)}`, seconds: shell.seconds, ok: false };
            const outcome = await waitFor(
                `the ${key} release's outcome`,
                OUTCOME_TIMEOUT_MS,
                () => {
                    const rollout = kubectl.get("rollout", DEMO.name, DEMO.namespace);
                    return outcomeOf(rollout, before, () => kubectl.list("analysisrun", DEMO.namespace));
                },
                500,
            ).catch((err: Error) => err.message);
            const rollout = kubectl.get("rollout", DEMO.name, DEMO.namespace);
            return { outcome, seconds: (Date.now() - t0) / 1000, ok: outcome === want, message: rollout?.status?.message as string | undefined };
        };

        const good = await release("good", "promoted");
        record(
            stepResult(
                "demo: the printed good release, pasted",
                "the Rollout promotes v2 to 100%",
                `${good.outcome} after ${good.seconds.toFixed(0)} s`,
                good.ok,
                good.seconds,
            ),
        );

        const bad = await release("bad", "aborted");
        const promql = new URL(/http:\/\/127\.0\.0\.1:\d+\/graph\?\S+/.exec(start.output)?.[0] ?? "http://x/").searchParams.get("g0.expr");
        const canaryHash = kubectl
            .list("replicaset", DEMO.namespace, "rollouts-pod-template-hash")
            .find((rs) => rs.spec?.template?.spec?.containers?.[0]?.image?.endsWith(":v3"))?.metadata?.labels?.["rollouts-pod-template-hash"];
        const series = promql ? await querySeries(DEMO_PORTS.prometheus, promql) : [];
        const canaryRate = series.find((r) => r.metric.rollouts_pod_template_hash === canaryHash)?.value;
        record(
            stepResult(
                "demo: the printed failing release, pasted",
                "the Rollout aborts back to v2 on the error-rate gate; the printed Prometheus query shows the canary's error rate over the gate's 2%",
                `${bad.outcome} after ${bad.seconds.toFixed(0)} s (${bad.message ?? "no message"}); the printed query: ${series.length} series, the canary's (${canaryHash}) at ${canaryRate?.toFixed(3) ?? "none"}`,
                bad.ok && canaryRate !== undefined && canaryRate > 0.02,
                bad.seconds,
            ),
        );

        const t0 = Date.now();
        const back = bash(`${source}\n${paste("back")}`, env);
        await waitFor(
            "the Rollout Healthy on v2 again",
            60000,
            () => {
                const status = kubectl.get("rollout", DEMO.name, DEMO.namespace)?.status;
                return status?.phase === "Healthy" && !status.abort ? true : undefined;
            },
            500,
        ).catch(() => undefined);
        const destroy = bash(`${source}\n${paste("destroy")}`, env);
        const deployment = kubectl.get("deployment", DEMO.name, DEMO.namespace);
        const rolloutLeft = kubectl.get("rollout", DEMO.name, DEMO.namespace) !== undefined;
        const image = deployment?.spec?.template?.spec?.containers?.[0]?.image;
        const serving = `${deployment?.status?.readyReplicas ?? 0}/${deployment?.spec?.replicas ?? 0} ready, ${image}`;
        record(
            stepResult(
                "demo: the printed rollback and pulumi destroy, pasted",
                "both exit 0; no Rollout left; the Deployment serves v2 at 4 replicas",
                `set image exit ${back.code}; destroy exit ${destroy.code} (${[...destroy.output.matchAll(/Resources:\s*\n\s*(.*)/g)].pop()?.[1] ?? tail(destroy.output, 3)}); Rollout ${rolloutLeft ? "still there" : "gone"}; Deployment ${serving}`,
                back.code === 0 && destroy.code === 0 && !rolloutLeft && serving === `4/4 ready, registry.example/demo:v2`,
                (Date.now() - t0) / 1000,
            ),
        );
    } catch (err) {
        log(`demo phase stopped: ${(err as Error).stack ?? err}`);
        record(stepResult("demo phase", "completes", (err as Error).message, false));
    } finally {
        const stop = bash(stopCommand, env);
        if (recorded.length === 0) recorded = [...readPidFiles(demoPidDir(dir)), ...readPidFiles(path.join(dir, "pids"))];
        const alive = recorded.filter(pidFileAlive);
        const busy = ALL_DEMO_PORTS.filter((p) => !portFree(p));
        const left = fs.existsSync(dir);
        record(
            stepResult(
                "demo: the printed npm stop",
                "exit 0; none of the recorded PIDs runs its command any more; the state dir removed; the demo's ports free",
                `exit ${stop.code} in ${stop.seconds.toFixed(1)} s; ${recorded.length} recorded PIDs, ${alive.length ? `still running: ${alive.map((p) => `${p.name} ${p.pid}`).join(", ")}` : "none running"}; ${dir} ${left ? "still there" : "removed"}; ports ${busy.length ? `busy: ${busy.join(", ")}` : "free"}`,
                stop.code === 0 && recorded.length > 0 && alive.length === 0 && !left && busy.length === 0,
                stop.seconds,
            ),
        );
    }
}
