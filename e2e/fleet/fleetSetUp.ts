/**
 * The fleet phase's world, for the phase and the fleet benchmark alike: PostgreSQL for the state, two
 * control planes (each with its controller, Prometheus, operator and traffic), a stack on each in that
 * backend, and the operator's one kubeconfig with a context per cluster.
 */
import * as fs from "fs";
import * as path from "path";
import { E2E_PORTS, Env, Ports, setUp } from "../environment";
import { run, stopAll } from "../lib/proc";
import { Postgres, POSTGRES_PORT, startPostgres } from "../state/postgres";
import { FLEET_PORTS, fleetConfigText, mergeKubeconfigs, PROD, STAGING } from "./config";
import { Fleet } from "./rows";

const ROOT = path.join(__dirname, "..", "..");

export interface FleetOptions {
    /** The first cluster's ports (default: the main run's) and the second's (default 14180-14184). */
    ports?: [Ports, Ports];
    postgresPort?: number;
}

export interface FleetWorld {
    fleet: Fleet;
    pg: Postgres;
    clusterDirs: Record<string, string>;
}

function clusterDirs(dir: string): Record<string, string> {
    return { [STAGING]: path.join(dir, "staging"), [PROD]: path.join(dir, "prod") };
}

export async function setUpFleet(dir: string, log: (message: string) => void, options: FleetOptions, started: (pg: Postgres) => void): Promise<FleetWorld> {
    const [stagingPorts, prodPorts] = options.ports ?? [E2E_PORTS, FLEET_PORTS];
    const dirs = clusterDirs(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const pg = await startPostgres(path.join(dir, "postgres"), log, options.postgresPort ?? POSTGRES_PORT);
    started(pg);
    const backend = { url: pg.url, env: pg.env };
    const clusters: Record<string, Env> = {};
    for (const [stack, ports] of [
        [STAGING, stagingPorts],
        [PROD, prodPorts],
    ] as const) {
        log(`${stack}: its own control plane, controller and Prometheus (on ${ports.prometheus})`);
        clusters[stack] = await setUp(dirs[stack], log, { stack, configText: fleetConfigText(stack, ports.prometheus), ports, backend });
    }
    // The operator's kubeconfig: a context per cluster, named as the stack; every pulumi run (the stacks' own and the fleet's) reads it.
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(
        kubeconfig,
        mergeKubeconfigs({ [STAGING]: fs.readFileSync(clusters[STAGING].kubeconfig, "utf8"), [PROD]: fs.readFileSync(clusters[PROD].kubeconfig, "utf8") }),
        {
            mode: 0o600,
        },
    );
    const configDir = path.join(dir, "config");
    fs.mkdirSync(configDir, { recursive: true });
    for (const env of Object.values(clusters)) {
        fs.copyFileSync(kubeconfig, env.stackKubeconfig);
        fs.symlinkSync(env.pulumi.configFile, path.join(configDir, path.basename(env.pulumi.configFile)));
    }
    return { fleet: { clusters, configDir, log, env: { ...clusters[STAGING].pulumi.env, KUBECONFIG: kubeconfig } }, pg, clusterDirs: dirs };
}

/** Stops every process the set-up started (by PID), each control plane (cluster-down) and PostgreSQL. */
export async function tearDownFleet(dir: string, pg: Postgres | undefined, log: (message: string) => void): Promise<void> {
    await stopAll();
    for (const clusterDir of Object.values(clusterDirs(dir))) {
        try {
            if (fs.existsSync(clusterDir)) run(path.join(ROOT, "scripts", "cluster-down"), [], { ...process.env, CANARY_E2E_DIR: clusterDir });
        } catch (err) {
            log(`fleet cluster-down ${clusterDir}: ${(err as Error).message}`);
        }
    }
    await pg?.stop().catch((err) => log(`PostgreSQL stop: ${err.message}`));
}
