/**
 * The fleet's three verbs over any FleetOps: the Automation API and the clusters in a real run
 * (automation.ts), mocks in the unit tests. preview runs every stack's preview, a few at once; up
 * applies wave by wave, and before each wave (and after the last) waits for every stack of the waves
 * before it to be healthy, stopping at the first failure; status reads every stack's Rollouts.
 */
import { StackHealth } from "./health";
import { RolloutView } from "./rolloutInfo";
import { bounded } from "./waves";

export interface OperationSummary {
    stack: string;
    ok: boolean;
    /** The engine's counts by operation (create, update, delete, replace, same, ...). */
    changes: Record<string, number>;
    /** The program's info lines: each app's exposure line. */
    exposure: string[];
    /** Warnings (the preflight's among them) and errors the engine reported. */
    warnings: string[];
    errors: string[];
    seconds: number;
}

export interface StackStatus {
    stack: string;
    /** The kubeconfig context the stack's config names (undefined: the current one). */
    context?: string;
    /** The cluster's kube-system namespace UID, read live. */
    cluster?: string;
    rollouts: RolloutView[];
    error?: string;
}

export interface FleetOps {
    preview(stack: string): Promise<OperationSummary>;
    up(stack: string): Promise<OperationSummary>;
    /** The stack's health now (its Rollouts and alerts; a failed up stops the run before any gate). */
    health(stack: string): Promise<StackHealth>;
    status(stack: string): Promise<StackStatus>;
}

export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export interface RunOptions {
    concurrency: number;
    healthTimeoutSeconds: number;
    /** How often the health gate reads the stacks again while it waits. */
    pollSeconds?: number;
    log: (message: string) => void;
    clock?: Clock;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, unhealthy: 3 } as const;

export interface PreviewReport {
    command: "preview";
    stacks: OperationSummary[];
    exitCode: number;
}

export async function fleetPreview(stacks: string[], ops: FleetOps, options: RunOptions): Promise<PreviewReport> {
    let done = 0;
    const results = await bounded(stacks, options.concurrency, async (stack) => {
        options.log(`preview ${stack}: started`);
        const result = await ops.preview(stack).catch((err) => failed(stack, err));
        options.log(`preview ${stack}: ${result.ok ? "done" : "FAILED"} in ${result.seconds.toFixed(0)}s (${++done}/${stacks.length})`);
        return result;
    });
    return { command: "preview", stacks: results, exitCode: results.every((r) => r.ok) ? EXIT.ok : EXIT.failed };
}

function failed(stack: string, err: unknown): OperationSummary {
    return { stack, ok: false, changes: {}, exposure: [], warnings: [], errors: [err instanceof Error ? err.message : String(err)], seconds: 0 };
}

export interface WaveReport {
    wave: number;
    stacks: string[];
    /** The health of every stack of the waves before it, as last read before it started (or was refused). */
    gate?: StackHealth[];
    /** Its ups; absent when the gate refused it. */
    ups?: OperationSummary[];
}

export interface UpReport {
    command: "up";
    waves: WaveReport[];
    /** Every stack's health after the last wave (only when every wave ran). */
    final?: StackHealth[];
    /** Where and why it stopped; absent when every wave ran and the fleet ended healthy. */
    stopped?: { wave: number; at: "up" | "gate" | "final"; stacks: string[]; reasons: string[] };
    /** The waves that did not run. */
    untouched: { wave: number; stacks: string[] }[];
    exitCode: number;
}

/** Reads the stacks' health until every one is healthy or the timeout passes; the last reading. */
export async function waitHealthy(stacks: string[], ops: FleetOps, options: RunOptions): Promise<StackHealth[]> {
    const clock = options.clock ?? realClock;
    const deadline = clock.now() + options.healthTimeoutSeconds * 1000;
    for (;;) {
        const healths = await bounded(stacks, options.concurrency, (s) => ops.health(s));
        const unhealthy = healths.filter((h) => !h.healthy);
        if (unhealthy.length === 0 || clock.now() >= deadline) return healths;
        options.log(`waiting for ${unhealthy.map((h) => `${h.stack} (${h.reasons[0]})`).join("; ")}`);
        await clock.sleep(Math.min((options.pollSeconds ?? 5) * 1000, Math.max(0, deadline - clock.now())));
    }
}

function unhealthyOf(healths: StackHealth[]) {
    const bad = healths.filter((h) => !h.healthy);
    return { stacks: bad.map((h) => h.stack), reasons: bad.flatMap((h) => h.reasons.map((r) => `${h.stack}: ${r}`)) };
}

export async function fleetUp(waves: string[][], ops: FleetOps, options: RunOptions): Promise<UpReport> {
    const reports: WaveReport[] = [];
    const finish = (stopped: UpReport["stopped"], exitCode: number, final?: StackHealth[]): UpReport => {
        const ran = reports.filter((r) => r.ups).length;
        return { command: "up", waves: reports, final, stopped, untouched: waves.slice(ran).map((stacks, i) => ({ wave: ran + i + 1, stacks })), exitCode };
    };
    for (let w = 0; w < waves.length; w++) {
        const report: WaveReport = { wave: w + 1, stacks: waves[w] };
        reports.push(report);
        if (w > 0) {
            const before = waves.slice(0, w).flat();
            options.log(`wave ${w + 1}: checking that ${before.join(", ")} ${before.length === 1 ? "is" : "are"} healthy`);
            report.gate = await waitHealthy(before, ops, options);
            const bad = unhealthyOf(report.gate);
            if (bad.stacks.length > 0) {
                options.log(`wave ${w + 1} refused: ${bad.reasons.join("; ")}`);
                return finish({ wave: w + 1, at: "gate", ...bad }, EXIT.unhealthy);
            }
        }
        options.log(`wave ${w + 1}: pulumi up ${waves[w].join(", ")}`);
        report.ups = await bounded(waves[w], options.concurrency, async (stack) => {
            const result = await ops.up(stack).catch((err) => failed(stack, err));
            options.log(`up ${stack}: ${result.ok ? "succeeded" : "FAILED"} in ${result.seconds.toFixed(0)}s`);
            return result;
        });
        const broken = report.ups.filter((u) => !u.ok);
        if (broken.length > 0) {
            return finish(
                { wave: w + 1, at: "up", stacks: broken.map((u) => u.stack), reasons: broken.flatMap((u) => u.errors.map((e) => `${u.stack}: ${e}`)) },
                EXIT.failed,
            );
        }
    }
    const all = waves.flat();
    options.log(`after the last wave: checking that ${all.join(", ")} ${all.length === 1 ? "is" : "are"} healthy`);
    const final = await waitHealthy(all, ops, options);
    const bad = unhealthyOf(final);
    if (bad.stacks.length > 0) return finish({ wave: waves.length, at: "final", ...bad }, EXIT.unhealthy, final);
    return finish(undefined, EXIT.ok, final);
}

export interface StatusReport {
    command: "status";
    stacks: StackStatus[];
    exitCode: number;
}

export async function fleetStatus(stacks: string[], ops: FleetOps, options: RunOptions): Promise<StatusReport> {
    const results = await bounded(stacks, options.concurrency, (stack) =>
        ops.status(stack).catch((err) => ({ stack, rollouts: [], error: String(err?.message ?? err) })),
    );
    return { command: "status", stacks: results, exitCode: results.every((r) => !r.error) ? EXIT.ok : EXIT.failed };
}
