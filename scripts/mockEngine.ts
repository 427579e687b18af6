import * as pulumi from "@pulumi/pulumi";
import { LiveTarget, setLiveSource } from "../components/app/preflight/liveSource";
import { setLiveClusterSource } from "../components/cluster/clusterUid";
import type { LiveObjects } from "../model/preflight";

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
    /** The inputs the program gave as secrets (the state stores them encrypted). */
    secretInputs: string[];
    /** The resource's `additionalSecretOutputs` option. */
    additionalSecretOutputs: string[];
}

/** How the SDK marks a secret value on the wire (sdk/nodejs/runtime/rpc.ts specialSigKey, specialSecretSig). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

// The mock engine hands `newResource` no dependencies, transforms or options; the registration request has them.
const requests = new Map<
    string,
    {
        dependencies: string[];
        transformCount: number;
        retainOnDelete?: boolean;
        secretInputs: string[];
        additionalSecretOutputs: string[];
    }
>();
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
const registerResource = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (req: any, callback: unknown) {
    requests.set(`${req.getType()}::${req.getName()}`, {
        dependencies: req.getDependenciesList(),
        transformCount: req.getTransformsList().length,
        retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : undefined,
        secretInputs: secretKeys(req.getObject()?.toJavaScript() ?? {}),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    });
    return registerResource.call(this, req, callback);
};

function secretKeys(inputs: Record<string, any>): string[] {
    return Object.keys(inputs).filter((key) => inputs[key]?.[SIG_KEY] === SECRET_SIG);
}

/**
 * Live objects the program reads, keyed by "<type> <namespace>/<name>": the
 * existing Service (`Service.get`), and what the preflight reads (the
 * Deployment, Services, Ingress, HorizontalPodAutoscalers and PodDisruptionBudgets, see
 * `FIXTURE_TYPES`; an IngressClass is keyed "<type> <name>"), each as `{ metadata?, spec }`.
 */
export type ClusterFixtures = Record<string, Record<string, unknown>>;

/** The fixture type of each kind the preflight reads. */
export const FIXTURE_TYPES = {
    Deployment: "kubernetes:apps/v1:Deployment",
    Service: "kubernetes:core/v1:Service",
    HorizontalPodAutoscaler: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    PodDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    Ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    IngressClass: "kubernetes:networking.k8s.io/v1:IngressClass",
    Rollout: "kubernetes:argoproj.io/v1alpha1:Rollout",
} as const;

/**
 * The preflight's reads, answered from the fixtures: no live view at all when
 * they hold no Deployment of the app (the offline render without one), and a
 * Service or stableIngress missing beside a Deployment counts as not given, not as absent.
 */
function fixtureSource(fixtures: ClusterFixtures) {
    const object = (type: string, namespace: string, name: string): any => {
        const fixture = fixtures[`${type} ${namespace}/${name}`] as { metadata?: object } | undefined;
        return fixture && { ...fixture, metadata: { ...fixture.metadata, name, namespace } };
    };
    const list = (type: string, namespace: string) =>
        Object.keys(fixtures)
            .filter((key) => key.startsWith(`${type} ${namespace}/`))
            .map((key) => object(type, namespace, key.slice(`${type} ${namespace}/`.length)));
    return async (target: LiveTarget): Promise<LiveObjects | undefined> => {
        const deployment = object(FIXTURE_TYPES.Deployment, target.namespace, target.deployment);
        if (!deployment) return undefined;
        const service = object(FIXTURE_TYPES.Service, target.namespace, target.service);
        const ingress = target.ingress === undefined ? undefined : object(FIXTURE_TYPES.Ingress, target.namespace, target.ingress);
        const className = ingress?.spec?.ingressClassName;
        const ingressClass = className && fixtures[`${FIXTURE_TYPES.IngressClass} ${className}`];
        const unread: LiveObjects["unread"] = {};
        if (!service) unread.service = NOT_GIVEN;
        if (target.ingress !== undefined && !ingress) unread.ingress = NOT_GIVEN;
        return {
            deployment,
            service,
            rollout: object(FIXTURE_TYPES.Rollout, target.namespace, target.rollout),
            autoscalers: list(FIXTURE_TYPES.HorizontalPodAutoscaler, target.namespace),
            disruptionBudgets: list(FIXTURE_TYPES.PodDisruptionBudget, target.namespace),
            stableService: object(FIXTURE_TYPES.Service, target.namespace, target.stableService),
            ingress,
            ingressClass: ingressClass ? { ...ingressClass, metadata: { ...(ingressClass.metadata as object), name: className } } : undefined,
            unread,
        };
    };
}

const NOT_GIVEN = "not among the live objects given";

/** What a read of an object missing from the fixtures returns; undefined makes the read fail. */
export type LiveFallback = (type: string, id: string) => Record<string, unknown> | undefined;

export const registered: Registered[] = [];

/** What a provider would generate on create; a placeholder stands in (and is a secret where the real one is). */
function generated(type: string): Record<string, unknown> {
    return type === "random:index/randomPassword:RandomPassword" ? { result: "generated-on-apply" } : {};
}

/**
 * Errors the program raised asynchronously (a resource whose inputs or
 * dependencies rejected, e.g. the preflight's): under the real engine the
 * Pulumi runtime logs them and fails the run; here they are collected.
 */
export const programErrors: Error[] = [];

/** Only Pulumi's own errors are the program's; anything else is thrown again, as Node would. */
function collectProgramError(reason: unknown): void {
    if (!pulumi.ResourceError.isInstance(reason) && !pulumi.RunError.isInstance(reason)) throw reason;
    if (!programErrors.includes(reason)) programErrors.push(reason);
}

export function resetRegistered(): void {
    registered.length = 0;
    programErrors.length = 0;
}

/**
 * Runs the program against Pulumi's mock engine: nothing is applied, every
 * registration lands in `registered`, and reads of existing objects, the
 * preflight's included, are answered from `fixtures`.
 */
export function installMocks(fixtures: ClusterFixtures, stack: string, fallback?: LiveFallback): void {
    setLiveSource(fixtureSource(fixtures));
    setLiveClusterSource(async () => undefined);
    process.off("unhandledRejection", collectProgramError).on("unhandledRejection", collectProgramError);
    pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    readId: args.id,
                    provider: args.provider,
                    dependencies: [],
                    transformCount: 0,
                    secretInputs: [],
                    additionalSecretOutputs: [],
                    ...requests.get(`${args.type}::${args.name}`),
                });
                if (args.id) {
                    const live = fixtures[`${args.type} ${args.id}`] ?? fallback?.(args.type, args.id);
                    if (!live) throw new Error(`no live ${args.type} ${args.id} in the cluster`);
                    return { id: args.id, state: { ...args.inputs, ...live } };
                }
                return { id: `${args.name}-id`, state: { ...args.inputs, ...generated(args.type) } };
            },
            call: (args) => args.inputs,
        },
        "canary-stack",
        stack,
        true,
    );
}

/** Sets the stack config as the CLI hands it over (`namespace:key` -> string, objects as JSON). */
export function setStackConfig(config: Record<string, string>, secretKeys: string[] = []): void {
    pulumi.runtime.setAllConfig(config, secretKeys);
}

/** Waits until the mock engine has seen every registration the program started. */
export async function settle(): Promise<void> {
    await waitForRPCs();
    // Node reports a rejection nothing handled after the microtasks of the turn that rejected it.
    await new Promise((resolve) => setImmediate(resolve));
}
