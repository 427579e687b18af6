// Tests e2e/lib/pidFiles.ts: a PID file names its process, a PID that runs another program is left
// alone, and a stop ends the process and removes its file.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import { parsePidFile, pidFileAlive, pidFileText, readPidFiles, runsCommand, stopPidFiles } from "../e2e/lib/pidFiles";

describe("PID files (e2e/lib/pidFiles.ts)", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pidfiles-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes and reads back the PID and the command", () => {
        assert.deepEqual(parsePidFile("prometheus", pidFileText(123, "prometheus")), { name: "prometheus", pid: 123, command: "prometheus" });
        assert.deepEqual(parsePidFile("etcd", "4997\n"), { name: "etcd", pid: 4997 });
        assert.equal(parsePidFile("x", "not a pid\n"), undefined);
        assert.equal(parsePidFile("x", ""), undefined);
    });

    it("matches a process by its program's file name", () => {
        assert.ok(runsCommand("/usr/bin/prometheus\0--config.file=x\0", "prometheus"));
        assert.ok(runsCommand("node\0-r\0ts-node\0", "node"));
        assert.ok(!runsCommand("bash\0-c\0prometheus\0", "prometheus"));
        assert.ok(!runsCommand("", "prometheus"));
    });

    it("leaves a PID that now runs another program alone, and removes its file", async () => {
        // This test's own PID, recorded as another program's.
        fs.writeFileSync(path.join(dir, "prometheus.pid"), pidFileText(process.pid, "prometheus"));
        assert.equal(pidFileAlive(readPidFiles(dir)[0]), false);
        assert.deepEqual(await stopPidFiles(dir), [`prometheus (pid ${process.pid}): not running`]);
        assert.deepEqual(fs.readdirSync(dir), []);
    });

    it("counts a PID file of cluster-up's (the PID alone) alive while its process runs", () => {
        assert.equal(pidFileAlive({ name: "self", pid: process.pid }), true);
        assert.equal(pidFileAlive({ name: "gone", pid: 2 ** 22 + 1 }), false);
    });

    it("stops a running process by its PID (SIGTERM) and removes its file", async () => {
        const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
        const exited = new Promise((resolve) => child.on("exit", resolve));
        fs.writeFileSync(path.join(dir, "sleeper.pid"), pidFileText(child.pid!, "sleep"));
        assert.equal(pidFileAlive(readPidFiles(dir)[0]), true);
        const [line] = await Promise.all([stopPidFiles(dir).then((l) => l[0]), exited]);
        assert.equal(line, `sleeper (pid ${child.pid}): stopped (SIGTERM)`);
        assert.deepEqual(fs.readdirSync(dir), []);
    });
});
