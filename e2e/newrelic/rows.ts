/**
 * The New Relic phase's rows: the stack's `pulumi up`, its gates deciding
 * canaries through the stand-in, where the controller reads its Secret, and
 * where the planted API key is (and is not).
 */
import * as fs from "fs";
import * as path from "path";
import { AppConfig, PlatformConfig } from "../../stacks/types";
import { CONFIG_NAMESPACE, NEW_RELIC_API_KEY } from "../../stacks";
import { METRIC_DEFAULTS } from "../../stacks/defaults";
import { BASE_LATENCY_SECONDS, Env } from "../environment";
import { run, waitFor } from "../lib/proc";
import { ScenarioResult, stepResult } from "../report/types";
import { CanaryRun, CanaryScenario, Check } from "../scenarios";
import { NERDGRAPH_URL } from "./config";
import type { NerdGraphRequest } from "./nerdgraph";
import { NerdGraphStandIn } from "./standIn";

const ROOT = path.join(__dirname, "..", "..");
const since = (t0: number) => (Date.now() - t0) / 1000;
const PREFIX = "New Relic";

/** A personal API key's shape (NRAK- and 27 characters), new each run. */
export function plantedKey(): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    return `NRAK-${Array.from({ length: 27 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("")}`;
}

/** `pulumi config set --secret` with the key on stdin (never on a command line), into the run's config file. */
export function setApiKey(env: Env, key: string): void {
    const args = [
        "config",
        "set",
        "--secret",
        `${CONFIG_NAMESPACE}:${NEW_RELIC_API_KEY}`,
        "--config-file",
        env.pulumi.configFile,
        "--stack",
        env.pulumi.stack,
        "--non-interactive",
    ];
    run("pulumi", args, env.pulumi.env, key);
}

/** `pulumi up` of the New Relic stack, then the Rollout Healthy and the Secret where the controller reads it. */
export async function migrateRow(env: Env, app: AppConfig, platform: PlatformConfig, outputs: string[]): Promise<ScenarioResult> {
    const ns = platform.argoRollouts.namespace;
    const secret = METRIC_DEFAULTS.newRelicProfile;
    const name = `${PREFIX}: pulumi up of a stack in Pulumi.newrelic.yaml's shape (no Prometheus, every gate NRQL)`;
    const expected =
        `exit 0; the Rollout Healthy with ${app.replicas} Ready pods; Secret ${ns}/${secret} with personal-api-key, account-id, region and ` +
        `base-url-nerdgraph ${NERDGRAPH_URL}; no ServiceMonitor, PrometheusRule or metrics Service written`;
    const t0 = Date.now();
    const up = env.pulumi.run(["up", "--yes", "--skip-preview", "--diff"]);
    outputs.push(up.output);
    env.log(`${PREFIX}: pulumi up: exit ${up.code}; ${up.summary}`);
    if (up.code !== 0) return stepResult(name, expected, `exit ${up.code}: ${up.output.slice(-2000)}`, false, since(t0));
    try {
        const rollout = await waitFor(
            "the Rollout to be Healthy",
            180000,
            () => {
                const r = env.kubectl.get("rollout", app.name, app.namespace);
                const s = r?.status ?? {};
                return s.phase === "Healthy" && s.stableRS && s.readyReplicas === app.replicas ? r : undefined;
            },
            1000,
        );
        const data = env.kubectl.get("secret", secret, ns)?.data ?? {};
        const keys = Object.keys(data).sort();
        const decoded = (k: string) => Buffer.from(data[k] ?? "", "base64").toString("utf8");
        const prometheusKinds = ["servicemonitors", "prometheusrules"].flatMap((kind) => {
            try {
                return env.kubectl.list(kind, app.namespace);
            } catch {
                return []; // the kind does not exist on this cluster
            }
        });
        const metricsService = env.kubectl.get("service", `${app.name}-metrics`, app.namespace);
        const ok =
            ["account-id", "base-url-nerdgraph", "personal-api-key", "region"].every((k) => keys.includes(k)) &&
            decoded("base-url-nerdgraph") === NERDGRAPH_URL &&
            decoded("account-id") === platform.newRelic!.accountId &&
            prometheusKinds.length === 0 &&
            !metricsService;
        return stepResult(
            name,
            expected,
            `exit 0; ${up.summary}; Rollout Healthy on ${rollout.status.stableRS} with ${rollout.status.readyReplicas} Ready pods; ` +
                `Secret ${ns}/${secret} keys ${keys.join(", ")} (account-id ${decoded("account-id")}, region ${decoded("region")}, base-url-nerdgraph ${decoded("base-url-nerdgraph")}); ` +
                `${prometheusKinds.length} ServiceMonitor/PrometheusRule, ${metricsService ? "a" : "no"} metrics Service`,
            ok,
            since(t0),
        );
    } catch (err) {
        return stepResult(name, expected, `exit 0; ${up.summary}; ${(err as Error).message}`, false, since(t0));
    }
}

