/**
 * The preflight under the real engine: a second app whose Deployment has a
 * HorizontalPodAutoscaler and no readiness probe, in its own namespace, added
 * to a copy of the local stack's config. `pulumi preview` must show the
 * preflight's warnings for it, each with its fix, and still succeed.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify } from "yaml";
import { preflightFindings } from "../model/preflight";
import { parseStackConfig } from "../stacks";
import { asStream } from "./demoApp";
import { Env } from "./environment";
import { ScenarioResult, stepResult } from "./report/types";

const LEGACY = { namespace: "preflight", name: "legacy", container: "app", replicas: 4 };

function legacyManifests(): any[] {
    const labels = { app: LEGACY.name };
    const metadata = { name: LEGACY.name, namespace: LEGACY.namespace, labels };
    return [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: LEGACY.namespace } },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata,
            spec: {
                replicas: LEGACY.replicas,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: { containers: [{ name: LEGACY.container, image: "registry.example/legacy:v1", ports: [{ name: "http", containerPort: 8080 }] }] },
                },
            },
        },
        { apiVersion: "v1", kind: "Service", metadata, spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] } },
        {
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata,
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: LEGACY.name },
                minReplicas: LEGACY.replicas,
                maxReplicas: 8,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
            },
        },
    ];
}

/** The legacy app as an operator adds it to the stack's apps. */
function legacyApp(): any {
    return {
        name: LEGACY.name,
        namespace: LEGACY.namespace,
        workloadRef: { name: LEGACY.name, container: LEGACY.container },
        replicas: LEGACY.replicas,
        service: LEGACY.name,
        metrics: { port: 8080, job: LEGACY.name },
        steps: [{ setWeight: 25 }, { pause: { duration: "10s" } }, { analysis: {} }],
        analysis: { metrics: [{ name: "targets-up", kind: "targetsUp" }] },
    };
}

export async function preflightPreview(env: Env): Promise<ScenarioResult> {
    const t0 = Date.now();
    const manifests = legacyManifests();
    env.kubectl.apply(asStream(manifests));
    const config = parseYaml(fs.readFileSync(env.pulumi.configFile, "utf8"));
    const apps = [...config.config["canary-stack:apps"], legacyApp()];
    config.config["canary-stack:apps"] = apps;
    const file = path.join(env.dir, "Pulumi.preflight.yaml");
    fs.writeFileSync(file, stringify(config));
    try {
        const result = env.pulumi.run(["preview"], file);
        fs.writeFileSync(path.join(env.dir, "logs", "preflight-preview.txt"), result.output);
        // What the preflight says about these objects, computed by the model: the engine's output must carry exactly these lines.
        const app = parseStackConfig({ platform: config.config["canary-stack:platform"], apps }).apps[1];
        const [, deployment, service, hpa] = manifests;
        const expected = preflightFindings(app, { deployment, service, autoscalers: [hpa], disruptionBudgets: [], unread: {} }, `${app.name}-stable`).map(
            (f) => `${f.severity}: ${f.message}`,
        );
        const lines = result.output.split("\n").map((l) => l.trim());
        const shown = expected.filter((e) => lines.includes(e));
        const ok =
            result.code === 0 &&
            expected.length === 2 &&
            shown.length === expected.length &&
            expected.some((e) => e.includes("has no readinessProbe")) &&
            expected.some((e) => e.includes("scaleTargetRef"));
        return stepResult(
            "pulumi preview of a Deployment with an HPA and no readiness probe (preflight)",
            "exit 0; under the app, a warning with its fix for the missing readinessProbe and one for the HPA on the Deployment (the change to scaleTargetRef)",
            `exit ${result.code}; ${shown.length} of ${expected.length} expected warnings shown: ${shown.map((s) => JSON.stringify(s)).join(" ")}` +
                `${ok ? "" : `; expected: ${JSON.stringify(expected)}; output: ${result.output.slice(-2000)}`}`,
            ok,
            (Date.now() - t0) / 1000,
            { expected, shown },
        );
    } finally {
        env.kubectl.run(["delete", "namespace", LEGACY.namespace, "--wait=false"]);
    }
}
