/**
 * npm run bench:fleet: wall seconds of the fleet against the same work by hand, on the fleet phase's
 * world (two control planes, their stacks in PostgreSQL): the two stacks' `pulumi preview` one after
 * the other against `npm run fleet -- preview`, and `pulumi up` of the first stack, a look at its
 * Rollout, then `pulumi up` of the second, against `npm run fleet -- up --waves a:b`, all after the
 * migration (the ups change nothing), in alternating order, ROUNDS times. Not part of npm test or the
 * e2e run; the main run's ports, so not beside it. Prints a table (and writes it to CANARY_BENCH_OUT).
 *
 *   CANARY_BENCH_DIR   state and logs (default /tmp/canary-fleet-bench)
 *   CANARY_BENCH_ROUNDS  (default 2)
 */
import * as fs from "fs";
import { DEMO } from "../demoApp";
import { PROD, STAGING } from "./config";
import { setUpFleet, tearDownFleet } from "./fleetSetUp";
import { Fleet, runFleet } from "./rows";
import { Postgres } from "../state/postgres";

const started = Date.now();
const log = (message: string) => process.stderr.write(`[bench:fleet ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`);

function timed(what: string, work: () => void): number {
    const t0 = Date.now();
    work();
    const seconds = (Date.now() - t0) / 1000;
    log(`${what}: ${seconds.toFixed(1)}s`);
    return seconds;
}

function mustFleet(fleet: Fleet, args: string[]): void {
    const run = runFleet(fleet, args);
    if (run.code !== 0) throw new Error(`fleet ${args.join(" ")} exited ${run.code}: ${run.stderr.slice(-1500)}`);
}

/** By hand, as an operator goes through the clusters: each stack in turn, and a look at the first's Rollout before the second. */
function byHand(fleet: Fleet, verb: "preview" | "up"): void {
    for (const stack of [STAGING, PROD]) {
        fleet.clusters[stack].pulumi.must(verb === "up" ? ["up", "--yes"] : ["preview"]);
        if (verb === "up") fleet.clusters[stack].kubectl.run(["argo", "rollouts", "get", "rollout", DEMO.name, "-n", DEMO.namespace, "--no-color"]);
    }
}

async function main(): Promise<number> {
    const dir = process.env.CANARY_BENCH_DIR ?? "/tmp/canary-fleet-bench";
    const rounds = Number(process.env.CANARY_BENCH_ROUNDS ?? 2);
    let pg: Postgres | undefined;
    const rows: string[] = [];
    try {
        const { fleet } = await setUpFleet(dir, log, {}, (started) => (pg = started));
        timed("migration: fleet up (not compared)", () => mustFleet(fleet, ["up", "--waves", `${STAGING}:${PROD}`]));
        for (let round = 1; round <= rounds; round++) {
            const fleetFirst = round % 2 === 0;
            const measure = (verb: "preview" | "up") => {
                const fleetArgs = verb === "up" ? ["up", "--waves", `${STAGING}:${PROD}`] : ["preview"];
                const hand = () => timed(`round ${round}: ${verb} by hand`, () => byHand(fleet, verb));
                const viaFleet = () => timed(`round ${round}: fleet ${verb}`, () => mustFleet(fleet, fleetArgs));
                const [a, b] = fleetFirst ? [viaFleet(), hand()] : [hand(), viaFleet()];
                const [handSeconds, fleetSeconds] = fleetFirst ? [b, a] : [a, b];
                rows.push(
                    `| ${round} | ${verb} | ${fleetFirst ? "fleet" : "by hand"} | ${handSeconds.toFixed(1)} | ${fleetSeconds.toFixed(1)} | ${(fleetSeconds / handSeconds).toFixed(2)} |`,
                );
            };
            measure("preview");
            measure("up");
        }
    } finally {
        await tearDownFleet(dir, pg, log);
    }
    const table = [
        "| round | command | first | by hand, one stack after the other (s) | `npm run fleet` (s) | fleet / by hand |",
        "|---:|---|---|---:|---:|---:|",
        ...rows,
    ].join("\n");
    process.stdout.write(`${table}\n`);
    if (process.env.CANARY_BENCH_OUT) fs.writeFileSync(process.env.CANARY_BENCH_OUT, `${table}\n`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        process.stderr.write(`${(err as Error).stack ?? err}\n`);
        process.exit(1);
    },
);
