// Tests the checked-in stack files themselves (Pulumi.<stack>.yaml).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { listStacks } from "../scripts/stackFile";

describe("the checked-in stack files", () => {
    it("carry no secrets-provider salt: each user's stack init writes its own, and the e2e creates its stacks with its own passphrase", () => {
        // A `pulumi stack init` run in the project writes `encryptionsalt` into the stack's file; checked in, it
        // makes the e2e's `pulumi stack init local` fail with "incorrect passphrase" (it did once).
        const salted = listStacks().filter((stack) => {
            const doc = parse(fs.readFileSync(path.join(__dirname, "..", `Pulumi.${stack}.yaml`), "utf8")) ?? {};
            return doc.encryptionsalt !== undefined || doc.secretsprovider !== undefined || doc.encryptedkey !== undefined;
        });
        assert.deepEqual(salted, []);
    });
});
