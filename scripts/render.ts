/**
 * Offline render: runs the real program under Pulumi's mock engine with a
 * stack's config file and writes every object it would register as one
 * multi-document YAML stream. No cluster, no Pulumi CLI.
 *
 *   npm run render -- --stack prod [--out prod.yaml] [--live live.yaml] [--config-file file]
 *
 * `--config-file` reads the stack's config from that file instead of the
 * project's `Pulumi.<stack>.yaml`, as `pulumi preview --config-file` does.
 *
 * The program reads the app's existing Service to copy its ports and
 * selector. `--live` gives those objects (e.g. `kubectl get svc NAME -o yaml`,
 * several as one YAML stream); without it, a placeholder Service (port 80 to
 * `http`, selector `app: <service name>`) stands in and the output says so.
 * With the app's Deployment among them (and its namespace's
 * HorizontalPodAutoscalers and PodDisruptionBudgets:
 * `kubectl get deploy,svc,hpa,pdb -n NS -o yaml`), the preflight checks them
 * as `pulumi preview` would; its warnings go to stderr, its errors fail the render.
 */
import { Console } from "console";
import * as fs from "fs";
import { parseAllDocuments } from "yaml";
import { ClusterFixtures, FIXTURE_TYPES } from "./mockEngine";
import { renderStack } from "./renderStack";
import { readStackFile } from "./stackFile";

interface Args {
    stack: string;
    out?: string;
    live?: string;
    configFile?: string;
}

const USAGE = "npm run render -- --stack <name> [--out <file>] [--live <file>] [--config-file <file>]";

function parseArgs(argv: string[]): Args {
    const args: Partial<Args> = {};
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const value = argv[i + 1];
        if (!["--stack", "--out", "--live", "--config-file"].includes(flag) || value === undefined) {
            throw new Error(`usage: ${USAGE} (got ${JSON.stringify(flag)})`);
        }
        args[(flag === "--config-file" ? "configFile" : flag.slice(2)) as keyof Args] = value;
        i++;
    }
    if (!args.stack) throw new Error(`usage: ${USAGE}`);
    return args as Args;
}

const LIVE_KINDS = Object.keys(FIXTURE_TYPES) as (keyof typeof FIXTURE_TYPES)[];

function liveFixtures(file: string): ClusterFixtures {
    const fixtures: ClusterFixtures = {};
    for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
        const o = doc.toJS();
        if (!o) continue;
        const items = o.kind === "List" ? o.items : [o];
        for (const item of items) {
            if (!LIVE_KINDS.includes(item.kind)) throw new Error(`${file}: only ${LIVE_KINDS.join(", ")} objects are read live, not ${item.kind}`);
            const { labels, annotations } = item.metadata;
            fixtures[`${FIXTURE_TYPES[item.kind as keyof typeof FIXTURE_TYPES]} ${item.metadata.namespace}/${item.metadata.name}`] = {
                metadata: { labels, annotations },
                spec: item.spec,
            };
        }
    }
    return fixtures;
}

/**
 * stdout carries the YAML stream alone, so it can be piped. Without an engine,
 * Pulumi's log (the program's pulumi.log.info) prints with console.log: every
 * console line goes to stderr instead.
 */
function logToStderr(): void {
    globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
}

async function main(): Promise<void> {
    logToStderr();
    const args = parseArgs(process.argv.slice(2));
    const file = args.configFile ? readStackFile(args.stack, undefined, args.configFile) : readStackFile(args.stack);
    const rendered = await renderStack(args.stack, file, args.live ? liveFixtures(args.live) : {});
    for (const note of rendered.notes) process.stderr.write(`${note}\n`);
    if (args.out) {
        fs.writeFileSync(args.out, rendered.text);
        process.stderr.write(`wrote ${rendered.objectCount} objects to ${args.out}\n`);
    } else {
        process.stdout.write(rendered.text);
    }
}

main().catch((err: Error) => {
    process.stderr.write(`render failed: ${err.message}\n`);
    process.exit(1);
});
