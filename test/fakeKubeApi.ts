import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";

/**
 * A Kubernetes API server for the restore tests: the few endpoints the
 * restore calls, objects in memory, every request recorded in order. Real
 * client-node talks to it through a kubeconfig, so the client usage is
 * exercised for real. Listens on 127.0.0.1 only.
 */

export interface RecordedRequest {
    method: string;
    /** Path without the query string. */
    path: string;
    query: URLSearchParams;
    contentType?: string;
    body?: any;
}

const ROLLOUT = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/rollouts\/([^/]+)$/;
const DEPLOYMENT = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/;
const REPLICASETS = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets$/;
const SERVICE = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)$/;
const AUTOSCALERS = /^\/apis\/autoscaling\/v2\/namespaces\/([^/]+)\/horizontalpodautoscalers$/;
const DISRUPTION_BUDGETS = /^\/apis\/policy\/v1\/namespaces\/([^/]+)\/poddisruptionbudgets$/;
const NAMESPACE = /^\/api\/v1\/namespaces\/([^/]+)$/;
const INGRESS = /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/ingresses\/([^/]+)$/;
const ENDPOINT_SLICES = /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/([^/]+)\/endpointslices$/;
const INGRESS_CLASS = /^\/apis\/networking\.k8s\.io\/v1\/ingressclasses\/([^/]+)$/;

const MERGE_PATCH = "application/merge-patch+json";
const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
const JSON_PATCH = "application/json-patch+json";

/** Lists merged by `name` under a strategic merge patch, as the API server does for a pod spec. */
const MERGED_BY_NAME = new Set(["containers", "initContainers"]);

function isObject(value: unknown): value is Record<string, any> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 7386, plus lists merged by name when `strategic`. */
export function applyPatch(target: any, patch: any, strategic: boolean, key?: string): any {
    if (strategic && key && MERGED_BY_NAME.has(key) && Array.isArray(target) && Array.isArray(patch)) {
        const merged = target.map((item) => {
            const change = patch.find((p) => p.name === item.name);
            return change ? applyPatch(item, change, strategic) : item;
        });
        return merged.concat(patch.filter((p) => !target.some((item) => item.name === p.name)));
    }
    if (!isObject(patch)) return patch;
    const result: Record<string, any> = isObject(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete result[k];
        else result[k] = applyPatch(result[k], v, strategic, k);
    }
    return result;
}

/** RFC 6902's test, replace and add (to an object member, or `-` at the end of a list); throws on a failed test or a missing parent. */
export function applyJsonPatch(target: any, ops: { op: string; path: string; value?: unknown }[]): any {
    const result = structuredClone(target);
    for (const { op, path, value } of ops) {
        const keys = path
            .split("/")
            .slice(1)
            .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
        const last = keys.pop() as string;
        const parent = keys.reduce((node, key) => (node === undefined ? undefined : node[key]), result);
        if (parent === undefined) throw new Error(`the server rejected our request due to an error in our request: path ${path} does not exist`);
        if (op === "test") {
            if (JSON.stringify(parent[last]) !== JSON.stringify(value))
                throw new Error(`the server rejected our request due to an error in our request: testing path ${path} failed`);
        } else if (op === "replace" || op === "add") {
            if (Array.isArray(parent) && last === "-") parent.push(value);
            else parent[last] = value;
        } else {
            throw new Error(`op ${op} is not served here`);
        }
    }
    return result;
}

function notFound(kind: string, name: string) {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `${kind} "${name}" not found`, reason: "NotFound", code: 404 };
}

function forbidden(r: RecordedRequest, kind: string): [number, unknown] {
    const segments = r.path.split("/");
    const group = segments[1] === "apis" ? segments[2] : "";
    const name = segments[segments.indexOf(kind) + 1];
    const verb = r.method === "GET" ? (name ? "get" : "list") : r.method.toLowerCase();
    const message =
        `${kind}${group ? `.${group}` : ""} ${name ? `"${name}" ` : ""}is forbidden: User "system:anonymous" cannot ${verb} ` +
        `resource "${kind}" in API group "${group}" in the namespace "${segments[segments.indexOf("namespaces") + 1]}"`;
    return [403, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "Forbidden", code: 403 }];
}

