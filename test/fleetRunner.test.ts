// Tests fleet/runner.ts and fleet/automation.ts's summarise: the waves, the health gate and the
// summaries, over mocks of the Automation API's engine events and of the stacks' health.
import { strict as assert } from "assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { runStack, StackLike, summarise } from "../fleet/automation";
import { StackHealth } from "../fleet/health";
import { Clock, EXIT, fleetPreview, fleetStatus, fleetUp, FleetOps, OperationSummary } from "../fleet/runner";

const event = (body: Partial<EngineEvent>): EngineEvent => ({ sequence: 0, timestamp: 0, ...body }) as EngineEvent;
const diag = (severity: "info" | "warning" | "error", message: string) => event({ diagnosticEvent: { severity, message: `${message}\n`, color: "never" } });
const summary = (resourceChanges: Record<string, number>) =>
    event({ summaryEvent: { maybeCorrupt: false, durationSeconds: 3, resourceChanges, PolicyPacks: {} } as any });

function ok(stack: string, changes: Record<string, number> = { same: 19 }): OperationSummary {
    return summarise(stack, [summary(changes)], 1);
}

/** A clock whose sleeps pass at once and move time on. */
function fakeClock(): Clock & { slept: number } {
    let t = 0;
    const clock = { slept: 0, now: () => t, sleep: async (ms: number) => void ((t += ms), (clock.slept += ms)) };
    return clock;
}

interface Script {
    up?: Record<string, OperationSummary | Error>;
    /** Per stack, the readings in turn (the last repeats). */
    health?: Record<string, Partial<StackHealth>[]>;
}

function mockOps(script: Script) {
    const calls: string[] = [];
    const reads: Record<string, number> = {};
    const ops: FleetOps = {
        preview: async (stack) => {
            calls.push(`preview ${stack}`);
            return ok(stack, { create: 19 });
        },
        up: async (stack) => {
            calls.push(`up ${stack}`);
            const result = script.up?.[stack] ?? ok(stack);
            if (result instanceof Error) throw result;
            return result;
        },
        health: async (stack) => {
            calls.push(`health ${stack}`);
            const list = script.health?.[stack] ?? [{}];
            const reading = list[Math.min(reads[stack] ?? 0, list.length - 1)];
            reads[stack] = (reads[stack] ?? 0) + 1;
            const reasons = reading.reasons ?? [];
            return { stack, healthy: reasons.length === 0, reasons, notes: reading.notes ?? [] };
        },
        status: async (stack) => {
            calls.push(`status ${stack}`);
            if (stack === "broken") throw new Error("reading namespace kube-system failed: connect ECONNREFUSED");
            return { stack, cluster: `uid-${stack}`, rollouts: [] };
        },
    };
    return { ops, calls };
}

const options = (clock = fakeClock()) => ({ concurrency: 2, healthTimeoutSeconds: 30, pollSeconds: 5, log: () => undefined, clock });

describe("fleet summaries of the Automation API's engine events", () => {
    it("keeps the summary event's counts and sorts the diagnostics by severity", () => {
        const s = summarise(
            "prod",
            [
                diag("info", "demo: a healthy release takes 2m40s"),
                diag("warning", "demo: the Deployment has an HPA"),
                event({ diagnosticEvent: { severity: "info", message: "ephemeral progress", color: "never", ephemeral: true } }),
                summary({ create: 2, update: 1, same: 16 }),
            ],
            4.5,
        );
        assert.deepEqual(s, {
            stack: "prod",
            ok: true,
            changes: { create: 2, update: 1, same: 16 },
            exposure: ["demo: a healthy release takes 2m40s"],
            warnings: ["demo: the Deployment has an HPA"],
            errors: [],
            seconds: 4.5,
        });
    });
    it("a failed command: the engine's error lines, else the exception's lines that say error", () => {
        const engine = summarise(
            "prod",
            [diag("error", "demo: the preflight found 1 error")],
            2,
            new Error("code: 255\n stdout: ...\n stderr: error: update failed"),
        );
        assert.equal(engine.ok, false);
        assert.deepEqual(engine.errors, ["demo: the preflight found 1 error"]);
        const cli = summarise("prod", [], 2, new Error("code: 255\n stdout: \n stderr: error: no stack named 'prod' found"));
        assert.deepEqual(cli.errors, [" stderr: error: no stack named 'prod' found"]);
        assert.equal(cli.ok, false);
    });
});

