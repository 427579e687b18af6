// Tests scripts/render.ts (in a child process, as an operator runs it), renderStack.ts and renderConfig.ts.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { NEW_RELIC_API_KEY_PLACEHOLDER, renderConfig } from "../scripts/renderConfig";
import { isSecretValue, renderDocuments } from "../scripts/renderObjects";
import { renderStack } from "../scripts/renderStack";
import { readStackFile, StackFile } from "../scripts/stackFile";
import { installMocks, ofType, registered, resetRegistered, setConfig, settle } from "./harness";

const root = path.join(__dirname, "..");
const indexPath = path.join(root, "index.ts");

/** `npm run -s render -- <args>`: -s keeps npm's own "> canary-stack render" banner off stdout. */
function render(...args: string[]) {
    const run = spawnSync("npm", ["run", "-s", "render", "--", ...args], { cwd: root, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    return run;
}

describe("render: stdout is the YAML stream alone", function () {
    this.timeout(120000);
    before(() => installMocks());
    beforeEach(resetRegistered);

    it("writes the prod stack's objects as YAML to stdout and its log to stderr", async () => {
        const { stdout, stderr } = render("--stack", "prod");
        const documents = parseAllDocuments(stdout);
        const errors = documents.flatMap((d) => [...d.errors, ...d.warnings].map((e) => e.message));
        assert.deepEqual(errors, []);

        // The same objects as the program registers in-process (the test Service has the render's placeholder spec).
        const file = readStackFile("prod");
        setConfig(file.config, file.secretKeys);
        delete require.cache[require.resolve(indexPath)];
        require(indexPath);
        await settle();
        const expected = renderDocuments(registered);
        assert.equal(expected.length, 20);
        assert.deepEqual(
            documents.map((d) => d.toJS()),
            expected,
        );
        assert.match(stdout, /^# canary-stack render of stack prod: 20 objects, as they would be applied\.\n/);

        // 4 replicas without traffic routing: setWeight 10 runs 1 canary pod beside 4 stable ones, 20% of traffic.
        assert.equal(
            stderr,
            "info: [runtime] instant-api: healthy ladder 18m-42m; a broken release aborts by 1m45s at 20% " +
                "(exposure 1500 %·s) (without the watchdog: 7200 %·s); no traffic: waits at steps[1] (20%) after 1m45s, paused with no deadline; " +
                "pods never Ready: aborted at steps[0] by 10m (progressDeadlineSeconds 600)\n" +
                "warning: [runtime] instant-api: without traffic routing the canary's share of traffic is its share of the pods, " +
                "and 4 replicas cannot run every weight of the ladder: steps[0] setWeight 10 runs at 20% " +
                "(1 canary pod beside 4 stable pods, as every setWeight from 1 to 22 does). The exposure figures and the budget use these shares; " +
                "set stableIngress to split traffic by weight, or use weights that 4 replicas run as written (20, 25, 40, 50, 60, 75, 80)\n",
        );
    });
});

describe("render: --config-file", function () {
    this.timeout(120000);

    it("reads the stack's config from that file, as pulumi's --config-file does, and refuses a flag it does not know", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-config-file-"));
        try {
            const file = path.join(dir, "elsewhere.yaml");
            fs.writeFileSync(file, fs.readFileSync(path.join(root, "Pulumi.newrelic.yaml"), "utf8").replace(/name: checkout$/m, "name: checkout-elsewhere"));
            const { stdout } = render("--stack", "newrelic", "--config-file", file);
            assert.match(stdout, /^# canary-stack render of stack newrelic: /);
            assert.match(stdout, /name: checkout-elsewhere$/m);
            const bad = spawnSync("npm", ["run", "-s", "render", "--", "--stack", "newrelic", "--config", file], { cwd: root, encoding: "utf8" });
            assert.notEqual(bad.status, 0);
            assert.match(bad.stderr, /usage: npm run render -- --stack <name> \[--out <file>\] \[--live <file>\] \[--config-file <file>\] \(got "--config"\)/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

/** The prod stack with its New Relic metric turned on, and (as checked in) no API key. */
function prodWithNewRelic(): StackFile {
    const file = readStackFile("prod");
    const apps = JSON.parse(file.config["canary-stack:apps"]);
    const metric = apps[0].analysis.metrics.find((m: any) => m.provider === "newRelic");
    metric.enabled = true;
    return { config: { ...file.config, "canary-stack:apps": JSON.stringify(apps) }, secretKeys: file.secretKeys };
}

describe("render: without the New Relic API key", () => {
    const NOTE =
        "note: canary-stack:newRelicApiKey is unset: the render used a placeholder for it (written as [secret]); " +
        "pulumi preview and up require it, since a metric uses provider newRelic: " +
        "pulumi config set --secret canary-stack:newRelicApiKey <personal-api-key> --stack prod";

    it("renders the New Relic Secret with a placeholder key, kept secret, and notes that preview and up need the key", async () => {
        const rendered = await renderStack("prod", prodWithNewRelic(), {});
        assert.deepEqual(rendered.notes, [NOTE]);
        assert.ok(rendered.text.includes("\n# The New Relic API key is unset: a placeholder stands in for it; pulumi preview and up require it.\n"));
        assert.equal(rendered.text.includes(NEW_RELIC_API_KEY_PLACEHOLDER), false, "the placeholder is a secret, never written");
        const secret = parseAllDocuments(rendered.text)
            .map((d) => d.toJS())
            .find((o) => o.kind === "Secret" && o.metadata.name === "newrelic");
        assert.deepEqual(secret.stringData, { "personal-api-key": "[secret]", "account-id": "[secret]", region: "[secret]" });
        const registeredSecret = ofType("kubernetes:core/v1:Secret").find((r) => r.inputs.metadata.name === "newrelic")!;
        assert.ok(isSecretValue(registeredSecret.inputs.stringData));
        assert.equal(registeredSecret.inputs.stringData.value["personal-api-key"], NEW_RELIC_API_KEY_PLACEHOLDER);
    });

    it("still stops the program itself (preview and up) with the exact message when the key is unset", async () => {
        installMocks();
        resetRegistered();
        const file = prodWithNewRelic();
        setConfig(file.config, file.secretKeys);
        delete require.cache[require.resolve(indexPath)];
        assert.throws(
            () => require(indexPath),
            (err: Error) => {
                assert.equal(
                    err.message,
                    'newRelicApiKey: missing (apps[0] (instant-api) metric "http-5xx-rate-newrelic" uses provider newRelic); ' +
                        "set it with: pulumi config set --secret canary-stack:newRelicApiKey <personal-api-key>",
                );
                return true;
            },
        );
        await settle();
        assert.deepEqual(registered, []);
    });

    it("adds no note where no metric uses New Relic (the prod stack as checked in)", async () => {
        const rendered = await renderStack("prod", readStackFile("prod"), {});
        assert.deepEqual(rendered.notes, []);
        assert.equal(rendered.text.includes("New Relic API key is unset"), false);
        assert.equal(
            ofType("kubernetes:core/v1:Secret").some((r) => r.inputs.metadata.name === "newrelic"),
            false,
        );
    });

    it("renders the New Relic-only stack as checked in (no key), with no kind a cluster without Prometheus lacks", async () => {
        const rendered = await renderStack("newrelic", readStackFile("newrelic"), {});
        assert.deepEqual(rendered.notes, [NOTE.replace("--stack prod", "--stack newrelic")]);
        const kinds = parseAllDocuments(rendered.text).map((d) => d.toJS().kind);
        for (const absent of ["ServiceMonitor", "PrometheusRule", "ConfigMap"]) assert.ok(!kinds.includes(absent), `no ${absent} in ${kinds.join(", ")}`);
        assert.equal(rendered.objectCount, 11);
    });

    it("passes a key the stack file sets (encrypted) as it is, without a placeholder", () => {
        const file: StackFile = { config: { "canary-stack:newRelicApiKey": "[secret]" }, secretKeys: ["canary-stack:newRelicApiKey"] };
        assert.deepEqual(renderConfig(file), { ...file, apiKeyPlaceholder: false });
        assert.deepEqual(renderConfig({ config: {}, secretKeys: [] }), {
            config: { "canary-stack:newRelicApiKey": NEW_RELIC_API_KEY_PLACEHOLDER },
            secretKeys: ["canary-stack:newRelicApiKey"],
            apiKeyPlaceholder: true,
        });
    });
});
