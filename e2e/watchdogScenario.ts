/**
 * The watchdog on the real controller. With it on, a healthy image is promoted and its
 * background run ends Successful; then the local ladder's first pause made 5 minutes long, so
 * that only the background run can abort a broken canary before the inline analysis step, and
 * the 30%-errors image. The watchdog is added and removed again by `pulumi up` of the config.
 */
import * as fs from "fs";
import { parse as parseYaml, stringify } from "yaml";
import { brokenRelease } from "../model/exposure";
import { parseStackConfig } from "../stacks";
import { AppConfig } from "../stacks/types";
import { DEMO } from "./demoApp";
import { BASE_LATENCY_SECONDS, Env } from "./environment";
import { neverReadyUnderWatchdog } from "./readinessScenario";
import { ScenarioResult, stepResult } from "./report/types";
import { errorDetection, errorThreshold, runCanary } from "./scenarios";

const LONG_PAUSE = "5m";
/** Measured every 2 s over the last 10 s (the local app is scraped every 2 s). */
const WATCHDOG = { interval: "2s", window: "10s" };

/** The local stack's config with the watchdog, and optionally a 5-minute first pause. */
function withWatchdog(text: string, longPause: boolean): { text: string; pauseStep: number; predictedSeconds: number; app: AppConfig } {
    const config = parseYaml(text);
    const app = config.config["canary-stack:apps"][0];
    const pauseStep = app.steps.findIndex((s: any) => s.pause);
    if (longPause) app.steps[pauseStep] = { pause: { duration: LONG_PAUSE } };
    app.analysis.watchdog = WATCHDOG;
    const parsed = parseStackConfig({ platform: config.config["canary-stack:platform"], apps: [app] }).apps[0];
    return { text: stringify(config), pauseStep, predictedSeconds: brokenRelease(parsed).seconds, app: parsed };
}

function upRow(env: Env, name: string, expected: string, check: (changes: string[]) => boolean): ScenarioResult {
    const plan = env.pulumi.plan().filter((s) => !["same", "read"].includes(s.op) && s.type !== "pulumi:pulumi:Stack");
    const changes = plan.map((s) => `${s.op} ${s.object ?? s.type}`);
    const t0 = Date.now();
    const up = env.pulumi.up();
    env.log(`pulumi up (${name}): ${up.summary}`);
    return stepResult(name, expected, `planned: ${changes.join(", ") || "nothing"}; ${up.summary}`, check(changes), (Date.now() - t0) / 1000);
}

/** The Rollout's AnalysisRuns of its current pod hash (an aborted canary stays current), by Argo's rollout-type label. */
function currentRuns(env: Env): { rollout: any; background: any[]; inline: any[] } {
    const rollout = env.kubectl.get("rollout", DEMO.name, DEMO.namespace);
    const runs = env.kubectl.list("analysisrun", DEMO.namespace, `rollouts-pod-template-hash=${rollout.status?.currentPodHash ?? ""}`);
    // Argo labels a background run rollout-type=Background, a step's run rollout-type=Step (utils/analysis/factory.go, v1.8.3).
    const typed = (type: string) => runs.filter((r: any) => r.metadata.labels?.["rollout-type"] === type);
    return { rollout, background: typed("Background"), inline: typed("Step") };
}

const phases = (runs: any[]) => runs.map((r) => `${r.metadata.name}: ${r.status?.phase ?? "?"}`).join(", ") || "none";

export async function watchdogCatches(env: Env): Promise<ScenarioResult[]> {
    const original = fs.readFileSync(env.pulumi.configFile, "utf8");
    const rows: ScenarioResult[] = [];
    try {
        // A healthy release with the watchdog on the local ladder as it is: the watchdog must not abort it.
        const on = withWatchdog(original, false);
        fs.writeFileSync(env.pulumi.configFile, on.text);
        rows.push(
            upRow(
                env,
                "watchdog on, pulumi up",
                "creates the watchdog's AnalysisTemplate and updates the Rollout, nothing else",
                (c) =>
                    c.length === 2 &&
                    c.some((x) => x.startsWith("create") && x.includes(`${DEMO.name}-watchdog`)) &&
                    c.some((x) => x.startsWith("update") && x.includes("Rollout")),
            ),
        );
        const healthy = await runCanary(
            env,
            {
                name: "healthy image, watchdog on",
                tag: "watchdog-healthy",
                behaviour: { errorRate: 0, latencySeconds: BASE_LATENCY_SECONDS },
                expected: "promoted",
                expectedText: "promoted; the background run ends Successful, not Failed",
            },
            on.app,
        );
        const afterHealthy = currentRuns(env);
        const backgroundOk = afterHealthy.background.length > 0 && afterHealthy.background.every((r) => r.status?.phase === "Successful");
        rows.push({ ...healthy, passed: healthy.passed && backgroundOk, observed: `${healthy.observed}; background runs: ${phases(afterHealthy.background)}` });

        // Pods never Ready: the watchdog never starts (the ladder never gets past the first setWeight); the deadline aborts.
        rows.push(await runCanary(env, neverReadyUnderWatchdog(on.app), on.app));

        const changed = withWatchdog(original, true);
        fs.writeFileSync(env.pulumi.configFile, changed.text);
        rows.push(
            upRow(
                env,
                `steps[${changed.pauseStep}] a ${LONG_PAUSE} pause, pulumi up`,
                "updates the Rollout alone",
                (c) => c.length === 1 && c[0].startsWith("update") && c[0].includes("Rollout"),
            ),
        );

        const result = await runCanary(
            env,
            {
                name: `image failing 30% of requests, ${LONG_PAUSE} pause, watchdog on`,
                tag: "watchdog-broken",
                behaviour: { errorRate: 0.3, latencySeconds: BASE_LATENCY_SECONDS },
                expected: "aborted",
                expectedText: `aborted by the watchdog's background run during the ${LONG_PAUSE} pause`,
                ...errorDetection(0.3, 0, errorThreshold(changed.app)),
            },
            changed.app,
        );
        const { background, inline } = currentRuns(env);
        const failedBackground = background.find((r: any) => r.status?.phase === "Failed");
        const pauseSeconds = 300;
        const passed = result.passed && !!failedBackground && inline.length === 0 && result.seconds < pauseSeconds;
        rows.push({
            ...result,
            passed,
            observed:
                `${result.observed}; failed background run: ${failedBackground ? `${failedBackground.metadata.name} (${failedBackground.status?.message ?? "no message"})` : "none"}; inline runs: ${inline.length} (the ladder never reached its analysis step); ` +
                `model: aborted by ${changed.predictedSeconds}s`,
            extra: { ...result.extra, predictedAbortSeconds: changed.predictedSeconds, backgroundRun: failedBackground?.metadata.name },
        });
    } finally {
        fs.writeFileSync(env.pulumi.configFile, original);
    }
    rows.push(
        upRow(
            env,
            "watchdog off again, pulumi up",
            "deletes the watchdog's AnalysisTemplate and updates the Rollout back",
            (c) =>
                c.length === 2 &&
                c.some((x) => x.startsWith("delete") && x.includes(`${DEMO.name}-watchdog`)) &&
                c.some((x) => x.startsWith("update") && x.includes("Rollout")),
        ),
    );
    return rows;
}
