import type * as k8sClient from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { CanarySplit, formatShare } from "../model/canaryShare";
import { ladderShares } from "../model/ladderShares";
import { AppConfig } from "../stacks/types";

/**
 * The pods a canary really runs, as the controller sizes them: the ready
 * pods of the canary and stable ReplicaSets at each moment, beside the
 * Rollout's step, and whether each setWeight step settled where
 * model/canaryShare.ts says it does.
 */

/** One look at the Rollout and its ReplicaSets. */
export interface SplitSample {
    /** Seconds since the image change. */
    t: number;
    /** status.currentStepIndex. */
    step?: number;
    aborted: boolean;
    canaryHash?: string;
    stableHash?: string;
    /** The canary ReplicaSet's spec.replicas and readyReplicas. */
    canaryReplicas: number;
    canaryReady: number;
    stableReady: number;
}

/** Ready pods of one ReplicaSet hash, and its spec.replicas. */
export interface ReplicaSetCounts {
    hash: string;
    replicas: number;
    ready: number;
}

/** A sample from the Rollout and the ReplicaSets read just before it (so the pods never belong to a later step than the one recorded). */
export function splitSample(t: number, rollout: any, replicaSets: ReplicaSetCounts[]): SplitSample {
    const status = rollout?.status ?? {};
    const of = (hash?: string) => replicaSets.find((rs) => hash !== undefined && rs.hash === hash);
    const canary = of(status.currentPodHash);
    return {
        t,
        step: status.currentStepIndex,
        aborted: status.abort === true,
        canaryHash: status.currentPodHash,
        stableHash: status.stableRS,
        canaryReplicas: canary?.replicas ?? 0,
        canaryReady: canary?.ready ?? 0,
        stableReady: of(status.stableRS)?.ready ?? 0,
    };
}

/** A setWeight step the ladder got past: the pods it ran there against the model. */
export interface ShareCheck {
    step: number;
    setWeight: number;
    observed: CanarySplit;
    model: CanarySplit;
    matches: boolean;
}

/**
 * For each setWeight step the ladder completed, the last sample before the
 * ladder reached the next setWeight (or the end), mid-canary and not aborted:
 * the counts the step settled at, through its pauses and analysis.
 */
export function observedShares(samples: SplitSample[], app: AppConfig): ShareCheck[] {
    const shares = ladderShares(app);
    return shares.flatMap((share, i) => {
        const until = shares[i + 1]?.step ?? app.steps.length;
        const settled = samples.filter(
            (s) => s.step !== undefined && s.step > share.step && s.step < until && !s.aborted && s.canaryHash !== undefined && s.canaryHash !== s.stableHash,
        );
        const last = settled.at(-1);
        if (!last) return [];
        const pods = last.canaryReady + last.stableReady;
        const observed = { canary: last.canaryReady, stable: last.stableReady, share: pods === 0 ? 0 : (last.canaryReady * 100) / pods };
        const model = { canary: share.canary, stable: share.stable, share: share.share };
        return [
            { step: share.step, setWeight: share.setWeight, observed, model, matches: observed.canary === model.canary && observed.stable === model.stable },
        ];
    });
}

/** `steps[0] setWeight 25: 1 canary + 3 stable pods = 25% (model 1 + 3 = 25%)`, one per completed setWeight step. */
export function sharesText(checks: ShareCheck[]): string {
    if (checks.length === 0) return "no setWeight step completed";
    return checks
        .map(
            (c) =>
                `steps[${c.step}] setWeight ${c.setWeight}: ${c.observed.canary} canary + ${c.observed.stable} stable pods ` +
                `= ${formatShare(c.observed.share)}% (model ${c.model.canary} + ${c.model.stable} = ${formatShare(c.model.share)}%)` +
                `${c.matches ? "" : " MISMATCH"}`,
        )
        .join("; ");
}

/** Samples the Rollout and its ReplicaSets every `everyMs` through the API (no kubectl process per sample). */
export class SplitSampler {
    readonly samples: SplitSample[] = [];
    private running = false;
    private loop?: Promise<void>;

    constructor(
        private readonly kubeconfig: string,
        private readonly namespace: string,
        private readonly rollout: string,
        private readonly t0 = Date.now(),
    ) {}

    async start(everyMs = 250): Promise<void> {
        const k8s = await import("@kubernetes/client-node");
        const kc = new k8s.KubeConfig();
        kc.loadFromFile(this.kubeconfig);
        const apps = kc.makeApiClient(k8s.AppsV1Api);
        const custom = kc.makeApiClient(k8s.CustomObjectsApi);
        this.running = true;
        this.loop = (async () => {
            while (this.running) {
                await this.sample(apps, custom).catch(() => undefined);
                await new Promise((resolve) => setTimeout(resolve, everyMs));
            }
        })();
    }

    private async sample(apps: k8sClient.AppsV1Api, custom: k8sClient.CustomObjectsApi): Promise<void> {
        const list = await apps.listNamespacedReplicaSet({ namespace: this.namespace, labelSelector: "rollouts-pod-template-hash" });
        const replicaSets = list.items.map((rs) => ({
            hash: rs.metadata?.labels?.["rollouts-pod-template-hash"] ?? "",
            replicas: rs.spec?.replicas ?? 0,
            ready: rs.status?.readyReplicas ?? 0,
        }));
        const rollout = await custom.getNamespacedCustomObject({
            group: "argoproj.io",
            version: "v1alpha1",
            namespace: this.namespace,
            plural: "rollouts",
            name: this.rollout,
        });
        this.samples.push(splitSample(Math.round((Date.now() - this.t0) / 100) / 10, rollout, replicaSets));
    }

    async stop(): Promise<void> {
        this.running = false;
        await this.loop;
    }
}
