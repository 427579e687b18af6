/**
 * npm run e2e: a real local control plane, the real Argo Rollouts controller
 * and a real Prometheus decide real canaries of the local stack's app.
 *
 *   CANARY_E2E_DIR   state and logs (default /tmp/canary-e2e)
 *   CANARY_E2E_OUT   where the report goes (default <dir>/report)
 */
import * as path from "path";
import { readStackFile } from "../scripts/stackFile";
import { parseStackConfig } from "../stacks";
import { destroyHealthy, destroyMidCanary } from "./destroyScenarios";
import { appObjects, badConfig, ciAccountLimits, ladderChange, migrate, noChanges, operatorRow, previewMatchesRender, upUnreconciled } from "./engineScenarios";
import { setUp } from "./environment";
import { run, stop, stopAll } from "./lib/proc";
import { ScenarioResult, stepResult } from "./report/types";
import { writeReport } from "./report/write";
import { canaryScenarios, runCanary } from "./scenarios";
import { watchdogCatches } from "./watchdogScenario";

const ROOT = path.join(__dirname, "..");
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
const log = (message: string) => process.stderr.write(`[e2e ${elapsed()}] ${message}\n`);

function localApp() {
    const file = readStackFile("local");
    const json = (key: string) => JSON.parse(file.config[`canary-stack:${key}`]);
    return parseStackConfig({ platform: json("platform"), apps: json("apps") }).apps[0];
}

function table(results: ScenarioResult[]): string {
    const rows = results.map((r) => `| ${r.name} | ${r.passed ? "pass" : "FAIL"} | ${r.seconds.toFixed(1)} | ${r.observed} |`);
    return ["| step | result | seconds | observed |", "|---|---|---|---|", ...rows].join("\n");
}

async function main(): Promise<number> {
    const dir = process.env.CANARY_E2E_DIR ?? "/tmp/canary-e2e";
    const out = process.env.CANARY_E2E_OUT ?? path.join(dir, "report");
    const results: ScenarioResult[] = [];
    const app = localApp();
    try {
        const env = await setUp(dir, log);
        const record = (result: ScenarioResult) => {
            results.push(result);
            log(`${result.passed ? "pass" : "FAIL"}: ${result.name}: ${result.observed}`);
        };
        const original = appObjects(env);
        record(badConfig(env));
        const { result: previewRow, objects } = await previewMatchesRender(env);
        record(previewRow);
        record(await migrate(env, objects));
        record(await noChanges(env, "right after the first"));
        record(await ladderChange(env));
        record(operatorRow(env, "get", "on the adopted Rollout", true));
        record(ciAccountLimits(env));
        for (const scenario of canaryScenarios(app)) {
            record(await runCanary(env, scenario, app));
            if (scenario.tag === "v2") record(operatorRow(env, "status", "on the promoted canary", true));
            if (scenario.tag === "v3") record(operatorRow(env, "status", "on the aborted canary", false));
            if (scenario.tag === "v6") {
                // The paused, inconclusive canary: abort it, retry it, promote past the pause.
                record(operatorRow(env, "abort", "on the paused canary", true, (r) => (r.status?.abort ? undefined : "status.abort not set")));
                record(operatorRow(env, "retry", "on the aborted canary", true, (r) => (r.status?.abort ? "still aborted" : undefined)));
                record(operatorRow(env, "promote", "on the retried canary", true));
            }
        }
        // A broken canary during a long pause: only the watchdog (a background run) can abort it in time.
        for (const row of await watchdogCatches(env)) record(row);
        record(await noChanges(env, "after all canary scenarios"));
        record(await destroyMidCanary(env, objects));
        record(await destroyHealthy(env, objects, original));
        record(await migrate(env, objects, "pulumi up after the destroy migrates the app again"));
        // The rollback migration when the controller is gone: after it ran, and when it never did.
        await stop(env.controller);
        record(await destroyHealthy(env, objects, original, "pulumi destroy with the controller stopped (after it adopted the app)"));
        record(await upUnreconciled(env));
        record(await destroyHealthy(env, objects, original, "pulumi destroy with the controller stopped (a Rollout it never reconciled)"));
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
