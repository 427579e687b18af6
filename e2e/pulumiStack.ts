import * as fs from "fs";
import * as path from "path";
import { spawn, spawnSync } from "child_process";
import { run } from "./lib/proc";

const ROOT = path.join(__dirname, "..");

export interface EngineRun {
    code: number;
    /** stdout and stderr. */
    output: string;
    stdout: string;
    /** The engine's own summary, e.g. `Resources: + 12 created` (one line, from the output). */
    summary: string;
}

/** One step of `pulumi preview --json`. */
export interface PlannedStep {
    op: string;
    urn: string;
    type: string;
    /** `kind namespace/name` of the Kubernetes object the step writes (undefined for other resources). */
    object?: string;
}

/** `Resources:` and the indented lines after it, folded into one line. */
export function engineSummary(output: string): string {
    const lines = output.split("\n");
    const at = lines.findIndex((l) => l.trim() === "Resources:");
    if (at < 0) return "";
    const rest = lines.slice(at + 1);
    const end = rest.findIndex((l) => !/^\s+\S/.test(l));
    return `Resources: ${(end < 0 ? rest : rest.slice(0, end)).map((l) => l.trim()).join(", ")}`;
}

/** `kind namespace/name` of the Kubernetes object a `pulumi preview --json` step writes. */
export function plannedObject(step: any): string | undefined {
    const state = step.newState ?? step.oldState;
    const inputs = state?.inputs ?? {};
    if (!state?.type?.startsWith("kubernetes:") || state.type === "pulumi:providers:kubernetes" || !inputs.kind) return undefined;
    const ns = inputs.metadata?.namespace;
    return `${inputs.kind} ${ns ? `${ns}/` : ""}${inputs.metadata?.name}`;
}

/** A state backend other than the e2e dir's files: its URL (no password in it) and what its client needs in the environment (e.g. `PGPASSWORD`). */
export interface StateBackend {
    url: string;
    env?: NodeJS.ProcessEnv;
}

/** A pulumi command running in the background (its own process group, led by `pid`). */
export interface RunningCommand {
    pid: number;
    done: Promise<EngineRun>;
}

/**
 * The project itself (index.ts) under the real Pulumi engine (the CLI built
 * by scripts/toolchain), on a file backend in the e2e dir (or `backend`), with the provider
 * plugins installed into its own PULUMI_HOME by scripts/pulumi-plugins. The
 * stack's config is a copy of `Pulumi.<stack>.yaml` in the e2e dir (passed
 * with `--config-file`), so a run never writes the checked-in file and a
 * scenario can change the config.
 */
export class PulumiStack {
    readonly env: NodeJS.ProcessEnv;
    readonly configFile: string;

