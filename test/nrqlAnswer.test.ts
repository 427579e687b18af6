// Tests the e2e's NerdGraph stand-in: its NRQL (e2e/newrelic/nrqlAnswer.ts) and the simulator's transaction log (e2e/traffic/transactions.ts).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { NERDGRAPH_URL, newRelicApp, newRelicPlatform, newRelicStackConfig, SHORT_WAIT } from "../e2e/newrelic/config";
import { answerNrql } from "../e2e/newrelic/nrqlAnswer";
import { spreadOverPods, Transaction, TransactionLog } from "../e2e/traffic/transactions";

const NOW = 1_800_000_000_000;
const tx = (secondsAgo: number, host: string, count: number, errors: number, duration = 0.2, appName = "demo"): Transaction => ({
    timestamp: NOW - secondsAgo * 1000,
    appName,
    host,
    count,
    errors,
    duration,
});

/** Pulumi.newrelic.yaml's gates, with Argo's {{args.canary-hash}} substituted as the controller does before it sends them. */
function shippedGates(hash: string): { name: string; nrql: string }[] {
    const apps = parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.newrelic.yaml"), "utf8")).config["canary-stack:apps"];
    return apps.flatMap((a: any) => a.analysis.metrics).map((m: any) => ({ name: m.name, nrql: m.nrql.replace(/\{\{args\.canary-hash\}\}/g, hash) }));
}

describe("the NerdGraph stand-in's NRQL", () => {
    const records = [
        tx(10, "checkout-abc12-x1", 100, 30, 0.2, "checkout"),
        tx(20, "checkout-abc12-x2", 100, 0, 0.7, "checkout"),
        tx(20, "checkout-def34-y1", 500, 0, 0.2, "checkout"), // the stable pods
        tx(400, "checkout-abc12-x1", 1000, 1000, 0.2, "checkout"), // outside SINCE 5 minutes ago
        tx(10, "other-abc12-z", 50, 50, 0.9, "other"),
    ];

    it("answers each gate Pulumi.newrelic.yaml ships, over the canary's pods in the window alone", () => {
        const [errorRate, slow] = shippedGates("abc12");
        assert.deepEqual(answerNrql(errorRate.nrql, records, NOW), { results: [{ errorPercent: 15, requests: 200 }] });
        assert.deepEqual(answerNrql(slow.nrql, records, NOW), { results: [{ slowPercent: 50, requests: 200 }] });
    });

    it("gives a percentage over no transactions as null, and count 0", () => {
        const [errorRate] = shippedGates("nope9");
        assert.deepEqual(answerNrql(errorRate.nrql, records, NOW), { results: [{ errorPercent: null, requests: 0 }] });
    });

    it("keys unaliased items as New Relic does, and reads WHERE error IS false and SINCE in seconds", () => {
        assert.deepEqual(
            answerNrql("SELECT count(*), percentage(count(*), WHERE duration >= 0.7) FROM Transaction WHERE error IS false SINCE 30 seconds ago", records, NOW),
            { results: [{ count: 670, percentage: (100 * 100) / 670 }] },
        );
    });

    it("answers what it does not read with an error, never a number", () => {
        for (const query of [
            "SELECT average(duration) FROM Transaction",
            "SELECT count(*) FROM PageView",
            "SELECT count(*) FROM Transaction WHERE name = 'x'",
            "SELECT count(*) FROM Transaction FACET host",
            "SELECT count(*), count(*) FROM Transaction",
            "SELECT count(*) FROM Transaction SINCE yesterday",
        ]) {
            const answer = answerNrql(query, records, NOW);
            assert.ok("error" in answer && /^NRQL Syntax Error/.test(answer.error), `${query}: ${JSON.stringify(answer)}`);
        }
    });
});

