/**
 * One Rollout as `kubectl argo rollouts get rollout` shows it, computed from the same objects the
 * plugin reads (the Rollout, its ReplicaSets, its AnalysisRuns), following v1.8.3:
 * pkg/kubectl-argo-rollouts/info/rollout_info.go (NewRolloutInfo, Images), replicaset_info.go,
 * utils/rollout/rolloututil.go (GetRolloutPhase) and utils/replicaset/canary.go (GetCurrentSetWeight).
 * Pure: JSON in, a view out. Canary strategy only (the only one this stack writes).
 */

export interface ImageInfo {
    image: string;
    /** "stable", "canary", as the plugin tags them. */
    tags: string[];
}

export interface RolloutView {
    namespace: string;
    name: string;
    /** Healthy, Progressing, Paused, Degraded, ... (the plugin's Status). */
    status: string;
    message: string;
    /** "3/8" (current step index / steps), or "" when the Rollout reports no step. */
    step: string;
    /** The desired canary weight (the plugin's SetWeight) and the weight it reads off the ReplicaSets (ActualWeight). */
    setWeight: string;
    actualWeight: string;
    images: ImageInfo[];
    stableImage: string;
    canaryImage: string;
    /** The newest AnalysisRun the Rollout owns, with its phase; undefined when it owns none. */
    lastAnalysisRun?: { name: string; phase: string };
    /** A release under way: the current pod template is not the stable one, or steps are left, or it is aborted or paused. */
    midCanary: boolean;
    aborted: boolean;
}

const MAX_WEIGHT = 100;

function ownedBy(obj: any, uid: string): boolean {
    return (obj?.metadata?.ownerReferences ?? []).some((r: any) => r.uid === uid);
}

function maxTrafficWeight(ro: any): number {
    return ro.spec?.strategy?.canary?.trafficRouting?.maxTrafficWeight ?? MAX_WEIGHT;
}

/** GetRolloutPhase: the controller's phase once it has seen the current spec, else Progressing. */
export function rolloutPhase(ro: any): { status: string; message: string } {
    // isGenerationObserved: unobserved while a numeric observedGeneration is below metadata.generation (a hash-valued one counts as observed).
    const observed = String(ro.status?.observedGeneration ?? "");
    if (/^\d+$/.test(observed) && Number(observed) < Number(ro.metadata?.generation)) {
        return { status: "Progressing", message: "waiting for rollout spec update to be observed" };
    }
    if (ro.status?.controllerPause && (ro.status?.pauseConditions ?? []).length === 0) {
        return { status: "Progressing", message: "waiting for rollout to unpause" };
    }
    return { status: ro.status?.phase ?? "", message: ro.status?.message ?? "" };
}

function currentStep(ro: any): { step?: any; index?: number } {
    const steps: any[] = ro.spec?.strategy?.canary?.steps ?? [];
    if (!ro.spec?.strategy?.canary || steps.length === 0) return {};
    const index = ro.status?.currentStepIndex ?? 0;
    return index >= steps.length ? { index } : { step: steps[index], index };
}

/** GetCurrentSetWeight. */
export function setWeight(ro: any): number {
    if (ro.status?.abort) return 0;
    const { step, index } = currentStep(ro);
    if (!step || index === undefined) return maxTrafficWeight(ro);
    const steps: any[] = ro.spec.strategy.canary.steps;
    for (let i = index; i >= 0; i--) if (steps[i].setWeight !== undefined) return steps[i].setWeight;
    return 0;
}

interface ReplicaSetInfo {
    replicas: number;
    available: number;
    stable: boolean;
    canary: boolean;
    images: string[];
}

function replicaSetInfos(ro: any, replicaSets: any[]): ReplicaSetInfo[] {
    return replicaSets
        .filter((rs) => ownedBy(rs, ro.metadata.uid))
        .map((rs) => {
            const hash = rs.metadata?.labels?.["rollouts-pod-template-hash"] ?? "";
            const stable = ro.status?.stableRS === hash;
            return {
                replicas: rs.status?.replicas ?? 0,
                available: rs.status?.availableReplicas ?? 0,
                stable,
                canary: !stable && ro.status?.currentPodHash === hash,
                images: (rs.spec?.template?.spec?.containers ?? []).map((c: any) => String(c.image)),
            };
        });
}

/** Images: each image of a ReplicaSet that has replicas, its tags merged, sorted by image. */
export function images(infos: ReplicaSetInfo[]): ImageInfo[] {
    const out: ImageInfo[] = [];
    for (const rs of infos.filter((r) => r.replicas > 0)) {
        for (const image of rs.images) {
            const tags = [...(rs.canary ? ["canary"] : []), ...(rs.stable ? ["stable"] : [])];
            const found = out.find((i) => i.image === image);
            if (found) found.tags = [...new Set([...found.tags, ...tags])].sort();
            else out.push({ image, tags });
        }
    }
    return out.sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}

function actualWeight(ro: any, infos: ReplicaSetInfo[]): number {
    const { step } = currentStep(ro);
    if (!step) return maxTrafficWeight(ro);
    const available = ro.status?.availableReplicas ?? 0;
    if (available <= 0) return 0;
    if (!ro.spec.strategy.canary.trafficRouting) {
        const canary = infos.filter((r) => r.canary).pop();
        return canary ? Math.floor((canary.available * maxTrafficWeight(ro)) / available) : 0;
    }
    return ro.status?.canary?.weights?.canary?.weight ?? setWeight(ro);
}

function lastRun(ro: any, analysisRuns: any[]): RolloutView["lastAnalysisRun"] {
    const owned = analysisRuns.filter((r) => ownedBy(r, ro.metadata.uid));
    const newest = owned
        .sort(
            (a, b) =>
                String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || a.metadata.name.localeCompare(b.metadata.name),
        )
        .pop();
    return newest ? { name: newest.metadata.name, phase: newest.status?.phase ?? "Pending" } : undefined;
}

export function rolloutView(ro: any, replicaSets: any[], analysisRuns: any[]): RolloutView {
    const { status, message } = rolloutPhase(ro);
    const infos = replicaSetInfos(ro, replicaSets);
    const steps: any[] = ro.spec?.strategy?.canary?.steps ?? [];
    const index = ro.status?.currentStepIndex;
    const step = index !== undefined && index !== null && steps.length > 0 ? `${index}/${steps.length}` : "";
    const all = images(infos);
    const tagged = (tag: string) =>
        all
            .filter((i) => i.tags.includes(tag))
            .map((i) => i.image)
            .join(", ");
    const aborted = Boolean(ro.status?.abort);
    const stepsLeft = steps.length > 0 && (index ?? 0) < steps.length;
    const newTemplate = Boolean(ro.status?.currentPodHash) && ro.status?.currentPodHash !== ro.status?.stableRS;
    return {
        namespace: ro.metadata.namespace,
        name: ro.metadata.name,
        status,
        message,
        step,
        setWeight: String(setWeight(ro)),
        actualWeight: String(actualWeight(ro, infos)),
        images: all,
        stableImage: tagged("stable"),
        canaryImage: tagged("canary"),
        lastAnalysisRun: lastRun(ro, analysisRuns),
        midCanary: aborted || newTemplate || stepsLeft || Boolean(ro.spec?.paused) || (ro.status?.pauseConditions ?? []).length > 0,
        aborted,
    };
}
