/**
 * Canary against stable, on the real controller and Prometheus: the local
 * stack's analysis gets an absolute and a relative gate for errors and for
 * p95 latency, and the stable version's behaviour is set per scenario (the
 * simulator decides per image), so the same canary is judged against what
 * it replaces. The config stays for the rest of the run: every later image
 * is healthy against a healthy stable.
 */
import * as fs from "fs";
import { parse as parseYaml, stringify } from "yaml";
import { parseStackConfig } from "../stacks";
import { AppConfig } from "../stacks/types";
import { DEMO } from "./demoApp";
import { BASE_LATENCY_SECONDS, Env, PROMETHEUS_PORT, setBehaviour } from "./environment";
import { waitFor } from "./lib/proc";
import { query } from "./prometheus";
import { ScenarioResult, stepResult } from "./report/types";
import { CanaryScenario, errorDetection, errorShare, ofHash, runCanary } from "./scenarios";
import { Behaviour } from "./traffic/split";

/** The gates: 5% absolute and stable + 1 point for errors; 0.5 s absolute and 1.2x stable for p95. */
export const COMPARISON_GATES = { errorMax: 0.05, errorMaxIncrease: 0.01, p95Max: 0.5, p95MaxRatio: 1.2 };
/**
 * A one-point difference needs a few hundred requests a side to be told from rounding: the first run of
 * this phase, with the local stack's minRequests 10 and no delay, measured a canary failing exactly 4%
 * at 5.7% 10 s into its life, from 70 requests. So every gate waits 15 s into the analysis step (the
 * canary has then served about 250 requests at 10 a second) and wants 150 requests a side.
 */
const MEASURED = { initialDelay: "15s", minRequests: 150 };
const GATE_METRICS = [
    { name: "error-rate", kind: "errorRate", max: COMPARISON_GATES.errorMax, ...MEASURED },
    { name: "error-vs-stable", kind: "errorRateVsStable", maxIncrease: COMPARISON_GATES.errorMaxIncrease, ...MEASURED },
    { name: "latency-p95", kind: "latencyP95", max: COMPARISON_GATES.p95Max, ...MEASURED },
    { name: "latency-vs-stable", kind: "latencyP95VsStable", maxRatio: COMPARISON_GATES.p95MaxRatio, ...MEASURED },
    { name: "targets-up", kind: "targetsUp", initialDelay: MEASURED.initialDelay },
];

const WINDOW = "30s";
const p95 = (labels: string) => `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="demo"${labels}}[${WINDOW}])))`;

interface Comparison {
    scenario: Omit<CanaryScenario, "probes">;
    stable: Behaviour;
    /** The metric that must fail (undefined: the relative gates must not), and the one that must be measured and never fail. */
    fails?: string;
    passes: string;
    /** Where the relative gate must not abort, the absolute one may: its verdict is what the row reports. */
    absoluteMayAbort?: string;
}

const COMPARISONS: Comparison[] = [
    {
        scenario: {
            name: "canary 3% errors, stable 1%",
            tag: "v9",
            behaviour: { errorRate: 0.03, latencySeconds: BASE_LATENCY_SECONDS },
            expected: "aborted",
            expectedText: "the 5% absolute gate passes it, the relative gate (stable + 1 point) aborts it",
        },
        stable: { errorRate: 0.01, latencySeconds: BASE_LATENCY_SECONDS },
        fails: "error-vs-stable",
        passes: "error-rate",
    },
    {
        scenario: {
            name: "canary and stable both 4% errors (a shared dependency degraded)",
            tag: "v10",
            behaviour: { errorRate: 0.04, latencySeconds: BASE_LATENCY_SECONDS },
            expected: "promoted",
            expectedText: "the relative gate does not abort; the row says what the 5% absolute gate did",
        },
        stable: { errorRate: 0.04, latencySeconds: BASE_LATENCY_SECONDS },
        passes: "error-vs-stable",
        absoluteMayAbort: "error-rate",
    },
    {
        scenario: {
            // 0.25 s requests land in the (0.2, 0.3] bucket, the stable's 0.2 s in (0.15, 0.2]: p95 0.295 s against 0.1975 s, 1.49x.
            // (1.5 x 0.2 s is 0.30000000000000004 s in floating point, one bucket up: p95 0.49 s, 2.5x, in the first run.)
            name: "canary p95 1.5x stable's, under the absolute limit",
            tag: "v11",
            behaviour: { errorRate: 0, latencySeconds: 0.25 },
            expected: "aborted",
            expectedText: "the 0.5 s absolute p95 gate passes it, the relative gate (1.2x stable) aborts it",
        },
        stable: { errorRate: 0, latencySeconds: BASE_LATENCY_SECONDS },
        fails: "latency-vs-stable",
        passes: "latency-p95",
    },
];

/** The stable ReplicaSet's hash and image. */
function stableVersion(env: Env): { hash: string; image: string } {
    const hash: string = env.kubectl.get("rollout", DEMO.name, DEMO.namespace).status.stableRS;
    const [rs] = env.kubectl.list("replicaset", DEMO.namespace, `rollouts-pod-template-hash=${hash}`);
    return { hash, image: rs.spec.template.spec.containers[0].image };
}

