/**
 * Two checks of the canary alerts that need no waiting: the series they read, against the
 * controller's live /metrics; and how each rule behaves over time (fires once, resolves, waits
 * its `for`), by `promtool test rules` on the rule file the operator generated.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify } from "yaml";
import { RUN_ALERT_FIRES_FOR } from "../components/manifests/alerts";
import { ANALYSIS_RUN_PHASES, CONTROLLER_SERIES, ROLLOUT_INFO_PHASES } from "../components/manifests/controllerMetrics";
import { promDurationSeconds } from "../model/duration";
import { run } from "./lib/proc";
import { ScenarioResult, stepResult } from "./report/types";

type Exposition = Map<string, { labels: Set<string>; phases: Set<string> }>;

/** Metric names, label names and `phase` values of a Prometheus text exposition. */
export function parseExposition(text: string): Exposition {
    const families: Exposition = new Map();
    for (const line of text.split("\n")) {
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
        if (!m) continue;
        const family = families.get(m[1]) ?? { labels: new Set(), phases: new Set() };
        for (const [, label, value] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
            family.labels.add(label);
            if (label === "phase") family.phases.add(value);
        }
        families.set(m[1], family);
    }
    return families;
}

/**
 * Every series the controller module lists is on the live /metrics with exactly its labels, the
 * phases seen are ones it lists, and the old alerts' analysis_run_created_time is not there.
 */
export async function controllerSeriesRow(metricsUrl: string, read: string[]): Promise<{ row: ScenarioResult; text: string }> {
    const name = "the series the alerts and panels read, on the controller's live /metrics";
    const expected =
        "each series of components/manifests/controllerMetrics.ts with exactly its labels; only the phases listed there; no analysis_run_created_time";
    const text = await (await fetch(metricsUrl)).text();
    const families = parseExposition(text);
    const wrong: string[] = [];
    for (const [series, labels] of Object.entries(CONTROLLER_SERIES)) {
        const seen = families.get(series);
        const got = [...(seen?.labels ?? [])].sort().join(",");
        if (!seen) wrong.push(`${series} missing`);
        else if (got !== [...labels].sort().join(",")) wrong.push(`${series} has labels ${got}, not ${[...labels].sort().join(",")}`);
    }
    const phases = (series: string, allowed: readonly string[]) => {
        const seen = [...(families.get(series)?.phases ?? [])].sort();
        wrong.push(...seen.filter((p) => !allowed.includes(p)).map((p) => `${series} has phase="${p}"`));
        return seen.join(", ") || "none";
    };
    const rolloutPhases = phases("rollout_info", ROLLOUT_INFO_PHASES);
    const runPhases = phases("analysis_run_info", ANALYSIS_RUN_PHASES);
    if (families.has("analysis_run_created_time")) wrong.push("analysis_run_created_time is exported after all");
    const observed =
        `${Object.keys(CONTROLLER_SERIES).length - wrong.filter((w) => !w.includes("phase")).length} of ${Object.keys(CONTROLLER_SERIES).length} listed series present with their labels` +
        `${wrong.length ? ` (${wrong.join("; ")})` : ""}; the alerts and panels read ${read.join(", ")}; rollout_info phases now: ${rolloutPhases}; ` +
        `analysis_run_info phases now: ${runPhases}; analysis_run_created_time: ${families.has("analysis_run_created_time") ? "present" : "not exported"}; ` +
        `${families.size} metric names in all (controller-metrics.txt beside the report)`;
    return { row: stepResult(name, expected, observed, wrong.length === 0), text };
}

interface Rule {
    alert: string;
    for?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

const TICK = 10;
const expand = (template: string, labels: Record<string, string>) => template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => labels[k] ?? "");

/**
 * A promtool unit test of the rule file, with the for durations the file has: the series as the
 * controller writes them (one per AnalysisRun / Rollout, the phase in a label), sampled every 10 s.
 */
