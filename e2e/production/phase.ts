/**
 * The production phase of npm run e2e: the prod stack's gates and watchdog at
 * production's timings, on a control plane of its own. Pods take 40 s to
 * become Ready (kwok's slow-start stage), Prometheus scrapes the app every
 * 15 s through the scrape job the Prometheus operator generates for the
 * stack's ServiceMonitor (its discovery pointed at the simulator's per-pod
 * targets, which carry the labels Kubernetes discovery gives), and the
 * ladder, intervals, windows and limits are Pulumi.prod.yaml's (pauses
 * shortened). Each row has the model's prediction beside the observation.
 *
 *   CANARY_E2E_PRODUCTION=skip   leave the phase out
 */
import * as path from "path";
import { appObjectNames } from "../../components/manifests/labels";
import { METRICS_PORT_NAME } from "../../components/manifests/services";
import { run, stopAll } from "../lib/proc";
import { setUp } from "../environment";
import { ScenarioResult, stepResult } from "../report/types";
import { runCanary } from "../scenarios";
import { PRODUCTION_STACK, productionAppConfig, productionConfigText, slowTag } from "./config";
import { productionScenarios } from "./scenarios";
import { appObjects, stateObjects } from "../engineScenarios";
import { destroyScaledDownRow, migrateRow, missingSeriesRow, scrapeJobRow } from "./rows";

const ROOT = path.join(__dirname, "..", "..");

export async function productionPhase(dir: string, log: (message: string) => void, record: (row: ScenarioResult) => void): Promise<void> {
    const app = productionAppConfig();
    try {
        const env = await setUp(dir, log, {
            stack: PRODUCTION_STACK,
            configText: productionConfigText(),
            initialTag: slowTag("v1"),
            podTargets: { metricsService: appObjectNames(app.name).metricsService, port: METRICS_PORT_NAME },
        });
        const original = appObjects(env);
        const migrated = await migrateRow(env, app);
        record(migrated);
        if (!migrated.passed) return;
        const scrape = await scrapeJobRow(env, app);
        record(scrape);
        if (!scrape.passed) return;
        for (const scenario of productionScenarios(app)) record(await runCanary(env, scenario, app));
        record(await missingSeriesRow(env, app));
        record(await destroyScaledDownRow(env, app, stateObjects(env), original));
    } catch (err) {
        log(`production phase stopped: ${(err as Error).stack ?? err}`);
        record(stepResult("production phase", "completes", (err as Error).message, false));
    } finally {
        await stopAll();
        try {
            run(path.join(ROOT, "scripts", "cluster-down"), [], { ...process.env, CANARY_E2E_DIR: dir });
        } catch (err) {
            log(`production cluster-down: ${(err as Error).message}`);
        }
    }
}
