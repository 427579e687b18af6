/**
 * The fleet's FleetOps on Pulumi's Automation API: a LocalWorkspace over this project, each stack's
 * preview and up with its config file, their engine events folded into one summary per stack
 * (summarise, pure), and the health and status reads of cluster.ts.
 */
import type { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { hasConfig, configFile, readAlerts, readCluster, stackTarget } from "./cluster";
import { stackHealth } from "./health";
import { FleetOps, OperationSummary, StackStatus } from "./runner";

type Automation = typeof import("@pulumi/pulumi/automation");

/**
 * One stack's preview or up as the fleet reports it: the summary event's counts, the program's info
 * lines (each app's exposure line), warnings and errors; `error` is the Automation API's exception
 * when the command failed (its message is the CLI's whole output, so the engine's own error lines are
 * preferred when there are any).
 */
export function summarise(stack: string, events: EngineEvent[], seconds: number, error?: unknown): OperationSummary {
    const diagnostics = events.flatMap((e) => (e.diagnosticEvent && !e.diagnosticEvent.ephemeral ? [e.diagnosticEvent] : []));
    const of = (severity: string) => diagnostics.filter((d) => d.severity === severity).map((d) => d.message.trim());
    const summary = events.find((e) => e.summaryEvent)?.summaryEvent;
    const errors = of("error");
    if (error !== undefined && errors.length === 0) {
        const text = error instanceof Error ? error.message : String(error);
        errors.push(
            text
                .split("\n")
                .filter((l) => /error/i.test(l))
                .slice(0, 5)
                .join("\n") || text.split("\n").slice(0, 5).join("\n"),
        );
    }
    return {
        stack,
        ok: error === undefined && errors.length === 0,
        changes: Object.fromEntries(Object.entries(summary?.resourceChanges ?? {}).filter(([, n]) => (n ?? 0) > 0)) as Record<string, number>,
        exposure: of("info"),
        warnings: of("warning"),
        errors,
        seconds,
    };
}

/** What the fleet calls on an Automation API Stack. */
export type StackLike = Pick<Stack, "preview" | "up">;

/**
 * One stack's preview or up through the Automation API, with its config file and the engine's events
 * collected, summarised (a failure, thrown by the API or the stack's selection, is summarised too).
 */
export async function runStack(name: string, select: () => Promise<StackLike>, verb: "preview" | "up", configFile: string): Promise<OperationSummary> {
    const events: EngineEvent[] = [];
    const started = Date.now();
    const opts = { configFile, color: "never" as const, onEvent: (e: EngineEvent) => events.push(e) };
    try {
        const stack = await select();
        if (verb === "preview") await stack.preview(opts);
        // showSecrets false: Stack.up() ends with `pulumi stack history --json`, which takes no --config-file, and with
        // --show-secrets (its default) the CLI writes the passphrase's salt into the project's Pulumi.<stack>.yaml.
        else await stack.up({ ...opts, showSecrets: false });
        return summarise(name, events, (Date.now() - started) / 1000);
    } catch (err) {
        return summarise(name, events, (Date.now() - started) / 1000, err);
    }
}

export class AutomationOps implements FleetOps {
    private readonly selected = new Map<string, Promise<Stack>>();

    private constructor(
        private readonly auto: Automation,
        private readonly workspace: LocalWorkspace,
        private readonly configDir: string,
    ) {}

    /** A workspace over the project in `projectDir`; the backend and passphrase are the environment's, as for the CLI. */
    static async create(projectDir: string, configDir: string): Promise<AutomationOps> {
        const auto: Automation = require("@pulumi/pulumi/automation");
        const workspace = await auto.LocalWorkspace.create({ workDir: projectDir });
        // Stack.up() reads every output afterwards, secrets decrypted (`pulumi stack output --show-secrets`): Grafana's
        // password among them, which the fleet never shows; so it reads none.
        workspace.stackOutputs = async () => ({});
        return new AutomationOps(auto, workspace, configDir);
    }

    /** The backend's stacks of this project, and the one the operator has selected (put back by `restoreSelection`). */
    async listStacks(): Promise<{ names: string[]; current?: string }> {
        const all = await this.workspace.listStacks();
        return { names: all.map((s) => s.name), current: all.find((s) => s.current)?.name };
    }

    /** The Automation API selects each stack it runs (`pulumi stack select`); the operator's selection is put back. */
    async restoreSelection(current: string | undefined): Promise<void> {
        if (current) await this.workspace.selectStack(current);
    }

    hasConfig(stack: string): boolean {
        return hasConfig(this.configDir, stack);
    }

    private stack(name: string): Promise<Stack> {
        let stack = this.selected.get(name);
        if (!stack) {
            stack = this.auto.Stack.select(name, this.workspace);
            this.selected.set(name, stack);
        }
        return stack;
    }

    private run(name: string, verb: "preview" | "up"): Promise<OperationSummary> {
        return runStack(name, () => this.stack(name), verb, configFile(this.configDir, name));
    }

    preview(stack: string): Promise<OperationSummary> {
        return this.run(stack, "preview");
    }

    up(stack: string): Promise<OperationSummary> {
        return this.run(stack, "up");
    }

    async health(stack: string) {
        const target = stackTarget(stack, this.configDir);
        const [reading, alerts] = await Promise.all([readCluster(target).catch((err: Error) => err), readAlerts(target)]);
        if (reading instanceof Error) {
            return stackHealth({ stack, rollouts: [], alerts, readError: reading.message });
        }
        return stackHealth({ stack, rollouts: reading.rollouts, alerts });
    }

    async status(stack: string): Promise<StackStatus> {
        const target = stackTarget(stack, this.configDir);
        const reading = await readCluster(target);
        return {
            stack,
            context: target.context,
            cluster: reading.cluster,
            rollouts: reading.rollouts.map(
                (r) =>
                    r.view ?? {
                        namespace: r.namespace,
                        name: r.name,
                        status: "NotFound",
                        message: "no Rollout in the cluster",
                        step: "",
                        setWeight: "",
                        actualWeight: "",
                        images: [],
                        stableImage: "",
                        canaryImage: "",
                        midCanary: false,
                        aborted: false,
                    },
            ),
        };
    }
}