export function promtoolTests(ruleFile: string, controllerJob: string): { yaml: string; checks: string[] } {
    const rules: Rule[] = (parseYaml(fs.readFileSync(ruleFile, "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
    const rule = (alert: string) => {
        const found = rules.find((r) => r.alert === alert);
        if (!found) throw new Error(`${ruleFile} has no alert ${alert}`);
        return found;
    };
    /** Ticks of a rule's `for`: it fires at the first evaluation at least that long after the condition began. */
    const forTicks = (alert: string) => Math.ceil((promDurationSeconds(rule(alert).for ?? "0s") ?? 0) / TICK);
    const start = 300;
    const fires = (alert: string) => start + forTicks(alert) * TICK;
    const window = promDurationSeconds(RUN_ALERT_FIRES_FOR)!;
    const base = { job: controllerJob, instance: "127.0.0.1:14091" };
    const series = (metric: string, labels: Record<string, string>, values: string) => ({
        series: `${metric}{${Object.entries({ ...base, ...labels })
            .map(([k, v]) => `${k}="${v}"`)
            .join(",")}}`,
        values,
    });
    const expect = (alert: string, at: number, firing: Record<string, string>[]) => ({
        eval_time: `${at}s`,
        alertname: alert,
        exp_alerts: firing.map((labels) => {
            const all = { ...labels, ...rule(alert).labels };
            return { exp_labels: all, exp_annotations: Object.fromEntries(Object.entries(rule(alert).annotations).map(([k, v]) => [k, expand(v, all)])) };
        }),
    });
    const run = (n: string, phase: string) => [
        series("analysis_run_info", { namespace: "demo", name: n, phase: "Running" }, `1x${start / TICK - 1} stale`),
        series("analysis_run_info", { namespace: "demo", name: n, phase }, `_x${start / TICK} 1x1000`),
    ];
    const pausedTicks = forTicks("RolloutPausedTooLong");
    const input = [
        ...run("demo-failed", "Failed"),
        ...run("demo-errored", "Error"),
        series(
            "rollout_info",
            { namespace: "demo", name: "demo-aborted", phase: "Abort", strategy: "canary", traffic_router: "" },
            `_x${start / TICK} 1x${forTicks("RolloutDegraded") + 30} stale`,
        ),
        series("rollout_info", { namespace: "demo", name: "demo-done", phase: "Completed", strategy: "canary", traffic_router: "" }, "1x1000"),
        series(
            "rollout_info",
            { namespace: "demo", name: "demo-paused", phase: "Paused", strategy: "canary", traffic_router: "" },
            `_x${start / TICK} 1x${pausedTicks + 30} stale`,
        ),
        // A timed pause just shorter than the alert's for: it must not fire.
        series(
            "rollout_info",
            { namespace: "demo", name: "demo-timed", phase: "Paused", strategy: "canary", traffic_router: "" },
            `_x${start / TICK} 1x${Math.max(pausedTicks - 1, 0)} stale`,
        ),
        { series: `up{job="${controllerJob}",instance="127.0.0.1:14091"}`, values: `1x${start / TICK - 1} 0x${forTicks("RolloutsControllerDown") + 30} stale` },
    ];
    const once = (alert: string, n: string) => [
        expect(alert, start - TICK, []),
        expect(alert, start, [{ namespace: "demo", name: n }]),
        expect(alert, start + window - TICK, [{ namespace: "demo", name: n }]),
        expect(alert, start + window, []),
        expect(alert, 9000, []),
    ];
    const afterFor = (alert: string, labels: Record<string, string>, after: number) => [
        ...(forTicks(alert) > 0 ? [expect(alert, fires(alert) - TICK, [])] : []),
        expect(alert, fires(alert), [labels]),
        expect(alert, after, []),
    ];
    const tests = [
        ...once("CanaryAnalysisFailed", "demo-failed"),
        ...once("CanaryAnalysisErrored", "demo-errored"),
        ...afterFor("RolloutDegraded", { namespace: "demo", name: "demo-aborted", phase: "Abort" }, start + (forTicks("RolloutDegraded") + 32) * TICK),
        ...afterFor("RolloutPausedTooLong", { namespace: "demo", name: "demo-paused" }, start + (pausedTicks + 32) * TICK),
        ...(forTicks("RolloutsControllerDown") > 0 ? [expect("RolloutsControllerDown", fires("RolloutsControllerDown") - TICK, [])] : []),
        // absent() of a comparison has no labels to copy: the alert carries only its severity.
        expect("RolloutsControllerDown", fires("RolloutsControllerDown"), [{}]),
        // The controller's target gone altogether (stale, then absent): still down.
        expect("RolloutsControllerDown", start + (forTicks("RolloutsControllerDown") + 40) * TICK, [{}]),
    ];
    const yaml = stringify({
        // Beside the test file: promtool resolves it from there, so the pair can be run again as kept.
        rule_files: [path.basename(ruleFile)],
        evaluation_interval: `${TICK}s`,
        tests: [{ interval: `${TICK}s`, input_series: input, alert_rule_test: tests }],
    });
    const checks = [
        `CanaryAnalysisFailed and CanaryAnalysisErrored fire from the first evaluation that sees the run in its phase, for ${RUN_ALERT_FIRES_FOR}, then never again while the run stays`,
        `RolloutDegraded fires for Abort after its for (${rule("RolloutDegraded").for}), not for Completed, and resolves when the phase goes`,
        `RolloutPausedTooLong fires after its for (${rule("RolloutPausedTooLong").for}), not for a pause just shorter`,
        `RolloutsControllerDown fires after its for (${rule("RolloutsControllerDown").for}) when up is 0, and stays when the target is gone`,
    ];
    return { yaml, checks };
}

/** `promtool check rules` and `promtool test rules` on the operator's rule file; the test file is returned to keep. */
export function promtoolRow(ruleFile: string, testDir: string, controllerJob: string): { row: ScenarioResult; test?: string } {
    const name = "promtool test rules on the operator's rule file: fire once, resolve, wait for their for";
    const t0 = Date.now();
    const successes = (out: string) =>
        out
            .trim()
            .split("\n")
            .filter((l) => /SUCCESS/.test(l))
            .map((l) => l.trim())
            .join(" ");
    try {
        const checked = successes(run("promtool", ["check", "rules", ruleFile]));
        fs.mkdirSync(testDir, { recursive: true });
        const copy = path.join(testDir, "operator-rules.yaml");
        fs.copyFileSync(ruleFile, copy);
        const { yaml, checks } = promtoolTests(copy, controllerJob);
        const testFile = path.join(testDir, "canary-alerts.test.yaml");
        fs.writeFileSync(testFile, yaml);
        const tested = successes(run("promtool", ["test", "rules", testFile]));
        const observed = `check: ${checked}; test (canary-alerts.test.yaml beside the report): ${tested}`;
        return { row: stepResult(name, checks.join("; "), observed, true, (Date.now() - t0) / 1000), test: yaml };
    } catch (err) {
        return { row: stepResult(name, "promtool check and test rules pass", (err as Error).message, false, (Date.now() - t0) / 1000) };
    }
}
