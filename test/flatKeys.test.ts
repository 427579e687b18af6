// Tests stacks/flatKeys.ts (config keys set without --path).
import { strict as assert } from "assert";
import { flatKeyError } from "../stacks/flatKeys";

const none = () => false;

describe("stack config: keys set without --path", () => {
    it("passes the keys `pulumi config set --path` writes, and other projects' keys", () => {
        const config = {
            "canary-stack:cluster": "{\"context\":\"prod\"}", "canary-stack:apps": "[]", "canary-stack:newRelicApiKey": "",
            "kubernetes:context": "prod", "other:a.b": "x",
        };
        assert.equal(flatKeyError(config, "canary-stack", none), undefined);
    });

    const cases: [string, Record<string, string>, (key: string) => boolean, string][] = [
        ["cluster.context", { "canary-stack:cluster.context": "prod-admin" }, none,
            "canary-stack:cluster.context: \"prod-admin\" set without --path, as one key named \"cluster.context\", which this program never reads "
            + "(it reads cluster as a whole); set it with --path instead: "
            + "pulumi config rm canary-stack:cluster.context && pulumi config set --path canary-stack:cluster.context prod-admin"],
        ["the same key beside its --path form", { "canary-stack:cluster": "{\"context\":\"a\"}", "canary-stack:cluster.context": "b" }, none,
            "canary-stack:cluster.context: \"b\" set without --path, as one key named \"cluster.context\", which this program never reads "
            + "(it reads cluster as a whole); set it with --path instead: "
            + "pulumi config rm canary-stack:cluster.context && pulumi config set --path canary-stack:cluster.context b"],
        ["a list index, quoted for the shell", { "canary-stack:apps[0].name": "it's" }, none,
            "canary-stack:apps[0].name: \"it's\" set without --path, as one key named \"apps[0].name\", which this program never reads "
            + "(it reads apps as a whole); set it with --path instead: "
            + "pulumi config rm 'canary-stack:apps[0].name' && pulumi config set --path 'canary-stack:apps[0].name' 'it'\\''s'"],
        ["a secret, never shown", { "canary-stack:platform.newRelic.key": "s3cret" }, (k) => k === "canary-stack:platform.newRelic.key",
            "canary-stack:platform.newRelic.key: a secret set without --path, as one key named \"platform.newRelic.key\", which this program never reads "
            + "(it reads platform as a whole); set it with --path instead: "
            + "pulumi config rm canary-stack:platform.newRelic.key && pulumi config set --path --secret canary-stack:platform.newRelic.key <value>"],
    ];
    for (const [name, config, isSecret, expected] of cases) {
        it(`names the --path command: ${name}`, () => assert.equal(flatKeyError(config, "canary-stack", isSecret), expected));
    }
});
