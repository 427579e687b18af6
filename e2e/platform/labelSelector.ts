/**
 * Kubernetes label selectors, evaluated as the API machinery does
 * (k8s.io/apimachinery LabelSelectorAsSelector), and the Prometheus
 * operator's rule for its namespace selectors (v0.83.0,
 * pkg/prometheus/resource_selector.go and server/rules.go): a nil namespace
 * selector means the Prometheus resource's own namespace only.
 */
export interface LabelSelectorRequirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: LabelSelectorRequirement[];
}

/** What a selector matched, in words: `release=kube-prometheus-stack`, or `{} (everything)`. */
export interface SelectorMatch {
    matches: boolean;
    /** The labels (or requirements) the object satisfied, or the first one it failed. */
    because: string;
}

function requirement(r: LabelSelectorRequirement, labels: Record<string, string>): [boolean, string] {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.operator) {
        case "In":
            return [has && (r.values ?? []).includes(value), `${r.key} in (${(r.values ?? []).join(",")})`];
        case "NotIn":
            return [!has || !(r.values ?? []).includes(value), `${r.key} notin (${(r.values ?? []).join(",")})`];
        case "Exists":
            return [has, r.key];
        case "DoesNotExist":
            return [!has, `!${r.key}`];
    }
}

/**
 * `selector` against `labels`. A nil selector selects nothing, an empty one
 * everything, as LabelSelectorAsSelector turns them into labels.Nothing() and
 * labels.Everything().
 */
export function matchSelector(selector: LabelSelector | null | undefined, labels: Record<string, string> = {}): SelectorMatch {
    if (selector === null || selector === undefined) return { matches: false, because: "no selector (selects nothing)" };
    const checks: [boolean, string][] = [
        ...Object.entries(selector.matchLabels ?? {}).map(([k, v]): [boolean, string] => [labels[k] === v, `${k}=${v}`]),
        ...(selector.matchExpressions ?? []).map((r) => requirement(r, labels)),
    ];
    if (checks.length === 0) return { matches: true, because: "{} (everything)" };
    const failed = checks.find(([ok]) => !ok);
    return failed ? { matches: false, because: `not ${failed[1]}` } : { matches: true, because: checks.map(([, what]) => what).join(", ") };
}

/** A namespace selector of a Prometheus resource: nil means its own namespace only. */
export function matchNamespaceSelector(
    selector: LabelSelector | null | undefined,
    namespace: string,
    namespaceLabels: Record<string, string>,
    prometheusNamespace: string,
): SelectorMatch {
    if (selector === null || selector === undefined) {
        const own = namespace === prometheusNamespace;
        return { matches: own, because: `no selector: only ${prometheusNamespace}, the Prometheus resource's own` };
    }
    return matchSelector(selector, namespaceLabels);
}