describe("the simulator's transaction log", () => {
    it("spreads a tick's requests and errors over the ready pods as evenly as whole requests allow", () => {
        assert.deepEqual(spreadOverPods(["p-b", "p-a"], 5, 3), [
            { host: "p-a", count: 3, errors: 2 },
            { host: "p-b", count: 2, errors: 1 },
        ]);
        assert.deepEqual(spreadOverPods(["p-a", "p-b", "p-c"], 2, 1), [
            { host: "p-a", count: 1, errors: 1 },
            { host: "p-b", count: 1, errors: 0 },
        ]);
        assert.deepEqual(spreadOverPods([], 5, 0), []);
    });

    it("keeps each record with its time, and forgets records older than it keeps", () => {
        const log = new TransactionLog();
        log.record(NOW - 31 * 60 * 1000, "demo", ["p"], 1, 0, 0.1);
        log.record(NOW - 1000, "demo", ["p"], 2, 1, 0.1);
        log.record(NOW, "demo", ["p", "q"], 2, 0, 0.1);
        assert.equal(log.since(0).length, 3, "the record older than 30 minutes is gone");
        assert.deepEqual(
            log.since(NOW - 1000).map((t) => `${t.host}:${t.count}/${t.errors}`),
            ["p:2/1", "p:1/0", "q:1/0"],
        );
    });
});

describe("e2e New Relic phase: the stack it runs", () => {
    const checkedIn = () => parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.newrelic.yaml"), "utf8")).config;

    it("keeps Pulumi.newrelic.yaml's ladder, limits, gates and platform; only names, the controller and the waits change", () => {
        const original = checkedIn()["canary-stack:apps"][0];
        const app = newRelicApp();
        assert.deepEqual(
            app.steps.filter((s: any) => !s.pause),
            original.steps.filter((s: any) => !s.pause),
        );
        assert.ok(app.steps.filter((s: any) => s.pause).every((s: any) => s.pause.duration === SHORT_WAIT));
        for (const k of ["replicas", "maxBadCanaryWeight"]) assert.deepEqual(app[k], original[k], k);
        const { metrics, interval, initialDelay, ...limits } = app.analysis;
        const { metrics: originalMetrics, interval: _i, ...originalLimits } = original.analysis;
        assert.deepEqual(limits, originalLimits);
        assert.deepEqual([interval, initialDelay], [SHORT_WAIT, SHORT_WAIT]);
        assert.deepEqual(
            metrics.map((m: any) => ({ ...m, nrql: undefined })),
            originalMetrics.map((m: any) => ({ ...m, nrql: undefined })),
        );
        assert.deepEqual(
            metrics.map((m: any) => m.nrql),
            originalMetrics.map((m: any) =>
                m.nrql.replace(`appName = '${original.name}'`, "appName = 'demo'").replace(`host LIKE '${original.name}-`, "host LIKE 'demo-"),
            ),
        );
        const platform = newRelicPlatform();
        const originalPlatform = checkedIn()["canary-stack:platform"];
        assert.deepEqual(platform.monitoring, originalPlatform.monitoring);
        assert.deepEqual({ ...platform.newRelic, baseUrlNerdgraph: undefined }, { ...originalPlatform.newRelic, baseUrlNerdgraph: undefined });
        assert.equal(platform.newRelic.baseUrlNerdgraph, NERDGRAPH_URL);
        assert.equal(platform.argoRollouts.install, false);
    });

    it("parses: every gate on New Relic, the stand-in's https URL accepted", () => {
        const { app, platform } = newRelicStackConfig();
        assert.ok(app.analysis.metrics.every((m) => m.provider === "newRelic"));
        assert.equal(platform.monitoring.prometheus, false);
        assert.equal(platform.newRelic?.baseUrlNerdgraph, NERDGRAPH_URL);
    });

    it("its gates are ones the stand-in answers", () => {
        for (const m of newRelicApp().analysis.metrics) {
            const answer = answerNrql(m.nrql.replace("{{args.canary-hash}}", "abc12"), [tx(1, "demo-abc12-x", 60, 0)], NOW);
            assert.ok("results" in answer && answer.results[0].requests === 60, `${m.name}: ${JSON.stringify(answer)}`);
        }
    });
});
