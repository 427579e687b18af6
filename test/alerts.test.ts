// Tests components/manifests/alerts.ts and dashboard.ts: the exact queries, and that each reads only series the controller exports.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { canaryAlertRule, canaryAlerts, RUNBOOK_PAGE, timedPausesWarning } from "../components/manifests/alerts";
import { ANALYSIS_RUN_PHASES, CONTROLLER_SERIES, ROLLOUT_INFO_PHASES, TARGET_LABELS, TARGET_UP_SERIES } from "../components/manifests/controllerMetrics";
import { dashboardConfigMap, dashboardPanels } from "../components/manifests/dashboard";
import { parseStackConfig } from "../stacks";
import { PLATFORM_DEFAULTS } from "../stacks/defaults";
import { promqlError, promqlSelectors } from "../stacks/promql";
import { existingPlatform, validApp } from "./fixtures";
import { validateObject } from "./schema";

const JOB = "argo-rollouts-metrics";
const KNOWN: Record<string, readonly string[]> = { ...CONTROLLER_SERIES, ...TARGET_UP_SERIES };
const PHASES: Record<string, readonly string[]> = {
    rollout_info: ROLLOUT_INFO_PHASES,
    analysis_run_info: ANALYSIS_RUN_PHASES,
    analysis_run_metric_phase: ANALYSIS_RUN_PHASES,
};

/** What in a query the controller v1.8.3 cannot answer: unknown series, labels it does not carry, phases it never writes. */
function problems(expr: string): string[] {
    return promqlSelectors(expr).flatMap(({ metric, matchers }) => {
        const labels = KNOWN[metric];
        if (!labels) return [`${metric} is not exported`];
        return matchers.flatMap(({ label, op, value }) => {
            if (![...labels, ...TARGET_LABELS].includes(label)) return [`${metric} has no label ${label}`];
            const phases = PHASES[metric];
            if (label !== "phase" || !phases) return [];
            const values = op === "=~" ? value.split("|") : [value];
            return values.filter((v) => !phases.includes(v)).map((v) => `${metric} never has phase="${v}"`);
        });
    });
}

const seriesOf = (expr: string) => [...new Set(promqlSelectors(expr).map((s) => s.metric))].sort();

describe("the checker of alert and panel queries", () => {
    it("rejects what the old alerts read: a creation time and a phase the controller never exports", () => {
        assert.deepEqual(problems('(analysis_run_info{phase="Failed"} == 1) and on(namespace, name) (time() - analysis_run_created_time < 3600)'), [
            "analysis_run_created_time is not exported",
        ]);
        assert.deepEqual(problems('rollout_info{phase="Degraded"} == 1'), ['rollout_info never has phase="Degraded"']);
        assert.deepEqual(problems('rollout_info{phase=~"Abort|Healthy", rollout="x"}'), [
            'rollout_info never has phase="Healthy"',
            "rollout_info has no label rollout",
        ]);
    });
});

