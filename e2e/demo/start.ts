/**
 * npm start (npm run demo): the canary stack at work on a local control plane, left running.
 *
 * Builds what the toolchain cache lacks (scripts/toolchain shows its progress), then sets up what
 * the e2e sets up (e2e/environment.ts setUp: the control plane, the demo app's Deployment, Prometheus,
 * the Prometheus operator, the Argo Rollouts controller, the traffic simulator) on the demo's own
 * ports and state dir, with the processes started to outlive this one (their PIDs in
 * <dir>/demo-pids), runs `pulumi up` of the `demo` stack through the real engine, waits for the
 * Rollout to adopt the Deployment, and prints the commands to paste (e2e/demo/commands.ts). It
 * returns; `npm stop` ends it all.
 *
 *   CANARY_DEMO_DIR   state, kubeconfig, logs and PID files (default /tmp/canary-demo)
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { spawnSync } from "child_process";
import { parse } from "yaml";
import { parseStackConfig } from "../../stacks";
import { setUp } from "../environment";
import { rolloutHealthy } from "../engineScenarios";
import { readPidFiles, pidFileAlive } from "../lib/pidFiles";
import { outliveThisProcess } from "../lib/proc";
import { demoCommands, demoLinks, formatDemoCommands } from "./commands";
import { ALL_DEMO_PORTS, DEMO_PORTS, DEMO_STACK, demoConfigText, demoDir, demoPidDir } from "./config";

const ROOT = path.join(__dirname, "..", "..");
/** The provider the demo's stack does not use (its platform installs no cert-manager): not built, not installed. */
const NOT_NEEDED = "cert-manager-provider";
const started = Date.now();
/** Set once something may be running: from then on a failure leaves it for npm stop. */
let begun = false;
const log = (message: string) => process.stderr.write(`[demo ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`);

function portBusy(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

/** Runs a script with its output on this terminal (the toolchain's progress). */
function visible(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
    const result = spawnSync(command, args, { stdio: ["ignore", process.stderr, process.stderr], env });
    if (result.status !== 0) throw new Error(`${path.relative(ROOT, command)} ${args.join(" ")} exited ${result.status}`);
}

/** The toolchain targets the demo needs: all that scripts/toolchain --list names, but the cert-manager provider. */
function targets(): string[] {
    const list = spawnSync(path.join(ROOT, "scripts", "toolchain"), ["--list"], { encoding: "utf8" });
    if (list.status !== 0) throw new Error(`scripts/toolchain --list: ${list.stderr}`);
    return [
        ...new Set(
            list.stdout
                .split("\n")
                .map((l) => l.split(/\s+/)[0])
                .filter((t) => t && t !== NOT_NEEDED),
        ),
    ];
}

async function main(): Promise<void> {
    const dir = demoDir();
    const running = [...readPidFiles(demoPidDir(dir)), ...readPidFiles(path.join(dir, "pids"))].filter(pidFileAlive);
    if (running.length > 0) {
        throw new Error(`the demo already runs in ${dir} (${running.map((p) => `${p.name} pid ${p.pid}`).join(", ")}): npm stop first`);
    }
    const busy = (await Promise.all(ALL_DEMO_PORTS.map(async (p) => ((await portBusy(p)) ? [p] : [])))).flat();
    if (busy.length > 0) throw new Error(`ports ${busy.join(", ")} on 127.0.0.1 are in use; the demo needs ${ALL_DEMO_PORTS.join(", ")}`);
    if (spawnSync("prometheus", ["--version"]).status !== 0) {
        throw new Error("no prometheus on PATH: scripts/e2e-prereqs installs Debian's (apt-get)");
    }

    log("the toolchain: builds only what ~/.cache/canary-stack lacks (a cold build takes long; its progress follows)");
    visible(path.join(ROOT, "scripts", "toolchain"), targets());

    const configText = demoConfigText();
    const config = parse(configText).config;
    const app = parseStackConfig({ platform: config["canary-stack:platform"], apps: config["canary-stack:apps"] }).apps[0];
    outliveThisProcess(demoPidDir(dir));
    begun = true;
    process.env.CANARY_PLUGINS_LATER = "kubernetes-cert-manager";
    const env = await setUp(dir, log, { stack: DEMO_STACK, configText, ports: DEMO_PORTS });
    log(`pulumi up --stack ${DEMO_STACK} (the real engine, index.ts with ${env.pulumi.configFile})`);
    const up = env.pulumi.up();
    log(up.summary);
    await rolloutHealthy(env);
    log("the Rollout demo adopted the Deployment demo and is Healthy");

    const text = formatDemoCommands(demoCommands(ROOT, dir), demoLinks(app));
    fs.writeFileSync(path.join(dir, "commands.txt"), text);
    const pids = readPidFiles(demoPidDir(dir))
        .map((p) => `${p.name} ${p.pid}`)
        .join(", ");
    process.stdout.write(
        `\n${text}\nRunning in the background (PIDs in ${demoPidDir(dir)} and ${path.join(dir, "pids")}): ${pids}, and the control plane. Logs: ${path.join(dir, "logs")}. This text: ${path.join(dir, "commands.txt")}.\n`,
    );
}

main().then(
    () => process.exit(0),
    (err) => {
        process.stderr.write(
            `npm start failed: ${(err as Error).message}\n${begun ? `npm stop ends whatever it had started (logs: ${path.join(demoDir(), "logs")}).\n` : ""}`,
        );
        process.exit(1);
    },
);
