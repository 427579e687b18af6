/**
 * What the platform stack installed, read from its state once: the objects
 * of each chart and the stack's own objects. The two helm.v4.Charts' objects
 * are their children in the state (what the provider rendered from the
 * chart); cert-manager's helm.v3.Release is one resource, so its objects come
 * from Helm's record of the release.
 */
import { ARGO_ROLLOUTS_CHART, KUBE_PROMETHEUS_STACK_CHART } from "../../components/manifests/charts";
import { Kubectl } from "../lib/kubectl";
import { PulumiStack } from "../pulumiStack";
import { helmRelease, ObjectRef, v3Releases, v4ChartObjects } from "./chartObjects";

export interface PlatformEnv {
    dir: string;
    kubeconfig: string;
    kubectl: Kubectl;
    pulumi: PulumiStack;
    log: (message: string) => void;
}

export interface Chart {
    /** e.g. `kube-prometheus-stack 75.15.0` */
    label: string;
    objects: ObjectRef[];
}

/** What the stack installed, read once from its state: each chart's objects, and the stack's own objects by kind. */
export interface Installed {
    /** argo-rollouts, kube-prometheus-stack, cert-manager, in that order. */
    charts: Chart[];
    own: (kind: string) => ObjectRef[];
}

/** Each chart's objects, from the stack's state (the v4 Charts) and Helm's release record (cert-manager). */
export function installed(env: PlatformEnv): Installed {
    const state = JSON.parse(env.pulumi.must(["stack", "export"]).stdout);
    const v4 = v4ChartObjects(state);
    const charts: Chart[] = [
        { label: `argo-rollouts ${ARGO_ROLLOUTS_CHART.version}`, objects: v4.get("argo-rollouts-chart") ?? [] },
        { label: `kube-prometheus-stack ${KUBE_PROMETHEUS_STACK_CHART.version}`, objects: v4.get("monitoring-chart") ?? [] },
    ];
    for (const release of v3Releases(state)) {
        const record = helmRelease(env.kubectl, release.name, release.namespace, release.revision);
        charts.push({ label: `cert-manager ${record.chartVersion}`, objects: record.objects });
    }
    return { charts, own: (kind) => ownObjects(state, kind) };
}

/** The stack's own objects of a kind (not a chart's), from its state. */
function ownObjects(state: any, kind: string): ObjectRef[] {
    return (state.deployment.resources ?? [])
        .filter((r: any) => r.outputs?.kind === kind && !String(r.parent ?? "").includes("kubernetes:helm.sh"))
        .map((r: any) => ({ apiVersion: r.outputs.apiVersion, kind, name: r.outputs.metadata.name, namespace: r.outputs.metadata.namespace }));
}
