/**
 * The report rows of the canary alerts: each waits for its alert to fire in the e2e's
 * Prometheus (which runs the operator's rule file) and measures from the event that caused it.
 */
import { spawnSync } from "child_process";
import { AlertFor } from "../stacks/types";
import { AlertHistory } from "./alertHistory";
import { DEMO } from "./demoApp";
import { Env } from "./environment";
import { ScenarioResult, stepResult } from "./report/types";

/** Runs an alert summary's command as an operator would paste it, against the e2e's cluster. */
const runWith = (env: Env) => (command: string) => {
    const r = spawnSync("bash", ["-c", command], { env: { ...process.env, KUBECONFIG: env.kubeconfig }, encoding: "utf8", timeout: 30000 });
    return { code: r.status ?? 1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
};

/** An AnalysisRun of the demo app that reached `phase` since `since`, and when: its last measurement's finishedAt (whole seconds). */
function runThatReached(env: Env, phase: string, since: number): { name: string; at: number } | undefined {
    const sinceSecond = Math.floor(since / 1000) * 1000;
    const runs = env.kubectl
        .list("analysisrun", DEMO.namespace)
        .filter((r: any) => r.status?.phase === phase && Date.parse(r.metadata.creationTimestamp) >= sinceSecond)
        .map((r: any) => {
            const finished = (r.status.metricResults ?? []).flatMap((m: any) =>
                (m.measurements ?? []).map((x: any) => Date.parse(x.finishedAt ?? x.startedAt)),
            );
            return { name: r.metadata.name as string, at: Math.max(...finished.filter(Number.isFinite)) };
        })
        .filter((r: { at: number }) => Number.isFinite(r.at))
        .sort((a: { at: number }, b: { at: number }) => b.at - a.at);
    return runs[0];
}

/** CanaryAnalysisFailed / CanaryAnalysisErrored for the run the scenario's canary just had. */
export async function analysisRunAlertRow(
    env: Env,
    history: AlertHistory,
    o: {
        alert: string;
        phase: string;
        since: number;
        scenario: string;
        /** Prometheus was down when the run reached its phase: say how long after its restart the alert fired. */
        outage?: boolean;
    },
): Promise<ScenarioResult> {
    const name = `alert ${o.alert} after "${o.scenario}"`;
    const expected = `fires for the scenario's ${o.phase} AnalysisRun, with no for: within seconds of its last measurement`;
    const run = runThatReached(env, o.phase, o.since);
    if (!run) return stepResult(name, expected, `no AnalysisRun of ${DEMO.namespace} reached ${o.phase} during the scenario`, false);
    const row = await history.alertRow({
        name,
        expected,
        event: `${run.name} ${o.phase} (its last measurement)`,
        eventAt: run.at,
        since: o.since,
        want: { alertname: o.alert, namespace: DEMO.namespace, name: run.name },
        timeoutMs: 60000,
        run: runWith(env),
    });
    if (!o.outage || !row.passed) return row;
    const fired = await history.firstFiring({ alertname: o.alert, name: run.name }, o.since);
    const restarted = await history.startedAt();
    const after = Math.round((fired!.at - restarted) / 100) / 10;
    return { ...row, observed: `${row.observed}; Prometheus was down then: it fired ${after}s after Prometheus restarted` };
}

/** RolloutDegraded for the demo Rollout its failed analysis aborted, after the stack's for. */
export async function degradedRow(env: Env, history: AlertHistory, alertFor: AlertFor, since: number, scenario: string): Promise<ScenarioResult> {
    const name = `alert RolloutDegraded after "${scenario}"`;
    const expected = `fires for ${DEMO.namespace}/${DEMO.name} phase Abort once the abort has held for ${alertFor.RolloutDegraded} (the local stack's alertFor; the default is 1m)`;
    const run = runThatReached(env, "Failed", since);
    if (!run) return stepResult(name, expected, "no Failed AnalysisRun: nothing aborted the rollout", false);
    return history.alertRow({
        name,
        expected,
        event: `the abort (${run.name} Failed)`,
        eventAt: run.at,
        since,
        want: { alertname: "RolloutDegraded", namespace: DEMO.namespace, name: DEMO.name, phase: "Abort" },
        timeoutMs: 60000,
        run: runWith(env),
    });
}

/** RolloutPausedTooLong for the canary paused by its inconclusive analysis. */
export async function pausedRow(env: Env, history: AlertHistory, alertFor: AlertFor, since: number, scenario: string): Promise<ScenarioResult> {
    const name = `alert RolloutPausedTooLong after "${scenario}"`;
    const expected = `fires for ${DEMO.namespace}/${DEMO.name} once the pause has held for ${alertFor.RolloutPausedTooLong} (the local stack's alertFor; the default is 1h)`;
    const run = runThatReached(env, "Inconclusive", since);
    if (!run) return stepResult(name, expected, "no Inconclusive AnalysisRun: the rollout did not pause on its analysis", false);
    return history.alertRow({
        name,
        expected,
        event: `${run.name} Inconclusive, the rollout paused`,
        eventAt: run.at,
        since,
        want: { alertname: "RolloutPausedTooLong", namespace: DEMO.namespace, name: DEMO.name },
        timeoutMs: 90000,
        run: runWith(env),
    });
}

/** RolloutsControllerDown once the controller process is stopped. */
export function controllerDownRow(history: AlertHistory, alertFor: AlertFor, stoppedAt: number): Promise<ScenarioResult> {
    return history.alertRow({
        name: "alert RolloutsControllerDown after the controller is stopped",
        expected: `fires once no scrape of the controller has succeeded for ${alertFor.RolloutsControllerDown} (the local stack's alertFor; the default is 5m)`,
        event: "the controller process exited",
        eventAt: stoppedAt,
        since: stoppedAt,
        want: { alertname: "RolloutsControllerDown" },
        timeoutMs: 90000,
    });
}
