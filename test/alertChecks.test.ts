// Tests e2e/alertChecks.ts: how the e2e reads the controller's /metrics, and the promtool test it writes for the rule file.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify } from "yaml";
import { canaryAlertRule } from "../components/manifests/alerts";
import { spawnSync } from "child_process";
import { parseExposition, promtoolTests } from "../e2e/alertChecks";
import { hasPromtool } from "./promtool";

describe("e2e: the controller's /metrics", () => {
    it("reads metric names, label names and phases, skipping comments", () => {
        const families = parseExposition(
            [
                "# HELP rollout_info Information about rollout.",
                "# TYPE rollout_info gauge",
                'rollout_info{name="demo",namespace="demo",phase="Abort",strategy="canary",traffic_router=""} 1',
                'rollout_info{name="other",namespace="demo",phase="Completed",strategy="canary",traffic_router=""} 1',
                'analysis_run_info{name="demo-745c4456f8-3-2",namespace="demo",phase="Failed"} 1',
                'argo_rollouts_controller_info{version="v1.8.3 \\"x\\""} 1',
                "go_goroutines 42",
                "",
            ].join("\n"),
        );
        assert.deepEqual([...families.keys()], ["rollout_info", "analysis_run_info", "argo_rollouts_controller_info", "go_goroutines"]);
        assert.deepEqual([...families.get("rollout_info")!.labels].sort(), ["name", "namespace", "phase", "strategy", "traffic_router"]);
        assert.deepEqual([...families.get("rollout_info")!.phases], ["Abort", "Completed"]);
        assert.deepEqual([...families.get("argo_rollouts_controller_info")!.labels], ["version"]);
        assert.equal(families.get("go_goroutines")!.labels.size, 0);
    });
});

describe("e2e: the promtool test of the rule file", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The rule file as the operator writes it: the PrometheusRule's spec as YAML. */
    function ruleFile(alertFor: Record<"RolloutDegraded" | "RolloutPausedTooLong" | "RolloutsControllerDown", string>): string {
        const file = path.join(dir, "rules.yaml");
        fs.writeFileSync(file, stringify(canaryAlertRule({ name: "a", namespace: "monitoring" }, {}, "argo", alertFor).spec));
        return file;
    }
    const firingAt = (yaml: string, alert: string) =>
        (parseYaml(yaml).tests[0].alert_rule_test as any[])
            .filter((t) => t.alertname === alert)
            .map((t) => [t.eval_time, t.exp_alerts.map((a: any) => a.exp_labels.name ?? a.exp_labels.severity)]);

    it("expects an analysis alert for exactly 10 minutes from the run's phase, then never again", () => {
        const { yaml } = promtoolTests(ruleFile({ RolloutDegraded: "5s", RolloutPausedTooLong: "20s", RolloutsControllerDown: "10s" }), "argo");
        assert.deepEqual(firingAt(yaml, "CanaryAnalysisFailed"), [
            ["290s", []],
            ["300s", ["demo-failed"]],
            ["890s", ["demo-failed"]],
            ["900s", []],
            ["9000s", []],
        ]);
    });

    it("passes promtool test rules: each alert's severity, summary and runbook_url as written, at the times expected", function () {
        if (!hasPromtool()) this.skip();
        const rules = ruleFile({ RolloutDegraded: "5s", RolloutPausedTooLong: "20s", RolloutsControllerDown: "10s" });
        const { yaml } = promtoolTests(rules, "argo");
        const expected = (parseYaml(yaml).tests[0].alert_rule_test as any[]).flatMap((t) => t.exp_alerts);
        assert.deepEqual([...new Set(expected.map((a: any) => a.exp_labels.severity))].sort(), ["critical", "info", "warning"]);
        assert.ok(expected.every((a: any) => /^docs\/platform\.md#[a-z]+$/.test(a.exp_annotations.runbook_url)));
        const testFile = path.join(dir, "canary-alerts.test.yaml");
        fs.writeFileSync(testFile, yaml);
        const run = spawnSync("promtool", ["test", "rules", testFile], { encoding: "utf8" });
        assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
        // And it fails on a wrong severity: the test compares labels, not just alert names.
        fs.writeFileSync(testFile, yaml.split("severity: critical").join("severity: page"));
        assert.notEqual(spawnSync("promtool", ["test", "rules", testFile], { encoding: "utf8" }).status, 0);
    });

    it("expects the for-alerts one evaluation after their for, from the file's own for values", () => {
        const local = promtoolTests(ruleFile({ RolloutDegraded: "5s", RolloutPausedTooLong: "20s", RolloutsControllerDown: "10s" }), "argo").yaml;
        assert.deepEqual(firingAt(local, "RolloutPausedTooLong"), [
            ["310s", []],
            ["320s", ["demo-paused"]],
            ["640s", []],
        ]);
        assert.deepEqual(firingAt(local, "RolloutsControllerDown"), [
            ["300s", []],
            ["310s", ["critical"]],
            ["710s", ["critical"]],
        ]);
        const prod = promtoolTests(ruleFile({ RolloutDegraded: "1m", RolloutPausedTooLong: "1h", RolloutsControllerDown: "5m" }), "argo").yaml;
        assert.deepEqual(firingAt(prod, "RolloutPausedTooLong"), [
            ["3890s", []],
            ["3900s", ["demo-paused"]],
            ["4220s", []],
        ]);
    });
});
