import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseStackConfig } from "../stacks";
import { controllerScrapeJobs } from "./controllerScrape";
import { asStream, DEMO, demoImage, demoManifests } from "./demoApp";
import { Kubectl } from "./lib/kubectl";
import { run, start, Started, stop } from "./lib/proc";
import { OPERATOR_PORT, RULES_CONFIGMAP, startOperator } from "./operator";
import { loadGeneratedJobs, PrometheusOptions, startPrometheus } from "./prometheus";
import { PulumiStack, StateBackend } from "./pulumiStack";
import type { SimConfig } from "./traffic/server";
import { HEALTHY } from "./traffic/split";

const ROOT = path.join(__dirname, "..");
// Fixed ports below 15000: cluster-up picks its ports from 15000-32767, and the kernel's
// ephemeral range (outgoing connections) starts at 32768.
export const PROMETHEUS_PORT = 14090; // Pulumi.local.yaml's monitoring.prometheusAddress
export const CONTROLLER_METRICS_PORT = 14091;
const CONTROLLER_HEALTHZ_PORT = 14092;
const SIM_PORT = 14093;

/** The fixed ports of the processes setUp starts (the demo, e2e/demo/, runs beside an e2e on its own). */
export interface Ports {
    prometheus: number;
    controllerMetrics: number;
    controllerHealthz: number;
    sim: number;
    operator: number;
}
export const E2E_PORTS: Ports = {
    prometheus: PROMETHEUS_PORT,
    controllerMetrics: CONTROLLER_METRICS_PORT,
    controllerHealthz: CONTROLLER_HEALTHZ_PORT,
    sim: SIM_PORT,
    operator: OPERATOR_PORT,
};
/** Healthy latency of the demo app; the local stack's p95 limit is 0.3 s, so 2x this is caught. */
export const BASE_LATENCY_SECONDS = 0.2;

export interface Env {
    dir: string;
    /** The cluster's kubeconfig, as scripts/cluster-up wrote it: kubectl, the controller and the simulator use it. */
    kubeconfig: string;
    /**
     * The stack's own copy of it (the `KUBECONFIG` of every pulumi command). The state records this path, so
     * pointing the stack at another cluster is rewriting this file, as an operator's ~/.kube/config changes.
     */
    stackKubeconfig: string;
    kubectl: Kubectl;
    ports: Ports;
    /** Undefined on a cluster without Prometheus (the New Relic phase). */
    prometheus?: Started;
    controller: Started;
    simConfigFile: string;
    sim: SimConfig;
    /** The whole program with the local stack's config, under the real Pulumi engine. */
    pulumi: PulumiStack;
    log: (message: string) => void;
    /** The operator's scrape job of the controller's ServiceMonitor (controllerScrape.ts), loaded from the start. */
    controllerJobs: object[];
    /** The operator's scrape jobs Prometheus runs for the app, once loaded (scrapeWithGeneratedJobs). */
    generatedJobs?: object[];
}

function pathWithTools(): string {
    const tools = run(path.join(ROOT, "scripts", "toolchain"), ["--print-path"]).trim();
    return [path.join(ROOT, "node_modules", ".bin"), tools, process.env.PATH].join(":");
}

/** Prometheus restarts on the same port and data dir, as after an outage. */
export async function restartPrometheus(env: Env): Promise<void> {
    env.prometheus = await startPrometheus(
        prometheusOptions(env.dir, env.ports.prometheus, env.sim.targetsFile, !env.sim.podTargets, [...env.controllerJobs, ...(env.generatedJobs ?? [])]),
    );
}

export async function stopPrometheus(env: Env): Promise<void> {
    if (env.prometheus) await stop(env.prometheus);
}

/** Where the e2e's Prometheus loads rule files from: the operator's rules ConfigMap, as it would mount it. */
export function prometheusRuleFolder(dir: string): string {
    return path.join(dir, "prometheus", "rules", RULES_CONFIGMAP);
}

/** With pod targets the app's scrape job is the one the operator generates (reconfigured after the first up), not the e2e's own. */
function prometheusOptions(dir: string, port: number, targetsFile: string, appJob: boolean, generatedJobs?: object[]): PrometheusOptions {
    return {
        dir: path.join(dir, "prometheus"),
        port,
        job: appJob ? "demo" : undefined,
        targetsFile,
        ruleFolder: prometheusRuleFolder(dir),
        generatedJobs,
    };
}

/** The e2e's Prometheus as a Prometheus resource's `version` names it (`prometheus, version 2.42.0+ds ...` -> v2.42.0). */
export function prometheusVersion(): string {
    const version = /version (\d+\.\d+\.\d+)/.exec(run("prometheus", ["--version"]))?.[1];
    if (!version) throw new Error("prometheus --version: no version in its output");
    return `v${version}`;
}

/** Scrapes the app through these jobs of the operator's generated config (on the simulator's targets), from now on and after a restart. */
export async function scrapeWithGeneratedJobs(env: Env, jobs: object[]): Promise<void> {
    env.generatedJobs = jobs;
    const all = [...env.controllerJobs, ...jobs];
    await loadGeneratedJobs(prometheusOptions(env.dir, env.ports.prometheus, env.sim.targetsFile, !env.sim.podTargets, all), all);
}

/** Rewrites the simulator's config (it re-reads it every tick). */
export function setBehaviour(env: Pick<Env, "sim" | "simConfigFile">, image: string, behaviour: SimConfig["behaviours"][string]): void {
    env.sim.behaviours[image] = behaviour;
    fs.writeFileSync(env.simConfigFile, JSON.stringify(env.sim, null, 2));
}

