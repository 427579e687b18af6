// Tests stacks/ on bad input: each bad config (test/configBad*.ts) stops with a ConfigError giving the key, the value and what is allowed.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "../stacks";
import { Case, raw } from "./configFixtures";
import { badLadderConfigs } from "./configBadLadder";
import { badMetricConfigs } from "./configBadMetrics";
import { badAppConfigs } from "./configBadApp";
import { badPlatformConfigs } from "./configBadPlatform";

const badConfigs: Case[] = [...badLadderConfigs, ...badMetricConfigs, ...badAppConfigs, ...badPlatformConfigs];

describe("stack config: bad input stops with the key, the value and what is allowed", () => {
    for (const [what, change, message] of badConfigs) {
        it(what, () => {
            assert.throws(
                () => parseStackConfig(raw(change)),
                (err: Error) => {
                    assert.equal(err.name, "ConfigError");
                    assert.ok(pulumi.RunError.isInstance(err), "a RunError: the CLI shows the message without a stack trace");
                    assert.equal(err.message, message);
                    return true;
                },
            );
        });
    }

    it("covers at least 25 distinct bad configs", () => {
        assert.ok(new Set(badConfigs.map((c) => c[2])).size >= 25);
    });
});
