import { AppConfig } from "../stacks/types";
import { canarySplit, CanarySplit, formatShare, RolloutScaling } from "./canaryShare";

/**
 * The shares of traffic an app's ladder really runs at (see canaryShare.ts),
 * and the preview warning when they are not the weights as written.
 */

/** The Rollout the stack writes: the app's replicas, no maxSurge (Argo's default), nginx routing when stableIngress is set. */
export function appScaling(app: AppConfig): RolloutScaling {
    return { replicas: app.replicas, trafficRouting: app.stableIngress !== undefined };
}

/** The canary's real share of traffic (%) at `setWeight` for this app. */
export function appShare(app: AppConfig, setWeight: number): number {
    return canarySplit(appScaling(app), setWeight).share;
}

/**
 * The canary pods the controller wants while the ladder is at `steps[index]`:
 * the split of the last setWeight so far (`GetCurrentSetWeight`), or with
 * traffic routing the last setCanaryScale unless a matchTrafficWeight came
 * after it (`UseSetCanaryScale`, `GetCanaryReplicasOrWeight`): its replicas as
 * written, its weight as ceil(weight x replicas / 100)
 * (`CalculateReplicaCountsForTrafficRoutedCanary`; utils/replicaset/canary.go,
 * v1.8.3). Without traffic routing Argo ignores setCanaryScale.
 */
export function canaryPodsAt(app: AppConfig, index: number): number {
    const scaling = appScaling(app);
    if (scaling.trafficRouting) {
        for (let i = index; i >= 0; i--) {
            const step = app.steps[i];
            if (!("setCanaryScale" in step)) continue;
            const scale = step.setCanaryScale;
            if (scale.replicas !== undefined) return scale.replicas;
            if (scale.weight !== undefined) return Math.ceil((scale.weight * app.replicas) / 100);
            break;
        }
    }
    let setWeight = 0;
    for (const step of app.steps.slice(0, index + 1)) if ("setWeight" in step) setWeight = step.setWeight;
    return canarySplit(scaling, setWeight).canary;
}

/** A setWeight step of the ladder and the split it settles at. */
export interface StepShare extends CanarySplit {
    /** Index into `steps`. */
    step: number;
    setWeight: number;
}

export function ladderShares(app: AppConfig): StepShare[] {
    const scaling = appScaling(app);
    return app.steps.flatMap((s, step) => ("setWeight" in s ? [{ step, setWeight: s.setWeight, ...canarySplit(scaling, s.setWeight) }] : []));
}

function sameSplit(a: CanarySplit, b: CanarySplit): boolean {
    return a.canary === b.canary && a.stable === b.stable;
}

/** The setWeights from 0 to 100 that settle at the same pod counts as `setWeight` (a contiguous range: the share is monotone in the weight). */
function weightsWithSplit(scaling: RolloutScaling, setWeight: number): [number, number] {
    const split = canarySplit(scaling, setWeight);
    let low = setWeight;
    let high = setWeight;
    while (low > 0 && sameSplit(canarySplit(scaling, low - 1), split)) low--;
    while (high < 100 && sameSplit(canarySplit(scaling, high + 1), split)) high++;
    return [low, high];
}

const pods = (n: number, what: string) => `${n} ${what} pod${n === 1 ? "" : "s"}`;

function runsAt(scaling: RolloutScaling, share: StepShare, steps: number[]): string {
    const [low, high] = weightsWithSplit(scaling, share.setWeight);
    const others = low === high ? "" : `, as every setWeight from ${low} to ${high} does`;
    return (
        `${steps.map((i) => `steps[${i}]`).join(", ")} setWeight ${share.setWeight} runs at ${formatShare(share.share)}% ` +
        `(${pods(share.canary, "canary")} beside ${pods(share.stable, "stable")}${others})`
    );
}

/** Weights from 1 to 99 this many replicas run as written, when few enough to list. */
const MAX_LISTED = 12;
function exactWeights(scaling: RolloutScaling): number[] | undefined {
    const exact = Array.from({ length: 99 }, (_, i) => i + 1).filter((w) => canarySplit(scaling, w).share === w);
    return exact.length <= MAX_LISTED ? exact : undefined;
}

/**
 * Undefined when every setWeight of the ladder runs as written; else a
 * warning for `pulumi preview` that names the shares the canary really gets.
 * Only without traffic routing: a router splits by the weight itself.
 */
export function unrealizedWeightsWarning(app: AppConfig): string | undefined {
    const scaling = appScaling(app);
    const off = new Map<number, { share: StepShare; steps: number[] }>();
    for (const share of ladderShares(app)) {
        if (formatShare(share.share) === String(share.setWeight)) continue;
        const seen = off.get(share.setWeight);
        if (seen) seen.steps.push(share.step);
        else off.set(share.setWeight, { share, steps: [share.step] });
    }
    if (off.size === 0) return undefined;
    const replicas = `${app.replicas} replica${app.replicas === 1 ? "" : "s"}`;
    const exact = exactWeights(scaling);
    const run = app.replicas === 1 ? "runs" : "run";
    const instead = exact?.length ? `, or use weights that ${replicas} ${run} as written (${exact.join(", ")})` : "";
    return (
        `${app.name}: without traffic routing the canary's share of traffic is its share of the pods, and ${replicas} cannot run ` +
        `every weight of the ladder: ${[...off.values()].map(({ share, steps }) => runsAt(scaling, share, steps)).join("; ")}. ` +
        `The exposure figures and the budget use these shares; set stableIngress to split traffic by weight${instead}`
    );
}
