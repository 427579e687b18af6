/**
 * What the real Pulumi engine does with the whole program (index.ts with the
 * local stack's config) on the local control plane: the preview, the
 * migration by `pulumi up`, a second up, a one-step ladder change, the
 * operator's commands from the stack outputs, and a bad config. Each
 * function returns a report row.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments, parse as parseYaml, stringify } from "yaml";
import { AS_CI, DEMO } from "./demoApp";
import { Env } from "./environment";
import { run, sleep, waitFor } from "./lib/proc";
import { EngineRun } from "./pulumiStack";
import { ScenarioResult, stepResult } from "./report/types";

const ROOT = path.join(__dirname, "..");

const SERVER_SET_METADATA = ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"];

/** The app's own objects as an operator would compare them: no server-set metadata or status. */
export function appObjects(env: Env): { deployment: any; service: any } {
    const strip = (o: any) => ({
        metadata: Object.fromEntries(Object.entries(o.metadata).filter(([key]) => !SERVER_SET_METADATA.includes(key))),
        spec: o.spec,
    });
    return {
        deployment: strip(env.kubectl.get("deployment", DEMO.name, DEMO.namespace)),
        service: strip(env.kubectl.get("service", DEMO.name, DEMO.namespace)),
    };
}

/** Dotted paths whose values differ between two JSON values, e.g. `spec.replicas: 4 -> 0`. */
export function changedFields(before: unknown, after: unknown, at = ""): string[] {
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((k) => changedFields(before[k], after[k], at ? `${at}.${k}` : k));
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [`${at}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`];
}

async function timed<T>(work: () => Promise<T> | T): Promise<[T, number]> {
    const t0 = Date.now();
    const value = await work();
    return [value, (Date.now() - t0) / 1000];
}

function logged(env: Env, command: string, result: EngineRun): EngineRun {
    env.log(`pulumi ${command}: exit ${result.code}; ${result.summary || "(no summary)"}`);
    return result;
}

/** The Kubernetes objects of the offline render of the local stack, with the live Service copied. */
export function renderedObjects(env: Env): string[] {
    const live = path.join(env.dir, "live-service.yaml");
    fs.writeFileSync(live, env.kubectl.run(["get", "service", DEMO.name, "-n", DEMO.namespace, "-o", "yaml"]));
    const out = path.join(env.dir, "local-render.yaml");
    run("ts-node", ["--transpile-only", path.join(ROOT, "scripts", "render.ts"), "--stack", env.pulumi.stack, "--live", live, "--out", out]);
    return parseAllDocuments(fs.readFileSync(out, "utf8"))
        .map((d) => d.toJS())
        .filter((d) => d && d.kind !== "HelmChart")
        .map((d) => `${d.kind} ${d.metadata.namespace ? `${d.metadata.namespace}/` : ""}${d.metadata.name}`)
        .sort();
}

/** Before anything exists, `pulumi preview` plans the objects the offline render lists, no more, no fewer. */
export async function previewMatchesRender(env: Env): Promise<{ result: ScenarioResult; objects: string[] }> {
    const [plan, seconds] = await timed(() => env.pulumi.plan());
    const planned = plan
        .filter((s) => s.op === "create" && s.object)
        .map((s) => s.object!)
        .sort();
    const rendered = renderedObjects(env);
    const missing = rendered.filter((o) => !planned.includes(o));
    const extra = planned.filter((o) => !rendered.includes(o));
    const creates = plan.filter((s) => s.op === "create").length;
    const ok = missing.length === 0 && extra.length === 0 && planned.length > 0;
    return {
        objects: planned,
        result: stepResult(
            "pulumi preview before anything exists",
            "plans exactly the objects the offline render lists",
            `${creates} creates planned, ${planned.length} of them Kubernetes objects; render lists ${rendered.length}` +
                (ok
                    ? `: the same (${planned.join(", ")})`
                    : `; missing from the plan: ${missing.join(", ") || "none"}; not in the render: ${extra.join(", ") || "none"}`),
            ok,
            seconds,
            { planned, rendered },
        ),
    };
}