/** A Prometheus measurement's value as Argo records it, `[0.0168]`, to three significant digits. */
function shortValue(value: string | undefined): string {
    const number = Number(/^\[?([^\],]*)/.exec(value ?? "")?.[1]);
    return value === undefined ? "" : ` ${Number.isFinite(number) ? Number(number.toPrecision(3)) : value}`;
}

/** Every metric's measurements in order, e.g. `error-vs-stable: Failed 0.0168`. */
function verdicts(result: ScenarioResult): Map<string, string[]> {
    const byMetric = new Map<string, string[]>();
    for (const m of result.measurements) {
        const value = shortValue(m.value);
        byMetric.set(m.metric, [...(byMetric.get(m.metric) ?? []), `${m.phase}${value}`]);
    }
    return byMetric;
}

async function compare(env: Env, c: Comparison, app: AppConfig): Promise<ScenarioResult> {
    const stable = stableVersion(env);
    setBehaviour(env, stable.image, c.stable);
    env.log(
        `${c.scenario.name}: stable ${stable.image} now fails ${c.stable.errorRate * 100}% at ${c.stable.latencySeconds}s; waiting for a full window of it`,
    );
    await waitFor(
        "the stable pods' window to show their new behaviour",
        120000,
        async () => {
            const [errors] = await query(PROMETHEUS_PORT, errorShare(ofHash(stable.hash)));
            return errors !== undefined && Math.abs(errors - c.stable.errorRate) < 0.002 ? true : undefined;
        },
        1000,
    );
    // The error scenarios are rows of the detection-power table too (the p95 one is not about errors).
    const errors = c.scenario.behaviour.errorRate > 0 || c.stable.errorRate > 0;
    const detection = errorDetection(c.scenario.behaviour.errorRate, c.stable.errorRate, COMPARISON_GATES.errorMax);
    const result = await runCanary(
        env,
        {
            ...c.scenario,
            errorsBeforehand: true,
            probes: (canary) => ({
                ...detection.probes!(canary),
                stableErrorRate: errorShare(ofHash(stable.hash)),
                canaryP95: p95(ofHash(canary)),
                stableP95: p95(ofHash(stable.hash)),
            }),
            extra: errors ? detection.extra : undefined,
        },
        app,
    );
    // A promoted canary is the new stable: it behaves as a healthy image from now on, as the old stable does again.
    for (const image of [stable.image, result.image]) setBehaviour(env, image, { errorRate: 0, latencySeconds: BASE_LATENCY_SECONDS });
    const byMetric = verdicts(result);
    const failed = (metric: string) => (byMetric.get(metric) ?? []).some((v) => v.startsWith("Failed"));
    const judged = (c.fails === undefined || failed(c.fails)) && !failed(c.passes) && byMetric.has(c.passes);
    // Aborted by the absolute gate alone: the relative gate still did not abort, which is what the row checks.
    const outcome = result.passed || (c.absoluteMayAbort !== undefined && result.observed.startsWith("aborted") && failed(c.absoluteMayAbort));
    const gates = [...byMetric].map(([metric, values]) => `${metric}: ${values.join(", ")}`).join("; ");
    return {
        ...result,
        observed: `${result.observed}; measurements ${gates}`,
        passed: outcome && judged,
        extra: {
            ...result.extra,
            stableBehaviour: c.stable,
            canaryBehaviour: c.scenario.behaviour,
            gates: COMPARISON_GATES,
            fails: c.fails ?? null,
            passes: c.passes,
        },
    };
}

/** Puts the gates into the local stack's config and applies it; then the three comparisons. */
export async function stableComparisons(env: Env): Promise<ScenarioResult[]> {
    const config = parseYaml(fs.readFileSync(env.pulumi.configFile, "utf8"));
    config.config["canary-stack:apps"][0].analysis.metrics = GATE_METRICS;
    fs.writeFileSync(env.pulumi.configFile, stringify(config));
    const t0 = Date.now();
    const up = env.pulumi.up();
    const template = env.kubectl.get("analysistemplate", DEMO.name, DEMO.namespace);
    const args = (template?.spec?.args ?? []).map((a: any) => a.name);
    const applied = stepResult(
        "pulumi up with absolute and against-stable gates",
        "the AnalysisTemplate takes canary-hash and stable-hash and has the five metrics",
        `${up.summary}; template args ${args.join(", ")}; metrics ${(template?.spec?.metrics ?? []).map((m: any) => m.name).join(", ")}`,
        args.join(",") === "canary-hash,stable-hash" && template.spec.metrics.length === GATE_METRICS.length,
        (Date.now() - t0) / 1000,
    );
    const results = [applied];
    const app = parseStackConfig({ platform: config.config["canary-stack:platform"], apps: config.config["canary-stack:apps"] }).apps[0];
    for (const c of COMPARISONS) results.push(await compare(env, c, app));
    return results;
}
