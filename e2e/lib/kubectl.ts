import { run } from "./proc";

/** kubectl against the e2e cluster's kubeconfig. */
export class Kubectl {
    constructor(private readonly kubeconfig: string) {}

    private env(): NodeJS.ProcessEnv {
        return { ...process.env, KUBECONFIG: this.kubeconfig };
    }

    run(args: string[], input?: string): string {
        return run("kubectl", args, this.env(), input);
    }

    json<T = any>(args: string[]): T {
        return JSON.parse(this.run([...args, "-o", "json"])) as T;
    }

    /** The object, or undefined when it does not exist. */
    get<T = any>(kind: string, name: string, namespace?: string): T | undefined {
        const ns = namespace ? ["-n", namespace] : [];
        const out = this.run(["get", kind, name, ...ns, "--ignore-not-found", "-o", "json"]);
        return out.trim() ? (JSON.parse(out) as T) : undefined;
    }

    list<T = any>(kind: string, namespace: string, selector?: string): T[] {
        const sel = selector ? ["-l", selector] : [];
        return this.json<{ items: T[] }>(["get", kind, "-n", namespace, ...sel]).items;
    }

    /** Server-side apply of a YAML/JSON stream. */
    apply(manifest: string, fieldManager = "canary-stack-e2e"): string {
        return this.run(["apply", "--server-side", `--field-manager=${fieldManager}`, "-f", "-"], manifest);
    }
}
