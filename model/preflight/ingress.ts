import { AppConfig } from "../../stacks/types";
import {
    Backend,
    IIngress,
    ingressClass,
    LEGACY_CLASS_ANNOTATION,
    NGINX_CLASS,
    NGINX_CONTROLLER,
    repointCommand,
    routesTo,
    serviceBackends,
} from "../ingressRoutes";
import { error, LiveObjects, PreflightFinding, warning } from "./types";

/**
 * nginx traffic routing (`stableIngress`) as Argo Rollouts v1.8.3 needs it:
 * the Ingress exists (else `handleCacheError` in rollout/controller.go makes
 * the Rollout InvalidSpec), a rule's path routes to the stable Service (else
 * `validateNginxIngress`: InvalidSpec, "ingress `x` has no rules using service
 * y backend"), and ingress-nginx serves it, since only ingress-nginx reads the
 * canary Ingress's `nginx.ingress.kubernetes.io/canary-weight`. An InvalidSpec
 * Rollout runs none of its steps; the controller retries it every 20 s.
 */

const where = (app: AppConfig) => `Ingress ${app.namespace}/${app.stableIngress}`;

function invalidSpec(app: AppConfig, stableService: string): string {
    return `Argo Rollouts holds the Rollout as InvalidSpec ("ingress \`${app.stableIngress}\` has no rules using service ${stableService} backend")`;
}

const places = (backends: Backend[]) => backends.map((b) => b.where).join(", ");

function command(app: AppConfig, backends: Backend[], to: string): string {
    return repointCommand({ name: app.stableIngress as string, namespace: app.namespace }, backends, to);
}

/** The Service port the stable Service copies first, as an Ingress backend names it. */
function firstPort(live: LiveObjects): number | string {
    return live.service?.spec?.ports?.[0]?.port ?? "PORT";
}

function missing(app: AppConfig, stableService: string, live: LiveObjects): PreflightFinding {
    return error(
        "ingress",
        `${app.name}: ${where(app)} (the app's stableIngress) not found: Argo Rollouts holds a Rollout whose stableIngress ` +
            "does not exist as InvalidSpec and runs none of its steps. Create it, routing to the stable Service " +
            `(kubectl create ingress ${app.stableIngress} -n ${app.namespace} --class=nginx --rule="/*=${stableService}:${firstPort(live)}"), ` +
            "or name the right one in the app's stableIngress",
    );
}

/** The Ingress does not route to the stable Service: what it routes to decides the fix. */
function notRouted(app: AppConfig, stableService: string, ingress: IIngress, live: LiveObjects): PreflightFinding {
    const own = app.service.name;
    const backends = serviceBackends(ingress);
    const toOwn = backends.filter((b) => b.service === own);
    if (toOwn.some((b) => b.ofRule)) {
        const fix = command(app, toOwn, stableService);
        if (!live.stableService && !live.unread.stableService) {
            return warning(
                "ingress",
                `${app.name}: ${where(app)} routes to the app's Service ${own} (${places(toOwn)}), not yet to ${stableService}, ` +
                    `which this pulumi up creates as a copy of Service ${own}, selecting the same pods. Until the Ingress routes to it, ` +
                    `${invalidSpec(app, stableService)} and leaves the Deployment serving as it does now. Once pulumi up is done, point the Ingress ` +
                    `at it; Argo Rollouts tries again within 20 s and adopts the Deployment: ${fix}`,
            );
        }
        return error(
            "ingress",
            `${app.name}: ${where(app)} routes to the app's Service ${own} (${places(toOwn)}), not to ${stableService}: ` +
                `${invalidSpec(app, stableService)} and runs none of its steps, and Service ${own} sends each request to any of the app's pods, ` +
                `stable or canary. Point the Ingress at ${stableService}, which serves the same app: ${fix}`,
        );
    }
    const fallback = backends.find((b) => !b.ofRule && (b.service === own || b.service === stableService));
    if (fallback) {
        const rule = { http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: stableService, port: port(fallback.port) } } }] } };
        const add = ingress.spec?.rules ? { op: "add", path: "/spec/rules/-", value: rule } : { op: "add", path: "/spec/rules", value: [rule] };
        return error(
            "ingress",
            `${app.name}: ${where(app)} sends requests to Service ${fallback.service} through its spec.defaultBackend only: ` +
                `Argo Rollouts reads only rules' paths, so ${invalidSpec(app, stableService)} and runs none of its steps. Add a rule routing to ` +
                `${stableService}: kubectl patch ingress ${app.stableIngress} -n ${app.namespace} --type json -p '${JSON.stringify([add])}'`,
        );
    }
    const services = [...new Set(backends.map((b) => b.service))].join(", ") || "no Service";
    return error(
        "ingress",
        `${app.name}: ${where(app)} routes neither to ${stableService} nor to the app's Service ${own} (it routes to ${services}): ` +
            `${invalidSpec(app, stableService)} and runs none of its steps. Name the Ingress that routes to Service ${own} in the app's stableIngress; ` +
            `this lists each Ingress of the namespace with its Services: kubectl get ingress -n ${app.namespace} ` +
            "-o custom-columns='NAME:.metadata.name,SERVICES:.spec.rules[*].http.paths[*].backend.service.name'",
    );
}