export function availableStatus(deployment: any) {
    const replicas = deployment.spec.replicas ?? 1;
    return {
        observedGeneration: deployment.metadata.generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        conditions: [{ type: "Available", status: "True", reason: "MinimumReplicasAvailable" }],
    };
}

function progressingStatus(deployment: any) {
    const replicas = deployment.spec.replicas ?? 1;
    return {
        observedGeneration: deployment.metadata.generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: 0,
        availableReplicas: 0,
        conditions: [{ type: "Available", status: "False", reason: "MinimumReplicasUnavailable" }],
    };
}

function inNamespace(apiVersion: string, kind: string, objects: any[], namespace: string) {
    return { apiVersion, kind, metadata: { resourceVersion: "1" }, items: objects.filter((o) => o.metadata.namespace === namespace) };
}

export class FakeKubeApi {
    readonly rollouts = new Map<string, any>();
    readonly deployments = new Map<string, any>();
    replicaSets: any[] = [];
    /** What the preflight reads besides the Deployment. */
    readonly services = new Map<string, any>();
    /** Ingresses by namespace/name (read by the preflight; patched and deleted by the restore). */
    readonly ingresses = new Map<string, any>();
    /** IngressClasses by name. */
    readonly ingressClasses = new Map<string, any>();
    /** EndpointSlices (discovery.k8s.io/v1), listed by their kubernetes.io/service-name label. */
    endpointSlices: any[] = [];
    /** Called after each write to an Ingress (e.g. Argo Rollouts recreating its canary Ingress). */
    onIngressWrite?: (method: string, key: string) => void;
    autoscalers: any[] = [];
    disruptionBudgets: any[] = [];
    /** The kube-system namespace's UID (the cluster guard reads it); undefined: the namespace is forbidden. */
    kubeSystemUid?: string = "11111111-1111-4111-8111-111111111111";
    readonly requests: RecordedRequest[] = [];
    /** The GET of a patched Deployment at which it reports Available; "never" keeps it unavailable. */
    availableAfterPolls: number | "never" = 1;
    /** Answer this verb on this resource with 403, as RBAC would. */
    deny?: {
        method: string;
        kind:
            | "rollouts"
            | "deployments"
            | "replicasets"
            | "services"
            | "horizontalpodautoscalers"
            | "poddisruptionbudgets"
            | "ingresses"
            | "ingressclasses"
            | "endpointslices";
    };
    /**
     * Something else writing the Deployment while the restore waits (a stale Argo reconcile scaling it to 0,
     * a deploy setting an image): called on each GET after a PATCH, with the GET's count since that PATCH.
     */
    interfere?: (deployment: any, pollsSincePatch: number) => void;
    private pollsSincePatch = new Map<string, number>();
    private dir = "";

    private constructor(private readonly server: http.Server) {}

    static async start(): Promise<FakeKubeApi> {
        const server = http.createServer();
        const api = new FakeKubeApi(server);
        server.on("request", (req, res) => api.handle(req, res));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        api.dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-kube-"));
        return api;
    }

    get url(): string {
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    /**
     * A kubeconfig with context `fake` (this server, no auth) and context
     * `elsewhere` (nothing listens there), current as given.
     */
    writeKubeconfig(currentContext: "fake" | "elsewhere"): string {
        const file = path.join(this.dir, `kubeconfig-${currentContext}.json`);
        fs.writeFileSync(
            file,
            JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                // client-node refuses plain http unless TLS verification is off.
                clusters: [
                    { name: "fake", cluster: { server: this.url, "insecure-skip-tls-verify": true } },
                    { name: "elsewhere", cluster: { server: "http://127.0.0.1:9", "insecure-skip-tls-verify": true } },
                ],
                users: [{ name: "anonymous", user: {} }],
                contexts: [
                    { name: "fake", context: { cluster: "fake", user: "anonymous" } },
                    { name: "elsewhere", context: { cluster: "elsewhere", user: "anonymous" } },
                ],
                "current-context": currentContext,
            }),
        );
        return file;
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** Requests that change something. */
    writes(): RecordedRequest[] {
        return this.requests.filter((r) => r.method !== "GET");
    }

