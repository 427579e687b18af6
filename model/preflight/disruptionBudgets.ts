import { AppConfig } from "../../stacks/types";
import { formatLabels, Labels, selectorSelects } from "./labels";
import { IPodDisruptionBudget, PreflightFinding, warning } from "./types";

/**
 * PodDisruptionBudgets limit evictions (node drains, the cluster
 * autoscaler), not a controller's scale-down: Argo Rollouts resizes
 * ReplicaSets and the Deployment (rollout/scale_utils.go, v1.8.3), and the
 * ReplicaSet controller deletes pods without the eviction API
 * (pkg/controller/replicaset/replica_set.go, Kubernetes v1.35). So a PDB
 * never holds up the canary; what matters is how it treats the Rollout's pods.
 */

/** At or below this many replicas, a node drain without a budget can take every pod of the app at once. */
export const FEW_REPLICAS = 3;

/** `intstr.GetScaledValueFromIntOrPercent(value, total, roundUp=true)`. */
function scaled(value: number | string, total: number): number {
    return typeof value === "number" ? value : Math.ceil((Number(value.replace("%", "")) * total) / 100);
}

/**
 * Evictions the budget allows with `replicas` healthy pods, as the disruption
 * controller counts them (`getExpectedPodCount`, pkg/controller/disruption/disruption.go,
 * Kubernetes v1.35): healthy pods minus the desired healthy count.
 */
export function allowedDisruptions(pdb: IPodDisruptionBudget, replicas: number): number {
    const spec = pdb.spec ?? {};
    let desiredHealthy = 0;
    if (spec.maxUnavailable !== undefined) desiredHealthy = Math.max(0, replicas - scaled(spec.maxUnavailable, replicas));
    else if (spec.minAvailable !== undefined) desiredHealthy = scaled(spec.minAvailable, replicas);
    return Math.max(0, replicas - desiredHealthy);
}

function rule(pdb: IPodDisruptionBudget): string {
    const spec = pdb.spec ?? {};
    return spec.maxUnavailable !== undefined ? `maxUnavailable: ${spec.maxUnavailable}` : `minAvailable: ${spec.minAvailable}`;
}

const ref = (app: AppConfig, pdb: IPodDisruptionBudget) => `${app.namespace}/${pdb.metadata?.name ?? ""}`;

export function disruptionBudgetFindings(app: AppConfig, podLabels: Labels, budgets: IPodDisruptionBudget[]): PreflightFinding[] {
    const selecting = budgets.filter((pdb) => selectorSelects(pdb.spec?.selector, podLabels));
    const replicas = `${app.replicas} replica${app.replicas === 1 ? "" : "s"}`;
    if (selecting.length === 0) {
        if (app.replicas > FEW_REPLICAS) return [];
        return [
            warning(
                "disruptionBudget",
                `${app.name}: no PodDisruptionBudget selects the app's pods (${formatLabels(podLabels)}) and the Rollout ` +
                    `runs ${replicas}: a node drain may evict all of them at once, stable and canary. Add a PodDisruptionBudget with maxUnavailable: 1 ` +
                    `and a selector matching the app's pods`,
            ),
        ];
    }
    if (selecting.length > 1) {
        return [
            warning(
                "disruptionBudget",
                `${app.name}: ${selecting.length} PodDisruptionBudgets select the app's pods ` +
                    `(${selecting.map((pdb) => ref(app, pdb)).join(", ")}): the eviction API refuses to evict a pod with more than one, ` +
                    "so node drains fail on them. Keep one",
            ),
        ];
    }
    const [pdb] = selecting;
    if (allowedDisruptions(pdb, app.replicas) > 0) return [];
    const keep = app.replicas - 1;
    return [
        warning(
            "disruptionBudget",
            `${app.name}: PodDisruptionBudget ${ref(app, pdb)} (${rule(pdb)}) allows no disruption at the Rollout's ` +
                `${replicas}: no node drain or cluster-autoscaler scale-down can evict one of its pods. It does not hold up the canary, ` +
                "whose pods Argo Rollouts removes by scaling ReplicaSets, without the eviction API. " +
                `${keep > 0 ? `Set minAvailable: ${keep} or less, or maxUnavailable: 1` : "Run at least 2 replicas, or set maxUnavailable: 1"}`,
        ),
    ];
}