const port = (value: number | string | undefined) => (typeof value === "string" ? { name: value } : { number: value });

/** Paths left on the app's own Service beside the stable one: there the canary's share is its share of the pods. */
function leftOnOwnService(app: AppConfig, stableService: string, ingress: IIngress): PreflightFinding[] {
    const own = app.service.name;
    const left = serviceBackends(ingress).filter((b) => b.service === own);
    if (left.length === 0) return [];
    return [
        warning(
            "ingress",
            `${app.name}: ${where(app)} routes to ${stableService}, but ${places(left)} still route to the app's Service ${own}, ` +
                "which sends each request to any of the app's pods, stable or canary: there the canary's share is its share of the pods, not the weight. " +
                `Point them at ${stableService}: ${command(app, left, stableService)}`,
        ),
    ];
}

const ELSEWHERE =
    "Argo Rollouts' nginx routing puts the canary's weight in nginx.ingress.kubernetes.io/canary annotations on a copy of the Ingress, " +
    "which only ingress-nginx reads; another controller serves that copy as a second Ingress for the same hosts and paths, " +
    "so the canary's share would not be the weight";

function classFindings(app: AppConfig, ingress: IIngress, live: LiveObjects): PreflightFinding[] {
    const cls = ingressClass(ingress);
    const fix = `kubectl patch ingress ${app.stableIngress} -n ${app.namespace} --type merge -p '{"spec":{"ingressClassName":"${NGINX_CLASS}"}}'`;
    if (!cls) {
        return [
            warning(
                "ingressClass",
                `${app.name}: ${where(app)} names no class (no spec.ingressClassName, no ${LEGACY_CLASS_ANNOTATION} annotation): ` +
                    `ingress-nginx serves it only when started with --watch-ingress-without-class. Name the class of ingress-nginx: ${fix}`,
            ),
        ];
    }
    if (cls.from === "annotation") {
        if (cls.name === NGINX_CLASS) return [];
        return [
            warning(
                "ingressClass",
                `${app.name}: ${where(app)} has class ${cls.name} (annotation ${LEGACY_CLASS_ANNOTATION}), not ${NGINX_CLASS}: ` +
                    `${ELSEWHERE}. Serve it with ingress-nginx`,
            ),
        ];
    }
    if (live.unread.ingressClass) return [];
    const controller = live.ingressClass?.spec?.controller;
    if (controller === NGINX_CONTROLLER) return [];
    const seen = live.ingressClass
        ? `IngressClass ${cls.name} has controller ${controller ?? "(none)"}, not ${NGINX_CONTROLLER}`
        : `there is no IngressClass ${cls.name}, so no controller serves it`;
    return [
        warning(
            "ingressClass",
            `${app.name}: ${where(app)} has ingressClassName ${cls.name}, and ${seen}: ${ELSEWHERE}. ` +
                `Name an IngressClass of ingress-nginx (controller ${NGINX_CONTROLLER}), e.g.: ${fix}`,
        ),
    ];
}

/** The app's stableIngress against Argo Rollouts' rules; `stableService` is the stable Service's name (`<app>-stable`). */
export function ingressFindings(app: AppConfig, stableService: string, live: LiveObjects): PreflightFinding[] {
    if (app.stableIngress === undefined || live.unread.ingress) return [];
    const { ingress } = live;
    if (!ingress) return [missing(app, stableService, live)];
    const routing = routesTo(ingress, stableService) ? leftOnOwnService(app, stableService, ingress) : [notRouted(app, stableService, ingress, live)];
    return [...routing, ...classFindings(app, ingress, live)];
}
