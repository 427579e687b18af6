/**
 * The production phase's rows outside the canaries: the migration, the scrape
 * job the operator generated, and a gate whose series is missing.
 */
import { appObjectNames } from "../../components/manifests/labels";
import { AppConfig, MetricConfig } from "../../stacks/types";
import { Env, PROMETHEUS_PORT, scrapeWithGeneratedJobs } from "../environment";
import { waitFor } from "../lib/proc";
import { PROMETHEUS_RESOURCE } from "../operator";
import { generatedScrapeJobs, serviceMonitorJobs } from "../platform/scrapeConfig";
import { onSimulatorTargets, querySeries } from "../prometheus";
import { ScenarioResult, stepResult } from "../report/types";
import { setImageArgs } from "../demoApp";
import { destroyHealthy } from "../destroyScenarios";
import { appObjects } from "../engineScenarios";

const since = (t0: number) => (Date.now() - t0) / 1000;

/** `pulumi up` of the production stack, then the Rollout Healthy on the adopted Deployment's pods (each 40 s to start). */
export async function migrateRow(env: Env, app: AppConfig): Promise<ScenarioResult> {
    const name = "production: pulumi up migrates the app with Pulumi.prod.yaml's ladder, gates and watchdog";
    const expected = `exit 0; the Rollout Healthy with ${app.replicas} Ready pods of the adopted Deployment's template`;
    const t0 = Date.now();
    const up = env.pulumi.run(["up", "--yes", "--skip-preview"]);
    env.log(`production: pulumi up: exit ${up.code}; ${up.summary}`);
    if (up.code !== 0) return stepResult(name, expected, `exit ${up.code}: ${up.output.slice(-2000)}`, false, since(t0));
    try {
        const rollout = await waitFor(
            "the Rollout to be Healthy",
            240000,
            () => {
                const r = env.kubectl.get("rollout", app.name, app.namespace);
                const s = r?.status ?? {};
                return s.phase === "Healthy" && s.stableRS && s.readyReplicas === app.replicas ? r : undefined;
            },
            1000,
        );
        return stepResult(
            name,
            expected,
            `exit 0; ${up.summary}; Rollout Healthy on ${rollout.status.stableRS} with ${rollout.status.readyReplicas} Ready pods`,
            true,
            since(t0),
        );
    } catch (err) {
        return stepResult(name, expected, `exit 0; ${up.summary}; ${(err as Error).message}`, false, since(t0));
    }
}

/**
 * The operator's scrape job for the stack's ServiceMonitor, loaded with its discovery pointed at
 * the simulator's per-pod targets, and the stable pods it then scrapes.
 */
export async function scrapeJobRow(env: Env, app: AppConfig): Promise<ScenarioResult> {
    const monitor = appObjectNames(app.name).serviceMonitor;
    const job = app.metrics!.job;
    const name = "production: Prometheus scrapes the app through the job the Prometheus operator generated for the stack's ServiceMonitor";
    const expected =
        `serviceMonitor/${app.namespace}/${monitor}/0 from the operator's Secret, every ${app.metrics!.scrapeInterval}; ` +
        `up{job="${job}"} is 1 for each of the ${app.replicas} stable pods, labelled with their rollouts_pod_template_hash`;
    const t0 = Date.now();
    try {
        const jobs = await generatedScrapeJobs(
            env.kubectl,
            PROMETHEUS_RESOURCE.namespace,
            PROMETHEUS_RESOURCE.name,
            (all) => serviceMonitorJobs(all, app.namespace, monitor).length > 0,
        );
        const generated = serviceMonitorJobs(jobs, app.namespace, monitor)[0] as unknown as Record<string, any>;
        await scrapeWithGeneratedJobs(env, [onSimulatorTargets(generated, env.sim.targetsFile)]);
        const stable: string = env.kubectl.get("rollout", app.name, app.namespace).status.stableRS;
        const series = await waitFor(
            `${app.replicas} stable targets up under job ${job}`,
            90000,
            async () => {
                const up = await querySeries(PROMETHEUS_PORT, `up{job="${job}"}`);
                const ok = up.filter((s) => s.value === 1 && s.metric.rollouts_pod_template_hash === stable);
                return ok.length === app.replicas ? up : undefined;
            },
            1000,
        );
        const relabels = (generated.relabel_configs ?? []).length;
        return stepResult(
            name,
            expected,
            `${generated.job_name}: scrape_interval ${generated.scrape_interval}, ${relabels} relabel rules as generated; ` +
                `up: ${series.map((s) => `${s.metric.pod}=${s.value}`).join(", ")} (job ${job}, rollouts_pod_template_hash ${stable})`,
            generated.scrape_interval === app.metrics!.scrapeInterval,
            since(t0),
            { job: generated },
        );
    } catch (err) {
        return stepResult(name, expected, (err as Error).message, false, since(t0));
    }
}

