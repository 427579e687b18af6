import { loadStackConfig } from "./stacks";
import { deployStack } from "./components/canaryStack";

// Config is validated before anything is registered: a bad value stops here.
const outputs = deployStack(loadStackConfig());

/** Per app: the operator's commands (get, watch, status and its timeout, promote, abort, retry, undo, AnalysisRuns). */
export const rollouts = outputs.rollouts;
/** Per app: how long a healthy ladder takes, and how far and for how long a broken release gets before the abort. */
export const exposure = outputs.exposure;
/** The Prometheus every AnalysisTemplate queries unless a metric names its own; null on a cluster without Prometheus. */
export const prometheusAddress = outputs.prometheusAddress ?? null;
/**
 * Grafana's admin password when this stack installs Grafana (a secret: `pulumi stack output --show-secrets`),
 * else null: the engine warns on every run about an output that is undefined.
 */
export const grafanaAdminPassword = outputs.grafanaAdminPassword ?? null;
