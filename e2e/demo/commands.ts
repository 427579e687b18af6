/**
 * What `npm start` prints once the demo is up: each command ready to paste after one
 * `source <dir>/env.sh` (scripts/cluster-up's: KUBECONFIG, the toolchain and node 22 on PATH, the
 * Pulumi backend, home and passphrase), and the parser the e2e's demo phase reads them back with,
 * so the phase runs what a user would paste.
 */
import { AppConfig } from "../../stacks/types";
import { demoImage, DEMO, setImageArgs } from "../demoApp";
import { DASHBOARD_PORT, DEMO_PORTS, DEMO_STACK } from "./config";

export interface DemoCommand {
    /** A short key the phase looks a command up by. */
    key: "env" | "good" | "bad" | "watch" | "back" | "destroy" | "stop";
    /** What it does, printed as a `#` line above it. */
    title: string;
    command: string;
}

export interface DemoLinks {
    dashboard: string;
    prometheus: string;
}

export const GOOD_TAG = "v2";
export const BAD_TAG = "v3";
/** The failing image's share of 5xx answers: well over the local stack's 2% gate. */
export const BAD_ERROR_RATE = 0.3;

/** Single-quotes an argument for bash when it needs it. */
export function shellQuote(arg: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

const kubectl = (args: string[]) => ["kubectl", ...args].map(shellQuote).join(" ");

/** Each version's share of 5xx answers (0 for one without any), by pod-template hash, over the window the app's error-rate gate uses. */
export function errorRateQuery(app: AppConfig): string {
    const job = app.metrics?.job ?? app.name;
    const gate = app.analysis.metrics.find((m) => m.kind === "errorRate");
    const window = gate && "window" in gate ? gate.window : "30s";
    const by = "sum by (rollouts_pod_template_hash)";
    const all = `${by} (rate(http_requests_total{job="${job}"}[${window}]))`;
    // A version without any 5xx has no such series: `or 0 * all` gives it a 0 rather than no line.
    return `(${by} (rate(http_requests_total{job="${job}", code=~"5.."}[${window}])) or 0 * ${all}) / ${all}`;
}

/** The Prometheus graph page of a query, the last 15 minutes. */
export function prometheusGraphUrl(port: number, promql: string): string {
    return `http://127.0.0.1:${port}/graph?g0.expr=${encodeURIComponent(promql)}&g0.tab=0&g0.range_input=15m`;
}

export function demoLinks(app: AppConfig, ports = DEMO_PORTS): DemoLinks {
    return {
        dashboard: `http://localhost:${DASHBOARD_PORT}/rollouts/rollout/${DEMO.namespace}/${DEMO.name}`,
        prometheus: prometheusGraphUrl(ports.prometheus, errorRateQuery(app)),
    };
}

/** `root`: the checkout (npm scripts run there); `dir`: the demo's state dir. */
export function demoCommands(root: string, dir: string): DemoCommand[] {
    const release = (tag: string) => kubectl(setImageArgs(demoImage(tag)));
    return [
        {
            key: "env",
            title: "in every shell: KUBECONFIG, kubectl and its Argo Rollouts plugin, node 22 and the Pulumi CLI on PATH, the demo stack's backend",
            command: `source ${shellQuote(`${dir}/env.sh`)}`,
        },
        {
            key: "watch",
            title: "watch the Rollout (Ctrl-C to stop watching)",
            command: kubectl(["argo", "rollouts", "get", "rollout", DEMO.name, "-n", DEMO.namespace, "--watch"]),
        },
        {
            key: "good",
            title: `release a good image, as a CI job does (kubectl set image as the CI account): ${GOOD_TAG} goes 25%, 50%, then 100% (about a minute)`,
            command: release(GOOD_TAG),
        },
        {
            key: "bad",
            title: `release a failing image: the traffic simulator answers ${BAD_ERROR_RATE * 100}% of ${BAD_TAG}'s requests with 500s, the error-rate gate fails and the Rollout aborts back to the stable version`,
            command: `npm --prefix ${shellQuote(root)} run -s demo:fail -- ${shellQuote(demoImage(BAD_TAG))} ${BAD_ERROR_RATE} && ${release(BAD_TAG)}`,
        },
        {
            key: "back",
            title: `after an abort: the good image back on the Deployment (the Rollout is Healthy again at once; pulumi destroy refuses an aborted Rollout)`,
            command: release(GOOD_TAG),
        },
        {
            key: "destroy",
            title: "undo the migration: the Deployment serves again, then the stack's objects go",
            command: ["pulumi", "destroy", "--yes", "--stack", DEMO_STACK, "--cwd", root, "--config-file", `${dir}/Pulumi.${DEMO_STACK}.yaml`]
                .map(shellQuote)
                .join(" "),
        },
        { key: "stop", title: "stop everything the demo started and remove its state", command: `npm --prefix ${shellQuote(root)} stop` },
    ];
}

/** The text `npm start` prints: the links, then each command under its `#` title. */
export function formatDemoCommands(commands: DemoCommand[], links: DemoLinks): string {
    const lines = [
        "The demo is up. Paste these into a shell:",
        "",
        ...commands.flatMap((c) => [`# ${c.title}`, c.command, ""]),
        "Watch in a browser:",
        `  the Argo Rollouts dashboard: ${links.dashboard}`,
        `    (not started by the demo: it listens on every interface, not only loopback; start it yourself in a shell of its own: kubectl argo rollouts dashboard --port ${DASHBOARD_PORT})`,
        `  the error rate of each version (by pod-template hash) in Prometheus: ${links.prometheus}`,
        "",
    ];
    return lines.join("\n");
}

/** The commands back from the printed text, in order: each line that follows a `# ` title line. */
export function parseDemoCommands(text: string): { title: string; command: string }[] {
    const lines = text.split("\n");
    const found: { title: string; command: string }[] = [];
    for (let i = 0; i + 1 < lines.length; i++) {
        if (lines[i].startsWith("# ") && lines[i + 1].trim() !== "" && !lines[i + 1].startsWith("#")) {
            found.push({ title: lines[i].slice(2), command: lines[i + 1] });
        }
    }
    return found;
}