/** Waits until the Rollout has adopted the Deployment and is Healthy. */
export async function rolloutHealthy(env: Env, timeoutMs = 120000): Promise<any> {
    return waitFor(
        "the Rollout to adopt the Deployment and be Healthy",
        timeoutMs,
        () => {
            const r = env.kubectl.get("rollout", DEMO.name, DEMO.namespace);
            return r?.status?.phase === "Healthy" && r.status.stableRS ? r : undefined;
        },
        500,
    );
}

/**
 * `pulumi up` migrates the app: every planned object exists, the Rollout adopts the
 * Deployment and is Healthy, and the app's own Deployment and Service are as they were,
 * but for the fields the Rollout controller writes (listed in the row).
 */
export async function migrate(env: Env, planned: string[], name = "pulumi up migrates the app"): Promise<ScenarioResult> {
    const before = appObjects(env);
    const [up, upSeconds] = await timed(() => logged(env, "up", env.pulumi.up()));
    const [, healthySeconds] = await timed(() => rolloutHealthy(env));
    const missing = planned.filter((o) => !objectExists(env, o));
    const after = appObjects(env);
    const deploymentChanges = changedFields(before.deployment, after.deployment);
    const serviceChanges = changedFields(before.service, after.service);
    const templateChanged = deploymentChanges.some((c) => c.startsWith("spec.template"));
    // With workloadRef.scaleDown, Argo Rollouts scales the adopted Deployment to 0 once the Rollout is Healthy.
    const controllerOwned = (c: string) => c.startsWith("spec.replicas:");
    const unexpected = deploymentChanges.filter((c) => !controllerOwned(c));
    const ok = missing.length === 0 && !templateChanged && unexpected.length === 0 && serviceChanges.length === 0;
    return stepResult(
        name,
        "creates every planned object; the Rollout adopts the Deployment and is Healthy; the Deployment's pod template and the Service unchanged",
        `${up.summary} in ${upSeconds.toFixed(1)}s; Rollout Healthy ${healthySeconds.toFixed(1)}s later; ` +
            `${missing.length === 0 ? `all ${planned.length} objects exist` : `missing: ${missing.join(", ")}`}; ` +
            `Service changes: ${serviceChanges.join("; ") || "none"}; Deployment changes: ${deploymentChanges.join("; ") || "none"} ` +
            `(written by the Rollout controller: ${deploymentChanges.filter(controllerOwned).join("; ") || "none"})`,
        ok,
        upSeconds + healthySeconds,
        { summary: up.summary, deploymentChanges, serviceChanges },
    );
}

/** `pulumi up` with the controller stopped: the Rollout exists but is never reconciled, and the Deployment keeps serving. */
export async function upUnreconciled(env: Env): Promise<ScenarioResult> {
    const [up, seconds] = await timed(() => logged(env, "up (controller stopped)", env.pulumi.up()));
    await sleep(3000);
    const rollout = env.kubectl.get("rollout", DEMO.name, DEMO.namespace);
    const deployment = env.kubectl.get("deployment", DEMO.name, DEMO.namespace);
    const untouched = rollout !== undefined && rollout.status?.stableRS === undefined;
    const serving = deployment.spec.replicas === DEMO.replicas && deployment.status.availableReplicas === DEMO.replicas;
    return stepResult(
        "pulumi up with the controller stopped",
        "the Rollout is created and never reconciled; the Deployment keeps serving",
        `${up.summary}; Rollout status ${JSON.stringify(rollout?.status ?? {})}; Deployment ${deployment.spec.replicas} replicas, ` +
            `${deployment.status.availableReplicas} available`,
        untouched && serving,
        seconds,
        { summary: up.summary },
    );
}

/** The Kubernetes objects the stack created, from its state (`pulumi stack export`), as `Kind namespace/name`; not those it only reads (`external`). */
export function stateObjects(env: Env): string[] {
    const state = JSON.parse(env.pulumi.must(["stack", "export"]).stdout);
    return (state.deployment?.resources ?? [])
        .filter((r: any) => r.type.startsWith("kubernetes:") && !r.external && r.outputs?.kind && r.outputs?.metadata?.name)
        .map((r: any) => `${r.outputs.kind} ${r.outputs.metadata.namespace ? `${r.outputs.metadata.namespace}/` : ""}${r.outputs.metadata.name}`)
        .sort();
}

