// Tests e2e/state/evidence.ts, e2e/state/postgres.ts's URL and e2e/state/killTree.ts: the lock message of a
// self-managed backend as the CLI prints it, the search for a secret in a pg_dump, the state diff, the process tree.
import { strict as assert } from "assert";
import { base64Forms, decodedBlobs, diffShape, jsonDiff, lockKeys, parseLockMessage, sightings, total } from "../e2e/state/evidence";
import { descendants } from "../e2e/state/killTree";
import { postgresUrl } from "../e2e/state/postgres";

// As pulumi v3.259.0 printed it in the e2e (backend/diy/lock.go's checkForLock, the URL's user redacted).
const REFUSED = [
    "Updating (local):",
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
    "  postgres://****:****@127.0.0.1:14170/pulumi/.pulumi/locks/organization/canary-stack/local/038b50aa-8487-4b16-bd3f-bfb37efad477.json?sslmode=disable: created by root@vm (pid 6050) at 2026-12-03T14:40:45Z",
    "",
].join("\n");

describe("state backend: the lock message", () => {
    it("reads the count and each holder's PID, user, host and time", () => {
        const lock = parseLockMessage(REFUSED)!;
        assert.equal(lock.count, 1);
        assert.deepEqual(
            lock.holders.map((h) => [h.user, h.host, h.pid, h.at]),
            [["root", "vm", 6050, "2026-12-03T14:40:45Z"]],
        );
        assert.match(lock.holders[0].url, /^postgres:\/\/\*{4}:\*{4}@127\.0\.0\.1:14170\/pulumi\/\.pulumi\/locks\/organization\/canary-stack\/local\//);
        assert.ok(lock.text.startsWith("the stack is currently locked by 1 lock(s)."));
        assert.ok(lock.text.endsWith("(pid 6050) at 2026-12-03T14:40:45Z"));
    });

    it("is undefined when the output has no lock message", () => {
        assert.equal(parseLockMessage("error: failed to ping PostgreSQL: pq: password authentication failed"), undefined);
    });

    it("lock keys are those under .pulumi/locks/, of the stack when named", () => {
        const keys = [
            "pulumi/.pulumi/meta.yaml",
            "pulumi/.pulumi/stacks/canary-stack/local.json",
            "pulumi/.pulumi/locks/organization/canary-stack/local/a.json",
            "pulumi/.pulumi/locks/organization/canary-stack/prod/b.json",
        ];
        assert.deepEqual(lockKeys(keys), keys.slice(2));
        assert.deepEqual(lockKeys(keys, "local"), [keys[2]]);
    });
});

describe("state backend: the planted secret's search", () => {
    const needle = "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUF3";

    it("base64 of a text holding the needle contains one of its forms, at any offset", () => {
        for (const prefix of ["", "a", "ab", "abc", '{"kubeconfig":"client-key-data: ']) {
            const encoded = Buffer.from(`${prefix}${needle} and more`).toString("base64");
            assert.ok(
                base64Forms(needle).some((f) => encoded.includes(f)),
                `prefix ${JSON.stringify(prefix)}`,
            );
        }
    });

    it('finds the needle in the backend\'s blobs ({"data": base64}) and counts nothing in ciphertext', () => {
        const checkpoint = JSON.stringify({ outputs: { kubeconfig: `users:\n- user:\n    client-key-data: ${needle}\n` } });
        const row = `pulumi/.pulumi/stacks/canary-stack/local.json\t{"data":"${Buffer.from(checkpoint).toString("base64")}"}\t2026-12-03\n`;
        assert.ok(sightings(row, needle).inBlobs === 1 && total(sightings(row, needle)) >= 1);
        const encrypted = JSON.stringify({
            outputs: { kubeconfig: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc:def" } },
        });
        const safe = `k\t{"data":"${Buffer.from(encrypted).toString("base64")}"}\n`;
        assert.deepEqual(sightings(safe, needle), { plain: 0, base64: 0, inBlobs: 0 });
        assert.deepEqual(sightings(`a line with ${needle}`, needle), { plain: 1, base64: 0, inBlobs: 0 });
    });

    it("decodes every long base64 run", () => {
        const blob = Buffer.from("x".repeat(60)).toString("base64");
        assert.deepEqual(decodedBlobs(`{"data":"${blob}"} short aGVsbG8=`), ["x".repeat(60)]);
    });
});

describe("state backend: the export diff", () => {
    it("names the paths that differ, arrays by index, and folds the indexes", () => {
        const before = { deployment: { manifest: { time: "t1" }, resources: [{ urn: "a", outputs: { k: { ciphertext: "v1:x" } } }, { urn: "b" }] } };
        const after = { deployment: { manifest: { time: "t2" }, resources: [{ urn: "a", outputs: { k: { ciphertext: "v1:y" } } }, { urn: "b" }] } };
        const diff = jsonDiff(before, after);
        assert.deepEqual(diff, ["deployment.manifest.time", "deployment.resources[0].outputs.k.ciphertext"]);
        assert.deepEqual(diff.map(diffShape), ["deployment.manifest.time", "deployment.resources[*].outputs.k.ciphertext"]);
        assert.deepEqual(jsonDiff({ a: [1, 2] }, { a: [1] }), ["a[1]"]);
    });
});

describe("state backend: the URL and the process tree", () => {
    it("the URL has the role and no password", () => {
        assert.equal(postgresUrl(14170), "postgres://canary@127.0.0.1:14170/pulumi?sslmode=disable");
        assert.equal(postgresUrl(5432, "ops", "state", "verify-full"), "postgres://ops@127.0.0.1:5432/state?sslmode=verify-full");
    });

    it("a process's descendants, parents first, and nothing else", () => {
        const parents = new Map([
            [10, 1],
            [11, 10],
            [12, 11],
            [13, 10],
            [20, 1],
        ]);
        assert.deepEqual(descendants(10, parents), [10, 11, 13, 12]);
        assert.deepEqual(descendants(20, parents), [20]);
    });
});