/** The stand-in's requests for this canary's gates (its hash in the NRQL), by the metric whose alias they select. */
function canaryRequests(standIn: NerdGraphStandIn, run: CanaryRun): NerdGraphRequest[] {
    const hash: string | undefined = run.observer.latest?.status?.currentPodHash;
    return standIn.requests(run.observer.t0).filter((r) => hash && r.nrql?.includes(`-${hash}-%`));
}

/** The last NRQL sent for each gate and what the stand-in answered it. */
function lastAnswers(requests: NerdGraphRequest[]): string {
    const byQuery = new Map<string, NerdGraphRequest>();
    for (const r of requests) if (r.nrql) byQuery.set(r.nrql, r);
    return [...byQuery.values()]
        .map(
            (r) =>
                `sent ${JSON.stringify(r.nrql)} (account ${r.accountId}, timeout ${r.timeout}), answered ` +
                `${r.error ? `error ${JSON.stringify(r.error)}` : JSON.stringify(r.results)}`,
        )
        .join("; ");
}

/** Measurement phases and messages of the canary's AnalysisRuns, e.g. `error-rate: Error x5 ("...")`. */
function measurementSummary(run: CanaryRun): { text: string; phases: string[]; messages: string[] } {
    const phases: string[] = [];
    const messages: string[] = [];
    const parts = run.observer.analysisRuns().flatMap((ar) =>
        (ar.status?.metricResults ?? []).map((m: any) => {
            const ms: any[] = m.measurements ?? [];
            phases.push(...ms.map((x) => x.phase));
            messages.push(...ms.map((x) => x.message).filter(Boolean));
            const last = ms.at(-1);
            return `${ar.metadata.name}/${m.name}: ${m.phase} (${ms.map((x) => x.phase).join(",")})${last?.message ? ` "${last.message}"` : ""}`;
        }),
    );
    return { text: parts.join("; "), phases, messages };
}

const runPhases = (run: CanaryRun) => run.observer.analysisRuns().map((r) => r.status?.phase);

