/**
 * The New Relic phase of npm run e2e: a stack in Pulumi.newrelic.yaml's
 * shape (no Prometheus, every gate an NRQL query) on a control plane of its
 * own, its gates decided by the real Argo Rollouts controller through its
 * New Relic provider, against a NerdGraph stand-in on the loopback that
 * answers the NRQL from the traffic simulator's requests (nerdgraph.ts).
 * The Secret the stack writes points the controller at the stand-in
 * (`base-url-nerdgraph`); the controller trusts the stand-in's certificate
 * through SSL_CERT_FILE and runs with POD_NAMESPACE set to its namespace,
 * which in a cluster it reads from its service account's token mount.
 *
 *   CANARY_E2E_NEWRELIC=skip   leave the phase out
 */
import * as path from "path";
import { setUp } from "../environment";
import { run, stopAll } from "../lib/proc";
import { ScenarioResult, stepResult } from "../report/types";
import { runCanary } from "../scenarios";
import { NEWRELIC_STACK, newRelicConfigText, newRelicStackConfig } from "./config";
import { migrateRow, newRelicScenarios, plantDecoySecret, plantedKey, plantedKeyRow, secretNamespaceRow, setApiKey } from "./rows";
import { makeCertificate, NerdGraphStandIn } from "./standIn";

const ROOT = path.join(__dirname, "..", "..");

export async function newRelicPhase(dir: string, log: (message: string) => void, record: (row: ScenarioResult) => void): Promise<void> {
    const { platform, app } = newRelicStackConfig();
    const key = plantedKey();
    try {
        const env = await setUp(dir, log, {
            stack: NEWRELIC_STACK,
            configText: newRelicConfigText(),
            noPrometheus: true,
            controllerEnv: (d) => ({ POD_NAMESPACE: platform.argoRollouts.namespace, SSL_CERT_FILE: makeCertificate(d).certFile }),
        });
        // scripts/cluster-up creates the controller's namespace, as its install would; the stack writes the Secret into it.
        plantDecoySecret(env, app);
        const standIn = new NerdGraphStandIn(dir, key, Number(platform.newRelic!.accountId), `http://127.0.0.1:${env.sim.port}`);
        await standIn.start();
        setApiKey(env, key);
        const outputs: string[] = [];
        const migrated = await migrateRow(env, app, platform, outputs);
        record(migrated);
        if (!migrated.passed) return;
        for (const scenario of newRelicScenarios(standIn)) record(await runCanary(env, scenario, app));
        record(secretNamespaceRow(standIn, app, platform));
        record(plantedKeyRow(env, key, platform, outputs));
    } catch (err) {
        log(`New Relic phase stopped: ${(err as Error).stack ?? err}`);
        record(stepResult("New Relic phase", "completes", (err as Error).message, false));
    } finally {
        await stopAll();
        try {
            run(path.join(ROOT, "scripts", "cluster-down"), [], { ...process.env, CANARY_E2E_DIR: dir });
        } catch (err) {
            log(`New Relic cluster-down: ${(err as Error).message}`);
        }
    }
}