describe("canary alerts", () => {
    const alerts = canaryAlerts(JOB, PLATFORM_DEFAULTS.monitoring.alertFor);

    it("are exactly these queries, severities and for durations by default", () => {
        assert.deepEqual(
            alerts.map((a) => [a.alert, a.expr, a.for, a.severity]),
            [
                [
                    "CanaryAnalysisFailed",
                    'max by (namespace, name) (analysis_run_info{phase="Failed"}) unless on (namespace, name) max_over_time(analysis_run_info{phase="Failed"}[1h] offset 10m)',
                    undefined,
                    "info",
                ],
                [
                    "CanaryAnalysisErrored",
                    'max by (namespace, name) (analysis_run_info{phase="Error"}) unless on (namespace, name) max_over_time(analysis_run_info{phase="Error"}[1h] offset 10m)',
                    undefined,
                    "warning",
                ],
                ["RolloutDegraded", 'max by (namespace, name, phase) (rollout_info{phase=~"Abort|Timeout|InvalidSpec"})', "1m", "warning"],
                ["RolloutPausedTooLong", 'max by (namespace, name) (rollout_info{phase="Paused"})', "1h", "warning"],
                ["RolloutsControllerDown", 'absent(up{job="argo-rollouts-metrics"} == 1)', "5m", "critical"],
            ],
        );
    });

    for (const alert of alerts) {
        it(`${alert.alert} parses, reads exactly the series it names, and only what the controller exports`, () => {
            assert.equal(promqlError(alert.expr), undefined);
            assert.deepEqual(seriesOf(alert.expr), [...alert.series].sort());
            assert.deepEqual(problems(alert.expr), []);
        });
    }

    it("take each for from the stack's alertFor, and say it in the paused alert's summary", () => {
        const custom = canaryAlerts("argo", { RolloutDegraded: "5s", RolloutPausedTooLong: "20s", RolloutsControllerDown: "10s" });
        assert.deepEqual(
            custom.map((a) => a.for),
            [undefined, undefined, "5s", "20s", "10s"],
        );
        assert.match(custom[3].summary, /has been paused for 20s /);
        assert.equal(custom[4].expr, 'absent(up{job="argo"} == 1)');
    });

    it("use only kube-prometheus-stack's severities, and page (critical) only when nothing analyses canaries", () => {
        assert.deepEqual([...new Set(alerts.map((a) => a.severity))].sort(), ["critical", "info", "warning"]);
        assert.deepEqual(
            alerts.filter((a) => a.severity === "critical").map((a) => a.alert),
            ["RolloutsControllerDown"],
        );
        // An abort the controller already handled is a record; RolloutDegraded{phase="Abort"} is its warning.
        assert.equal(alerts.find((a) => a.alert === "CanaryAnalysisFailed")!.severity, "info");
    });

    it("leave out the controller-down alert when nothing scrapes the controller (it could only ever fire)", () => {
        assert.deepEqual(
            canaryAlerts(JOB, PLATFORM_DEFAULTS.monitoring.alertFor, { controllerScraped: false }).map((a) => a.alert),
            ["CanaryAnalysisFailed", "CanaryAnalysisErrored", "RolloutDegraded", "RolloutPausedTooLong"],
        );
    });

    it("link each alert to its runbook section, under the stack's runbookBaseUrl when set", () => {
        const urls = (base?: string) =>
            canaryAlertRule({ name: "a", namespace: "m" }, {}, JOB, PLATFORM_DEFAULTS.monitoring.alertFor, {
                controllerScraped: true,
                runbookBaseUrl: base,
            }).spec!.groups![0].rules!.map((r) => r.annotations?.runbook_url);
        assert.deepEqual(
            urls(),
            alerts.map((a) => `docs/platform.md#${a.alert.toLowerCase()}`),
        );
        assert.equal(
            urls("https://github.com/acme/canary-stack/blob/main/")[0],
            "https://github.com/acme/canary-stack/blob/main/docs/platform.md#canaryanalysisfailed",
        );
    });

    it("have each a runbook section in docs/platform.md, whose heading gives that anchor", () => {
        const headings = fs
            .readFileSync(path.join(__dirname, "..", RUNBOOK_PAGE), "utf8")
            .split("\n")
            .filter((l) => l.startsWith("#### "))
            .map((l) => l.slice(5));
        assert.deepEqual(
            alerts.map((a) => a.alert).filter((a) => !headings.includes(a)),
            [],
        );
    });

    it("go into one PrometheusRule group with for, severity and summary, valid against the operator's CRD", async () => {
        const rule = canaryAlertRule({ name: "canary-stack-alerts", namespace: "monitoring" }, { release: "kps" }, JOB, PLATFORM_DEFAULTS.monitoring.alertFor);
        await validateObject(rule);
        assert.equal(rule.metadata?.labels?.release, "kps");
        const rules = rule.spec!.groups![0].rules!;
        assert.deepEqual(
            rules.map((r) => [r.alert, r.for, r.labels?.severity]),
            alerts.map((a) => [a.alert, a.for, a.severity]),
        );
        assert.ok(!("for" in rules[0]), "no for: an analysis alert fires at the first evaluation");
        assert.deepEqual(
            rules.map((r) => r.annotations?.summary),
            alerts.map((a) => a.summary),
        );
        assert.ok(
            rules.every((r) => r.annotations?.runbook_url),
            "every alert has a runbook_url",
        );
    });
});