export function objectExists(env: Env, object: string): boolean {
    const [kind, ref] = object.split(" ");
    const [namespace, name] = ref.includes("/") ? ref.split("/") : [undefined, ref];
    return env.kubectl.get(kind, name, namespace) !== undefined;
}

export async function noChanges(env: Env, when: string): Promise<ScenarioResult> {
    const [result, seconds] = await timed(() => env.pulumi.noChanges());
    logged(env, `preview --expect-no-changes (${when})`, result);
    return stepResult(
        `second pulumi up ${when}`,
        "no changes (pulumi preview --expect-no-changes exits 0)",
        result.ok ? `exit 0; ${result.summary}` : `exit ${result.code}: ${result.output.slice(-1500)}`,
        result.ok,
        seconds,
        { summary: result.summary },
    );
}

/** Per field manager of a live object, the `spec` paths it owns (to depth 4), from its managedFields. */
export function specOwners(object: any): Record<string, string[]> {
    // "." marks the mapping itself, owned beside its fields: left out.
    const paths = (fields: any, at: string[], depth: number): string[] =>
        Object.entries(fields ?? {})
            .filter(([key]) => key !== ".")
            .flatMap(([key, sub]) => {
                const here = [...at, key.replace(/^f:/, "")];
                const leaf = Object.keys(sub as object).length === 0 || depth === 0;
                return leaf ? [here.join(".")] : paths(sub, here, depth - 1);
            });
    const owners: Record<string, string[]> = {};
    for (const entry of object?.metadata?.managedFields ?? []) {
        const spec = paths(entry.fieldsV1?.["f:spec"], ["spec"], 3);
        if (spec.length > 0) owners[`${entry.manager} (${entry.operation})`] = spec;
    }
    return owners;
}