describe("fleet: one stack through a mocked Automation API Stack", () => {
    /** Emits the events a real run's event log gives, then resolves like the API (or rejects like a CommandError). */
    function fakeStack(events: EngineEvent[], fail?: Error) {
        const calls: { verb: string; opts: any }[] = [];
        const act = (verb: string) => async (opts: any) => {
            calls.push({ verb, opts });
            for (const e of events) opts.onEvent(e);
            if (fail) throw fail;
            return verb === "up" ? { stdout: "", stderr: "", outputs: {}, summary: { result: "succeeded" } } : { stdout: "", stderr: "", changeSummary: {} };
        };
        return { stack: { preview: act("preview"), up: act("up") } as unknown as StackLike, calls };
    }
    it("passes the stack's config file, and up without secrets shown (the CLI would write the salt into the project)", async () => {
        const { stack, calls } = fakeStack([diag("info", "demo: healthy ladder 40s"), summary({ update: 1, same: 20 })]);
        const preview = await runStack("prod", async () => stack, "preview", "/cfg/Pulumi.prod.yaml");
        const up = await runStack("prod", async () => stack, "up", "/cfg/Pulumi.prod.yaml");
        assert.deepEqual(
            calls.map((c) => [c.verb, c.opts.configFile, c.opts.showSecrets, c.opts.color]),
            [
                ["preview", "/cfg/Pulumi.prod.yaml", undefined, "never"],
                ["up", "/cfg/Pulumi.prod.yaml", false, "never"],
            ],
        );
        for (const s of [preview, up]) assert.deepEqual([s.ok, s.changes, s.exposure], [true, { update: 1, same: 20 }, ["demo: healthy ladder 40s"]]);
    });
    it("a CommandError, or a stack that cannot be selected, is a failed summary with the engine's errors", async () => {
        const { stack } = fakeStack([diag("error", "demo: the preflight found 1 error in the app's live objects")], new Error("code: 255"));
        const up = await runStack("prod", async () => stack, "up", "/cfg/Pulumi.prod.yaml");
        assert.deepEqual([up.ok, up.errors], [false, ["demo: the preflight found 1 error in the app's live objects"]]);
        const missing = await runStack("nope", () => Promise.reject(new Error("stack 'nope' not found")), "preview", "/cfg/Pulumi.nope.yaml");
        assert.deepEqual([missing.ok, missing.errors], [false, ["stack 'nope' not found"]]);
    });
});

describe("fleet preview and status", () => {
    it("previews every stack and exits 0 only when every preview succeeded", async () => {
        const { ops, calls } = mockOps({});
        const report = await fleetPreview(["a", "b", "c"], ops, options());
        assert.deepEqual(calls.sort(), ["preview a", "preview b", "preview c"]);
        assert.equal(report.exitCode, EXIT.ok);
        const failing = { ...ops, preview: async (stack: string) => (stack === "b" ? Promise.reject(new Error("boom")) : ok(stack)) };
        const bad = await fleetPreview(["a", "b"], failing, options());
        assert.equal(bad.exitCode, EXIT.failed);
        assert.deepEqual(bad.stacks[1].errors, ["boom"]);
    });
    it("status reads every stack; one unreadable cluster is reported and exits 1", async () => {
        const { ops } = mockOps({});
        const report = await fleetStatus(["a", "broken"], ops, options());
        assert.equal(report.exitCode, EXIT.failed);
        assert.equal(report.stacks[0].cluster, "uid-a");
        assert.match(report.stacks[1].error!, /ECONNREFUSED/);
    });
});