    /** `configText`: the stack's config file; defaults to the checked-in `Pulumi.<stack>.yaml`. `backend`: defaults to `<dir>/pulumi-state`. */
    constructor(
        dir: string,
        kubeconfig: string,
        readonly stack = "local",
        configText?: string,
        backend?: StateBackend,
    ) {
        const state = path.join(dir, "pulumi-state");
        fs.mkdirSync(state, { recursive: true });
        this.configFile = path.join(dir, `Pulumi.${stack}.yaml`);
        fs.writeFileSync(this.configFile, configText ?? fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
        this.env = {
            ...process.env,
            KUBECONFIG: kubeconfig,
            // node 22 comes first for the program and the dynamic provider (bundled beside the CLI by scripts/toolchain).
            PATH: [path.join(ROOT, "node_modules", ".bin"), process.env.PATH].join(":"),
            PULUMI_HOME: path.join(dir, "pulumi-home"),
            PULUMI_BACKEND_URL: backend?.url ?? `file://${state}`,
            PULUMI_CONFIG_PASSPHRASE: "canary-e2e",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            ...backend?.env,
        };
    }

    /** The provider plugins at the versions the npm packages are pinned to (scripts/pulumi-plugins). */
    installPlugins(): string {
        return run(path.join(ROOT, "scripts", "pulumi-plugins"), [], this.env);
    }

    /**
     * Runs `pulumi <args>` in the project with this stack; the commands that run the program
     * (preview, up, destroy, refresh) get the config file.
     */
    run(args: string[], configFile = this.configFile): EngineRun {
        const result = spawnSync("pulumi", this.argv(args, configFile), {
            cwd: ROOT,
            env: this.env,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
        const output = `${result.stdout}${result.stderr}`;
        return { code: result.status ?? 1, output, stdout: result.stdout, summary: engineSummary(output) };
    }

    private argv(args: string[], configFile: string): string[] {
        const withConfig = ["preview", "up", "destroy", "refresh"].includes(args[0]) ? ["--config-file", configFile] : [];
        return [...args, "--non-interactive", "--stack", this.stack, ...withConfig];
    }

    /** A pulumi command as a child process; `done` resolves with its run when it exits. */
    private spawnRun(args: string[], configFile: string, detached: boolean): { child: ReturnType<typeof spawn>; done: Promise<EngineRun> } {
        const child = spawn("pulumi", this.argv(args, configFile), { cwd: ROOT, env: this.env, detached });
        let output = "";
        let stdout = "";
        child.stdout!.on("data", (d) => {
            output += d;
            stdout += d;
        });
        child.stderr!.on("data", (d) => {
            output += d;
        });
        const done = new Promise<EngineRun>((resolve) => {
            child.on("close", (code) => resolve({ code: code ?? 1, output, stdout, summary: engineSummary(output) }));
        });
        return { child, done };
    }

    /** `run` in the background, in a process group of its own (so that all of it can be signalled). */
    start(args: string[], configFile = this.configFile): RunningCommand {
        const { child, done } = this.spawnRun(args, configFile, true);
        if (child.pid === undefined) throw new Error(`could not start pulumi ${args.join(" ")}`);
        return { pid: child.pid, done };
    }

    /** `run`, throwing with the output when the command fails. */
    must(args: string[]): EngineRun {
        const result = this.run(args);
        if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.output}`);
        return result;
    }

    /**
     * A fresh stack in this run's backend. `pulumi stack init` has no `--config-file`: it
     * writes the passphrase's salt into the project's `Pulumi.<stack>.yaml`, so the salt is
     * moved to this run's copy and the project's file put back as it was.
     */
    init(): void {
        const projectFile = path.join(ROOT, `Pulumi.${this.stack}.yaml`);
        const original = fs.existsSync(projectFile) ? fs.readFileSync(projectFile) : undefined;
        try {
            const init = spawnSync("pulumi", ["stack", "init", this.stack, "--non-interactive"], { cwd: ROOT, env: this.env, encoding: "utf8" });
            if (init.status !== 0) throw new Error(`pulumi stack init ${this.stack}: ${init.stderr}`);
            const salt = /^encryptionsalt: .*$/m.exec(fs.existsSync(projectFile) ? fs.readFileSync(projectFile, "utf8") : "")?.[0];
            if (salt) fs.appendFileSync(this.configFile, `\n${salt}\n`);
        } finally {
            if (original === undefined) fs.rmSync(projectFile, { force: true });
            else fs.writeFileSync(projectFile, original);
        }
    }

    /** `pulumi preview --json`: the planned steps, with the Kubernetes object each one writes. */
    plan(): PlannedStep[] {
        const preview = JSON.parse(this.must(["preview", "--json"]).stdout);
        return (preview.steps ?? []).map((s: any) => ({
            op: s.op,
            urn: s.urn,
            type: (s.newState ?? s.oldState)?.type ?? "",
            object: plannedObject(s),
        }));
    }

    up(): EngineRun {
        return this.must(["up", "--yes", "--skip-preview"]);
    }

    /** `pulumi preview --expect-no-changes`: ok when a second `pulumi up` would change nothing. */
    noChanges(): EngineRun & { ok: boolean } {
        const result = this.run(["preview", "--expect-no-changes", "--diff"]);
        return { ...result, ok: result.code === 0 };
    }

    /** Asynchronous, so that probes of the cluster keep running while the engine works. */
    destroy(): Promise<EngineRun> {
        return this.spawnRun(["destroy", "--yes", "--skip-preview"], this.configFile, false).done;
    }

    /** URNs of the resources in the stack's state (`pulumi stack export`). */
    resources(): string[] {
        const state = JSON.parse(this.must(["stack", "export"]).stdout);
        return (state.deployment?.resources ?? []).map((r: { urn: string }) => r.urn);
    }

    outputs(): any {
        return JSON.parse(this.must(["stack", "output", "--json"]).stdout);
    }
}
