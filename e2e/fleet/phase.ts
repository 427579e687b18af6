/**
 * The fleet phase (npm run e2e:fleet): a team's two clusters, staging and prod, each a control plane of
 * its own with its own Argo Rollouts controller and Prometheus, one stack each in a shared PostgreSQL
 * state backend (Debian's PostgreSQL on the loopback, e2e/state/postgres.ts); the operator's one
 * kubeconfig holds a context per cluster, and each stack's config names its context. `npm run fleet`
 * previews both, applies them in two waves, reports both clusters' Rollouts, and refuses the second
 * wave while a canary is left mid-ladder on the first.
 */
import * as fs from "fs";
import * as path from "path";
import { stackTarget } from "../../fleet/cluster";
import { E2E_PORTS, Env, Ports, prometheusRuleFolder, setUp } from "../environment";
import { loadOperatorRules } from "../operator";
import { run, stopAll } from "../lib/proc";
import { ScenarioResult, stepResult } from "../report/types";
import { Postgres, POSTGRES_PORT, startPostgres } from "../state/postgres";
import { stateRows } from "../state/rows";
import { FLEET_PORTS, fleetConfigText, mergeKubeconfigs, PROD, STAGING } from "./config";
import { Fleet, leaveMidCanary, previewRow, refusedRow, statusRow, upRow } from "./rows";

const ROOT = path.join(__dirname, "..", "..");

export interface FleetPhaseOptions {
    /** The first cluster's ports (default: the main run's) and the second's (default 14180-14184). */
    ports?: [Ports, Ports];
    postgresPort?: number;
}

export async function fleetPhase(dir: string, log: (message: string) => void, record: (row: ScenarioResult) => void, options: FleetPhaseOptions = {}): Promise<void> {
    const [stagingPorts, prodPorts] = options.ports ?? [E2E_PORTS, FLEET_PORTS];
    const clusterDirs = { [STAGING]: path.join(dir, "staging"), [PROD]: path.join(dir, "prod") };
    let pg: Postgres | undefined;
    try {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        pg = await startPostgres(path.join(dir, "postgres"), log, options.postgresPort ?? POSTGRES_PORT);
        const backend = { url: pg.url, env: pg.env };
        const clusters: Record<string, Env> = {};
        for (const [stack, ports] of [
            [STAGING, stagingPorts],
            [PROD, prodPorts],
        ] as const) {
            log(`${stack}: its own control plane, controller and Prometheus (on ${ports.prometheus})`);
            clusters[stack] = await setUp(clusterDirs[stack], log, { stack, configText: fleetConfigText(stack, ports.prometheus), ports, backend });
        }
        // The operator's kubeconfig: a context per cluster, named as the stack; every pulumi run (the stacks' own and the fleet's) reads it.
        const kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfig, mergeKubeconfigs({ [STAGING]: fs.readFileSync(clusters[STAGING].kubeconfig, "utf8"), [PROD]: fs.readFileSync(clusters[PROD].kubeconfig, "utf8") }), { mode: 0o600 });
        const configDir = path.join(dir, "config");
        fs.mkdirSync(configDir, { recursive: true });
        for (const env of Object.values(clusters)) {
            fs.copyFileSync(kubeconfig, env.stackKubeconfig);
            fs.symlinkSync(env.pulumi.configFile, path.join(configDir, path.basename(env.pulumi.configFile)));
        }
        const fleet: Fleet = { clusters, configDir, log, env: { ...clusters[STAGING].pulumi.env, KUBECONFIG: kubeconfig } };
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
        await stateRows({ env: clusters[PROD], pg, outputs: [] }, [path.join(clusterDirs[PROD], "logs"), path.join(dir, "postgres", "logs")], record);
        const left = await leaveMidCanary(clusters[STAGING]);
        record(statusRow(fleet, "with a canary paused mid-ladder on the first cluster"));
        record(refusedRow(fleet, left));
    } catch (err) {
        log(`fleet phase stopped: ${(err as Error).stack ?? err}`);
        record(stepResult("fleet phase", "completes", (err as Error).message, false));
    } finally {
        await stopAll();
        for (const clusterDir of Object.values(clusterDirs)) {
            try {
                if (fs.existsSync(clusterDir)) run(path.join(ROOT, "scripts", "cluster-down"), [], { ...process.env, CANARY_E2E_DIR: clusterDir });
            } catch (err) {
                log(`fleet cluster-down ${clusterDir}: ${(err as Error).message}`);
            }
        }
        await pg?.stop().catch((err) => log(`PostgreSQL stop: ${err.message}`));
    }
}
