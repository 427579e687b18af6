import * as nodePath from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseApps } from "./apps";
import { parsePlatform } from "./platform";
import { AppConfig, ClusterConfig, CustomNewRelicMetric, PlatformConfig, StackConfig } from "./types";
import { flatKeyError } from "./flatKeys";
import { unknownTopKeyError } from "./topKeys";
import { ConfigError, fail, obj, optionalStr, show } from "./reader";
import { KubeconfigSource, readKubeconfigSource, stackKubeconfig } from "./kubeconfig";

export * from "./types";
export { ConfigError } from "./reader";

// Internal to @pulumi/pulumi (not in its .d.ts): which config keys the CLI handed over as secrets, so an error never shows their values.
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret: (key: string) => boolean };

/** The config namespace of this project (`canary-stack:<key>`). */
export const CONFIG_NAMESPACE = "canary-stack";
/** The secret config key of the New Relic personal API key. */
export const NEW_RELIC_API_KEY = "newRelicApiKey";
/** Every key of the project's namespace the program reads (Pulumi.yaml declares the same). */
export const CONFIG_KEYS = ["cluster", "platform", "apps", NEW_RELIC_API_KEY] as const;

function readObject(config: pulumi.Config, key: string): unknown {
    try {
        return config.getObject<unknown>(key);
    } catch (err) {
        throw new ConfigError(`${key}: not valid YAML/JSON (${(err as Error).message})`);
    }
}

/** A kube-system namespace's `metadata.uid`, as the API server writes UIDs. */
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The run's KUBECONFIG as one file, or undefined when it is unset (the provider's default, ~/.kube/config).
 * The Kubernetes provider takes one kubeconfig argument, a file or a kubeconfig's contents: given a list
 * (`a:b`), which is not a file, it reads the list as contents (pulumi-kubernetes 4.32.0,
 * provider/pkg/provider/util.go parseKubeconfigString). The stack stores that one file's contents.
 */
export function kubeconfigFile(value: string | undefined, delimiter = nodePath.delimiter): string | undefined {
    const files = (value ?? "").split(delimiter).filter((file) => file !== "");
    if (files.length <= 1) return files[0];
    throw new ConfigError(
        `KUBECONFIG: lists ${files.length} files (${files.join(", ")}); this stack reads one kubeconfig file ` +
            "and stores its contents for pulumi refresh and destroy, and the provider would read a list as a kubeconfig's contents. Merge them into one file, " +
            `as kubectl merges them, and point KUBECONFIG at it: kubectl config view --flatten > ~/.kube/canary-stack.yaml && export KUBECONFIG=~/.kube/canary-stack.yaml`,
    );
}

function parseCluster(value: unknown, path: string, raw: RawStackConfig): ClusterConfig {
    const cluster = obj(value ?? {}, path, ["context", "kubeSystemUid"]);
    const context = optionalStr(cluster, "context", path);
    const file = kubeconfigFile(raw.kubeconfigEnv);
    const source = raw.readKubeconfig?.(file);
    return {
        kubeconfigFile: source?.file,
        kubeconfig: source && stackKubeconfig(source, context),
        context,
        kubeSystemUid: optionalStr(
            cluster,
            "kubeSystemUid",
            path,
            UID,
            "a UID (the kube-system namespace's metadata.uid: kubectl get namespace kube-system -o jsonpath='{.metadata.uid}')",
        ),
    };
}

/** Every New Relic metric with the path of the app it belongs to, for the credential checks. */
export function newRelicMetrics(apps: AppConfig[]): { app: AppConfig; metric: CustomNewRelicMetric }[] {
    return apps.flatMap((app) => app.analysis.metrics.filter((m): m is CustomNewRelicMetric => m.provider === "newRelic").map((metric) => ({ app, metric })));
}

function checkNewRelic(apps: AppConfig[], platform: PlatformConfig, hasApiKey: boolean): void {
    const users = newRelicMetrics(apps);
    if (users.length === 0) return;
    const first = users[0];
    const where = `apps[${apps.indexOf(first.app)}] (${first.app.name}) metric ${show(first.metric.name)} uses provider newRelic`;
    if (!platform.newRelic) fail("platform.newRelic", `missing (${where}; set accountId and region)`);
    if (!hasApiKey) {
        fail(NEW_RELIC_API_KEY, `missing (${where}); set it with: pulumi config set --secret ${CONFIG_NAMESPACE}:${NEW_RELIC_API_KEY} <personal-api-key>`);
    }
}

/** The stack config as read from Pulumi config, before validation. */
export interface RawStackConfig {
    cluster?: unknown;
    platform?: unknown;
    apps?: unknown;
    /** The run's KUBECONFIG environment variable (not Pulumi config): how the stack reaches its cluster. */
    kubeconfigEnv?: string;
    /** Reads the kubeconfig file (KUBECONFIG's one file, or undefined for the default); unset, no kubeconfig is read. */
    readKubeconfig?: (file: string | undefined) => KubeconfigSource | undefined;
}

/** Validates and defaults raw config; throws a ConfigError naming the key, the value and what is allowed. */
export function parseStackConfig(raw: RawStackConfig, newRelicApiKey?: pulumi.Output<string>): StackConfig {
    const platform = parsePlatform(raw.platform, "platform");
    const apps = parseApps(raw.apps, "apps", platform);
    checkNewRelic(apps, platform, newRelicApiKey !== undefined);
    return {
        cluster: parseCluster(raw.cluster, "cluster", raw),
        platform,
        apps,
        secrets: { newRelicApiKey },
    };
}

/** The API key as a secret, or undefined when unset or empty (Pulumi.yaml's default is ""). */
function newRelicApiKey(config: pulumi.Config): pulumi.Output<string> | undefined {
    const raw = pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${NEW_RELIC_API_KEY}`);
    return raw ? config.requireSecret(NEW_RELIC_API_KEY) : undefined;
}

/** Reads this stack's config; runs before any resource is registered, so bad config registers nothing. */
export function loadStackConfig(config = new pulumi.Config(CONFIG_NAMESPACE)): StackConfig {
    const all = pulumi.runtime.allConfig();
    const flat = flatKeyError(all, CONFIG_NAMESPACE, isConfigSecret) ?? unknownTopKeyError(all, CONFIG_NAMESPACE, CONFIG_KEYS);
    if (flat) throw new ConfigError(flat);
    return parseStackConfig(
        {
            cluster: readObject(config, "cluster"),
            platform: readObject(config, "platform"),
            apps: readObject(config, "apps"),
            kubeconfigEnv: process.env.KUBECONFIG,
            readKubeconfig: readKubeconfigSource,
        },
        newRelicApiKey(config),
    );
}
