/**
 * Rows about the configuration the Prometheus operator generates for the
 * chart's Prometheus resource: the scrape jobs of the controller's and each
 * app's ServiceMonitor, and the rule file of the canary PrometheusRule.
 */
import { stop } from "../lib/proc";
import { ScenarioResult, stepResult } from "../report/types";
import { ObjectRef, refText } from "./chartObjects";
import { Installed, PlatformEnv } from "./installed";
import { generatedRuleFile, generatedScrapeJobs, keepsPodLabel, serviceMonitorJobs, startOperator } from "./scrapeConfig";

function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
    const t0 = Date.now();
    return work().then((value) => [value, (Date.now() - t0) / 1000]);
}

export async function scrapeRows(env: PlatformEnv, { charts, own }: Installed): Promise<ScenarioResult[]> {
    const monitoring = charts[1].objects;
    const prometheus = monitoring.find((o) => o.kind === "Prometheus")!;
    const targets = [...charts[0].objects.filter((o) => o.kind === "ServiceMonitor"), ...own("ServiceMonitor")];
    const rule = own("PrometheusRule")[0];
    const operator = startOperator(env.dir, env.kubeconfig);
    try {
        const [jobs, seconds] = await timed(() =>
            generatedScrapeJobs(env.kubectl, prometheus.namespace!, prometheus.name, (all) =>
                targets.every((t) => serviceMonitorJobs(all, t.namespace!, t.name).length > 0),
            ).catch((err: Error) => err),
        );
        const expected =
            `the operator's Secret ${prometheus.namespace}/prometheus-${prometheus.name} has a job per endpoint of ${targets.map(refText).join(", ")}; ` +
            "each app's copies the pod label rollouts-pod-template-hash (podTargetLabels)";
        const rows: ScenarioResult[] = [];
        const name = "platform: the Prometheus operator v0.83.0 generates the scrape jobs of the controller's and each app's ServiceMonitor";
        if (jobs instanceof Error) {
            rows.push(stepResult(name, expected, jobs.message, false, seconds));
        } else {
            const apps = own("ServiceMonitor");
            const found = targets.flatMap((t) => serviceMonitorJobs(jobs, t.namespace!, t.name));
            const withoutHash = apps
                .flatMap((t) => serviceMonitorJobs(jobs, t.namespace!, t.name))
                .filter((j) => !keepsPodLabel(j, "rollouts-pod-template-hash"));
            rows.push(
                stepResult(
                    name,
                    expected,
                    `${jobs.length} jobs generated; ours: ${found.map((j) => j.job_name).join(", ")}; ` +
                        (withoutHash.length
                            ? `without the pod-template-hash relabelling: ${withoutHash.map((j) => j.job_name).join(", ")}`
                            : "the app jobs relabel __meta_kubernetes_pod_label_rollouts_pod_template_hash to rollouts_pod_template_hash"),
                    withoutHash.length === 0,
                    seconds,
                    { jobs: jobs.map((j) => j.job_name) },
                ),
            );
        }
        rows.push(await ruleFileRow(env, prometheus, rule));
        return rows;
    } finally {
        await stop(operator);
    }
}

async function ruleFileRow(env: PlatformEnv, prometheus: ObjectRef, rule: ObjectRef): Promise<ScenarioResult> {
    const live = env.kubectl.get("prometheusrule", rule.name, rule.namespace);
    const want = (live?.spec?.groups ?? []).flatMap((g: any) => g.rules.map((r: any) => `${g.name}/${r.alert ?? r.record}`));
    const [file, seconds] = await timed(() =>
        generatedRuleFile(env.kubectl, prometheus.namespace!, prometheus.name, { namespace: rule.namespace!, name: rule.name, uid: live?.metadata?.uid }).catch(
            (err: Error) => err,
        ),
    );
    const name = "platform: the operator's rule file holds the canary PrometheusRule";
    const expected = `a rule file of ${refText(rule)} in prometheus-${prometheus.name}-rulefiles-*, with its ${want.length} rules`;
    if (file instanceof Error) return stepResult(name, expected, file.message, false, seconds);
    const got = file.groups.flatMap((g) => g.rules.map((r) => `${g.name}/${r.alert ?? r.record}`));
    return stepResult(
        name,
        expected,
        `${file.configMap} holds ${file.key}: ${got.join(", ")}`,
        JSON.stringify(got) === JSON.stringify(want) && got.length > 0,
        seconds,
        { rules: got },
    );
}
