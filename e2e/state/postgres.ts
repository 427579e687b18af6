/**
 * A PostgreSQL server for the Pulumi CLI's PostgreSQL state backend (`pulumi login postgres://...`),
 * on the loopback: Debian's PostgreSQL (scripts/e2e-prereqs installs it), a fresh cluster in
 * `<dir>/data` run as the `postgres` system user (PostgreSQL refuses root), password authentication
 * (scram-sha-256) for the role `canary`, which owns the database `pulumi`. The superuser `postgres`
 * has no password: it connects only through the Unix socket in the data dir, by peer authentication.
 */
import { execFileSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { alive, sleep } from "../lib/proc";

export const POSTGRES_PORT = 14170;
/** The role and database the state lives in; the backend creates its table (`pulumi_state`) on first connect. */
export const STATE_ROLE = "canary";
export const STATE_DATABASE = "pulumi";
export const STATE_TABLE = "pulumi_state";

export interface Postgres {
    /** `postgres://canary@127.0.0.1:<port>/pulumi?sslmode=disable`: no password in it. */
    url: string;
    /** What a pulumi (or psql, pg_dump) command needs beside the URL: `PGPASSWORD`. */
    env: NodeJS.ProcessEnv;
    dataDir: string;
    port: number;
    /** The postmaster's PID (postmaster.pid). */
    pid: number;
    /** Runs SQL as the role `canary` over TCP (`psql -At`); returns its output. */
    query(sql: string): string;
    /** `pg_dump` of the database `pulumi`, as the role `canary` (what a team's backup holds). */
    dump(): string;
    /** Fast shutdown (SIGINT to the postmaster's PID); waits until it is gone. */
    stop(): Promise<void>;
}

/** The state backend URL for a role, port and database; the password goes in `PGPASSWORD`, never in the URL. */
export function postgresUrl(port: number, role = STATE_ROLE, database = STATE_DATABASE, sslmode = "disable"): string {
    return `postgres://${role}@127.0.0.1:${port}/${database}?sslmode=${sslmode}`;
}

/** The newest `/usr/lib/postgresql/<major>/bin` that has initdb (Debian's layout). */
export function postgresBin(root = "/usr/lib/postgresql"): string {
    const majors = fs.existsSync(root)
        ? fs
              .readdirSync(root)
              .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, "bin", "initdb")))
              .sort((a, b) => Number(b) - Number(a))
        : [];
    if (majors.length === 0) throw new Error(`no ${root}/*/bin/initdb: run scripts/e2e-prereqs (it installs Debian's postgresql)`);
    return path.join(root, majors[0], "bin");
}

/** The PID on the first line of `postmaster.pid`, if the file is there. */
export function postmasterPid(dataDir: string): number | undefined {
    const file = path.join(dataDir, "postmaster.pid");
    if (!fs.existsSync(file)) return undefined;
    const pid = Number(fs.readFileSync(file, "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function asPostgres(bin: string, program: string, args: string[], input?: string, env: NodeJS.ProcessEnv = process.env): string {
    try {
        return execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, program), ...args], {
            input,
            env,
            encoding: "utf8",
            stdio: ["pipe", "pipe", "pipe"],
            maxBuffer: 256 * 1024 * 1024,
        });
    } catch (err) {
        const e = err as { stderr?: string; stdout?: string; status?: number };
        throw new Error(`${program} exited ${e.status}: ${(e.stderr || e.stdout || "").trim()}`);
    }
}

/**
 * initdb, start, wait until it accepts connections on 127.0.0.1:`port`, create the role and the
 * database. Refuses when a server of an earlier run still runs in `dir`.
 */
export async function startPostgres(dir: string, log: (m: string) => void, port = POSTGRES_PORT): Promise<Postgres> {
    const bin = postgresBin();
    const dataDir = path.join(dir, "data");
    const running = postmasterPid(dataDir);
    if (running !== undefined && alive(running)) throw new Error(`PostgreSQL (pid ${running}) still runs in ${dataDir}: stop it first`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "logs"), { recursive: true });
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700);
    const logFile = path.join(dir, "logs", "postgres.log");
    fs.writeFileSync(logFile, "");
    execFileSync("chown", ["postgres:postgres", dataDir, logFile]);
    // The postgres user must reach the data dir through its parents.
    fs.chmodSync(dir, 0o755);

    const t0 = Date.now();
    const password = randomBytes(24).toString("hex");
    asPostgres(bin, "initdb", ["-D", dataDir, "-U", "postgres", "--auth-local=peer", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions"]);
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dataDir}`;
    asPostgres(bin, "pg_ctl", ["start", "-D", dataDir, "-w", "-t", "60", "-l", logFile, "-o", options]);
    const pid = postmasterPid(dataDir);
    if (pid === undefined) throw new Error(`PostgreSQL started but wrote no ${dataDir}/postmaster.pid`);
    const stop = async () => {
        if (!alive(pid)) return;
        process.kill(pid, "SIGINT");
        const deadline = Date.now() + 30000;
        while (alive(pid) && Date.now() < deadline) await sleep(100);
        if (alive(pid)) process.kill(pid, "SIGQUIT");
        while (alive(pid)) await sleep(100);
    };
    try {
        // On stdin, so the password is on no command line; psql runs each statement on its own (CREATE DATABASE refuses a transaction).
        const sql = `CREATE ROLE ${STATE_ROLE} LOGIN PASSWORD '${password}';\nCREATE DATABASE ${STATE_DATABASE} OWNER ${STATE_ROLE};\n`;
        asPostgres(bin, "psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", dataDir, "-p", String(port), "-d", "postgres"], sql);
    } catch (err) {
        await stop();
        throw err;
    }
    const env = { PGPASSWORD: password };
    const clientEnv = { ...process.env, ...env };
    const tcp = ["-h", "127.0.0.1", "-p", String(port), "-U", STATE_ROLE];
    const client = (program: string, args: string[]) =>
        execFileSync(path.join(bin, program), [...tcp, ...args], { env: clientEnv, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const ready = client("pg_isready", ["-d", STATE_DATABASE]).trim();
    log(`PostgreSQL ${path.basename(path.dirname(bin))} (pid ${pid}) on 127.0.0.1:${port} in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${ready}`);
    return {
        url: postgresUrl(port),
        env,
        dataDir,
        port,
        pid,
        query: (sql) => client("psql", ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", STATE_DATABASE, "-c", sql]),
        dump: () => client("pg_dump", ["-d", STATE_DATABASE]),
        stop,
    };
}
