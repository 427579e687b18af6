/**
 * What a kept workload needs to start again: the Secrets and ConfigMaps that
 * a Deployment, StatefulSet or DaemonSet names in its live pod template
 * (env valueFrom, envFrom, volumes, projected volumes), and whether a destroy
 * left each of them. A pod that starts after the destroy (a restart, a new
 * node) fails on a required one that is gone.
 */
import { Kubectl } from "../lib/kubectl";
import { ScenarioResult, stepResult } from "../report/types";

export type ReferencedKind = "Secret" | "ConfigMap";

export interface Reference {
    kind: ReferencedKind;
    namespace: string;
    name: string;
    /** `optional: true` on the reference: the pod starts without it. */
    optional: boolean;
    /** `Deployment monitoring/kube-prometheus-stack-grafana`: the workload that names it. */
    from: string;
}

interface Named {
    name?: string;
    secretName?: string;
    optional?: boolean;
}

/** Every Secret and ConfigMap a pod template's spec names, once per (kind, name); optional only if every mention is. */
export function podSpecReferences(spec: any): { kind: ReferencedKind; name: string; optional: boolean }[] {
    const found: { kind: ReferencedKind; name: string; optional: boolean }[] = [];
    const add = (kind: ReferencedKind, ref: Named | undefined, name = ref?.name) => {
        if (ref && name) found.push({ kind, name, optional: ref.optional === true });
    };
    for (const container of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
        for (const env of container.env ?? []) {
            add("Secret", env.valueFrom?.secretKeyRef);
            add("ConfigMap", env.valueFrom?.configMapKeyRef);
        }
        for (const from of container.envFrom ?? []) {
            add("Secret", from.secretRef);
            add("ConfigMap", from.configMapRef);
        }
    }
    for (const volume of spec?.volumes ?? []) {
        add("Secret", volume.secret, volume.secret?.secretName);
        add("ConfigMap", volume.configMap);
        for (const source of volume.projected?.sources ?? []) {
            add("Secret", source.secret);
            add("ConfigMap", source.configMap);
        }
    }
    const merged = new Map<string, { kind: ReferencedKind; name: string; optional: boolean }>();
    for (const ref of found) {
        const key = `${ref.kind} ${ref.name}`;
        const seen = merged.get(key);
        merged.set(key, { ...ref, optional: (seen?.optional ?? true) && ref.optional });
    }
    return [...merged.values()];
}

/** The workloads and the Secrets and ConfigMaps of the cluster at one moment. */
export interface LiveSnapshot {
    /** `Deployment ns/name` -> its pod template's spec. */
    workloads: Map<string, any>;
    /** `Secret ns/name`, `ConfigMap ns/name`. */
    objects: Set<string>;
}

const WORKLOAD_KINDS = [
    ["deployments.apps", "Deployment"],
    ["statefulsets.apps", "StatefulSet"],
    ["daemonsets.apps", "DaemonSet"],
];

/** Three list calls for the workloads, two for the names of the Secrets and ConfigMaps (their data is not read). */
export function liveSnapshot(kubectl: Kubectl): LiveSnapshot {
    const workloads = new Map<string, any>();
    for (const [resource, kind] of WORKLOAD_KINDS) {
        for (const item of kubectl.json<{ items: any[] }>(["get", resource, "-A"]).items) {
            workloads.set(`${kind} ${item.metadata.namespace}/${item.metadata.name}`, item.spec?.template?.spec);
        }
    }
    const objects = new Set<string>();
    for (const [resource, kind] of [
        ["secrets", "Secret"],
        ["configmaps", "ConfigMap"],
    ]) {
        const names = kubectl.run(["get", resource, "-A", "-o", 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']);
        for (const line of names.split("\n").filter(Boolean)) objects.add(`${kind} ${line}`);
    }
    return { workloads, objects };
}

const refKey = (r: { kind: string; namespace: string; name: string }) => `${r.kind} ${r.namespace}/${r.name}`;

/**
 * The references of every workload live both before and after (the kept ones), read from its spec after;
 * lost: there before the destroy, gone after it. One already missing before is listed apart: the destroy
 * did not take it (on the local control plane, the Secret cert-manager would issue for a chart's
 * Certificate: its controller is a simulated pod there, so it never exists).
 */
export function keptReferences(
    before: LiveSnapshot,
    after: LiveSnapshot,
): { workloads: string[]; checked: Reference[]; lost: Reference[]; neverThere: Reference[] } {
    const workloads = [...after.workloads.keys()].filter((w) => before.workloads.has(w)).sort();
    const checked = workloads.flatMap((from) => {
        const namespace = from.split(" ")[1].split("/")[0];
        return podSpecReferences(after.workloads.get(from)).map((r) => ({ ...r, namespace, from }));
    });
    const lost = checked.filter((r) => before.objects.has(refKey(r)) && !after.objects.has(refKey(r)));
    const neverThere = checked.filter((r) => !before.objects.has(refKey(r)));
    return { workloads, checked, lost, neverThere };
}

/** After a destroy with `shared: true`: every Secret and ConfigMap a kept workload references is still there. */
export function keptReferencesRow(before: LiveSnapshot, after: LiveSnapshot, seconds: number): ScenarioResult {
    const { workloads, checked, lost, neverThere } = keptReferences(before, after);
    const required = checked.filter((r) => !r.optional).length;
    const distinct = [...new Set(checked.map(refKey))];
    const ok = workloads.length > 0 && lost.length === 0;
    const named = (refs: Reference[]) => refs.map((r) => `${refKey(r)}${r.optional ? " (optional)" : ""} of ${r.from}`).join(", ");
    return stepResult(
        "platform: after pulumi destroy with shared: true, every Secret and ConfigMap a kept workload references still exists",
        "every Secret and ConfigMap named in the live pod template of each Deployment, StatefulSet and DaemonSet that the destroy kept " +
            "(env valueFrom, envFrom, volumes, projected volumes) and that existed before the destroy still exists after it",
        `${workloads.length} kept workloads; ${checked.length} references (${required} required) to ${distinct.length} Secrets and ConfigMaps (${distinct.join(", ")}); ` +
            (lost.length ? `gone: ${named(lost)}` : "none gone") +
            (neverThere.length ? `; not there before the destroy either: ${named(neverThere)}` : ""),
        ok,
        seconds,
        { workloads, lost: lost.map((r) => ({ ...r })), neverThere: neverThere.map((r) => ({ ...r })) },
    );
}
