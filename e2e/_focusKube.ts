// Temporary focused run (not committed): the stored-kubeconfig rows only.
import * as path from "path";
import { destroyHealthy } from "./destroyScenarios";
import { appObjects, migrate, noChanges, previewMatchesRender } from "./engineScenarios";
import { setUp } from "./environment";
import { startSecondCluster, stopSecondCluster, wrongClusterRows } from "./guardScenarios";
import { serverUrlRow } from "./kubeconfigScenarios";
import { run, stopAll } from "./lib/proc";
import { ScenarioResult } from "./report/types";

const ROOT = path.join(__dirname, "..");
const started = Date.now();
const log = (m: string) => process.stderr.write(`[focus ${((Date.now() - started) / 1000).toFixed(0)}s] ${m}\n`);

async function main() {
    const dir = "/tmp/canary-e2e-kube";
    const secondDir = `${dir}-second-cluster`;
    const results: ScenarioResult[] = [];
    const record = (r: ScenarioResult) => { results.push(r); log(`${r.passed ? "pass" : "FAIL"} (${r.seconds.toFixed(1)}s): ${r.name}: ${r.observed}`); };
    try {
        const env = await setUp(dir, log);
        const original = appObjects(env);
        const { result, objects } = await previewMatchesRender(env);
        record(result);
        const second = startSecondCluster(secondDir, path.join(dir, "logs", "second-cluster-up.log"));
        record(await migrate(env, objects));
        record(await noChanges(env, "right after the first"));
        for (const row of await wrongClusterRows(env, second)) record(row);
        record(serverUrlRow(env));
        record(await noChanges(env, "after the server URL rows"));
        record(await destroyHealthy(env, objects, original, "pulumi destroy, the stack's kubeconfig file moved away", { kubeconfigMoved: true }));
    } catch (err) {
        log(`stopped: ${(err as Error).stack}`);
    } finally {
        try { stopSecondCluster(secondDir); } catch (e) { log(String(e)); }
        await stopAll();
        try { run(path.join(ROOT, "scripts", "cluster-down"), [], { ...process.env, CANARY_E2E_DIR: dir }); } catch (e) { log(String(e)); }
    }
    log(`${results.filter((r) => r.passed).length}/${results.length} passed`);
}
main().then(() => process.exit(0));
