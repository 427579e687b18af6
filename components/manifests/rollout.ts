import { AppConfig, CanaryStep } from "../../stacks/types";
import { IRollout } from "./k8sTypes";
import { appObjectNames, ObjectName, stackLabels } from "./labels";
import { CANARY_HASH_ARG, readsStablePods, STABLE_HASH_ARG } from "./queries";
import { ROLLOUT_MAX_UNAVAILABLE } from "../../model/podStartup";

type Canary = NonNullable<NonNullable<IRollout["spec"]["strategy"]>["canary"]>;
type RolloutStep = NonNullable<Canary["steps"]>[number];
type AnalysisArg = NonNullable<NonNullable<Canary["analysis"]>["args"]>[number];

/** Hands the canary's pod-template hash to the app's AnalysisTemplate. */
export const canaryHashArg = { name: CANARY_HASH_ARG, valueFrom: { podTemplateHashValue: "Latest" as const } };
/** Hands the stable pods' hash to it, for the metrics that compare the canary with them. */
export const stableHashArg = { name: STABLE_HASH_ARG, valueFrom: { podTemplateHashValue: "Stable" as const } };

/** What every run of a template with these metrics gets: the canary's hash, and the stable pods' when a metric compares with them. */
export function analysisArgs(metrics: { kind: string }[]): AnalysisArg[] {
    return readsStablePods(metrics) ? [canaryHashArg, stableHashArg] : [canaryHashArg];
}

/**
 * What an analysis step that names its own templates hands them: both hashes, always. The stack
 * cannot see which arguments those templates declare, and Argo Rollouts v1.8.3 needs every declared
 * one resolved: `MergeArgs` (utils/analysis/helpers.go) starts from the template's own args, copies
 * in an incoming arg only where `findArg` finds the name among them, and `ResolveArgs` then refuses
 * a declared arg left without value ("args.canary-hash was not resolved"; the Rollout is InvalidSpec,
 * Degraded, through ValidateAnalysisTemplatesWithType in pkg/apis/rollouts/validation). So an arg a
 * template does not declare is dropped, harmlessly. `Stable` is read from the stable ReplicaSet's
 * `rollouts-pod-template-hash` label when the run is created (`BuildArgumentsForRolloutAnalysisRun`,
 * utils/analysis/factory.go; the validation uses a dummy stable ReplicaSet), and analysis runs only
 * once a stable exists (`reconcileAnalysisRuns` in rollout/analysis.go skips the initial deploy,
 * `Status.StableRS == ""`), as for the app's own comparison metrics.
 */
export const namedTemplateArgs: AnalysisArg[] = [canaryHashArg, stableHashArg];

/**
 * A ladder step as Argo wants it: an analysis step without templates runs the app's own template,
 * with `args`; one that names templates hands them `namedTemplateArgs`.
 */
export function rolloutStep(step: CanaryStep, ownTemplate: string, args: AnalysisArg[] = [canaryHashArg]): RolloutStep {
    if ("analysis" in step) {
        if (step.analysis.templates.length > 0) return { analysis: { templates: step.analysis.templates, args: namedTemplateArgs } };
        return { analysis: { templates: [{ templateName: ownTemplate }], args } };
    }
    if ("pause" in step) return { pause: step.pause.duration === undefined ? {} : { duration: step.pause.duration } };
    return step;
}

/**
 * The Rollout that adopts the existing Deployment through `workloadRef`: the
 * pod template stays in the Deployment (no copy), and `scaleDown` says how
 * Argo scales the Deployment as the Rollout takes over.
 *
 * A readiness cutover: a canary pod that never becomes Ready takes no traffic
 * (the Services and the traffic router only send to ready endpoints), its
 * setWeight step never completes (`completedCurrentCanaryStep` waits for
 * `AtDesiredReplicaCountsForCanary`, which wants the canary pods available), and
 * it is never promoted (`shouldFullPromote` wants every new pod available; all
 * in rollout/ and utils/replicaset/ of Argo Rollouts v1.8.3). `maxUnavailable: 0`
 * keeps the stable at full strength meanwhile: with Argo's default (25%)
 * `CalculateReplicaCountsForBasicCanary` scales the stable down to the step's
 * count before the canary is available (4 replicas at setWeight 25: 3 ready pods
 * in all while the canary never comes up); with 0 it scales the stable down only
 * as canary pods become available. Where a step settles is the same either way
 * (model/canaryShare.ts); how long each step then takes as pods start is
 * model/podStartup.ts. `progressDeadlineSeconds` and `progressDeadlineAbort`
 * end such a canary: see model/exposure.ts (`neverReadyRelease`).
 */
export function rollout(target: ObjectName, app: AppConfig): IRollout {
    const names = appObjectNames(app.name);
    const canary: Canary = {
        maxUnavailable: ROLLOUT_MAX_UNAVAILABLE,
        stableService: names.stableService,
        canaryService: names.canaryService,
        steps: app.steps.map((step) => rolloutStep(step, names.analysisTemplate, analysisArgs(app.analysis.metrics))),
    };
    const watchdog = app.analysis.watchdog;
    if (watchdog) {
        // Argo's background analysis (rollout/analysis.go, reconcileBackgroundAnalysisRun, v1.8.3): no run
        // before startingStep or once fully promoted; a Failed or Error run aborts the rollout whatever
        // step it is at, an Inconclusive one pauses it.
        canary.analysis = { templates: [{ templateName: names.watchdogTemplate }], args: analysisArgs(watchdog.metrics), startingStep: watchdog.startingStep };
    } else if (app.analysis.mode === "background") {
        canary.analysis = {
            templates: [{ templateName: names.analysisTemplate }],
            args: analysisArgs(app.analysis.metrics),
            ...(app.analysis.startingStep !== undefined ? { startingStep: app.analysis.startingStep } : {}),
        };
    }
    if (app.stableIngress) canary.trafficRouting = { nginx: { stableIngress: app.stableIngress } };
    if (app.abortScaleDownDelaySeconds !== undefined) canary.abortScaleDownDelaySeconds = app.abortScaleDownDelaySeconds;
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { ...target, labels: stackLabels(app.name) },
        spec: {
            replicas: app.replicas,
            ...(app.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: app.revisionHistoryLimit } : {}),
            progressDeadlineSeconds: app.progressDeadlineSeconds,
            progressDeadlineAbort: app.progressDeadlineAbort,
            workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: app.deployment, scaleDown: app.scaleDown },
            strategy: { canary },
        },
    };
}
