/**
 * The New Relic phase's stack: Pulumi.newrelic.yaml as it is checked in (no
 * Prometheus, every metric a New Relic NRQL gate, the New Relic account and
 * region, the ladder, limits and gates) on the e2e's demo Deployment, with
 * only what the local cluster forces changed: the app's names (and so the
 * NRQL's `appName` and `host`), the CI deployer, the controller (out of
 * cluster, so `argoRollouts.install: false`), `baseUrlNerdgraph` pointed at
 * the stand-in, and the waits shortened: pauses, the analysis interval, and
 * `initialDelay` (New Relic's data lag, which the stand-in does not have).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { parseStackConfig } from "../../stacks";
import { AppConfig, PlatformConfig } from "../../stacks/types";
import { DEMO, onDemoDeployment } from "../demoApp";

const ROOT = path.join(__dirname, "..", "..");
export const NEWRELIC_STACK = "local-newrelic";
export const NERDGRAPH_PORT = 14150;
export const NERDGRAPH_URL = `https://127.0.0.1:${NERDGRAPH_PORT}/graphql`;
/** Timed pauses, the analysis interval and the initial delay are shortened to this. */
export const SHORT_WAIT = "10s";

function checkedIn(): Record<string, any> {
    return parse(fs.readFileSync(path.join(ROOT, "Pulumi.newrelic.yaml"), "utf8")).config;
}

/** Pulumi.newrelic.yaml's first app, moved onto the demo Deployment, its waits shortened. */
export function newRelicApp(): Record<string, any> {
    const original = structuredClone(checkedIn()["canary-stack:apps"][0]);
    const from = original.name as string;
    const app: Record<string, any> = { ...onDemoDeployment(original), podReadySeconds: 0 };
    app.steps = app.steps.map((s: any) => (s.pause?.duration ? { pause: { duration: SHORT_WAIT } } : s));
    app.analysis = { ...app.analysis, interval: SHORT_WAIT, initialDelay: SHORT_WAIT };
    app.analysis.metrics = app.analysis.metrics.map((m: any) => {
        const nrql = m.nrql.replace(`appName = '${from}'`, `appName = '${DEMO.name}'`).replace(`host LIKE '${from}-`, `host LIKE '${DEMO.name}-`);
        if (nrql === m.nrql) throw new Error(`Pulumi.newrelic.yaml: ${m.name}'s NRQL no longer names appName '${from}' and host '${from}-...'`);
        return { ...m, nrql };
    });
    return app;
}

export function newRelicPlatform(): Record<string, any> {
    const platform = structuredClone(checkedIn()["canary-stack:platform"]);
    platform.argoRollouts = { ...platform.argoRollouts, install: false };
    platform.newRelic = { ...platform.newRelic, baseUrlNerdgraph: NERDGRAPH_URL };
    return platform;
}

export function newRelicConfigText(): string {
    return stringify({ config: { "canary-stack:platform": newRelicPlatform(), "canary-stack:apps": [newRelicApp()] } });
}

export function newRelicStackConfig(): { platform: PlatformConfig; app: AppConfig } {
    const config = parse(newRelicConfigText()).config;
    // The key is set on the stack (pulumi config set --secret); here it only has to be there.
    const parsed = parseStackConfig({ platform: config["canary-stack:platform"], apps: config["canary-stack:apps"] }, pulumi.output("unused"));
    return { platform: parsed.platform, app: parsed.apps[0] };
}