describe("dashboard panels", () => {
    const panels = dashboardPanels(JOB);

    it("are exactly these queries", () => {
        assert.deepEqual(
            panels.map((p) => [p.title, p.expr]),
            [
                ["Rollout phase", "max by (namespace, name, phase) (rollout_info)"],
                [
                    "Pods on the newest pod template (%)",
                    "100 * max by (namespace, name) (rollout_info_replicas_updated) / max by (namespace, name) (rollout_info_replicas_desired)",
                ],
                ["Unavailable pods", "max by (namespace, name) (rollout_info_replicas_unavailable)"],
                ["Analysis runs kept, by phase", "count by (namespace, phase) (analysis_run_info)"],
                ["Analysis metric outcomes", "count by (namespace, metric, phase) (analysis_run_metric_phase == 1)"],
                ["Controller scraped up", 'max(up{job="argo-rollouts-metrics"})'],
            ],
        );
    });

    for (const panel of panels) {
        it(`"${panel.title}" parses, reads exactly the series it names, and only what the controller exports`, () => {
            assert.equal(promqlError(panel.expr), undefined);
            assert.deepEqual(seriesOf(panel.expr), [...panel.series].sort());
            assert.deepEqual(problems(panel.expr), []);
        });
    }

    it("are the dashboard JSON's targets, in the ConfigMap Grafana's sidecar loads", async () => {
        const map = dashboardConfigMap({ name: "canary-stack-dashboard", namespace: "monitoring" }, JOB);
        await validateObject(map);
        const json = JSON.parse(map.data!["canary-rollouts.json"]);
        assert.deepEqual(
            json.panels.map((p: any) => p.targets[0].expr),
            panels.map((p) => p.expr),
        );
    });
});

describe("timed pauses against RolloutPausedTooLong", () => {
    const parsed = (alertFor: Record<string, string> | undefined, alerts = true, steps?: any[]) => {
        const platform = existingPlatform();
        platform.monitoring = { ...platform.monitoring, alerts, ...(alertFor ? { alertFor } : {}) };
        const app = validApp();
        if (steps) app.steps = steps;
        return parseStackConfig({ platform, apps: [app] });
    };
    const warning = (cfg: ReturnType<typeof parsed>) => timedPausesWarning(cfg.apps[0], cfg.platform.monitoring);

    it("says nothing when every timed pause plus the 30s scrape is shorter than the alert's for (1m and 30s against 1h)", () => {
        assert.equal(warning(parsed(undefined)), undefined);
        assert.equal(warning(parsed({ RolloutPausedTooLong: "91s" })), undefined, "1m + 30s < 91s");
    });

    it("names each timed pause that, with the controller's 30s scrape interval added, is at least the alert's for, and what to set", () => {
        assert.equal(
            warning(parsed({ RolloutPausedTooLong: "60s" })),
            "demo: steps[1] (pause 1m), steps[4] (pause 30s) plus the controller's 30s scrape interval are not shorter than platform.monitoring.alertFor.RolloutPausedTooLong (60s); " +
                "the controller reports a timed pause as Paused, and a scrape that catches it reads Paused until the next one, so that alert can fire during releases; " +
                "set alertFor.RolloutPausedTooLong longer than the longest timed pause plus 30s",
        );
        assert.match(
            warning(parsed({ RolloutPausedTooLong: "90s" }))!,
            /^demo: steps\[1\] \(pause 1m\) plus the controller's 30s scrape interval is not shorter than/,
        );
    });

    it("ignores pauses without a duration, and says nothing without alerts", () => {
        const steps = [{ setWeight: 10 }, { pause: {} }, { analysis: {} }];
        assert.equal(warning(parsed({ RolloutPausedTooLong: "1s" }, true, steps)), undefined);
        assert.equal(
            timedPausesWarning(parsed(undefined, false).apps[0], {
                ...parsed(undefined, false).platform.monitoring,
                alertFor: { ...PLATFORM_DEFAULTS.monitoring.alertFor, RolloutPausedTooLong: "1s" },
            }),
            undefined,
        );
    });
});
