import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress" with { "resolution-mode": "import" };
import type { IIngressClass } from "kubernetes-models/networking.k8s.io/v1/IngressClass" with { "resolution-mode": "import" };

export type { IIngress, IIngressClass };

/**
 * Which Services an Ingress (networking.k8s.io/v1) sends requests to, read
 * as Argo Rollouts v1.8.3 reads the `stableIngress` of nginx traffic routing:
 * only `spec.rules[].http.paths[]` count (`utils/ingress/ingress.go`
 * `HasRuleWithService`, checked by `pkg/apis/rollouts/validation/validation_references.go`
 * `validateNginxIngress`: the Rollout is InvalidSpec without one naming the
 * stable Service), and the canary Ingress copies those paths alone
 * (`rollout/trafficrouting/nginx/nginx.go` `buildCanaryIngress`). A
 * `defaultBackend` is listed too, because it serves requests, but it routes
 * nothing for Argo.
 */

export interface Backend {
    /** `spec.rules[0].http.paths[1]` or `spec.defaultBackend`, as messages name it. */
    where: string;
    /** RFC 6901 pointer to the backend's Service name, for a JSON patch. */
    pointer: string;
    service: string;
    /** The backend's port: a number or a Service port's name. */
    port?: number | string;
    /** A rule's path (not the defaultBackend): what Argo Rollouts counts. */
    ofRule: boolean;
}

/** Every Service backend of the Ingress, rules' paths first, then the defaultBackend. */
export function serviceBackends(ingress: IIngress): Backend[] {
    const backends: Backend[] = [];
    (ingress.spec?.rules ?? []).forEach((rule, r) =>
        (rule.http?.paths ?? []).forEach((path, p) => {
            const service = path.backend.service;
            if (!service) return;
            backends.push({
                where: `spec.rules[${r}].http.paths[${p}]`,
                pointer: `/spec/rules/${r}/http/paths/${p}/backend/service/name`,
                service: service.name,
                port: service.port?.number ?? service.port?.name,
                ofRule: true,
            });
        }),
    );
    const fallback = ingress.spec?.defaultBackend?.service;
    if (fallback) {
        backends.push({
            where: "spec.defaultBackend",
            pointer: "/spec/defaultBackend/service/name",
            service: fallback.name,
            port: fallback.port?.number ?? fallback.port?.name,
            ofRule: false,
        });
    }
    return backends;
}

/** Argo Rollouts' `HasRuleWithService`: a rule's path routes to the Service. */
export function routesTo(ingress: IIngress, service: string): boolean {
    return serviceBackends(ingress).some((b) => b.ofRule && b.service === service);
}

/**
 * A JSON patch (RFC 6902) that moves these backends to another Service, each
 * `replace` behind a `test` of the name it replaces: if anything changed the
 * Ingress since it was read, the API server refuses the whole patch.
 */
export function repointPatch(backends: Backend[], to: string): object[] {
    return backends.flatMap((b) => [
        { op: "test", path: b.pointer, value: b.service },
        { op: "replace", path: b.pointer, value: to },
    ]);
}

/** The same patch without its `test`s: shorter, for an operator to run by hand. */
export function repointCommand(ingress: { name: string; namespace: string }, backends: Backend[], to: string): string {
    const ops = backends.map((b) => ({ op: "replace", path: b.pointer, value: to }));
    return `kubectl patch ingress ${ingress.name} -n ${ingress.namespace} --type json -p '${JSON.stringify(ops)}'`;
}

/** The legacy annotation that, when set, ingress-nginx and Argo Rollouts (`Ingress.GetClass`) read before `spec.ingressClassName`. */
export const LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
/** The `spec.controller` of an ingress-nginx IngressClass. */
export const NGINX_CONTROLLER = "k8s.io/ingress-nginx";
/** ingress-nginx's default `--ingress-class`. */
export const NGINX_CLASS = "nginx";

/** The Ingress's class as Argo Rollouts reads it: the legacy annotation, else `spec.ingressClassName`. */
export function ingressClass(ingress: IIngress): { name: string; from: "annotation" | "ingressClassName" } | undefined {
    const annotated = ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
    if (annotated) return { name: annotated, from: "annotation" };
    const named = ingress.spec?.ingressClassName;
    return named ? { name: named, from: "ingressClassName" } : undefined;
}
