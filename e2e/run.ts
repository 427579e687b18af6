/**
 * npm run e2e: a real local control plane, the real Argo Rollouts controller
 * and a real Prometheus decide real canaries of the local stack's app.
 *
 *   CANARY_E2E_DIR   state and logs (default /tmp/canary-e2e)
 *   CANARY_E2E_OUT   where the report goes (default <dir>/report)
 *   CANARY_E2E_PRODUCTION=skip leave out the production phase (e2e/production/phase.ts, on its own control plane in <dir>-production)
 *   CANARY_E2E_NEWRELIC=skip   leave out the New Relic phase (e2e/newrelic/phase.ts, on its own control plane in <dir>-newrelic)
 *   CANARY_E2E_DEMO=skip       leave out the demo phase (e2e/demo/phase.ts: npm start and its printed commands, in <dir>-demo on the demo's ports)
 *   CANARY_E2E_FLEET=skip      leave out the fleet phase (e2e/fleet/phase.ts: two control planes in <dir>-fleet, their stacks in PostgreSQL, npm run fleet)
 *   CANARY_E2E_PLATFORM=skip   leave out the platform phase (e2e/platform/phase.ts, on its own control plane in <dir>-platform)
 */
import * as fs from "fs";
import * as path from "path";
import { canaryAlerts } from "../components/manifests/alerts";
import { dashboardPanels } from "../components/manifests/dashboard";
import { readStackFile } from "../scripts/stackFile";
import { parseStackConfig } from "../stacks";
import { controllerSeriesRow, promtoolRow } from "./alertChecks";
import { analysisRunAlertRow, controllerDownRow, degradedRow, pausedRow } from "./alertRows";
import { AlertHistory } from "./alertHistory";
import { destroyHealthy, destroyMidCanary } from "./destroyScenarios";
import {
    appObjects,
    badConfig,
    kubeconfigListPreview,
    ladderChange,
    migrate,
    noChanges,
    operatorRow,
    previewMatchesRender,
    upUnreconciled,
} from "./engineScenarios";
import { ciAccountLimits } from "./ciAccountScenario";
import { CONTROLLER_METRICS_PORT, PROMETHEUS_PORT, prometheusRuleFolder, setUp } from "./environment";
import { ingressRows } from "./ingressScenario";
import { loadOperatorRules } from "./operator";
import { preflightPreview } from "./preflightScenario";
import { serverUrlRow } from "./kubeconfigScenarios";
import { flatKeyRow, SecondCluster, startSecondCluster, stopSecondCluster, wrongClusterRows } from "./guardScenarios";
import { newRelicPhase } from "./newrelic/phase";
import { demoPhase } from "./demo/phase";
import { fleetPhase } from "./fleet/phase";
import { platformPhase } from "./platform/phase";
import { productionPhase } from "./production/phase";
import { run, stop, stopAll } from "./lib/proc";
import { ScenarioResult, stepResult } from "./report/types";
import { writeReport } from "./report/write";
import { canaryScenarios, runCanary } from "./scenarios";
import { watchdogCatches } from "./watchdogScenario";
import { stableComparisons } from "./stableComparisonScenarios";

const ROOT = path.join(__dirname, "..");
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
const log = (message: string) => process.stderr.write(`[e2e ${elapsed()}] ${message}\n`);

function localConfig() {
    const file = readStackFile("local");
    const json = (key: string) => JSON.parse(file.config[`canary-stack:${key}`]);
    return parseStackConfig({ platform: json("platform"), apps: json("apps") });
}

function table(results: ScenarioResult[]): string {
    const rows = results.map((r) => `| ${r.name} | ${r.passed ? "pass" : "FAIL"} | ${r.seconds.toFixed(1)} | ${r.observed} |`);
    return ["| step | result | seconds | observed |", "|---|---|---|---|", ...rows].join("\n");
}

