/**
 * The kubeconfig the stack stores: what `kubectl config view --flatten --minify` prints for the
 * stack's context. The Kubernetes provider and the dynamic resources keep their inputs in the state,
 * and a `pulumi refresh` or `pulumi destroy` (which do not run the program) configures them from there:
 * a stored path would be read again, pointing wherever that file points by then, or nowhere; stored
 * contents reach the cluster of the last `pulumi up`. The certificate files the kubeconfig names are
 * inlined (a moved file would break it too); an `exec` plugin, an auth-provider and a `tokenFile` stay
 * as they are, so credentials that rotate are fetched when used.
 */
import * as fs from "fs";
import * as os from "os";
import * as nodePath from "path";
import { parse, stringify } from "yaml";
import { ConfigError, isObj, Obj } from "./reader";

/** A kubeconfig file as read, and how to read the files it names (relative to its own folder). */
export interface KubeconfigSource {
    file: string;
    text: string;
    readFile(path: string): Buffer;
}

/** A path-valued field and the `-data` field kubectl's `--flatten` inlines it into. */
const CLUSTER_FILES = [["certificate-authority", "certificate-authority-data"]] as const;
const USER_FILES = [
    ["client-certificate", "client-certificate-data"],
    ["client-key", "client-key-data"],
] as const;

function named(list: unknown, name: string, field: "cluster" | "user" | "context"): Obj | undefined {
    const entry = Array.isArray(list) ? list.find((e) => isObj(e) && e.name === name) : undefined;
    return isObj(entry) && isObj(entry[field]) ? (entry[field] as Obj) : undefined;
}

function names(list: unknown): string[] {
    return Array.isArray(list) ? list.filter(isObj).map((e) => String(e.name)) : [];
}

function inline(section: Obj, fields: readonly (readonly [string, string])[], source: KubeconfigSource, where: string): Obj {
    const out: Obj = { ...section };
    for (const [pathKey, dataKey] of fields) {
        const file = section[pathKey];
        if (typeof file !== "string" || file === "") continue;
        const full = nodePath.resolve(nodePath.dirname(source.file), file);
        try {
            out[dataKey] = source.readFile(full).toString("base64");
        } catch (err) {
            throw new ConfigError(`KUBECONFIG: ${source.file}: ${where} ${pathKey} ${full} cannot be read (${(err as Error).message})`);
        }
        delete out[pathKey];
    }
    if (typeof out.tokenFile === "string") out.tokenFile = nodePath.resolve(nodePath.dirname(source.file), out.tokenFile);
    return out;
}

/**
 * The self-contained kubeconfig of one context (`context`, else the file's current context): its
 * cluster and user with their certificate files inlined, and that context current. Throws a
 * ConfigError naming the file when it is not a kubeconfig or lacks the context, cluster or user.
 */
export function stackKubeconfig(source: KubeconfigSource, context?: string): string {
    let doc: unknown;
    try {
        doc = parse(source.text);
    } catch (err) {
        throw new ConfigError(`KUBECONFIG: ${source.file} is not a kubeconfig (${(err as Error).message})`);
    }
    if (!isObj(doc)) throw new ConfigError(`KUBECONFIG: ${source.file} is not a kubeconfig (not a mapping)`);
    const name = context ?? (typeof doc["current-context"] === "string" && doc["current-context"] !== "" ? doc["current-context"] : undefined);
    if (name === undefined) {
        throw new ConfigError(`KUBECONFIG: ${source.file} has no current-context; choose one: pulumi config set --path canary-stack:cluster.context <context>`);
    }
    const ctx = named(doc.contexts, name, "context");
    if (!ctx) {
        const where = context === undefined ? "its current-context" : "cluster.context";
        throw new ConfigError(`${where}: "${name}" is not in ${source.file} (it has: ${names(doc.contexts).join(", ") || "none"})`);
    }
    const clusterName = String(ctx.cluster ?? "");
    const cluster = named(doc.clusters, clusterName, "cluster");
    if (!cluster) throw new ConfigError(`KUBECONFIG: ${source.file}: context "${name}" names cluster "${clusterName}", which it does not define`);
    const userName = typeof ctx.user === "string" ? ctx.user : undefined;
    const user = userName === undefined || userName === "" ? undefined : named(doc.users, userName, "user");
    if (userName && !user) throw new ConfigError(`KUBECONFIG: ${source.file}: context "${name}" names user "${userName}", which it does not define`);
    const flat = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: inline(cluster, CLUSTER_FILES, source, `cluster "${clusterName}"`) }],
        users: user ? [{ name: userName, user: inline(user, USER_FILES, source, `user "${userName}"`) }] : [],
        contexts: [{ name, context: ctx }],
        "current-context": name,
    };
    return stringify(flat, { lineWidth: 0 });
}

/**
 * The run's kubeconfig file: KUBECONFIG's one file, else `~/.kube/config`. Undefined when KUBECONFIG is
 * unset and there is no `~/.kube/config` (the provider then uses its own defaults, as in a pod);
 * a ConfigError when KUBECONFIG names a file that does not exist.
 */
export function readKubeconfigSource(file: string | undefined, home = os.homedir()): KubeconfigSource | undefined {
    const path = file ?? nodePath.join(home, ".kube", "config");
    if (!fs.existsSync(path)) {
        if (file === undefined) return undefined;
        throw new ConfigError(`KUBECONFIG: ${file} does not exist; point KUBECONFIG at the cluster's kubeconfig file`);
    }
    return { file: path, text: fs.readFileSync(path, "utf8"), readFile: (p) => fs.readFileSync(p) };
}
