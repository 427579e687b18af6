/**
 * The fleet phase (npm run e2e:fleet): a team's two clusters, staging and prod, each a control plane of
 * its own with its own Argo Rollouts controller and Prometheus, one stack each in a shared PostgreSQL
 * state backend (Debian's PostgreSQL on the loopback, e2e/state/postgres.ts); the operator's one
 * kubeconfig holds a context per cluster, and each stack's config names its context. `npm run fleet`
 * previews both, applies them in two waves, reports both clusters' Rollouts, and refuses the second
 * wave while a canary is left mid-ladder on the first.
 */
import * as path from "path";
import { stackTarget } from "../../fleet/cluster";
import { prometheusRuleFolder } from "../environment";
import { loadOperatorRules } from "../operator";
import { ScenarioResult, stepResult } from "../report/types";
import { Postgres } from "../state/postgres";
import { stateRows } from "../state/rows";
import { PROD, STAGING } from "./config";
import { FleetOptions, setUpFleet, tearDownFleet } from "./fleetSetUp";
import { leaveMidCanary, previewRow, projectFilesRow, refusedRow, statusRow, upRow } from "./rows";

const ROOT = path.join(__dirname, "..", "..");

export async function fleetPhase(
    dir: string,
    log: (message: string) => void,
    record: (row: ScenarioResult) => void,
    options: FleetOptions = {},
): Promise<void> {
    let pg: Postgres | undefined;
    try {
        const world = await setUpFleet(dir, log, options, (started) => (pg = started));
        const { fleet, clusterDirs } = world;
        const { clusters, configDir } = fleet;
        record(previewRow(fleet));
        const up = upRow(fleet);
        record(up);
        if (!up.passed) return;
        // As the operator's config-reloader would: each cluster's Prometheus loads the rules the operator generated from its stack's PrometheusRule.
        const { alertNames } = stackTarget(STAGING, configDir);
        for (const [stack, env] of Object.entries(clusters)) {
            const rules = await loadOperatorRules(env.kubectl, prometheusRuleFolder(env.dir), env.ports.prometheus, alertNames);
            record({ ...rules.row, name: `${stack}: ${rules.row.name}` });
        }
        record(statusRow(fleet, "after the waves"));
        // The shared backend itself, on the second wave's stack: the lock, a whole state, export/import, ciphertext.
        await stateRows({ env: clusters[PROD], pg: world.pg, outputs: [] }, [path.join(clusterDirs[PROD], "logs"), path.join(dir, "postgres", "logs")], record);
        const left = await leaveMidCanary(clusters[STAGING]);
        record(statusRow(fleet, "with a canary paused mid-ladder on the first cluster"));
        record(refusedRow(fleet, left));
        record(projectFilesRow(ROOT, [STAGING, PROD]));
    } catch (err) {
        log(`fleet phase stopped: ${(err as Error).stack ?? err}`);
        record(stepResult("fleet phase", "completes", (err as Error).message, false));
    } finally {
        await tearDownFleet(dir, pg, log);
    }
}