async function main(): Promise<number> {
    const dir = process.env.CANARY_E2E_DIR ?? "/tmp/canary-e2e";
    const out = process.env.CANARY_E2E_OUT ?? path.join(dir, "report");
    const results: ScenarioResult[] = [];
    const local = localConfig();
    const controllerJob = local.platform.argoRollouts.metricsJob;
    const { alertFor } = local.platform.monitoring;
    const alerts = canaryAlerts(controllerJob, alertFor);
    const panels = dashboardPanels(controllerJob);
    const history = new AlertHistory(PROMETHEUS_PORT, panels);
    /** Files the alert rows refer to, written beside the report (cluster-down removes the state dir). */
    const evidence: Record<string, string> = {};
    // The wrong-cluster rows' second control plane: started while the first up runs, stopped by its own cluster-down.
    const secondDir = `${dir}-second-cluster`;
    let second: Promise<SecondCluster> | undefined;
    const app = local.apps[0];
    try {
        const env = await setUp(dir, log);
        const record = (result: ScenarioResult) => {
            results.push(result);
            log(`${result.passed ? "pass" : "FAIL"}: ${result.name}: ${result.observed}`);
        };
        const original = appObjects(env);
        record(badConfig(env));
        record(kubeconfigListPreview(env));
        record(await preflightPreview(env));
        const { result: previewRow, objects } = await previewMatchesRender(env);
        record(previewRow);
        record(flatKeyRow(env));
        second = startSecondCluster(secondDir, path.join(dir, "logs", "second-cluster-up.log"));
        record(await migrate(env, objects));
        const rules = await loadOperatorRules(
            env.kubectl,
            prometheusRuleFolder(dir),
            PROMETHEUS_PORT,
            alerts.map((a) => a.alert),
        );
        record(rules.row);
        if (rules.ruleFile && rules.text) {
            evidence["operator-rules.yaml"] = rules.text;
            const promtool = promtoolRow(rules.ruleFile, path.join(dir, "promtool"), controllerJob);
            record(promtool.row);
            if (promtool.test) evidence["canary-alerts.test.yaml"] = promtool.test;
        }
        const rulesLoaded = Date.now();
        record(await noChanges(env, "right after the first"));
        // The ladder-change row right after plans exactly one update: the refused runs left nothing to change.
        for (const row of await wrongClusterRows(env, second)) record(row);
        record(serverUrlRow(env));
        record(await ladderChange(env));
        record(operatorRow(env, "get", "on the adopted Rollout", true));
        record(ciAccountLimits(env));
        for (const scenario of canaryScenarios(app)) {
            const since = Date.now();
            record(await runCanary(env, scenario, app));
            if (scenario.tag === "v2") {
                record(await history.noPageRow(`no critical alert during "${scenario.name}"`, controllerJob, since, Date.now()));
                record(operatorRow(env, "status", "on the promoted canary", true));
            }
            if (scenario.tag === "v3") {
                record(operatorRow(env, "status", "on the aborted canary", false));
                record(await analysisRunAlertRow(env, history, { alert: "CanaryAnalysisFailed", phase: "Failed", since, scenario: scenario.name }));
                record(await degradedRow(env, history, alertFor, since, scenario.name));
                const series = await controllerSeriesRow(`http://127.0.0.1:${CONTROLLER_METRICS_PORT}/metrics`, [
                    ...new Set([...alerts, ...panels].flatMap((q) => q.series)),
                ]);
                record(series.row);
                evidence["controller-metrics.txt"] = series.text;
            }
            if (scenario.tag === "v6") {
                record(await pausedRow(env, history, alertFor, since, scenario.name));
                // The paused, inconclusive canary: abort it, retry it, promote past the pause.
                record(operatorRow(env, "abort", "on the paused canary", true, (r) => (r.status?.abort ? undefined : "status.abort not set")));
                record(operatorRow(env, "retry", "on the aborted canary", true, (r) => (r.status?.abort ? "still aborted" : undefined)));
                record(operatorRow(env, "promote", "on the retried canary", true));
            }
            if (scenario.tag === "v7") {
                record(
                    await analysisRunAlertRow(env, history, { alert: "CanaryAnalysisErrored", phase: "Error", since, scenario: scenario.name, outage: true }),
                );
            }
        }
        // A broken canary during a long pause: only the watchdog (a background run) can abort it in time.
        for (const row of await watchdogCatches(env)) record(row);
        for (const result of await stableComparisons(env)) record(result);
        record(await noChanges(env, "after all canary scenarios"));
        record(await destroyMidCanary(env, objects));
        record(
            await destroyHealthy(env, objects, original, "pulumi destroy of the whole stack on a healthy Rollout, the stack's kubeconfig file moved away", {
                kubeconfigMoved: true,
            }),
        );
        record(await migrate(env, objects, "pulumi up after the destroy migrates the app again"));
        // The rollback migration when the controller is gone: after it ran, and when it never did.
        await stop(env.controller);
        // The alert fires while the destroy runs: no time of its own.
        const controllerDown = controllerDownRow(history, alertFor, Date.now());
        record(await destroyHealthy(env, objects, original, "pulumi destroy with the controller stopped (after it adopted the app)"));
        record(await controllerDown);
        record(await upUnreconciled(env));
        record(await destroyHealthy(env, objects, original, "pulumi destroy with the controller stopped (a Rollout it never reconciled)"));
        record(await history.panelsRow(rulesLoaded, Date.now()));
        // nginx routing behind an Ingress, on the destroyed stack: the controller starts again.
        for (const row of await ingressRows(env)) record(row);
    } catch (err) {
        log(`e2e stopped: ${(err as Error).stack ?? err}`);
        results.push(stepResult("e2e run", "completes", (err as Error).message, false));
    } finally {
        await second?.catch(() => undefined);
        try {
            stopSecondCluster(secondDir);
        } catch (err) {
            log(`second cluster's cluster-down: ${(err as Error).message}`);
        }
        await stopAll();
        try {
            run(path.join(ROOT, "scripts", "cluster-down"), [], { ...process.env, CANARY_E2E_DIR: dir });
        } catch (err) {
            log(`cluster-down: ${(err as Error).message}`);
        }
    }
    const recordPhase = (result: ScenarioResult) => {
        results.push(result);
        log(`${result.passed ? "pass" : "FAIL"}: ${result.name}: ${result.observed}`);
    };
    // After the main phase: it reuses the main phase's fixed ports.
    if (process.env.CANARY_E2E_PRODUCTION !== "skip") await productionPhase(`${dir}-production`, log, recordPhase);
    if (process.env.CANARY_E2E_NEWRELIC !== "skip") await newRelicPhase(`${dir}-newrelic`, log, recordPhase);
    if (process.env.CANARY_E2E_DEMO !== "skip") await demoPhase(`${dir}-demo`, log, recordPhase);
    if (process.env.CANARY_E2E_FLEET !== "skip") await fleetPhase(`${dir}-fleet`, log, recordPhase);
    if (process.env.CANARY_E2E_PLATFORM !== "skip") await platformPhase(`${dir}-platform`, log, recordPhase);
    const written = writeReport(out, results, {
        startedAt: new Date(started).toISOString(),
        durationSeconds: (Date.now() - started) / 1000,
        versions: { kubernetes: "v1.35.4", argoRollouts: "v1.8.3", prometheus: run("prometheus", ["--version"]).split("\n")[0] },
    });
    for (const [file, text] of Object.entries(evidence)) {
        fs.writeFileSync(path.join(out, file), text);
        written.push(path.join(out, file));
    }
    process.stdout.write(`${table(results)}\n\nreport: ${written.join(", ")}\n`);
    const failed = results.filter((r) => !r.passed).length;
    process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        process.stderr.write(`${err}\n`);
        process.exit(1);
    },
);
