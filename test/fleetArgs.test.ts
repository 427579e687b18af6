// Tests fleet/args.ts and fleet/waves.ts: the fleet command's arguments, its stacks and its waves.
import { strict as assert } from "assert";
import { parseFleetArgs, UsageError } from "../fleet/args";
import { bounded, matches, planWaves, selectStacks } from "../fleet/waves";

const usage = (fn: () => unknown, message: RegExp) => assert.throws(fn, (err: Error) => err instanceof UsageError && message.test(err.message));

describe("fleet arguments", () => {
    it("reads the command and every option", () => {
        const args = parseFleetArgs([
            "up",
            "--stacks",
            "a,b",
            "--waves",
            "a:b",
            "--json",
            "--concurrency",
            "2",
            "--health-timeout",
            "90s",
            "--config-dir",
            "/x",
        ]);
        assert.deepEqual(args, {
            command: "up",
            stacks: ["a", "b"],
            waves: [["a"], ["b"]],
            json: true,
            concurrency: 2,
            healthTimeoutSeconds: 90,
            configDir: "/x",
        });
        assert.deepEqual(parseFleetArgs(["status"]), { command: "status", json: false, concurrency: 4, healthTimeoutSeconds: 120 });
        assert.deepEqual(parseFleetArgs(["up", "--waves", "staging-*,canary:prod-*"]).waves, [["staging-*", "canary"], ["prod-*"]]);
    });
    it("refuses what it does not know, naming it", () => {
        usage(() => parseFleetArgs([]), /no command/);
        usage(() => parseFleetArgs(["apply"]), /unknown command "apply" \(use preview, up, status\)/);
        usage(() => parseFleetArgs(["up", "--wave", "a"]), /unknown option "--wave"/);
        usage(() => parseFleetArgs(["up", "--stacks"]), /--stacks needs a value/);
        usage(() => parseFleetArgs(["up", "--stacks", "--json"]), /--stacks needs a value/);
        usage(() => parseFleetArgs(["up", "--stacks", "a,,b"]), /an empty item/);
        usage(() => parseFleetArgs(["up", "--waves", "a::b"]), /an empty item/);
        usage(() => parseFleetArgs(["preview", "--waves", "a:b"]), /--waves applies to up only/);
        usage(() => parseFleetArgs(["up", "--concurrency", "0"]), /at least 1/);
        usage(() => parseFleetArgs(["up", "--health-timeout", "2 minutes"]), /a duration such as 90s/);
    });
});

describe("fleet stacks and waves", () => {
    const backend = ["prod-eu", "prod-us", "staging-eu", "local"];
    const withConfig = (s: string) => s !== "local";
    it("runs every stack of the backend that has a config file, by name, or the named ones in their order", () => {
        assert.deepEqual(selectStacks(backend, withConfig), ["prod-eu", "prod-us", "staging-eu"]);
        assert.deepEqual(selectStacks(backend, withConfig, ["staging-eu", "prod-us"]), ["staging-eu", "prod-us"]);
        usage(() => selectStacks(backend, withConfig, ["prod-ap"]), /prod-ap is not in the backend \(it has: prod-eu, prod-us, staging-eu, local\)/);
        usage(() => selectStacks(backend, withConfig, ["local"]), /no Pulumi.<stack>.yaml for local/);
        usage(() => selectStacks(backend, withConfig, ["prod-eu", "prod-eu"]), /named twice/);
        usage(() => selectStacks(["local"], withConfig), /no stack to run/);
    });
    it("globs match whole names", () => {
        assert.ok(matches("prod-*", "prod-eu"));
        assert.ok(!matches("prod-*", "preprod-eu"));
        assert.ok(matches("prod-eu", "prod-eu"));
        assert.ok(!matches("prod", "prod-eu"));
        assert.ok(matches("a.b", "a.b") && !matches("a.b", "axb"));
    });
    it("places each stack in exactly one wave, in the waves' order", () => {
        const stacks = ["prod-eu", "prod-us", "staging-eu"];
        assert.deepEqual(planWaves(stacks, undefined), [stacks]);
        assert.deepEqual(planWaves(stacks, [["staging-*"], ["prod-*"]]), [["staging-eu"], ["prod-eu", "prod-us"]]);
        // A stack named exactly goes where it is named, though a glob of another wave matches it too.
        assert.deepEqual(planWaves(stacks, [["staging-*"], ["prod-eu"], ["prod-*"]]), [["staging-eu"], ["prod-eu"], ["prod-us"]]);
        assert.deepEqual(planWaves(stacks, [["prod-*", "staging-*"], ["prod-us"]]), [["prod-eu", "staging-eu"], ["prod-us"]]);
        usage(() => planWaves(stacks, [["staging-*"], ["prod-eu"]]), /prod-us is in no wave; add it to one/);
        usage(() => planWaves(stacks, [["*"], ["prod-*"]]), /prod-eu is in wave 1 and in wave 2/);
        usage(
            () =>
                planWaves(stacks, [
                    ["prod-eu", "staging-eu"],
                    ["prod-eu", "prod-us"],
                ]),
            /prod-eu is in wave 1 and in wave 2/,
        );
        usage(() => planWaves(stacks, [["staging-*"], ["prod-*"], ["dev-*"]]), /"dev-\*" \(wave 3\) matches no stack/);
        // --stacks narrowed the run: a wave of none of them is left out.
        assert.deepEqual(planWaves(["prod-eu"], [["staging-*"], ["prod-*"]], true), [["prod-eu"]]);
    });
    it("runs at most `limit` at once and keeps the items' order", async () => {
        let running = 0;
        let most = 0;
        const out = await bounded([30, 10, 20, 5, 1], 2, async (ms) => {
            most = Math.max(most, ++running);
            await new Promise((r) => setTimeout(r, ms));
            running--;
            return ms * 2;
        });
        assert.deepEqual(out, [60, 20, 40, 10, 2]);
        assert.equal(most, 2);
    });
});
