/**
 * PID files of processes that outlive the node process that started them (the demo's, see
 * proc.ts `outliveThisProcess`): one `<name>.pid` per process, holding its PID and the command it
 * was started with (scripts/cluster-up's hold the PID alone). They are stopped by that PID alone, and only while the PID still runs that
 * command: a PID the kernel has since given to another program is left alone.
 */
import * as fs from "fs";
import * as path from "path";

export interface PidFile {
    name: string;
    pid: number;
    /** Unset in a file of scripts/cluster-up's, which holds the PID alone. */
    command?: string;
}

export function pidFileText(pid: number, command: string): string {
    return `${pid} ${command}\n`;
}

/** `<pid> <command>`, or `<pid>` alone (scripts/cluster-up's); undefined for anything else. */
export function parsePidFile(name: string, text: string): PidFile | undefined {
    const match = /^(\d+)(?: (\S.*))?$/.exec(text.trim());
    if (!match) return undefined;
    return match[2] === undefined ? { name, pid: Number(match[1]) } : { name, pid: Number(match[1]), command: match[2] };
}

/** Does `/proc/<pid>/cmdline` (NUL-separated argv) show the command the PID file names? Compared by the program's file name. */
export function runsCommand(cmdline: string, command: string): boolean {
    const argv0 = cmdline.split("\0")[0];
    return argv0 !== "" && path.basename(argv0) === path.basename(command);
}

export function readPidFiles(dir: string): PidFile[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".pid"))
        .sort()
        .flatMap((f) => {
            const parsed = parsePidFile(f.slice(0, -".pid".length), fs.readFileSync(path.join(dir, f), "utf8"));
            return parsed ? [parsed] : [];
        });
}

/** The process runs, is not a zombie, and still runs the file's command (where the file names one). */
export function pidFileAlive(file: PidFile): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${file.pid}/stat`, "utf8");
        // The state is the field after the command name in parentheses, which may itself hold spaces.
        if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return false;
        return file.command === undefined || runsCommand(fs.readFileSync(`/proc/${file.pid}/cmdline`, "utf8"), file.command);
    } catch {
        return false;
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops every process of `dir`'s PID files, in name order:
 * SIGTERM, then SIGKILL after `graceMs`; removes each file. Returns what it did, one line a process.
 */
export async function stopPidFiles(dir: string, graceMs = 10000): Promise<string[]> {
    const done: string[] = [];
    for (const file of readPidFiles(dir)) {
        if (!pidFileAlive(file)) {
            done.push(`${file.name} (pid ${file.pid}): not running`);
        } else {
            process.kill(file.pid, "SIGTERM");
            const deadline = Date.now() + graceMs;
            while (pidFileAlive(file) && Date.now() < deadline) await sleep(100);
            let how = "SIGTERM";
            if (pidFileAlive(file)) {
                process.kill(file.pid, "SIGKILL");
                how = `SIGKILL after ${graceMs / 1000}s`;
                while (pidFileAlive(file)) await sleep(50);
            }
            done.push(`${file.name} (pid ${file.pid}): stopped (${how})`);
        }
        fs.rmSync(path.join(dir, `${file.name}.pid`), { force: true });
    }
    return done;
}

/** Removes `<dir>/<name>.pid` if it names `pid` (a process stopped by `stop`; a restart under the same name writes its own). */
export function removePidFile(dir: string, name: string, pid: number): void {
    const file = path.join(dir, `${name}.pid`);
    const parsed = fs.existsSync(file) ? parsePidFile(name, fs.readFileSync(file, "utf8")) : undefined;
    if (parsed?.pid === pid) fs.rmSync(file, { force: true });
}