export function newRelicScenarios(standIn: NerdGraphStandIn): CanaryScenario[] {
    const healthy = { errorRate: 0, latencySeconds: BASE_LATENCY_SECONDS };
    return [
        {
            name: `${PREFIX}: healthy image, promoted by the NRQL gates`,
            tag: "v2",
            behaviour: healthy,
            expected: "promoted",
            expectedText: "promoted to 100%, every AnalysisRun Successful on the stand-in's answers (errorPercent 0, slowPercent 0)",
            check: async (run): Promise<Check> => {
                const requests = canaryRequests(standIn, run);
                const phases = runPhases(run);
                return {
                    text: `AnalysisRuns ${phases.join(", ")}; ${requests.length} queries for the canary; ${lastAnswers(requests)}`,
                    passed: phases.length > 0 && phases.every((p) => p === "Successful") && requests.length > 0 && requests.every((r) => !r.error),
                };
            },
        },
        {
            name: `${PREFIX}: image failing 30% of requests, aborted by the NRQL error-rate gate`,
            tag: "v3",
            behaviour: { errorRate: 0.3, latencySeconds: BASE_LATENCY_SECONDS },
            expected: "aborted",
            expectedText: "aborted; the error-rate metric Failed on an answered errorPercent near 30",
            check: async (run): Promise<Check> => {
                const requests = canaryRequests(standIn, run);
                const errorPercents = requests
                    .flatMap((r) => (r.results ?? []) as any[])
                    .map((x) => x.errorPercent)
                    .filter((v) => typeof v === "number");
                const m = measurementSummary(run);
                const failed = run.observer
                    .analysisRuns()
                    .some(
                        (ar) =>
                            ar.status?.phase === "Failed" && (ar.status?.metricResults ?? []).some((x: any) => x.name === "error-rate" && x.phase === "Failed"),
                    );
                return {
                    text: `${m.text}; ${lastAnswers(requests)}`,
                    passed: failed && errorPercents.length > 0 && errorPercents.every((v) => v >= 25 && v <= 35),
                };
            },
        },
        {
            name: `${PREFIX}: NerdGraph down during the analysis`,
            tag: "v7",
            behaviour: healthy,
            expected: "aborted",
            expectedText:
                "never promoted: every measurement Error (the connection refused), the AnalysisRun Error after consecutiveErrorLimit, the canary aborted",
            during: async (env, observer) => {
                await waitFor(
                    "the canary to reach its first analysis step",
                    120000,
                    () => ((observer.latest?.status?.currentStepIndex ?? 0) >= 2 ? true : undefined),
                    250,
                );
                await standIn.stop();
                env.log(`${PREFIX}: NerdGraph stand-in stopped`);
                await waitFor("the canary to be aborted", 200000, () => (observer.latest?.status?.abort ? true : undefined), 500).catch(() => undefined);
                await standIn.start();
                env.log(`${PREFIX}: NerdGraph stand-in back`);
            },
            timeoutSeconds: 300,
            check: async (run): Promise<Check> => {
                const m = measurementSummary(run);
                const phases = runPhases(run);
                return {
                    text: `AnalysisRuns ${phases.join(", ")}; ${m.text}`,
                    passed:
                        phases.includes("Error") &&
                        m.phases.length > 0 &&
                        m.phases.every((p) => p === "Error") &&
                        m.messages.some((x) => /connection refused/.test(x)),
                };
            },
        },
        {
            name: `${PREFIX}: NerdGraph answers no result rows`,
            tag: "v8",
            behaviour: healthy,
            expected: "aborted",
            expectedText: 'never promoted: every measurement Error ("no results returned from NRQL query"), the AnalysisRun Error, the canary aborted',
            during: async () => standIn.setMode("empty"),
            timeoutSeconds: 300,
            check: async (run): Promise<Check> => {
                standIn.setMode("answer");
                const m = measurementSummary(run);
                const phases = runPhases(run);
                const requests = canaryRequests(standIn, run);
                return {
                    text: `AnalysisRuns ${phases.join(", ")}; ${m.text}; ${requests.length} queries answered ${JSON.stringify(requests[0]?.results)}`,
                    passed:
                        phases.includes("Error") &&
                        m.phases.length > 0 &&
                        m.phases.every((p) => p === "Error") &&
                        m.messages.every((x) => /no results returned from NRQL query/.test(x)),
                };
            },
        },
    ];
}

/** The original runbook's Secret, in the app's namespace: where the controller never looks. */
export function plantDecoySecret(env: Env, app: AppConfig): void {
    env.kubectl.apply(
        JSON.stringify({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: METRIC_DEFAULTS.newRelicProfile, namespace: app.namespace },
            stringData: { "personal-api-key": "decoy-key-in-the-apps-namespace", "account-id": "1", region: "us", "base-url-nerdgraph": NERDGRAPH_URL },
        }),
    );
}

/** Every request the stand-in got carried the stack's key and account, not the decoy's in the app's namespace. */
export function secretNamespaceRow(standIn: NerdGraphStandIn, app: AppConfig, platform: PlatformConfig): ScenarioResult {
    const ns = platform.argoRollouts.namespace;
    const name = `${PREFIX}: the controller reads the Secret from its own namespace (${ns}), not the app's (${app.namespace})`;
    const expected =
        `every NerdGraph request carries the stack's key (from ${ns}/newrelic) and account ${platform.newRelic!.accountId}; ` +
        `none the key or account 1 of the decoy Secret ${app.namespace}/newrelic, as the original runbook created it`;
    const requests = standIn.requests();
    const count = (f: (r: NerdGraphRequest) => boolean) => requests.filter(f).length;
    const expectedKey = count((r) => r.apiKey === "expected");
    const account = Number(platform.newRelic!.accountId);
    const ok = requests.length > 0 && expectedKey === requests.length && requests.every((r) => r.accountId === account);
    return stepResult(
        name,
        expected,
        `${requests.length} requests: ${expectedKey} with the stack's key, ${count((r) => r.apiKey === "other")} with another, ` +
            `${count((r) => r.apiKey === "none")} with none; accounts ${[...new Set(requests.map((r) => JSON.stringify(r.accountId)))].join(", ")}; ` +
            `user agent ${requests[0]?.userAgent}`,
        ok,
    );
}

