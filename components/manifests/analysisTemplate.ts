import { AppConfig, MetricConfig } from "../../stacks/types";
import { IAnalysisTemplate } from "./k8sTypes";
import { ObjectName, stackLabels } from "./labels";
import { builtinConditions, CANARY_HASH_ARG, readsStablePods, STABLE_HASH_ARG } from "./queries";

type TemplateMetric = NonNullable<IAnalysisTemplate["spec"]["metrics"]>[number];

function provider(metric: MetricConfig): TemplateMetric["provider"] {
    if (metric.provider === "newRelic") {
        return { newRelic: { query: metric.nrql, ...(metric.profile ? { profile: metric.profile } : {}) } };
    }
    return { prometheus: { address: metric.prometheusAddress, query: metric.query } };
}

function conditions(metric: MetricConfig): Pick<TemplateMetric, "successCondition" | "failureCondition"> {
    if (metric.kind !== "custom") return builtinConditions(metric.kind, metric.threshold);
    return {
        ...(metric.successCondition ? { successCondition: metric.successCondition } : {}),
        ...(metric.failureCondition ? { failureCondition: metric.failureCondition } : {}),
    };
}

export function templateMetric(metric: MetricConfig): TemplateMetric {
    return {
        name: metric.name,
        interval: metric.interval,
        ...(metric.count !== undefined ? { count: metric.count } : {}),
        ...(metric.initialDelay !== undefined ? { initialDelay: metric.initialDelay } : {}),
        failureLimit: metric.failureLimit,
        inconclusiveLimit: metric.inconclusiveLimit,
        consecutiveErrorLimit: metric.consecutiveErrorLimit,
        ...conditions(metric),
        provider: provider(metric),
    };
}

/**
 * The app's metric gate. Its arguments are the canary's pod-template hash and, when a metric compares
 * the canary with them, the stable pods'. The watchdog's template is the same gate with the watchdog's
 * metrics (`app.analysis.watchdog.metrics`).
 */
export function analysisTemplate(target: ObjectName, app: AppConfig, metrics: MetricConfig[] = app.analysis.metrics): IAnalysisTemplate {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AnalysisTemplate",
        metadata: { ...target, labels: stackLabels(app.name) },
        spec: {
            args: readsStablePods(metrics) ? [{ name: CANARY_HASH_ARG }, { name: STABLE_HASH_ARG }] : [{ name: CANARY_HASH_ARG }],
            metrics: metrics.map(templateMetric),
        },
    };
}