/** One measurement of `metric` by the controller, against the stable pods, as a one-off AnalysisRun; its phase. */
async function measureOnce(env: Env, app: AppConfig, runName: string, metric: Record<string, any>, hash: string): Promise<{ phase: string; text: string }> {
    const analysisRun = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AnalysisRun",
        metadata: { name: runName, namespace: app.namespace },
        spec: {
            args: [{ name: "canary-hash", value: hash }],
            metrics: [{ ...metric, count: 1, failureLimit: 0, inconclusiveLimit: 0, interval: undefined, initialDelay: undefined }],
        },
    };
    env.kubectl.apply(JSON.stringify(analysisRun));
    const done = await waitFor(
        `AnalysisRun ${runName} to finish`,
        60000,
        () => {
            const r = env.kubectl.get("analysisrun", runName, app.namespace);
            return ["Successful", "Failed", "Inconclusive", "Error"].includes(r?.status?.phase) ? r : undefined;
        },
        1000,
    );
    const m = done.status.metricResults?.[0]?.measurements?.[0];
    return { phase: done.status.phase, text: `${runName} ${done.status.phase} (value ${m?.value ?? "none"}${m?.message ? `, ${m.message}` : ""})` };
}

/**
 * A custom gate whose series is missing, e.g. a wrong job label: the deployed template's first
 * custom Prometheus gate, measured by the controller against the healthy stable pods as written
 * (the pods are scraped and nothing failed: a pass) and with its job label misspelled (nothing is
 * scraped under it: never a pass).
 */
export async function missingSeriesRow(env: Env, app: AppConfig): Promise<ScenarioResult> {
    const gate = app.analysis.metrics.find((m: MetricConfig) => m.kind === "custom" && m.provider === "prometheus");
    const job = app.metrics!.job;
    const name = "production: a custom gate whose series is missing (a wrong job label) is never a pass";
    const expected =
        `${gate?.name ?? "a custom Prometheus gate"} of the deployed template, one measurement each on the stable pods: ` +
        `as written Successful; with job="${job}-typo" Inconclusive or Failed, never Successful`;
    const t0 = Date.now();
    try {
        if (!gate) throw new Error(`${app.name} has no custom Prometheus gate`);
        const template = env.kubectl.get("analysistemplate", appObjectNames(app.name).analysisTemplate, app.namespace);
        const metric = template.spec.metrics.find((m: any) => m.name === gate.name);
        const stable: string = env.kubectl.get("rollout", app.name, app.namespace).status.stableRS;
        const typo = structuredClone(metric);
        typo.provider.prometheus.query = metric.provider.prometheus.query.split(`job="${job}"`).join(`job="${job}-typo"`);
        const asWritten = await measureOnce(env, app, `${app.name}-gate-as-written`, metric, stable);
        const misspelled = await measureOnce(env, app, `${app.name}-gate-wrong-job`, typo, stable);
        return stepResult(
            name,
            expected,
            `${asWritten.text}; ${misspelled.text}`,
            asWritten.phase === "Successful" && ["Inconclusive", "Failed"].includes(misspelled.phase),
            since(t0),
            { query: metric.provider.prometheus.query, typoQuery: typo.provider.prometheus.query },
        );
    } catch (err) {
        return stepResult(name, expected, (err as Error).message, false, since(t0));
    }
}

/**
 * The rollback migration with a fault injected (issue 20 item 4): `pulumi destroy` at production's 40 s pod
 * start, and the Deployment scaled to 0 five seconds into the restore's wait, as a stale reconcile of the
 * controller does (its scaleDeployment). The Rollout is first brought to rest on its stable image if a row
 * before left it aborted (the documented recovery: the stable image set again), since a destroy refuses
 * mid-canary.
 */
export async function destroyScaledDownRow(env: Env, app: AppConfig, planned: string[], original: ReturnType<typeof appObjects>): Promise<ScenarioResult> {
    const rollout = env.kubectl.get("rollout", app.name, app.namespace);
    if (rollout.status?.abort || rollout.status?.phase !== "Healthy") {
        const stable = env.kubectl.list("replicaset", app.namespace, `rollouts-pod-template-hash=${rollout.status.stableRS}`)[0];
        env.log(
            `production: the Rollout is ${rollout.status?.phase}${rollout.status?.abort ? " (aborted)" : ""}: its stable image set again before the destroy`,
        );
        env.kubectl.run(setImageArgs(stable.spec.template.spec.containers[0].image));
        await waitFor(
            "the Rollout at rest on its stable image",
            120000,
            () => {
                const s = env.kubectl.get("rollout", app.name, app.namespace)?.status;
                return s?.phase === "Healthy" && !s.abort && s.currentPodHash === s.stableRS ? true : undefined;
            },
            1000,
        );
    }
    return destroyHealthy(env, planned, original, "production: pulumi destroy, pods Ready after 40 s, the Deployment scaled to 0 during the restore's wait", {
        fault: { afterSeconds: 5 },
    });
}
