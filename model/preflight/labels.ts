import type { IIoK8sApimachineryPkgApisMetaV1LabelSelector as ILabelSelector } from "@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector" with {
    "resolution-mode": "import",
};

export type { ILabelSelector };
export type Labels = Record<string, string>;

/**
 * Whether a label selector selects an object with these labels, as
 * `metav1.LabelSelectorAsSelector` (k8s.io/apimachinery) reads it: every
 * matchLabels pair and every matchExpressions requirement must hold; an empty
 * selector selects everything, a missing one nothing (a policy/v1
 * PodDisruptionBudget's semantics).
 */
export function selectorSelects(selector: ILabelSelector | undefined, labels: Labels): boolean {
    if (!selector) return false;
    const pairs = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    return (
        pairs &&
        (selector.matchExpressions ?? []).every((e) => {
            const has = Object.prototype.hasOwnProperty.call(labels, e.key);
            const values = e.values ?? [];
            switch (e.operator) {
                case "In":
                    return has && values.includes(labels[e.key]);
                case "NotIn":
                    return !has || !values.includes(labels[e.key]);
                case "Exists":
                    return has;
                case "DoesNotExist":
                    return !has;
                default:
                    return false;
            }
        })
    );
}

/** A Service's selector: every pair must be on the object (an empty one, which selects nothing here, is refused before). */
export function mapSelects(selector: Labels, labels: Labels): boolean {
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** `app=demo,tier=web`, as kubectl writes a selector. */
export function formatLabels(labels: Labels): string {
    const pairs = Object.entries(labels);
    return pairs.length === 0 ? "(none)" : pairs.map(([k, v]) => `${k}=${v}`).join(",");
}
