// Tests e2e/demo/commands.ts and e2e/demo/config.ts: what npm start prints must be commands a shell
// runs as they are (quoted, the demo's own state dir and ports), the phase must read back exactly
// what was printed, and the demo's stack must be the local one with only Prometheus moved.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { parse } from "yaml";
import { parseStackConfig } from "../stacks";
import { promqlError } from "../stacks/promql";
import { BAD_ERROR_RATE, demoCommands, demoLinks, errorRateQuery, formatDemoCommands, parseDemoCommands, shellQuote } from "../e2e/demo/commands";
import { ALL_DEMO_PORTS, DEFAULT_DEMO_DIR, DEMO_PORTS, demoConfigText, demoDir } from "../e2e/demo/config";
import { E2E_PORTS } from "../e2e/environment";

const ROOT = path.join(__dirname, "..");
const local = fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8");

function demoApp() {
    const config = parse(demoConfigText(local)).config;
    return parseStackConfig({ platform: config["canary-stack:platform"], apps: config["canary-stack:apps"] }).apps[0];
}

describe("the demo's config (e2e/demo/config.ts)", () => {
    it("is Pulumi.local.yaml with prometheusAddress on the demo's Prometheus, comments kept", () => {
        const text = demoConfigText(local);
        const expected = parse(local);
        expected.config["canary-stack:platform"].monitoring.prometheusAddress = "http://127.0.0.1:14160";
        assert.deepEqual(parse(text), expected);
        assert.match(text, /^# A local cluster for the end-to-end tests/);
    });

    it("uses ports 14160-14169 only, none of the e2e's", () => {
        for (const port of ALL_DEMO_PORTS) assert.ok(port >= 14160 && port <= 14169, `${port}`);
        assert.equal(new Set(ALL_DEMO_PORTS).size, ALL_DEMO_PORTS.length);
        assert.deepEqual(E2E_PORTS, { prometheus: 14090, controllerMetrics: 14091, controllerHealthz: 14092, sim: 14093, operator: 14140 });
    });

    it("runs in /tmp/canary-demo unless CANARY_DEMO_DIR says otherwise", () => {
        assert.equal(demoDir({}), DEFAULT_DEMO_DIR);
        assert.equal(demoDir({ CANARY_DEMO_DIR: "/tmp/x" }), "/tmp/x");
    });
});

describe("the commands npm start prints (e2e/demo/commands.ts)", () => {
    const commands = demoCommands("/work/my checkout", "/tmp/canary-demo");
    const text = formatDemoCommands(commands, demoLinks(demoApp()));

    it("reads back, in order, exactly what it printed", () => {
        assert.deepEqual(
            parseDemoCommands(text),
            commands.map(({ title, command }) => ({ title, command })),
        );
    });

    it("quotes for bash: each command parses, and a quoted argument comes back as it was", () => {
        for (const { command } of commands) {
            const check = spawnSync("bash", ["-n", "-c", command]);
            assert.equal(check.status, 0, `${command}: ${check.stderr}`);
        }
        for (const arg of ["/work/my checkout", "it's", "a$b", "plain/path-1.2:x"]) {
            assert.equal(spawnSync("bash", ["-c", `printf %s ${shellQuote(arg)}`], { encoding: "utf8" }).stdout, arg);
        }
    });

    it("releases as the CI account, the failing image after telling the simulator", () => {
        const byKey = Object.fromEntries(commands.map((c) => [c.key, c.command]));
        assert.equal(byKey.env, "source /tmp/canary-demo/env.sh");
        assert.equal(byKey.good, "kubectl set image deployment/demo app=registry.example/demo:v2 -n demo --as=system:serviceaccount:demo:ci-deployer");
        assert.equal(
            byKey.bad,
            `npm --prefix '/work/my checkout' run -s demo:fail -- registry.example/demo:v3 ${BAD_ERROR_RATE} && ` +
                "kubectl set image deployment/demo app=registry.example/demo:v3 -n demo --as=system:serviceaccount:demo:ci-deployer",
        );
        assert.equal(byKey.destroy, "pulumi destroy --yes --stack demo --cwd '/work/my checkout' --config-file /tmp/canary-demo/Pulumi.demo.yaml");
        assert.equal(byKey.stop, "npm --prefix '/work/my checkout' stop");
    });

    it("links Prometheus on the demo's port with a query that parses, over the error-rate gate's window", () => {
        const query = errorRateQuery(demoApp());
        assert.equal(promqlError(query), undefined, query);
        assert.match(query, /\[30s\]/);
        const url = new URL(demoLinks(demoApp()).prometheus);
        assert.equal(url.host, `127.0.0.1:${DEMO_PORTS.prometheus}`);
        assert.equal(url.searchParams.get("g0.expr"), query);
    });
});
