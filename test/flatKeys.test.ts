// Tests stacks/flatKeys.ts (config keys set without --path).
import { strict as assert } from "assert";
import { flatKeyError } from "../stacks/flatKeys";
import { nearestKey, unknownTopKeyError } from "../stacks/topKeys";

const none = () => false;

describe("stack config: keys set without --path", () => {
    it("passes the keys `pulumi config set --path` writes, and other projects' keys", () => {
        const config = {
            "canary-stack:cluster": '{"context":"prod"}',
            "canary-stack:apps": "[]",
            "canary-stack:newRelicApiKey": "",
            "kubernetes:context": "prod",
            "other:a.b": "x",
        };
        assert.equal(flatKeyError(config, "canary-stack", none), undefined);
    });

    const cases: [string, Record<string, string>, (key: string) => boolean, string][] = [
        [
            "cluster.context",
            { "canary-stack:cluster.context": "prod-admin" },
            none,
            'canary-stack:cluster.context: "prod-admin" set without --path, as one key named "cluster.context", which this program never reads ' +
                "(it reads cluster as a whole); set it with --path instead: " +
                "pulumi config rm canary-stack:cluster.context && pulumi config set --path canary-stack:cluster.context prod-admin",
        ],
        [
            "the same key beside its --path form",
            { "canary-stack:cluster": '{"context":"a"}', "canary-stack:cluster.context": "b" },
            none,
            'canary-stack:cluster.context: "b" set without --path, as one key named "cluster.context", which this program never reads ' +
                "(it reads cluster as a whole); set it with --path instead: " +
                "pulumi config rm canary-stack:cluster.context && pulumi config set --path canary-stack:cluster.context b",
        ],
        [
            "a list index, quoted for the shell",
            { "canary-stack:apps[0].name": "it's" },
            none,
            'canary-stack:apps[0].name: "it\'s" set without --path, as one key named "apps[0].name", which this program never reads ' +
                "(it reads apps as a whole); set it with --path instead: " +
                "pulumi config rm 'canary-stack:apps[0].name' && pulumi config set --path 'canary-stack:apps[0].name' 'it'\\''s'",
        ],
        [
            "a secret, never shown",
            { "canary-stack:platform.newRelic.key": "s3cret" },
            (k) => k === "canary-stack:platform.newRelic.key",
            'canary-stack:platform.newRelic.key: a secret set without --path, as one key named "platform.newRelic.key", which this program never reads ' +
                "(it reads platform as a whole); set it with --path instead: " +
                "pulumi config rm canary-stack:platform.newRelic.key && pulumi config set --path --secret canary-stack:platform.newRelic.key <value>",
        ],
    ];
    for (const [name, config, isSecret, expected] of cases) {
        it(`names the --path command: ${name}`, () => assert.equal(flatKeyError(config, "canary-stack", isSecret), expected));
    }
});

describe("stack config: keys of the project's namespace the program does not read", () => {
    const known = ["cluster", "platform", "apps", "newRelicApiKey"];
    it("passes the keys it reads, flat keys (flatKeys.ts's) and other projects' keys", () => {
        const config = { "canary-stack:apps": "[]", "canary-stack:cluster.context": "x", "kubernetes:context": "prod", "other:app": "x" };
        assert.equal(unknownTopKeyError(config, "canary-stack", known), undefined);
    });
    const cases: [string, string, string][] = [
        [
            "a misspelled apps",
            "app",
            "canary-stack:app: unknown key, which this program never reads (did you mean canary-stack:apps?); " +
                "the keys of canary-stack are cluster, platform, apps, newRelicApiKey. Remove it with: pulumi config rm canary-stack:app",
        ],
        [
            "a misspelled platform, in another case",
            "Platfrom",
            "canary-stack:Platfrom: unknown key, which this program never reads (did you mean canary-stack:platform?); " +
                "the keys of canary-stack are cluster, platform, apps, newRelicApiKey. Remove it with: pulumi config rm canary-stack:Platfrom",
        ],
        [
            "the API key misspelled (its value never shown)",
            "newRelicAPIKey",
            "canary-stack:newRelicAPIKey: unknown key, which this program never reads (did you mean canary-stack:newRelicApiKey?); " +
                "the keys of canary-stack are cluster, platform, apps, newRelicApiKey. Remove it with: pulumi config rm canary-stack:newRelicAPIKey",
        ],
    ];
    for (const [name, key, expected] of cases) {
        it(`names the nearest known key: ${name}`, () =>
            assert.equal(unknownTopKeyError({ [`canary-stack:${key}`]: "s3cret", "canary-stack:apps": "[]" }, "canary-stack", known), expected));
    }
    it("the nearest key by edit distance", () => {
        assert.equal(nearestKey("clustr", known), "cluster");
        assert.equal(nearestKey("ap", known), "apps");
    });
});