/** Files under `dir` (recursively) whose text holds `needle`. */
function filesHolding(dir: string, needle: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name))
        .filter((f) => fs.readFileSync(f).includes(needle));
}

/** Pulumi's own RPC payload logging (sdk/go/common/resource/plugin/rpc.go, V(9), v3.259.0): property values as sent, secrets included. */
const RPC_PAYLOAD_LOG = /"msg":"(Marshaling|Unmarshaling) property for RPC\[(.+?)\]: [A-Za-z0-9_-]+=/;

/**
 * The planted key: nowhere in the state, the outputs, the engine's output and logs (up to -v=8), the run's logs or the
 * render; in the cluster's Secret. At -v=9 the engine logs every RPC payload, the key among them: the row lists where,
 * and fails if any other -v=9 line holds it.
 */
export function plantedKeyRow(env: Env, key: string, platform: PlatformConfig, outputs: string[]): ScenarioResult {
    const name = `${PREFIX}: the API key set with pulumi config set --secret is in the cluster's Secret and nowhere else`;
    const expected =
        "absent from pulumi stack export, pulumi stack output, the stack's config file, every pulumi command's output, " +
        "the engine's log at -v=8 (with --logflow), the e2e's logs (controller, stand-in, simulator) and the render; present in the cluster's Secret; " +
        "at -v=9 only in the engine's RPC payload lines";
    const t0 = Date.now();
    const places: [string, boolean][] = [];
    const holds = (where: string, text: string) => places.push([where, text.includes(key)]);
    holds("pulumi stack export", env.pulumi.must(["stack", "export"]).stdout);
    holds("pulumi stack output --json", env.pulumi.must(["stack", "output", "--json"]).stdout);
    holds(`the stack's config file`, fs.readFileSync(env.pulumi.configFile, "utf8"));
    const verbose = env.pulumi.run(["preview", "--diff", "-v=8", "--logtostderr", "--logflow"]);
    holds(`pulumi preview --diff -v=8 --logtostderr --logflow (exit ${verbose.code}, ${verbose.output.length} bytes)`, verbose.output);
    holds(`the other pulumi commands' output (${outputs.length})`, outputs.join("\n"));
    const logged = filesHolding(path.join(env.dir, "logs"), key).concat(filesHolding(path.join(env.dir, "nerdgraph"), key));
    places.push([`the e2e's logs and the stand-in's request log (${logged.join(", ") || "no file"})`, logged.length > 0]);
    // With the stack's passphrase at hand, as an operator's shell has it: the render still does not decrypt.
    const render = run(
        "node",
        ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "render.ts"), "--stack", env.pulumi.stack, "--config-file", env.pulumi.configFile],
        { ...process.env, PULUMI_CONFIG_PASSPHRASE: env.pulumi.env.PULUMI_CONFIG_PASSPHRASE },
    );
    holds("the render", render);
    const v9 = env.pulumi
        .run(["preview", "--diff", "-v=9", "--logtostderr", "--logflow"])
        .output.split("\n")
        .filter((l) => l.includes(key));
    const rpc = v9.filter((l) => RPC_PAYLOAD_LOG.test(l));
    const rpcLabels = [...new Set(rpc.map((l) => RPC_PAYLOAD_LOG.exec(l)!).map((m) => `${m[1]} ${m[2].replace(/0x[0-9a-f]+/g, "…")}`))];
    places.push([`-v=9 lines other than the engine's RPC payloads (${v9.length - rpc.length})`, v9.length > rpc.length]);
    const data = env.kubectl.get("secret", METRIC_DEFAULTS.newRelicProfile, platform.argoRollouts.namespace)?.data ?? {};
    const inCluster = Buffer.from(data["personal-api-key"] ?? "", "base64").toString("utf8") === key;
    const found = places.filter(([, has]) => has).map(([where]) => where);
    return stepResult(
        name,
        expected,
        `checked: ${places.map(([where]) => where).join("; ")}; found in: ${found.join(", ") || "none of them"}; ` +
            `the cluster's Secret ${inCluster ? "holds" : "does NOT hold"} it; at -v=9 in ${rpc.length} RPC payload lines: ${rpcLabels.join(" | ")}`,
        found.length === 0 && inCluster,
        since(t0),
    );
}
