import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { pidFileText, removePidFile } from "./pidFiles";

/** A background process the e2e run started; it is stopped by its own PID, never by name. */
export interface Started {
    name: string;
    pid: number;
    child: ChildProcess;
    log: string;
}

const running: Started[] = [];

/** Where processes started from now on record their PIDs, when they are to outlive this one (see `outliveThisProcess`). */
let pidDir: string | undefined;

/**
 * From now on every `start` makes a process that outlives this node process (`npm start` of the demo):
 * in a session of its own (so a Ctrl-C of the terminal does not reach it), not waited for, and with its
 * PID and command in `<dir>/<name>.pid`, from which `stopPidFiles` (pidFiles.ts) stops it. The e2e does
 * not call it: its processes die with it (`stopAll`).
 */
export function outliveThisProcess(dir: string): void {
    pidDir = dir;
}

/** Starts `command` with its output in `log`. */
export function start(name: string, command: string, args: string[], log: string, env: NodeJS.ProcessEnv = process.env): Started {
    // Made here, not once: scripts/cluster-up removes and makes the state dir anew.
    if (pidDir !== undefined) fs.mkdirSync(pidDir, { recursive: true });
    const out = fs.openSync(log, "a");
    const child = spawn(command, args, { stdio: ["ignore", out, out], env, detached: pidDir !== undefined });
    fs.closeSync(out);
    // A spawn failure (e.g. not on PATH) is reported here; without a listener it would crash the run.
    child.on("error", (err) => fs.appendFileSync(log, `${name}: ${err.message}\n`));
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    if (pidDir !== undefined) {
        fs.writeFileSync(path.join(pidDir, `${name}.pid`), pidFileText(child.pid, command));
        child.unref();
    }
    const started = { name, pid: child.pid, child, log };
    running.push(started);
    return started;
}

/** The process runs (signal 0 reaches it). */
export function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** SIGTERM, then SIGKILL after `graceMs`; waits until the process is gone. */
export async function stop(started: Started, graceMs = 5000): Promise<void> {
    const index = running.indexOf(started);
    if (index >= 0) running.splice(index, 1);
    if (pidDir !== undefined) removePidFile(pidDir, started.name, started.pid);
    if (!alive(started.pid)) return;
    process.kill(started.pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (alive(started.pid) && Date.now() < deadline) await sleep(100);
    if (alive(started.pid)) process.kill(started.pid, "SIGKILL");
    while (alive(started.pid)) await sleep(50);
}

/** Stops everything still running, last started first. */
export async function stopAll(): Promise<void> {
    for (const started of [...running].reverse()) await stop(started);
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value, or throws `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, everyMs = 250): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (err) {
            lastError = err;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`);
        }
        await sleep(everyMs);
    }
}

/** Runs a command to completion; throws with its output on failure. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, input?: string): string {
    try {
        return execFileSync(command, args, { env, input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string; status?: number };
        throw new Error(`${command} ${args.join(" ")} exited ${e.status}: ${(e.stderr || e.stdout || "").trim()}`);
    }
}
