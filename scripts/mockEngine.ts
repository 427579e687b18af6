import * as pulumi from "@pulumi/pulumi";

// Internal (not in the .d.ts), but exactly what `pulumi.runtime.disconnect()` waits on:
// every registration the program started.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

/** A resource the program registered, as the mock engine saw it. */
export interface Registered {
    type: string;
    name: string;
    inputs: any;
    /** Set when the program read an existing object instead of creating one. */
    readId?: string;
    provider?: string;
    /** How many `transforms` the resource declares (the mock engine does not run them). */
    transformCount: number;
    /** The resource's own `retainOnDelete` option, when it sets one. */
    retainOnDelete?: boolean;
    /** URNs of the resources it depends on (`dependsOn` and inputs): Pulumi deletes it before them. */
    dependencies: string[];
}

// The mock engine hands `newResource` no dependencies, transforms or options; the registration request has them.
const requests = new Map<string, { dependencies: string[]; transformCount: number; retainOnDelete?: boolean }>();
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
const registerResource = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (req: any, callback: unknown) {
    requests.set(`${req.getType()}::${req.getName()}`, {
        dependencies: req.getDependenciesList(), transformCount: req.getTransformsList().length,
        retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : undefined,
    });
    return registerResource.call(this, req, callback);
};

/** Live objects the program reads (`Service.get`), keyed by "<type> <namespace>/<name>". */
export type ClusterFixtures = Record<string, Record<string, unknown>>;

/** What a read of an object missing from the fixtures returns; undefined makes the read fail. */
export type LiveFallback = (type: string, id: string) => Record<string, unknown> | undefined;

export const registered: Registered[] = [];

/** What a provider would generate on create; a placeholder stands in (and is a secret where the real one is). */
function generated(type: string): Record<string, unknown> {
    return type === "random:index/randomPassword:RandomPassword" ? { result: "generated-on-apply" } : {};
}

export function resetRegistered(): void {
    registered.length = 0;
}

/**
 * Runs the program against Pulumi's mock engine: nothing is applied, every
 * registration lands in `registered`, and reads of existing objects are
 * answered from `fixtures`.
 */
export function installMocks(fixtures: ClusterFixtures, stack: string, fallback?: LiveFallback): void {
    pulumi.runtime.setMocks({
        newResource: (args) => {
            registered.push({
                type: args.type, name: args.name, inputs: args.inputs, readId: args.id, provider: args.provider,
                dependencies: [], transformCount: 0, ...requests.get(`${args.type}::${args.name}`),
            });
            if (args.id) {
                const live = fixtures[`${args.type} ${args.id}`] ?? fallback?.(args.type, args.id);
                if (!live) throw new Error(`no live ${args.type} ${args.id} in the cluster`);
                return { id: args.id, state: { ...args.inputs, ...live } };
            }
            return { id: `${args.name}-id`, state: { ...args.inputs, ...generated(args.type) } };
        },
        call: (args) => args.inputs,
    }, "canary-stack", stack, true);
}

/** Sets the stack config as the CLI hands it over (`namespace:key` -> string, objects as JSON). */
export function setStackConfig(config: Record<string, string>, secretKeys: string[] = []): void {
    pulumi.runtime.setAllConfig(config, secretKeys);
}

/** Waits until the mock engine has seen every registration the program started. */
export async function settle(): Promise<void> {
    await waitForRPCs();
}
