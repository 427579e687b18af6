/**
 * npm run fleet -- preview|up|status [--stacks a,b] [--waves staging:prod] [--json] ...
 *
 * Every stack of this project (one per cluster) as a fleet, on Pulumi's Automation API: the backend,
 * the passphrase or secrets provider and KUBECONFIG are the environment's, as for the pulumi CLI;
 * each stack's config file names its kubeconfig context. Progress goes to stderr, the report to
 * stdout (text, or one JSON document with --json). Exit codes: see USAGE.
 */
import * as path from "path";
import { parseFleetArgs, USAGE, UsageError } from "./args";
import { AutomationOps } from "./automation";
import { previewText, statusText, upText } from "./report";
import { EXIT, fleetPreview, fleetStatus, fleetUp, RunOptions } from "./runner";
import { planWaves, selectStacks } from "./waves";

const PROJECT = path.join(__dirname, "..");

async function main(argv: string[]): Promise<number> {
    const started = Date.now();
    const log = (message: string) => process.stderr.write(`[fleet ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`);
    const args = parseFleetArgs(argv);
    const configDir = path.resolve(args.configDir ?? PROJECT);
    const ops = await AutomationOps.create(PROJECT, configDir);
    const backend = await ops.listStacks();
    try {
        const stacks = selectStacks(backend.names, (s) => ops.hasConfig(s), args.stacks);
        const options: RunOptions = { concurrency: args.concurrency, healthTimeoutSeconds: args.healthTimeoutSeconds, log };
        let report;
        let text: string;
        if (args.command === "preview") {
            log(`previewing ${stacks.join(", ")} (${args.concurrency} at once)`);
            report = await fleetPreview(stacks, ops, options);
            text = previewText(report);
        } else if (args.command === "up") {
            const waves = planWaves(stacks, args.waves, args.stacks !== undefined);
            log(`waves: ${waves.map((w, i) => `${i + 1}: ${w.join(", ")}`).join("; ")}`);
            report = await fleetUp(waves, ops, options);
            text = upText(report);
        } else {
            report = await fleetStatus(stacks, ops, options);
            text = statusText(report);
        }
        process.stdout.write(`${args.json ? JSON.stringify(report, null, 2) : text}\n`);
        log(`done in ${((Date.now() - started) / 1000).toFixed(0)}s, exit ${report.exitCode}`);
        return report.exitCode;
    } finally {
        await ops.restoreSelection(backend.current).catch((err) => log(`could not select ${backend.current} again: ${err.message}`));
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
        if (err instanceof UsageError) {
            process.stderr.write(`fleet: ${err.message}\n${USAGE}\n`);
            process.exit(EXIT.usage);
        }
        process.stderr.write(`fleet: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(EXIT.failed);
    },
);