function readyPods(env: Env): Map<string, string> {
    const pods = env.kubectl.list("pod", DEMO.namespace, `app=${DEMO.name}`);
    const ready = pods.filter((p) => (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True"));
    return new Map(ready.map((p) => [p.metadata.uid as string, p.metadata.name as string]));
}

/**
 * One ladder step changed in the stack config (the second pause, 10s -> 8s): the plan
 * updates exactly one resource, the Rollout, and no stable pod is restarted.
 */
export async function ladderChange(env: Env): Promise<ScenarioResult> {
    const config = parseYaml(fs.readFileSync(env.pulumi.configFile, "utf8"));
    const apps = config.config["canary-stack:apps"];
    const pause = Math.max(...apps[0].steps.map((s: any, i: number) => (s.pause ? i : -1)));
    apps[0].steps[pause] = { pause: { duration: "8s" } };
    fs.writeFileSync(env.pulumi.configFile, stringify(config));

    const owners = specOwners(env.kubectl.json(["get", "rollout", DEMO.name, "-n", DEMO.namespace, "--show-managed-fields"]));
    env.log(`the Rollout's spec fields by manager before the change: ${JSON.stringify(owners)}`);
    const podsBefore = readyPods(env);
    const plan = env.pulumi.plan();
    // The read of the existing Service is planned on every run; it changes nothing.
    const changed = plan.filter((s) => !["same", "read"].includes(s.op) && s.type !== "pulumi:pulumi:Stack");
    const [up, seconds] = await timed(() => logged(env, "up (one ladder step changed)", env.pulumi.up()));
    await sleep(5000);
    const rollout = await rolloutHealthy(env, 30000);
    const podsAfter = readyPods(env);
    const restarted = [...podsBefore.keys()].filter((uid) => !podsAfter.has(uid)).map((uid) => podsBefore.get(uid));
    const onlyRollout = changed.length === 1 && changed[0].op === "update" && changed[0].type === "kubernetes:argoproj.io/v1alpha1:Rollout";
    const stepWritten = rollout.spec.strategy.canary.steps[pause]?.pause?.duration === "8s";
    return stepResult(
        "one ladder step changed, pulumi up",
        "updates exactly one resource (the Rollout); no stable pod restarted",
        `planned: ${changed.map((s) => `${s.op} ${s.type}`).join(", ") || "nothing"}; ${up.summary}; steps[${pause}] on the live Rollout: ` +
            `${JSON.stringify(rollout.spec.strategy.canary.steps[pause])}; ${podsBefore.size} ready pods before, ` +
            `${restarted.length === 0 ? "all still running" : `restarted: ${restarted.join(", ")}`}`,
        onlyRollout && stepWritten && restarted.length === 0 && podsBefore.size === DEMO.replicas,
        seconds,
        { summary: up.summary, specOwnersBefore: owners },
    );
}

/** Runs one operator command as the stack output writes it (`kubectl argo rollouts ...`); returns its exit code. */
export function operatorCommand(env: Env, command: string): { code: number; output: string } {
    const [program, ...args] = command.split(/\s+/);
    try {
        return { code: 0, output: run(program, args, { ...process.env, KUBECONFIG: env.kubeconfig }) };
    } catch (err) {
        const message = (err as Error).message;
        return { code: Number(/ exited (\d+)/.exec(message)?.[1] ?? 1), output: message };
    }
}

/**
 * Runs the stack output's command `key` as the CI service account (the deployer Role must
 * allow it) and checks its exit code and, optionally, the Rollout after it.
 */
export function operatorRow(env: Env, key: string, when: string, expectZero: boolean, then?: (rollout: any) => string | undefined): ScenarioResult {
    const command: string = env.pulumi.outputs().rollouts[DEMO.name][key];
    const t0 = Date.now();
    const { code, output } = operatorCommand(env, `${command} ${AS_CI}`);
    const problem = then?.(env.kubectl.get("rollout", DEMO.name, DEMO.namespace));
    const codeOk = expectZero ? code === 0 : code !== 0;
    return stepResult(
        `operator command from the stack outputs: ${key}, ${when}`,
        `\`${command}\` as the CI account ${expectZero ? "exits 0" : "exits non-zero"}`,
        `exit ${code}${problem ? `; ${problem}` : ""}${codeOk ? "" : `: ${output.slice(-300)}`}`,
        codeOk && !problem,
        (Date.now() - t0) / 1000,
    );
}

/** `pulumi preview` that the program must refuse with `expected`, once, as one line, and no stack trace. */
function refusedPreview(env: Env, name: string, expected: string, configFile = env.pulumi.configFile): ScenarioResult {
    const result = env.pulumi.run(["preview"], configFile);
    const lines = result.output.split("\n").filter((l) => l.includes(expected));
    const trace = result.output.split("\n").filter((l) => /^\s+at \S/.test(l) || l.includes("ConfigError:"));
    const ok = result.code !== 0 && lines.length >= 1 && trace.length === 0;
    return stepResult(
        name,
        `fails with the one-line error "${expected}" (the CLI shows it in its progress and again under Diagnostics), no stack trace`,
        `exit ${result.code}; ${lines.length} line(s) with the message: ${JSON.stringify(lines[0]?.trim() ?? "")}; ` +
            `${trace.length} stack-trace line(s)${ok ? "" : `; output: ${result.output.slice(-1200)}`}`,
        ok,
    );
}

/** A bad stack config under the real CLI: one line with the key path, the value and what is allowed; no stack trace. */
export function badConfig(env: Env): ScenarioResult {
    const config = parseYaml(fs.readFileSync(env.pulumi.configFile, "utf8"));
    config.config["canary-stack:apps"][0].steps[0] = { setWeight: 150 };
    const bad = path.join(env.dir, "Pulumi.bad.yaml");
    fs.writeFileSync(bad, stringify(config));
    return refusedPreview(env, "pulumi preview with a bad stack config", "apps[0].steps[0].setWeight: 150 is not an integer from 0 to 100", bad);
}

/** A KUBECONFIG of two files, which the Kubernetes provider would read as a kubeconfig's contents: refused before anything registers. */
export function kubeconfigListPreview(env: Env): ScenarioResult {
    const saved = env.pulumi.env.KUBECONFIG;
    const list = [env.kubeconfig, path.join(env.dir, "other-kubeconfig.yaml")];
    env.pulumi.env.KUBECONFIG = list.join(path.delimiter);
    try {
        return refusedPreview(env, "pulumi preview with a KUBECONFIG of two files", `KUBECONFIG: lists 2 files (${list.join(", ")})`);
    } finally {
        env.pulumi.env.KUBECONFIG = saved;
    }
}
