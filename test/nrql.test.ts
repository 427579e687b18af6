// Tests stacks/nrql.ts (NRQL checked at preview) and its use in the stack config (stacks/metrics.ts).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseStackConfig } from "../stacks";
import { conditionKeys, nrqlCheck, unselectedKey } from "../stacks/nrql";
import { newRelicOnlyApp, noPrometheusPlatform } from "./fixtures";

const SHIPPED =
    "SELECT percentage(count(*), WHERE error IS true) AS errorPercent, count(*) AS requests FROM Transaction " +
    "WHERE appName = 'demo' AND host LIKE 'demo-{{args.canary-hash}}-%' SINCE 5 minutes ago";

describe("NRQL: what a mistake breaks", () => {
    it("reads the keys of the SELECT list: aliases, and f / f.x for an unaliased f(x)", () => {
        assert.deepEqual(nrqlCheck(SHIPPED), { keys: ["errorPercent", "requests"] });
        assert.deepEqual(nrqlCheck("FROM Transaction SELECT average(duration), count(*) WHERE appName = 'a'"), {
            keys: ["average", "average.duration", "count"],
        });
        assert.deepEqual(nrqlCheck("SELECT count(*) AS `error rate` FROM Transaction"), { keys: ["error rate"] });
    });

    it("takes quotes inside strings ('' and \\') and parentheses inside strings as written", () => {
        assert.deepEqual(nrqlCheck("SELECT count(*) AS n FROM Transaction WHERE name = 'it''s (a' AND x = 'b\\'c'"), { keys: ["n"] });
    });

    const errors: [string, string, RegExp][] = [
        ["an unclosed string", "SELECT count(*) AS n FROM Transaction WHERE appName = 'demo", /^NRQL: the string opened at character 55 is not closed with '/],
        ["an unclosed parenthesis", "SELECT percentage(count(*), WHERE error IS true AS e FROM Transaction", /^NRQL: the \( at character 18 is not closed/],
        ["a parenthesis that closes nothing", "SELECT count(*)) AS n FROM Transaction", /^NRQL: the \) at character 16 closes nothing/],
        ["no FROM", "SELECT count(*) AS n WHERE appName = 'demo'", /^NRQL: no FROM/],
        ["no SELECT", "FROM Transaction WHERE appName = 'demo'", /^NRQL: no SELECT/],
        ["an empty SELECT item", "SELECT count(*), FROM Transaction", /^NRQL: an empty item in the SELECT list/],
        [
            "an unclosed placeholder",
            "SELECT count(*) FROM Transaction WHERE host LIKE '{{args.canary-hash}-%'",
            /^NRQL: the placeholder at character 51 is not closed with \}\}/,
        ],
    ];
    for (const [what, query, message] of errors) {
        it(`refuses ${what}`, () => {
            const result = nrqlCheck(query);
            assert.ok("error" in result, `accepted: ${query}`);
            assert.match(result.error, message);
        });
    }

    it("reads the keys a condition reads, and finds one not selected", () => {
        assert.deepEqual(conditionKeys("result.requests >= 50 && result['errorPercent'] <= 1 || result[0].slow > 2 || len(result) == 0"), [
            "requests",
            "errorPercent",
            "slow",
        ]);
        const shape = nrqlCheck(SHIPPED) as { keys: string[] };
        assert.equal(unselectedKey(shape, "result.requests >= 20 && result.errorPercent <= 1"), undefined);
        assert.equal(unselectedKey(shape, "result.requests >= 20 && result.errorRate <= 1"), "errorRate");
        // A key that cannot be told (an unaliased expression) checks nothing.
        assert.equal(unselectedKey(nrqlCheck("SELECT count(*) * 2 FROM Transaction") as object, "result.anything > 1"), undefined);
    });
});

describe("NRQL in the stack config", () => {
    const parsed = (change: (m: any) => void) => {
        const app = newRelicOnlyApp();
        change(app.analysis.metrics[0]);
        return () => parseStackConfig({ platform: { ...noPrometheusPlatform(), newRelic: { accountId: "1" } }, apps: [app] }, {} as any);
    };

    it("accepts the fixture's query and conditions", () => {
        assert.doesNotThrow(parsed(() => undefined));
    });

    it("refuses an unbalanced query at its nrql key", () => {
        assert.throws(
            parsed((m) => {
                m.nrql = m.nrql.replace("count(*) AS requests", "count(* AS requests");
            }),
            /^.*apps\[0\]\.analysis\.metrics\[0\]\.nrql: NRQL: the \( at character \d+ is not closed/,
        );
    });

    it("refuses a condition reading a key the query does not select, at the condition's key", () => {
        assert.throws(
            parsed((m) => {
                m.failureCondition = "result.requests >= 20 && result.errorRate > 1";
            }),
            (err: Error) => {
                assert.equal(
                    err.message.slice(err.message.indexOf("apps[0]")),
                    "apps[0].analysis.metrics[0].failureCondition: reads result.errorRate, which the nrql does not select " +
                        "(it selects errorPercent, requests); name the value with AS errorRate in the SELECT, or read one of those",
                );
                return true;
            },
        );
    });

    it("passes every New Relic query the shipped stacks write", () => {
        for (const file of ["Pulumi.newrelic.yaml", "Pulumi.prod.yaml"]) {
            const config = parse(fs.readFileSync(path.join(__dirname, "..", file), "utf8")).config;
            const queries = (config["canary-stack:apps"] as any[]).flatMap((a) => a.analysis?.metrics ?? []).filter((m: any) => m.provider === "newRelic");
            assert.ok(queries.length > 0, file);
            for (const m of queries) {
                const shape = nrqlCheck(m.nrql);
                assert.ok(!("error" in shape), `${file} ${m.name}: ${JSON.stringify(shape)}`);
                assert.equal(unselectedKey(shape, `${m.successCondition} ${m.failureCondition}`), undefined, `${file} ${m.name}`);
            }
        }
    });
});
