import { AppConfig } from "../stacks/types";
import { canarySplit, CanarySplit, RolloutScaling } from "./canaryShare";

/** The shares of traffic an app's ladder really runs at (see canaryShare.ts). */

/** The Rollout the stack writes: the app's replicas, no maxSurge (Argo's default), nginx routing when stableIngress is set. */
export function appScaling(app: AppConfig): RolloutScaling {
    return { replicas: app.replicas, trafficRouting: app.stableIngress !== undefined };
}

/** The canary's real share of traffic (%) at `setWeight` for this app. */
export function appShare(app: AppConfig, setWeight: number): number {
    return canarySplit(appScaling(app), setWeight).share;
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
