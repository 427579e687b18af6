import type { ResourceProvider } from "@pulumi/pulumi/dynamic";
import * as path from "path";
import { ClusterFixtures, installMocks as install, registered, setStackConfig } from "../scripts/mockEngine";
import { renderDocuments } from "../scripts/renderObjects";

export { registered, resetRegistered, settle, Registered } from "../scripts/mockEngine";

export const defaultFixtures: ClusterFixtures = {
    "kubernetes:core/v1:Service instant/instant-api": {
        spec: { type: "ClusterIP", selector: { app: "instant-api" }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
    },
    "kubernetes:core/v1:Service shop/checkout": {
        spec: { type: "ClusterIP", selector: { app: "checkout" }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] },
    },
    "kubernetes:core/v1:Service demo/demo": {
        spec: { type: "ClusterIP", selector: { app: "demo" }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] },
    },
};

export function installMocks(fixtures: ClusterFixtures = defaultFixtures, stack = "test"): void {
    install(fixtures, stack);
}

/** Sets the stack config as `Pulumi.<stack>.yaml` would (objects as JSON), with the given secret keys. */
export function setConfig(values: Record<string, unknown>, secretKeys: string[] = []): void {
    const namespaced = (k: string) => (k.includes(":") ? k : `canary-stack:${k}`);
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        flat[namespaced(key)] = typeof value === "string" ? value : JSON.stringify(value);
    }
    setStackConfig(flat, secretKeys.map(namespaced));
}

/** Resources of a type that the program created (reads excluded). */
export function ofType(type: string) {
    return registered.filter((r) => r.type === type && !r.readId);
}

/** The Kubernetes objects that would be applied, as the render writes them (secrets redacted, Helm charts left out). */
export function kubernetesObjects(): any[] {
    return renderDocuments(registered).filter((d) => d.kind !== "HelmChart");
}

/**
 * A dynamic resource's provider as the engine runs it at destroy time: loaded from the
 * `__provider` string the state stores (the serialized closure), not from the module.
 */
export function providerOf(inputs: { __provider: string }): Required<Pick<ResourceProvider, "create" | "diff" | "update" | "delete">> {
    const requireFromString = require(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));
    return requireFromString(inputs.__provider).handler();
}
