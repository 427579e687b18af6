type ClientNode = typeof import("@kubernetes/client-node", { with: { "resolution-mode": "import" } });

/**
 * Where the dynamic providers (the restore, the cluster guard) talk to: the same kubeconfig and
 * context as the stack's Kubernetes provider.
 */
export interface KubeConnection {
    /**
     * A kubeconfig's contents (what the stack stores, stacks/kubeconfig.ts), or a file's path (what a
     * state written before it stored). Defaults to what kubectl would use (`KUBECONFIG`, else `~/.kube/config`).
     */
    kubeconfig?: string;
    /** A context in that kubeconfig. Defaults to its current context. */
    context?: string;
}

export function statusCode(error: unknown): number | undefined {
    return typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : undefined;
}

/** client-node's errors carry the whole response; keep the API server's own message. */
export function apiError(action: string, error: unknown): Error {
    const code = statusCode(error);
    const body = (error as { body?: unknown }).body;
    let reason = error instanceof Error ? error.message : String(error);
    if (typeof body === "string") {
        try {
            reason = JSON.parse(body).message ?? body;
        } catch {
            reason = body;
        }
    } else if (typeof body === "object" && body !== null && "message" in body) {
        reason = String((body as { message: unknown }).message);
    }
    return new Error(`${action} failed${code ? ` (HTTP ${code})` : ""}: ${reason}`);
}

/** How long one call to the API server may take before it counts as failed: nothing waits forever. */
export const API_CALL_TIMEOUT_SECONDS = 30;

/** The call's result, or an error once `seconds` pass without an answer (the dynamic provider then fails, instead of hanging the destroy). */
export async function withTimeout<T>(call: () => Promise<T>, seconds = API_CALL_TIMEOUT_SECONDS): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from the API server within ${seconds}s`)), seconds * 1000);
    });
    try {
        return await Promise.race([call(), timeout]);
    } finally {
        clearTimeout(timer);
    }
}

/** The call's result, or undefined when the object does not exist (HTTP 404). */
export async function orUndefined<T>(action: string, call: () => Promise<T>, timeoutSeconds = API_CALL_TIMEOUT_SECONDS): Promise<T | undefined> {
    try {
        return await withTimeout(call, timeoutSeconds);
    } catch (error) {
        if (statusCode(error) === 404) return undefined;
        throw apiError(action, error);
    }
}

export async function orThrow<T>(action: string, call: () => Promise<T>, timeoutSeconds = API_CALL_TIMEOUT_SECONDS): Promise<T> {
    try {
        return await withTimeout(call, timeoutSeconds);
    } catch (error) {
        throw apiError(action, error);
    }
}

/** A kubeconfig's contents rather than a file's path: a path is one line, a kubeconfig (YAML or JSON) is not. */
export function isKubeconfigContents(value: string): boolean {
    return value.includes("\n") || value.trimStart().startsWith("{");
}

/**
 * client-node is loaded here, at call time, not at the top of the module: the
 * dynamic providers that use this are serialized into the stack's state, and
 * the package must resolve from node_modules when a destroy runs them.
 */
export function loadKubeConfig(connection: KubeConnection) {
    const k8s = require("@kubernetes/client-node") as ClientNode;
    const config = new k8s.KubeConfig();
    const { kubeconfig } = connection;
    const contents = kubeconfig !== undefined && isKubeconfigContents(kubeconfig);
    if (kubeconfig && contents) config.loadFromString(kubeconfig);
    else if (kubeconfig) config.loadFromFile(kubeconfig);
    else config.loadFromDefault();
    if (connection.context) {
        const names = config.getContexts().map((c) => c.name);
        if (!names.includes(connection.context)) {
            // Never the contents themselves: they hold credentials.
            const source = contents ? "the stored kubeconfig" : (kubeconfig ?? "the default kubeconfig");
            throw new Error(`context "${connection.context}" is not in ${source} (it has: ${names.join(", ") || "none"})`);
        }
        config.setCurrentContext(connection.context);
    }
    return { k8s, config };
}
