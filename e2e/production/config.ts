/**
 * The production phase's stack: Pulumi.prod.yaml's app as it is checked in
 * (steps, analysis, watchdog, replicas, scaleDown, metrics job and scrape
 * interval, custom gates) on the e2e's demo Deployment, with only what the
 * local cluster forces changed: the app's names (the demo Deployment, its
 * Service and namespace), the CI deployer (the demo namespace's), timed
 * pauses shortened, `podReadySeconds` set to the start-up the kwok stage gives
 * (so the model's figures are for these pods), and the local platform (an
 * out-of-cluster controller and Prometheus). Intervals, windows, limits and
 * the scrape interval are prod's.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { parseStackConfig } from "../../stacks";
import { AppConfig } from "../../stacks/types";
import { DEMO, onDemoDeployment } from "../demoApp";

const ROOT = path.join(__dirname, "..", "..");
export const PRODUCTION_STACK = "local-production";
/** Timed pauses are shortened to this; nothing else of the ladder is. */
export const SHORT_PAUSE = "30s";
/** The kwok stage (scripts/cluster-up) makes pods of a `slow-start-<N>s` image Ready N to N+3 s after they start. */
export const START_SECONDS = 40;
export const slowTag = (version: string) => `slow-start-${START_SECONDS}s-${version}`;

function stackConfig(file: string): Record<string, unknown> {
    return parse(fs.readFileSync(path.join(ROOT, file), "utf8")).config;
}

/** Pulumi.prod.yaml's first app, moved onto the demo Deployment, with shorter pauses and without the metrics it leaves disabled. */
export function productionApp(): Record<string, any> {
    const app = onDemoDeployment(structuredClone((stackConfig("Pulumi.prod.yaml")["canary-stack:apps"] as any[])[0]));
    app.metrics = { ...app.metrics, port: DEMO.port };
    app.podReadySeconds = START_SECONDS;
    app.steps = app.steps.map((s: any) => (s.pause?.duration ? { pause: { duration: SHORT_PAUSE } } : s));
    // A disabled metric is not in the template; its New Relic profile would need the platform's New Relic Secret.
    app.analysis.metrics = app.analysis.metrics.filter((m: any) => m.enabled !== false);
    return app;
}

export function productionConfigText(): string {
    const platform = stackConfig("Pulumi.local.yaml")["canary-stack:platform"];
    return stringify({ config: { "canary-stack:platform": platform, "canary-stack:apps": [productionApp()] } });
}

export function productionAppConfig(): AppConfig {
    const config = parse(productionConfigText()).config;
    return parseStackConfig({ platform: config["canary-stack:platform"], apps: config["canary-stack:apps"] }).apps[0];
}
