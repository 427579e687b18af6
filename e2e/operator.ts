/**
 * The Prometheus operator (v0.83.0, kube-prometheus-stack 75.15.0's), out of cluster against the
 * e2e's API server, with a minimal Prometheus resource. Its rules ConfigMap is the rule file a
 * chart-installed Prometheus would load; the e2e's Prometheus loads that file, unchanged.
 */
import * as fs from "fs";
import * as path from "path";
import { Kubectl } from "./lib/kubectl";
import { start, Started, waitFor } from "./lib/proc";
import { reloadPrometheus } from "./prometheus";
import { ScenarioResult, stepResult } from "./report/types";

/** Outside 14090-14093 (the main e2e's) and 15000-32767 (cluster-up's). */
export const OPERATOR_PORT = 14140;
const NAME = "canary-e2e";
const NAMESPACE = "monitoring";
/** Pulumi.local.yaml's platform.monitoring.selectorLabels: the stack's PrometheusRule must carry it to be selected. */
const RULE_LABELS = { prometheus: "canary-e2e" };
export const RULES_CONFIGMAP = `prometheus-${NAME}-rulefiles-0`;
export const PROMETHEUS_RESOURCE = { namespace: NAMESPACE, name: NAME };
/** The operator names each rule file <namespace>-<name>-<uid>.yaml (pkg/operator/rules.go). */
const OUR_RULE_FILE = /^monitoring-canary-stack-alerts-[0-9a-f-]+\.yaml$/;

/**
 * The Prometheus resource: the rule selectors, and a ServiceMonitor selector so that the operator
 * manages its config (with every selector unset it falls back to a deprecated unmanaged mode).
 * replicas 0: the simulated nodes run no pod of it; the e2e's own Prometheus stands in.
 */
export function prometheusResource(version?: string): object {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Prometheus",
        metadata: { name: NAME, namespace: NAMESPACE },
        spec: {
            replicas: 0,
            // The operator writes the configuration for this Prometheus version (it gates newer scrape fields on it).
            ...(version ? { version } : {}),
            serviceMonitorSelector: { matchLabels: RULE_LABELS },
            // kube-prometheus-stack 75.15.0's default (prometheusSpec.serviceMonitorNamespaceSelector): every namespace;
            // unset, the operator would only look in its own.
            serviceMonitorNamespaceSelector: {},
            ruleSelector: { matchLabels: RULE_LABELS },
            ruleNamespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACE } },
        },
    };
}

/** Applies the Prometheus resource and starts the operator; it reads KUBECONFIG (it has no --kubeconfig flag). */
export function startOperator(dir: string, kubeconfig: string, kubectl: Kubectl, prometheusVersion?: string, port = OPERATOR_PORT): Started {
    kubectl.apply(JSON.stringify(prometheusResource(prometheusVersion)));
    return start(
        "prometheus-operator",
        "prometheus-operator",
        [`--web.listen-address=127.0.0.1:${port}`, "--log-level=info"],
        path.join(dir, "logs", "prometheus-operator.log"),
        { ...process.env, KUBECONFIG: kubeconfig },
    );
}

interface RulesConfigMap {
    data?: Record<string, string>;
}

/**
 * Waits for the operator to put the stack's PrometheusRule into its rules ConfigMap, writes that
 * file where the operator would mount it, reloads Prometheus and checks the alerts it now runs.
 */
export async function loadOperatorRules(
    kubectl: Kubectl,
    ruleFolder: string,
    prometheusPort: number,
    expectedAlerts: string[],
): Promise<{ row: ScenarioResult; ruleFile?: string; text?: string }> {
    const name = "Prometheus loads the rule file the Prometheus operator generated from the stack's PrometheusRule";
    const expected = `the operator selects monitoring/canary-stack-alerts (label prometheus=canary-e2e) into ${RULES_CONFIGMAP}; that file loads; Prometheus runs ${expectedAlerts.join(", ")}`;
    const t0 = Date.now();
    try {
        const [key, text] = await waitFor(
            `the operator to write ${RULES_CONFIGMAP} with the stack's rule`,
            60000,
            () => {
                const cm = kubectl.get<RulesConfigMap>("configmap", RULES_CONFIGMAP, NAMESPACE);
                return Object.entries(cm?.data ?? {}).find(([k]) => OUR_RULE_FILE.test(k));
            },
            500,
        );
        fs.mkdirSync(ruleFolder, { recursive: true });
        const ruleFile = path.join(ruleFolder, key);
        fs.writeFileSync(ruleFile, text);
        await reloadPrometheus(prometheusPort);
        const loaded = await loadedAlerts(prometheusPort);
        const seconds = (Date.now() - t0) / 1000;
        const passed = JSON.stringify(loaded) === JSON.stringify(expectedAlerts);
        const observed = `${RULES_CONFIGMAP} holds ${key} (${text.length} bytes; operator-rules.yaml beside the report); reloaded; Prometheus runs ${loaded.join(", ") || "no alert"}`;
        return { row: stepResult(name, expected, observed, passed, seconds), ruleFile, text };
    } catch (err) {
        return { row: stepResult(name, expected, (err as Error).message, false, (Date.now() - t0) / 1000) };
    }
}

/** The alerting rules Prometheus runs, in file order. */
async function loadedAlerts(port: number): Promise<string[]> {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/rules?type=alert`);
    const body = (await res.json()) as { data: { groups: { rules: { name: string }[] }[] } };
    return body.data.groups.flatMap((g) => g.rules.map((r) => r.name));
}