/** What differs between the main phase and the production phase (e2e/production/). */
export interface SetUpOptions {
    /** The stack and its config text (default: `local`, the checked-in file). */
    stack?: string;
    configText?: string;
    /** The Deployment's image tag before the migration (default v1). */
    initialTag?: string;
    /** One scrape target per pod, through the app's metrics Service (see traffic/podTargets.ts). */
    podTargets?: SimConfig["podTargets"];
    /** Default: the e2e's (E2E_PORTS). */
    ports?: Ports;
    /** A cluster without Prometheus: no Prometheus, no operator, no controller scrape (the New Relic phase). */
    noPrometheus?: boolean;
    /** Environment for the controller beyond the run's own, made once the cluster is up (its dir is fresh then). */
    controllerEnv?: (dir: string) => NodeJS.ProcessEnv;
    /** The stack's state backend (default: files in `<dir>/pulumi-state`); e.g. e2e/state/postgres.ts's server, started outside `dir` (cluster-up empties it). */
    backend?: StateBackend;
}

/** The Argo Rollouts controller, out of cluster, logging to <dir>/logs (appended to after a restart). */
export function startController(dir: string, kubeconfig: string, ports: Ports = E2E_PORTS, env: NodeJS.ProcessEnv = {}): Started {
    return start(
        "rollouts-controller",
        "rollouts-controller",
        ["--kubeconfig", kubeconfig, "--leader-elect=false", `--metricsport=${ports.controllerMetrics}`, `--healthzPort=${ports.controllerHealthz}`],
        path.join(dir, "logs", "rollouts-controller.log"),
        { ...process.env, ...env },
    );
}

export async function setUp(dir: string, log: (message: string) => void, options: SetUpOptions = {}): Promise<Env> {
    const initialImage = demoImage(options.initialTag ?? "v1");
    const ports = options.ports ?? E2E_PORTS;
    process.env.PATH = pathWithTools();
    process.env.CANARY_E2E_DIR = dir;
    log("cluster up (etcd, kube-apiserver, controller-manager, scheduler, kwok, CRDs)");
    run(path.join(ROOT, "scripts", "cluster-up"), [], { ...process.env, CANARY_E2E_SKIP_SMOKE: "1" });
    const kubeconfig = path.join(dir, "kubeconfig");
    const kubectl = new Kubectl(kubeconfig);

    log("the app before the migration: Deployment demo (4 replicas, RollingUpdate) and its Service");
    kubectl.apply(asStream(demoManifests(initialImage)));
    kubectl.run(["rollout", "status", "deployment/demo", "-n", DEMO.namespace, "--timeout=120s"]);

    const targetsFile = path.join(dir, "targets.json");
    let prometheus: Started | undefined;
    if (!options.noPrometheus) {
        fs.mkdirSync(path.join(dir, "prometheus"), { recursive: true });
        log(`Prometheus on 127.0.0.1:${ports.prometheus}`);
        prometheus = await startPrometheus(prometheusOptions(dir, ports.prometheus, targetsFile, !options.podTargets));
        log("Prometheus operator, out of cluster, and a Prometheus resource that selects the stack's rules");
        startOperator(dir, kubeconfig, kubectl, prometheusVersion(), ports.operator);
    }
    log("Argo Rollouts controller, out of cluster");
    const controller = startController(dir, kubeconfig, ports, options.controllerEnv?.(dir));
    let controllerJobs: object[] = [];
    if (!options.noPrometheus) {
        log("the chart's controller metrics Service and ServiceMonitor; Prometheus scrapes the controller through the job the operator generates");
        const platform = parseStackConfig({
            platform: parse(options.configText ?? fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8")).config["canary-stack:platform"],
        }).platform;
        controllerJobs = await controllerScrapeJobs(kubectl, dir, platform, `127.0.0.1:${ports.controllerMetrics}`);
        await loadGeneratedJobs(prometheusOptions(dir, ports.prometheus, targetsFile, !options.podTargets, controllerJobs), controllerJobs);
    }

    const sim: SimConfig = {
        kubeconfig,
        namespace: DEMO.namespace,
        rollout: DEMO.name,
        service: DEMO.name,
        port: ports.sim,
        targetsFile,
        requestsPerSecond: 40,
        behaviours: { [initialImage]: { ...HEALTHY, latencySeconds: BASE_LATENCY_SECONDS } },
        ...(options.podTargets ? { podTargets: options.podTargets } : {}),
    };
    const stackKubeconfig = path.join(dir, "stack-kubeconfig");
    fs.copyFileSync(kubeconfig, stackKubeconfig);
    const pulumi = new PulumiStack(dir, stackKubeconfig, options.stack, options.configText, options.backend);
    log(`provider plugins into ${pulumi.env.PULUMI_HOME}:\n${pulumi.installPlugins().trim()}`);
    pulumi.init();
    const env: Env = {
        dir,
        kubeconfig,
        stackKubeconfig,
        kubectl,
        ports,
        prometheus,
        controller,
        simConfigFile: path.join(dir, "sim.json"),
        sim,
        pulumi,
        log,
        controllerJobs,
    };
    setBehaviour(env, initialImage, sim.behaviours[initialImage]);
    // It follows the Rollout's ReplicaSets, so it serves nothing until the Rollout exists.
    start(
        "traffic-sim",
        "node",
        ["-r", "ts-node/register/transpile-only", path.join(__dirname, "traffic", "server.ts"), env.simConfigFile],
        path.join(dir, "logs", "traffic-sim.log"),
    );
    return env;
}

/** Requests each version (by pod-template hash) has served since the traffic simulator started. */
export async function servedByHash(env: Env): Promise<Record<string, number>> {
    const response = await fetch(`http://127.0.0.1:${env.sim.port}/served`);
    if (!response.ok) throw new Error(`traffic simulator /served: HTTP ${response.status}`);
    return (await response.json()) as Record<string, number>;
}