describe("fleet up, wave by wave", () => {
    it("applies each wave after the waves before it are healthy, and checks them all after the last", async () => {
        const { ops, calls } = mockOps({});
        const report = await fleetUp([["staging"], ["prod-eu", "prod-us"]], ops, options());
        assert.equal(report.exitCode, EXIT.ok);
        assert.deepEqual(calls, ["up staging", "health staging", "up prod-eu", "up prod-us", "health staging", "health prod-eu", "health prod-us"]);
        assert.deepEqual(report.untouched, []);
        assert.equal(report.stopped, undefined);
    });
    it("waits for a stack that becomes healthy within the timeout", async () => {
        const clock = fakeClock();
        const { ops } = mockOps({
            health: { staging: [{ reasons: ["Rollout demo/demo is Progressing"] }, { reasons: ["Rollout demo/demo is Progressing"] }, {}] },
        });
        const report = await fleetUp([["staging"], ["prod"]], ops, options(clock));
        assert.equal(report.exitCode, EXIT.ok);
        assert.equal(clock.slept, 10_000);
        assert.equal(report.waves[1].gate![0].healthy, true);
    });
    it("refuses the next wave when a stack before it stays mid-canary, says why, and leaves the later waves untouched", async () => {
        const clock = fakeClock();
        const midCanary = "Rollout demo/demo is mid-canary: step 1/8, canary weight 20 (set 20)";
        const { ops, calls } = mockOps({ health: { staging: [{ reasons: ["Rollout demo/demo is Paused", midCanary] }] } });
        const report = await fleetUp([["staging"], ["prod-eu"], ["prod-us"]], ops, options(clock));
        assert.equal(report.exitCode, EXIT.unhealthy);
        assert.deepEqual(report.stopped, {
            wave: 2,
            at: "gate",
            stacks: ["staging"],
            reasons: ["staging: Rollout demo/demo is Paused", `staging: ${midCanary}`],
        });
        assert.deepEqual(report.untouched, [
            { wave: 2, stacks: ["prod-eu"] },
            { wave: 3, stacks: ["prod-us"] },
        ]);
        assert.ok(!calls.some((c) => c.startsWith("up prod")), calls.join(", "));
        assert.equal(clock.slept, 30_000, "it waited the whole timeout");
    });
    it("stops at the first failed up, without waiting: the rest of its wave ran, later waves did not", async () => {
        const clock = fakeClock();
        const failed = summarise("prod-eu", [diag("error", "update failed")], 1, new Error("exit 255"));
        const { ops, calls } = mockOps({ up: { "prod-eu": failed } });
        const report = await fleetUp([["staging"], ["prod-eu", "prod-us"], ["dr"]], ops, options(clock));
        assert.equal(report.exitCode, EXIT.failed);
        assert.deepEqual(report.stopped, { wave: 2, at: "up", stacks: ["prod-eu"], reasons: ["prod-eu: update failed"] });
        assert.deepEqual(report.untouched, [{ wave: 3, stacks: ["dr"] }]);
        assert.ok(calls.includes("up prod-us") && !calls.includes("up dr"));
        assert.equal(clock.slept, 0);
    });
    it("an up that throws counts as failed", async () => {
        const { ops } = mockOps({ up: { staging: new Error("pulumi: command not found") } });
        const report = await fleetUp([["staging"], ["prod"]], ops, options());
        assert.equal(report.exitCode, EXIT.failed);
        assert.deepEqual(report.stopped?.reasons, ["staging: pulumi: command not found"]);
    });
    it("a fleet unhealthy after its last wave exits 3", async () => {
        const { ops } = mockOps({ health: { prod: [{ reasons: ["alert RolloutDegraded is firing (namespace=demo)"] }] } });
        const report = await fleetUp([["staging"], ["prod"]], ops, options());
        assert.equal(report.exitCode, EXIT.unhealthy);
        assert.equal(report.stopped?.at, "final");
        assert.deepEqual(report.untouched, []);
    });
});
