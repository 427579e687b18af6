/**
 * The demo's (npm start) fixed settings: its state dir, its ports (beside an e2e's 14090-14093,
 * 14120, 14140 and the 14150-14159 of other work), its stack and that stack's config, which is
 * Pulumi.local.yaml's with Prometheus at the demo's port.
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import type { Ports } from "../environment";

const ROOT = path.join(__dirname, "..", "..");

export const DEMO_STACK = "demo";
export const DEFAULT_DEMO_DIR = "/tmp/canary-demo";

/** CANARY_DEMO_DIR, or /tmp/canary-demo. */
export function demoDir(env: NodeJS.ProcessEnv = process.env): string {
    return env.CANARY_DEMO_DIR || DEFAULT_DEMO_DIR;
}

/** Where the demo's own processes (Prometheus, the operator, the controller, the simulator) record their PIDs; the control plane's are in <dir>/pids. */
export function demoPidDir(dir: string): string {
    return path.join(dir, "demo-pids");
}

export const DEMO_PORTS: Ports = { prometheus: 14160, controllerMetrics: 14161, controllerHealthz: 14162, sim: 14163, operator: 14164 };
/** Where `kubectl argo rollouts dashboard` is to listen (the demo does not start it: see docs/demo.md#limits). */
export const DASHBOARD_PORT = 14165;
export const ALL_DEMO_PORTS = [...Object.values(DEMO_PORTS), DASHBOARD_PORT];

/** Pulumi.local.yaml, comments and all, with `monitoring.prometheusAddress` on the demo's Prometheus. */
export function demoConfigText(localYaml = fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8"), prometheusPort = DEMO_PORTS.prometheus): string {
    const doc = parseDocument(localYaml);
    const key = ["config", "canary-stack:platform", "monitoring", "prometheusAddress"];
    if (!doc.hasIn(key)) throw new Error("Pulumi.local.yaml: no canary-stack:platform.monitoring.prometheusAddress");
    doc.setIn(key, `http://127.0.0.1:${prometheusPort}`);
    return doc.toString();
}
