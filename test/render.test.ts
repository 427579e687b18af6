// Tests scripts/render.ts (the offline render's command line), in a child process as an operator runs it.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { renderDocuments } from "../scripts/renderObjects";
import { readStackFile } from "../scripts/stackFile";
import { installMocks, registered, resetRegistered, setConfig, settle } from "./harness";

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
        assert.equal(expected.length, 17);
        assert.deepEqual(documents.map((d) => d.toJS()), expected);
        assert.match(stdout, /^# canary-stack render of stack prod: 17 objects, as they would be applied\.\n/);

        assert.equal(stderr, "info: [runtime] instant-api: healthy ladder 16m-40m; a broken release aborts by 6m at 10% "
            + "(exposure 3600 %·s); no traffic: waits at step 2 (10%) after 6m\n");
    });
});
