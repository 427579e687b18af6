import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler" with { "resolution-mode": "import" };
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget" with { "resolution-mode": "import" };
import type { IRollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout" with { "resolution-mode": "import" };
import type { IIngress, IIngressClass } from "../ingressRoutes";

export type { IDeployment, IService, IHorizontalPodAutoscaler, IPodDisruptionBudget, IRollout, IIngress, IIngressClass };

/**
 * What the preflight finds in an app's live objects at preview. A warning is
 * logged with its fix; an error stops the Rollout from being registered,
 * because going on would break the app's traffic.
 */
export interface PreflightFinding {
    severity: "warning" | "error";
    /** Which check found it, for tests and the table of docs/preflight.md. */
    check: PreflightCheck;
    /** One message, starting with the app's name, saying what is wrong, what it would do, and the fix. */
    message: string;
}

export type PreflightCheck =
    | "deployment"
    | "service"
    | "readiness"
    | "container"
    | "autoscaler"
    | "disruptionBudget"
    | "gitOps"
    | "serviceWiring"
    | "replicas"
    | "servingBesideRollout"
    | "ingress"
    | "ingressClass"
    | "unread";

/** The reads the preflight makes; each may fail on its own (e.g. RBAC forbids listing PodDisruptionBudgets). */
export type LiveRead = "deployment" | "service" | "rollout" | "autoscalers" | "disruptionBudgets" | "ingress" | "ingressClass" | "stableService";

/** The app's objects as the cluster has them now. */
export interface LiveObjects {
    /** Undefined when there is no such Deployment (or it could not be read: see `unread`). */
    deployment?: IDeployment;
    service?: IService;
    /** The app's Rollout (named after the app), when an earlier `pulumi up` created it; undefined on a first migration. */
    rollout?: IRollout;
    /** Every HorizontalPodAutoscaler (autoscaling/v2) of the app's namespace. */
    autoscalers: IHorizontalPodAutoscaler[];
    /** Every PodDisruptionBudget (policy/v1) of the app's namespace. */
    disruptionBudgets: IPodDisruptionBudget[];
    /** The app's stableIngress (networking.k8s.io/v1), when it has one and it exists. */
    ingress?: IIngress;
    /** The IngressClass that Ingress names in spec.ingressClassName, when it exists. */
    ingressClass?: IIngressClass;
    /** The stable Service (`<app>-stable`), once a pulumi up has created it. */
    stableService?: IService;
    /** Reads that failed other than with "not found", with the API server's reason: their checks are skipped, and say so. */
    unread: Partial<Record<LiveRead, string>>;
}

export const warning = (check: PreflightCheck, message: string): PreflightFinding => ({ severity: "warning", check, message });
export const error = (check: PreflightCheck, message: string): PreflightFinding => ({ severity: "error", check, message });
