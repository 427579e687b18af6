import * as fs from "fs";
import * as path from "path";
import { spawn, spawnSync } from "child_process";

const ROOT = path.join(__dirname, "..");
const PROJECT = path.join(__dirname, "pulumi-restore");

/** A real Pulumi engine (the CLI built by scripts/toolchain) on a file backend in the e2e dir. */
export class PulumiStack {
    private readonly env: NodeJS.ProcessEnv;

    constructor(dir: string, private readonly stack = "e2e") {
        const home = path.join(dir, "pulumi-home");
        const state = path.join(dir, "pulumi-state");
        fs.mkdirSync(state, { recursive: true });
        this.env = {
            ...process.env,
            // The dynamic provider plugin ships inside @pulumi/pulumi; node 22 comes first for it and the program.
            PATH: [path.join(ROOT, "node_modules", ".bin"), path.join(ROOT, "node_modules", "@pulumi", "pulumi"), process.env.PATH].join(":"),
            PULUMI_HOME: home,
            PULUMI_BACKEND_URL: `file://${state}`,
            PULUMI_CONFIG_PASSPHRASE: "canary-e2e",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_UPDATE_CHECK: "true",
        };
    }

    /** Runs `pulumi <args>` in the project; returns the exit code and the combined output. */
    run(args: string[]): { code: number; output: string } {
        const result = spawnSync("pulumi", [...args, "--non-interactive", "--stack", this.stack], {
            cwd: PROJECT, env: this.env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024,
        });
        return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
    }

    private must(args: string[]): string {
        const { code, output } = this.run(args);
        if (code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${code}:\n${output}`);
        return output;
    }

    /** A fresh stack; its config file (Pulumi.e2e.yaml, git-ignored) belongs to this run's backend only. */
    init(kubeconfig: string): void {
        fs.rmSync(path.join(PROJECT, `Pulumi.${this.stack}.yaml`), { force: true });
        const init = spawnSync("pulumi", ["stack", "init", this.stack, "--non-interactive"], { cwd: PROJECT, env: this.env, encoding: "utf8" });
        if (init.status !== 0) throw new Error(`pulumi stack init ${this.stack}: ${init.stderr}`);
        this.must(["config", "set", "kubeconfig", kubeconfig]);
    }

    up(): string {
        return this.must(["up", "--yes", "--skip-preview"]);
    }

    /** `pulumi preview --expect-no-changes`: true when a second `pulumi up` would change nothing. */
    noChanges(): { ok: boolean; output: string } {
        const { code, output } = this.run(["preview", "--expect-no-changes"]);
        return { ok: code === 0, output };
    }

    /** Asynchronous, so that probes of the cluster keep running while the engine works. */
    destroy(): Promise<{ code: number; output: string }> {
        return new Promise((resolve) => {
            const child = spawn("pulumi", ["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", this.stack], {
                cwd: PROJECT, env: this.env,
            });
            let output = "";
            child.stdout.on("data", (d) => { output += d; });
            child.stderr.on("data", (d) => { output += d; });
            child.on("close", (code) => resolve({ code: code ?? 1, output }));
        });
    }

    /** URNs of the resources in the stack's state. */
    resources(): string[] {
        const state = JSON.parse(this.must(["stack", "export"]));
        return (state.deployment?.resources ?? []).map((r: { urn: string }) => r.urn);
    }

    output(name: string): unknown {
        return JSON.parse(this.must(["stack", "output", name, "--json"]));
    }
}
