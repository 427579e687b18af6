/**
 * The Prometheus operator at the chart's appVersion (v0.83.0), run out of
 * cluster against the platform's API server: the configuration it generates
 * for the chart's Prometheus resource is what that Prometheus would run. The
 * simulated nodes run no pod of it, so the generated Secret and rule
 * ConfigMap are the evidence of the scrape wiring.
 */
import * as path from "path";
import { gunzipSync } from "zlib";
import { parse } from "yaml";
import { Kubectl } from "../lib/kubectl";
import { start, Started, waitFor } from "../lib/proc";

/** From the range this phase may use (14120-14139); not the main e2e's 14090-14093. */
export const OPERATOR_PORT = 14120;

/** It reads KUBECONFIG (it has no --kubeconfig flag: pkg/k8sutil NewClusterConfig). */
export function startOperator(dir: string, kubeconfig: string): Started {
    return start(
        "prometheus-operator",
        "prometheus-operator",
        [`--web.listen-address=127.0.0.1:${OPERATOR_PORT}`, "--log-level=info"],
        path.join(dir, "logs", "prometheus-operator.log"),
        { ...process.env, KUBECONFIG: kubeconfig },
    );
}

export interface ScrapeJob {
    job_name: string;
    relabel_configs?: { source_labels?: string[]; target_label?: string; action?: string }[];
}

/** The operator's job name of a ServiceMonitor endpoint (pkg/prometheus/promcfg.go generateServiceMonitorConfig). */
export function serviceMonitorJobs(jobs: ScrapeJob[], namespace: string, name: string): ScrapeJob[] {
    const prefix = `serviceMonitor/${namespace}/${name}/`;
    return jobs.filter((j) => j.job_name.startsWith(prefix) && /^\d+$/.test(j.job_name.slice(prefix.length)));
}

/** The relabelling podTargetLabels generates for a pod label: its `__meta_kubernetes_pod_label_*` copied to the sanitized name. */
export function keepsPodLabel(job: ScrapeJob, podLabel: string): boolean {
    const sanitized = podLabel.replace(/[^a-zA-Z0-9_]/g, "_");
    return (job.relabel_configs ?? []).some(
        (r) => r.target_label === sanitized && JSON.stringify(r.source_labels) === JSON.stringify([`__meta_kubernetes_pod_label_${sanitized}`]),
    );
}

/** The configuration the operator generated for Prometheus `prometheus`, from its Secret `prometheus-<name>`; undefined before it has one. */
export function generatedConfig(
    kubectl: Kubectl,
    namespace: string,
    prometheus: string,
): { global?: Record<string, string>; scrape_configs?: ScrapeJob[] } | undefined {
    const gz = kubectl.get("secret", `prometheus-${prometheus}`, namespace)?.data?.["prometheus.yaml.gz"];
    return gz ? parse(gunzipSync(Buffer.from(gz, "base64")).toString()) : undefined;
}

/** Waits until the operator's Secret `prometheus-<name>` holds a configuration with `ready(jobs)`; returns its scrape jobs. */
export async function generatedScrapeJobs(
    kubectl: Kubectl,
    namespace: string,
    prometheus: string,
    ready: (jobs: ScrapeJob[]) => boolean,
    timeoutMs = 90000,
): Promise<ScrapeJob[]> {
    let last: ScrapeJob[] = [];
    try {
        return await waitFor(
            `the operator's Secret ${namespace}/prometheus-${prometheus}`,
            timeoutMs,
            () => {
                const config = generatedConfig(kubectl, namespace, prometheus);
                if (!config) return undefined;
                last = config.scrape_configs ?? [];
                return ready(last) ? last : undefined;
            },
            1000,
        );
    } catch (err) {
        throw new Error(`${(err as Error).message}; jobs it had: ${last.map((j) => j.job_name).join(", ") || "none"}`);
    }
}

/** The rule file the operator made of one PrometheusRule: `<namespace>-<name>-<uid>.yaml` in a `prometheus-<name>-rulefiles-N` ConfigMap. */
export async function generatedRuleFile(
    kubectl: Kubectl,
    namespace: string,
    prometheus: string,
    rule: { namespace: string; name: string; uid: string },
    timeoutMs = 90000,
): Promise<{ configMap: string; key: string; groups: { name: string; rules: { alert?: string; record?: string }[] }[] }> {
    const key = `${rule.namespace}-${rule.name}-${rule.uid}.yaml`;
    return waitFor(
        `rule file ${key} in ${namespace}/prometheus-${prometheus}-rulefiles-*`,
        timeoutMs,
        () => {
            const configMaps = kubectl.list("configmap", namespace).filter((c) => c.metadata.name.startsWith(`prometheus-${prometheus}-rulefiles-`));
            const holder = configMaps.find((c) => c.data?.[key] !== undefined);
            return holder ? { configMap: holder.metadata.name, key, groups: parse(holder.data[key]).groups } : undefined;
        },
        1000,
    );
}
