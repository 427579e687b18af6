/**
 * npm run e2e: a real local control plane, the real Argo Rollouts controller
 * and a real Prometheus decide real canaries of the local stack's app.
 *
 *   CANARY_E2E_DIR   state and logs (default /tmp/canary-e2e)
 *   CANARY_E2E_OUT   where the report goes (default <dir>/report)
 */
import * as path from "path";
import { brokenRelease } from "../components/spec/exposure";
import { readStackFile } from "../scripts/stackFile";
import { parseStackConfig } from "../stacks";
import { destroyHealthy, destroyMidCanary, statusCommand } from "./destroyScenarios";
import { Env, setUp } from "./environment";
import { run, stopAll } from "./lib/proc";
import { ScenarioResult, stepResult } from "./report/types";
import { writeReport } from "./report/write";
import { canaryScenarios, runCanary } from "./scenarios";

const ROOT = path.join(__dirname, "..");
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
const log = (message: string) => process.stderr.write(`[e2e ${elapsed()}] ${message}\n`);

function localApp() {
    const file = readStackFile("local");
    const json = (key: string) => JSON.parse(file.config[`canary-stack:${key}`]);
    return parseStackConfig({ platform: json("platform"), apps: json("apps") }).apps[0];
}

function statusResult(name: string, expectZero: boolean, env: Env): ScenarioResult {
    const code = statusCommand(env);
    return stepResult(name, expectZero ? "exit 0" : "non-zero exit", `exit ${code}`, expectZero ? code === 0 : code !== 0);
}

function table(results: ScenarioResult[]): string {
    const rows = results.map((r) => `| ${r.name} | ${r.passed ? "pass" : "FAIL"} | ${r.seconds.toFixed(1)} | ${r.observed} |`);
    return ["| step | result | seconds | observed |", "|---|---|---|---|", ...rows].join("\n");
}

async function main(): Promise<number> {
    const dir = process.env.CANARY_E2E_DIR ?? "/tmp/canary-e2e";
    const out = process.env.CANARY_E2E_OUT ?? path.join(dir, "report");
    const results: ScenarioResult[] = [];
    const predicted = brokenRelease(localApp()).seconds;
    try {
        const env = await setUp(dir, log);
        const second = env.pulumi.noChanges();
        results.push(stepResult("second pulumi up of the restore stack", "no changes (the snapshot is not read again)",
            second.ok ? "pulumi preview --expect-no-changes exited 0" : `changes: ${second.output.slice(-400)}`, second.ok));
        for (const scenario of canaryScenarios(predicted)) {
            const result = await runCanary(env, scenario);
            results.push(result);
            log(`${result.passed ? "pass" : "FAIL"}: ${result.name}: ${result.observed}`);
            if (scenario.tag === "v2") results.push(statusResult("status command on the promoted canary", true, env));
            if (scenario.tag === "v3") results.push(statusResult("status command on the aborted canary", false, env));
        }
        results.push(await destroyMidCanary(env));
        results.push(await destroyHealthy(env));
    } catch (err) {
        log(`e2e stopped: ${(err as Error).stack ?? err}`);
        results.push(stepResult("e2e run", "completes", (err as Error).message, false));
    } finally {
        await stopAll();
        try {
            run(path.join(ROOT, "scripts", "cluster-down"), [], { ...process.env, CANARY_E2E_DIR: dir });
        } catch (err) {
            log(`cluster-down: ${(err as Error).message}`);
        }
    }
    const written = writeReport(out, results, {
        startedAt: new Date(started).toISOString(), durationSeconds: (Date.now() - started) / 1000,
        versions: { kubernetes: "v1.35.4", argoRollouts: "v1.8.3", prometheus: run("prometheus", ["--version"]).split("\n")[0] },
    });
    process.stdout.write(`${table(results)}\n\nreport: ${written.join(", ")}\n`);
    const failed = results.filter((r) => !r.passed).length;
    process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
    process.stderr.write(`${err}\n`);
    process.exit(1);
});
