/**
 * npm stop: ends what npm start started, by the PIDs it recorded: the demo's processes
 * (<dir>/demo-pids), then the control plane with scripts/cluster-down (<dir>/pids), which removes
 * the state dir. Safe to run when nothing runs.
 *
 *   CANARY_DEMO_DIR   the demo's state dir (default /tmp/canary-demo)
 */
import * as path from "path";
import { spawnSync } from "child_process";
import { stopPidFiles } from "../lib/pidFiles";
import { demoDir, demoPidDir } from "./config";

const ROOT = path.join(__dirname, "..", "..");

async function main(): Promise<number> {
    const dir = demoDir();
    for (const line of await stopPidFiles(demoPidDir(dir))) process.stderr.write(`[demo stop] ${line}\n`);
    // cluster-down refuses to remove a state dir with PID files it does not know; the demo's are gone by now.
    const down = spawnSync(path.join(ROOT, "scripts", "cluster-down"), [], {
        stdio: ["ignore", process.stderr, process.stderr],
        env: { ...process.env, CANARY_E2E_DIR: dir },
    });
    return down.status ?? 1;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        process.stderr.write(`npm stop failed: ${(err as Error).message}\n`);
        process.exit(1);
    },
);