    /** "GET rollout instant/instant-api", "PATCH deployment ...", "GET replicasets instant ...": the order of calls at a glance. */
    calls(): string[] {
        return this.requests.map((r) => {
            const object = ROLLOUT.exec(r.path) ?? DEPLOYMENT.exec(r.path);
            if (object) return `${r.method} ${ROLLOUT.test(r.path) ? "rollout" : "deployment"} ${object[1]}/${object[2]}`;
            const list = REPLICASETS.exec(r.path);
            if (list) return `${r.method} replicasets ${list[1]} ${r.query.get("labelSelector") ?? ""}`.trim();
            return `${r.method} ${r.path}`;
        });
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", this.url);
            const text = Buffer.concat(chunks).toString();
            const recorded: RecordedRequest = {
                method: req.method ?? "GET",
                path: url.pathname,
                query: url.searchParams,
                contentType: req.headers["content-type"]?.split(";")[0],
                body: text ? JSON.parse(text) : undefined,
            };
            this.requests.push(recorded);
            const [code, body] = this.route(recorded);
            res.writeHead(code, { "Content-Type": "application/json" });
            res.end(JSON.stringify(body));
        });
    }

    private route(r: RecordedRequest): [number, unknown] {
        if (this.deny && r.method === this.deny.method && r.path.split("/").includes(this.deny.kind)) return forbidden(r, this.deny.kind);
        let m = ROLLOUT.exec(r.path);
        if (m) return this.object(this.rollouts, "rollouts.argoproj.io", `${m[1]}/${m[2]}`, r, [MERGE_PATCH]);
        m = DEPLOYMENT.exec(r.path);
        if (m) return this.deployment(`${m[1]}/${m[2]}`, r);
        m = REPLICASETS.exec(r.path);
        if (m && r.method === "GET") return [200, this.listReplicaSets(m[1], r.query.get("labelSelector") ?? "")];
        m = SERVICE.exec(r.path);
        if (m && r.method === "GET") return this.object(this.services, "services", `${m[1]}/${m[2]}`, r, []);
        m = AUTOSCALERS.exec(r.path);
        if (m && r.method === "GET") return [200, inNamespace("autoscaling/v2", "HorizontalPodAutoscalerList", this.autoscalers, m[1])];
        m = DISRUPTION_BUDGETS.exec(r.path);
        if (m && r.method === "GET") return [200, inNamespace("policy/v1", "PodDisruptionBudgetList", this.disruptionBudgets, m[1])];
        m = INGRESS.exec(r.path);
        if (m) return this.ingress(`${m[1]}/${m[2]}`, r);
        m = ENDPOINT_SLICES.exec(r.path);
        if (m && r.method === "GET") {
            const [key, value] = (r.query.get("labelSelector") ?? "").split("=");
            const items = this.endpointSlices.filter((s) => s.metadata.namespace === m?.[1] && s.metadata.labels?.[key] === value);
            return [200, { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSliceList", metadata: { resourceVersion: "1" }, items }];
        }
        m = INGRESS_CLASS.exec(r.path);
        if (m && r.method === "GET") {
            const found = this.ingressClasses.get(m[1]);
            return found ? [200, found] : [404, notFound("ingressclasses.networking.k8s.io", m[1])];
        }
        m = NAMESPACE.exec(r.path);
        if (m && m[1] === "kube-system" && r.method === "GET") return this.kubeSystem();
        return [404, notFound("path", r.path)];
    }

    private kubeSystem(): [number, unknown] {
        if (this.kubeSystemUid === undefined) {
            const message =
                'namespaces "kube-system" is forbidden: User "system:anonymous" cannot get resource "namespaces" in API group "" in the namespace "kube-system"';
            return [403, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "Forbidden", code: 403 }];
        }
        return [
            200,
            { kind: "Namespace", apiVersion: "v1", metadata: { name: "kube-system", uid: this.kubeSystemUid }, spec: {}, status: { phase: "Active" } },
        ];
    }

    private object(store: Map<string, any>, kind: string, key: string, r: RecordedRequest, patchTypes: string[]): [number, unknown] {
        const current = store.get(key);
        if (!current) return [404, notFound(kind, key.split("/")[1])];
        if (r.method === "GET") return [200, current];
        if (r.method !== "PATCH") return [405, { kind: "Status", code: 405, message: `${r.method} is not served here` }];
        if (!patchTypes.includes(r.contentType ?? "")) {
            return [
                415,
                {
                    kind: "Status",
                    code: 415,
                    message: `the body of the request was in an unknown format - accepted media types include: ${patchTypes.join(", ")}`,
                },
            ];
        }
        const patched = applyPatch(current, r.body, r.contentType === STRATEGIC_MERGE_PATCH);
        if (JSON.stringify(patched.spec) !== JSON.stringify(current.spec)) {
            patched.metadata = { ...patched.metadata, generation: (current.metadata.generation ?? 1) + 1 };
        }
        store.set(key, patched);
        return [200, patched];
    }

    private ingress(key: string, r: RecordedRequest): [number, unknown] {
        const current = this.ingresses.get(key);
        if (!current) return [404, notFound("ingresses.networking.k8s.io", key.split("/")[1])];
        if (r.method === "GET") return [200, current];
        let result: [number, unknown];
        if (r.method === "DELETE") {
            const uid = r.body?.preconditions?.uid;
            if (uid !== undefined && uid !== current.metadata.uid) {
                const message = `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`;
                return [409, { kind: "Status", apiVersion: "v1", status: "Failure", message, reason: "Conflict", code: 409 }];
            }
            this.ingresses.delete(key);
            result = [200, { kind: "Status", apiVersion: "v1", status: "Success", details: { name: key.split("/")[1], kind: "ingresses" } }];
        } else if (r.method === "PATCH" && r.contentType === JSON_PATCH) {
            try {
                const patched = applyJsonPatch(current, r.body);
                this.ingresses.set(key, patched);
                result = [200, patched];
            } catch (err) {
                return [422, { kind: "Status", apiVersion: "v1", status: "Failure", message: (err as Error).message, reason: "Invalid", code: 422 }];
            }
        } else {
            return [415, { kind: "Status", code: 415, message: `${r.method} ${r.contentType ?? ""} is not served here` }];
        }
        this.onIngressWrite?.(r.method, key);
        return result;
    }

    private deployment(key: string, r: RecordedRequest): [number, unknown] {
        const result = this.object(this.deployments, "deployments.apps", key, r, [STRATEGIC_MERGE_PATCH, MERGE_PATCH]);
        const deployment = this.deployments.get(key);
        if (result[0] !== 200) return result;
        if (r.method === "PATCH") {
            this.pollsSincePatch.set(key, 0);
            deployment.status = progressingStatus(deployment);
            return [200, deployment];
        }
        if (this.pollsSincePatch.has(key) && this.availableAfterPolls !== "never") {
            const polls = (this.pollsSincePatch.get(key) ?? 0) + 1;
            this.pollsSincePatch.set(key, polls);
            if (polls >= this.availableAfterPolls) deployment.status = availableStatus(deployment);
        }
        if (this.pollsSincePatch.has(key)) this.interfere?.(deployment, this.pollsSincePatch.get(key) ?? 0);
        return [200, deployment];
    }

    /** Equality (`key=value`) and existence (`key`) terms, as the API server reads them. */
    private listReplicaSets(namespace: string, selector: string) {
        const wanted = selector
            .split(",")
            .filter(Boolean)
            .map((term) => term.split("="));
        const items = this.replicaSets.filter(
            (rs) =>
                rs.metadata.namespace === namespace &&
                wanted.every(([k, v]) => (v === undefined ? rs.metadata.labels?.[k] !== undefined : rs.metadata.labels?.[k] === v)),
        );
        return { apiVersion: "apps/v1", kind: "ReplicaSetList", metadata: { resourceVersion: "1" }, items };
    }
}
