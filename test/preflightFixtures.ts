import { AppConfig } from "../stacks/types";
import { parseStackConfig } from "../stacks";
import { LiveObjects, preflightFindings } from "../model/preflight";
import { existingPlatform, validApp } from "./fixtures";

/**
 * The demo app of test/fixtures.ts routed by nginx (so its ladder runs as
 * written and the config alone finds nothing), and its live objects as a
 * well-prepared cluster has them: a Deployment with a readiness probe and
 * the Service's target port, the Service selecting its pods, a
 * PodDisruptionBudget that allows one eviction, no autoscaler, the Ingress
 * routing to the stable Service through ingress-nginx (a first migration:
 * the stable Service is not there yet).
 */
export function preflightConfig(change: (app: any) => void = () => undefined) {
    const app = validApp();
    app.stableIngress = "demo";
    change(app);
    return parseStackConfig({ platform: existingPlatform(), apps: [app] });
}

export function preflightApp(change: (app: any) => void = () => undefined): AppConfig {
    return preflightConfig(change).apps[0];
}

export function deployment(): any {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "demo", namespace: "demo", labels: { app: "demo" } },
        spec: {
            replicas: 4,
            selector: { matchLabels: { app: "demo" } },
            template: {
                metadata: { labels: { app: "demo", tier: "web" } },
                spec: {
                    containers: [
                        {
                            name: "app",
                            image: "registry.example/demo:v1",
                            ports: [{ name: "http", containerPort: 8080 }],
                            readinessProbe: { httpGet: { path: "/ready", port: "http" } },
                        },
                    ],
                },
            },
        },
    };
}

export function service(): any {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "demo", namespace: "demo" },
        spec: { selector: { app: "demo" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    };
}

export function autoscaler(target: { apiVersion: string; kind: string; name: string }, name = "demo"): any {
    return {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name, namespace: "demo" },
        spec: { scaleTargetRef: target, minReplicas: 2, maxReplicas: 8 },
    };
}

export function disruptionBudget(spec: object, name = "demo"): any {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name, namespace: "demo" },
        spec: { selector: { matchLabels: { app: "demo" } }, ...spec },
    };
}

/** The app's stableIngress, routed to the stable Service and served by ingress-nginx. */
export function ingress(): any {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "demo", namespace: "demo" },
        spec: {
            ingressClassName: "nginx",
            rules: [
                {
                    host: "demo.example",
                    http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "demo-stable", port: { number: 80 } } } }] },
                },
            ],
        },
    };
}

export function nginxClass(): any {
    return { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: "nginx" }, spec: { controller: "k8s.io/ingress-nginx" } };
}

export function live(change: (objects: LiveObjects & { deployment: any; service: any; ingress: any }) => void = () => undefined): LiveObjects {
    const objects = {
        deployment: deployment(),
        service: service(),
        autoscalers: [],
        disruptionBudgets: [disruptionBudget({ maxUnavailable: 1 })],
        ingress: ingress(),
        ingressClass: nginxClass(),
        unread: {},
    };
    change(objects);
    return objects;
}

/** Each finding as `severity check: message`. */
export function found(app: AppConfig, objects: LiveObjects | undefined): string[] {
    return preflightFindings(app, objects, "demo-stable").map((f) => `${f.severity} ${f.check}: ${f.message}`);
}
