/**
 * The fleet command's arguments: `npm run fleet -- preview|up|status [--stacks a,b] [--waves staging:prod]
 * [--json] [--concurrency N] [--health-timeout 2m] [--config-dir DIR]`. Pure: a bad argument is a
 * UsageError naming it and what is allowed (exit code 2).
 */
import { goDurationSeconds } from "../model/duration";

export const COMMANDS = ["preview", "up", "status"] as const;
export type FleetCommand = (typeof COMMANDS)[number];

export interface FleetArgs {
    command: FleetCommand;
    /** The stacks named by --stacks, in that order; undefined: every stack of the backend that has a config file. */
    stacks?: string[];
    /** --waves: each wave's patterns (a stack name, or a glob with `*`); undefined: one wave of every stack. */
    waves?: string[][];
    json: boolean;
    /** How many stacks' previews (or a wave's ups) run at once. */
    concurrency: number;
    /** How long `up` waits for a wave's stacks to become healthy before it refuses the next wave. */
    healthTimeoutSeconds: number;
    /** Where `Pulumi.<stack>.yaml` files are read from (default: the project's folder). */
    configDir?: string;
}

export class UsageError extends Error {}

export const USAGE = [
    "usage: npm run fleet -- preview|up|status [options]",
    "  --stacks a,b          only these stacks (default: every stack in the backend with a Pulumi.<stack>.yaml)",
    "  --waves w1:w2         up: the waves, in order; a wave is a comma-separated list of stack names or globs (staging-*)",
    "  --concurrency N       previews (and one wave's ups) at once (default 4)",
    "  --health-timeout D    up: how long a wave may take to become healthy before the next is refused (default 2m)",
    "  --config-dir DIR      where Pulumi.<stack>.yaml are read (default: the project)",
    "  --json                one JSON document on stdout; progress stays on stderr",
    "exit codes: 0 done; 1 a preview, up or read failed; 2 bad usage; 3 up stopped at a health gate",
].join("\n");

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_HEALTH_TIMEOUT_SECONDS = 120;

function list(flag: string, value: string, separator: string): string[] {
    const items = value.split(separator).map((s) => s.trim());
    if (items.some((s) => s === "")) throw new UsageError(`${flag} "${value}": an empty item; separate names with "${separator}"`);
    return items;
}

export function parseFleetArgs(argv: string[]): FleetArgs {
    const [command, ...rest] = argv;
    if (!COMMANDS.includes(command as FleetCommand)) {
        throw new UsageError(command === undefined ? "no command" : `unknown command "${command}" (use ${COMMANDS.join(", ")})`);
    }
    const args: FleetArgs = {
        command: command as FleetCommand,
        json: false,
        concurrency: DEFAULT_CONCURRENCY,
        healthTimeoutSeconds: DEFAULT_HEALTH_TIMEOUT_SECONDS,
    };
    for (let i = 0; i < rest.length; i++) {
        const flag = rest[i];
        if (flag === "--json") {
            args.json = true;
            continue;
        }
        const value = rest[i + 1];
        const known = ["--stacks", "--waves", "--concurrency", "--health-timeout", "--config-dir"];
        if (!known.includes(flag)) throw new UsageError(`unknown option "${flag}" (known: ${[...known, "--json"].join(", ")})`);
        if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
        i++;
        if (flag === "--stacks") args.stacks = list(flag, value, ",");
        if (flag === "--waves") {
            if (command !== "up") throw new UsageError(`--waves applies to up only, not ${command}`);
            args.waves = list(flag, value, ":").map((wave) => list(flag, wave, ","));
        }
        if (flag === "--concurrency") {
            const n = Number(value);
            if (!Number.isInteger(n) || n < 1) throw new UsageError(`--concurrency "${value}": a whole number of at least 1`);
            args.concurrency = n;
        }
        if (flag === "--health-timeout") {
            const seconds = goDurationSeconds(value);
            if (seconds === undefined) throw new UsageError(`--health-timeout "${value}": a duration such as 90s, 2m or 1h`);
            args.healthTimeoutSeconds = seconds;
        }
        if (flag === "--config-dir") args.configDir = value;
    }
    return args;
}
