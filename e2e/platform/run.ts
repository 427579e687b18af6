/**
 * npm run e2e:platform: the platform phase of npm run e2e alone, with its own
 * report. It uses no fixed port of the main run (only 14120, the Prometheus
 * operator's), so it may run beside it.
 *
 *   CANARY_E2E_DIR   the phase's control plane runs in <dir>-platform (default /tmp/canary-e2e)
 *   CANARY_E2E_OUT   where the report goes (default <dir>-platform-report)
 */
import { writeReport } from "../report/write";
import { ScenarioResult } from "../report/types";
import { platformPhase } from "./phase";

const started = Date.now();
const log = (message: string) => process.stderr.write(`[e2e:platform ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`);

async function main(): Promise<number> {
    const dir = process.env.CANARY_E2E_DIR ?? "/tmp/canary-e2e";
    const results: ScenarioResult[] = [];
    await platformPhase(`${dir}-platform`, log, (result) => {
        results.push(result);
        log(`${result.passed ? "pass" : "FAIL"}: ${result.name}: ${result.observed}`);
    });
    const out = process.env.CANARY_E2E_OUT ?? `${dir}-platform-report`;
    const written = writeReport(out, results, { startedAt: new Date(started).toISOString(), durationSeconds: (Date.now() - started) / 1000, versions: {} });
    const failed = results.filter((r) => !r.passed).length;
    process.stdout.write(`${results.map((r) => `${r.passed ? "pass" : "FAIL"} ${r.seconds.toFixed(1)}s ${r.name}: ${r.observed}`).join("\n")}\n\nreport: ${written.join(", ")}\n`);
    process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
    process.stderr.write(`${err}\n`);
    process.exit(1);
});
