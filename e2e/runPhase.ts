/**
 * One phase of npm run e2e alone, with its own report:
 *
 *   npm run e2e:platform     the platform phase (e2e/platform/phase.ts): it uses no fixed port of
 *                            the main run (only 14120, the Prometheus operator's), so it may run beside it
 *   npm run e2e:production   the production phase (e2e/production/phase.ts): the main run's ports
 *                            (14090-14093), so not beside it
 *   npm run e2e:newrelic     the New Relic phase (e2e/newrelic/phase.ts): the main run's ports and
 *                            14150 (the NerdGraph stand-in), so not beside it
 *   npm run e2e:demo         the demo phase (e2e/demo/phase.ts): npm start and its printed commands, on
 *                            the demo's ports (14160-14165), so beside the main run but not beside a demo
 *   npm run e2e:fleet        the fleet phase (e2e/fleet/phase.ts): two control planes, their stacks in
 *                            PostgreSQL (14170), npm run fleet; the main run's ports and 14180-14184, so not beside it
 *
 *   CANARY_E2E_DIR   the phase's control plane runs in <dir>-<phase> (default /tmp/canary-e2e)
 *   CANARY_E2E_OUT   where the report goes (default <dir>-<phase>-report)
 */
import { demoPhase } from "./demo/phase";
import { fleetPhase } from "./fleet/phase";
import { platformPhase } from "./platform/phase";
import { newRelicPhase } from "./newrelic/phase";
import { productionPhase } from "./production/phase";
import { writeReport } from "./report/write";
import { ScenarioResult } from "./report/types";

const PHASES = { platform: platformPhase, production: productionPhase, newrelic: newRelicPhase, demo: demoPhase, fleet: fleetPhase };
type Phase = keyof typeof PHASES;

const started = Date.now();

async function main(phase: Phase): Promise<number> {
    const log = (message: string) => process.stderr.write(`[e2e:${phase} ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`);
    const dir = process.env.CANARY_E2E_DIR ?? "/tmp/canary-e2e";
    const results: ScenarioResult[] = [];
    await PHASES[phase](`${dir}-${phase}`, log, (result) => {
        results.push(result);
        log(`${result.passed ? "pass" : "FAIL"}: ${result.name}: ${result.observed}`);
    });
    const out = process.env.CANARY_E2E_OUT ?? `${dir}-${phase}-report`;
    const written = writeReport(out, results, { startedAt: new Date(started).toISOString(), durationSeconds: (Date.now() - started) / 1000, versions: {} });
    const failed = results.filter((r) => !r.passed).length;
    process.stdout.write(
        `${results.map((r) => `${r.passed ? "pass" : "FAIL"} ${r.seconds.toFixed(1)}s ${r.name}: ${r.observed}`).join("\n")}\n\nreport: ${written.join(", ")}\n`,
    );
    process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
}

const phase = process.argv[2];
if (!(phase in PHASES)) {
    process.stderr.write(`usage: e2e/runPhase.ts ${Object.keys(PHASES).join("|")}\n`);
    process.exit(2);
}
main(phase as Phase).then(
    (code) => process.exit(code),
    (err) => {
        process.stderr.write(`${err}\n`);
        process.exit(1);
    },
);
