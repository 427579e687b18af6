import * as fs from "fs";
import type * as k8sClient from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { DEMO, demoImage, setImageArgs } from "./demoApp";
import { appObjects, changedFields, objectExists } from "./engineScenarios";
import { BASE_LATENCY_SECONDS, Env, setBehaviour } from "./environment";
import { sleep, waitFor } from "./lib/proc";
import { RolloutObserver } from "./observe";
import { ScenarioResult, stepResult } from "./report/types";

/**
 * `pulumi destroy` of the whole stack, the rollback migration: refused
 * mid-canary with nothing changed, and on a healthy Rollout the Deployment
 * serves again before anything of the stack is deleted.
 */

/** After a destroy: waits (up to 2 minutes) until no pod of the Rollout is left, then 3 s more of whatever probes are running. */
export async function rolloutPodsGone(env: Env): Promise<void> {
    await waitFor(
        "the Rollout's pods to be gone",
        120000,
        () => (env.kubectl.list("pod", DEMO.namespace, `app=${DEMO.name},rollouts-pod-template-hash`).length === 0 ? true : undefined),
        500,
    ).catch(() => undefined);
    await sleep(3000);
}

/** `planned`: the `kind namespace/name` of every object the stack created. */
export async function destroyMidCanary(env: Env, planned: string[]): Promise<ScenarioResult> {
    const image = demoImage("v8");
    setBehaviour(env, image, { errorRate: 0, latencySeconds: BASE_LATENCY_SECONDS });
    const previousStable = env.kubectl.get("rollout", DEMO.name, DEMO.namespace).status.stableRS;
    env.kubectl.run(setImageArgs(image));
    const observer = new RolloutObserver(env.kubectl, DEMO.namespace, DEMO.name, previousStable);
    await waitFor(
        "the canary to be paused at its first step",
        60000,
        () => {
            const r = observer.sample();
            return r?.status?.phase === "Paused" && r.status.currentPodHash !== previousStable ? r : undefined;
        },
        250,
    );
    const before = { rollout: env.kubectl.get("rollout", DEMO.name, DEMO.namespace), deployment: env.kubectl.get("deployment", DEMO.name, DEMO.namespace) };
    const resourcesBefore = env.pulumi.resources().length;
    env.log("pulumi destroy of the whole stack mid-canary (expect a refusal)");
    const destroy = await env.pulumi.destroy();
    env.log(`pulumi destroy: exit ${destroy.code}; ${destroy.summary}`);
    const message = /Rollout \S+ is [^\n]*?refusing to destroy mid-canary.*?stack's state\)\./.exec(destroy.output)?.[0] ?? "";
    const resourcesAfter = env.pulumi.resources().length;
    const gone = planned.filter((o) => !objectExists(env, o));
    const after = { rollout: env.kubectl.get("rollout", DEMO.name, DEMO.namespace), deployment: env.kubectl.get("deployment", DEMO.name, DEMO.namespace) };
    const unchanged =
        before.rollout.metadata.generation === after.rollout.metadata.generation &&
        before.deployment.metadata.generation === after.deployment.metadata.generation &&
        before.deployment.spec.replicas === after.deployment.spec.replicas;
    const refused = destroy.code !== 0 && message !== "" && resourcesAfter === resourcesBefore && gone.length === 0;
    // Let the canary finish, so the next scenario starts from a Healthy Rollout.
    await waitFor(
        "the mid-canary image to be promoted",
        240000,
        () => {
            const s = env.kubectl.get("rollout", DEMO.name, DEMO.namespace)?.status;
            return s?.phase === "Healthy" && s.stableRS === s.currentPodHash && s.stableRS !== previousStable ? true : undefined;
        },
        1000,
    );
    return stepResult(
        "pulumi destroy of the whole stack mid-canary",
        "refused with the documented message, nothing changed",
        destroy.code !== 0 && message !== ""
            ? `pulumi destroy exited ${destroy.code}: "${message}"; ${destroy.summary || "no resource deleted"}; Rollout and Deployment ` +
                  `${unchanged ? "unchanged" : "CHANGED"}; ${resourcesAfter} of ${resourcesBefore} resources in the state; ` +
                  `${gone.length === 0 ? `all ${planned.length} objects still exist` : `deleted: ${gone.join(", ")}`}`
            : `not refused (exit ${destroy.code}): ${destroy.output.slice(-600)}`,
        refused && unchanged,
        observer.seconds(),
        { message, exitCode: destroy.code, summary: destroy.summary },
    );
}

export interface DestroyTimeline {
    /** Ready endpoints of the app's Service, every 100 ms (-1: the read failed). */
    probes: number[];
    /** Seconds from the start of the destroy until the Deployment served again at its replicas with the stable image. */
    restoredAt?: number;
    /** Seconds until the Rollout was gone. */
    rolloutGoneAt?: number;
    /** The fault, when injected: seconds until the restore's patch was seen, and until the Deployment was scaled to 0. */
    patchedAt?: number;
    scaledDownAt?: number;
}

/**
 * The fault a stale reconcile of the controller injects (its scaleDeployment): once the restore's patch is seen
 * (the planned replicas and the stable image) and its pods are not yet all available, wait `afterSeconds`, then
 * scale the Deployment to 0.
 */
export interface ScaleDownFault {
    afterSeconds: number;
}

async function watchDestroy(env: Env, stableImage: string, done: () => boolean, fault?: ScaleDownFault): Promise<DestroyTimeline> {
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(env.kubeconfig);
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const t0 = Date.now();
    const timeline: DestroyTimeline = { probes: [] };
    const scaleToZero = () =>
        apps.patchNamespacedDeploymentScale(
            { name: DEMO.name, namespace: DEMO.namespace, body: { spec: { replicas: 0 } } },
            k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
        );
    const readyEndpoints = async (api: k8sClient.DiscoveryV1Api) => {
        const slices = await api.listNamespacedEndpointSlice({ namespace: DEMO.namespace, labelSelector: `kubernetes.io/service-name=${DEMO.name}` });
        return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length;
    };
    while (!done()) {
        timeline.probes.push(await readyEndpoints(discovery).catch(() => -1));
        const t = (Date.now() - t0) / 1000;
        if (timeline.restoredAt === undefined) {
            const d = await apps.readNamespacedDeployment({ name: DEMO.name, namespace: DEMO.namespace }).catch(() => undefined);
            const serving =
                d?.spec?.replicas === DEMO.replicas &&
                d.status?.availableReplicas === DEMO.replicas &&
                d.spec?.template?.spec?.containers?.[0]?.image === stableImage &&
                (d.status?.updatedReplicas ?? 0) === DEMO.replicas;
            if (serving && (!fault || timeline.scaledDownAt !== undefined)) timeline.restoredAt = t;
            if (fault && timeline.scaledDownAt === undefined) await injectScaleDown(scaleToZero, d, t, timeline, fault);
        }
        if (timeline.rolloutGoneAt === undefined) {
            const gone = await custom
                .getNamespacedCustomObject({ group: "argoproj.io", version: "v1alpha1", namespace: DEMO.namespace, plural: "rollouts", name: DEMO.name })
                .then(
                    () => false,
                    (err: { code?: number }) => err.code === 404,
                );
            if (gone) timeline.rolloutGoneAt = t;
        }
        await sleep(100);
    }
    return timeline;
}

export async function injectScaleDown(
    scaleToZero: () => Promise<unknown>,
    d: k8sClient.V1Deployment | undefined,
    t: number,
    timeline: DestroyTimeline,
    fault: ScaleDownFault,
): Promise<void> {
    const patched = d?.spec?.replicas === DEMO.replicas && (d.status?.availableReplicas ?? 0) < DEMO.replicas;
    if (timeline.patchedAt === undefined) {
        if (patched) timeline.patchedAt = t;
        return;
    }
    if (t - timeline.patchedAt < fault.afterSeconds) return;
    await scaleToZero();
    timeline.scaledDownAt = t;
}

/**
 * On a healthy Rollout: the Deployment is back at its replicas with the stable image before
 * the Rollout is deleted, ready endpoints never 0, and afterwards nothing of the stack is left
 * but the app as it was, the CRDs and an empty state.
 */
export async function destroyHealthy(
    env: Env,
    planned: string[],
    original: ReturnType<typeof appObjects>,
    name = "pulumi destroy of the whole stack on a healthy Rollout",
    options: { fault?: ScaleDownFault; kubeconfigMoved?: boolean } = {},
): Promise<ScenarioResult> {
    const { fault } = options;
    const rollout = env.kubectl.get("rollout", DEMO.name, DEMO.namespace);
    // A Rollout the controller never reconciled has no stable ReplicaSet: the Deployment's own image is the stable one.
    const stableRS = rollout.status?.stableRS;
    const stableImage = stableRS
        ? env.kubectl.list("replicaset", DEMO.namespace, `rollouts-pod-template-hash=${stableRS}`)[0].spec.template.spec.containers[0].image
        : env.kubectl.get("deployment", DEMO.name, DEMO.namespace).spec.template.spec.containers[0].image;
    const t0 = Date.now();
    let finished = false;
    const watching = watchDestroy(env, stableImage, () => finished, fault);

    env.log(name);
    // The destroy does not run the program: it reaches the cluster with the kubeconfig stored at the last up.
    const movedTo = `${env.stackKubeconfig}.moved`;
    if (options.kubeconfigMoved) fs.renameSync(env.stackKubeconfig, movedTo);
    let destroy;
    try {
        destroy = await env.pulumi.destroy();
    } finally {
        if (options.kubeconfigMoved) fs.renameSync(movedTo, env.stackKubeconfig);
    }
    env.log(`pulumi destroy: exit ${destroy.code}; ${destroy.summary}`);
    // Endpoints are still probed while the Rollout's pods go away.
    await rolloutPodsGone(env);
    finished = true;
    const timeline = await watching;
    const seconds = (Date.now() - t0) / 1000;

    const left = planned.filter((o) => objectExists(env, o));
    const crds = [
        "rollouts.argoproj.io",
        "analysistemplates.argoproj.io",
        "analysisruns.argoproj.io",
        "servicemonitors.monitoring.coreos.com",
        "prometheusrules.monitoring.coreos.com",
    ];
    const crdsLeft = crds.filter((c) => env.kubectl.get("crd", c) !== undefined);
    const stateResources = env.pulumi.resources().length;
    const now = appObjects(env);
    // The Deployment as it was before the migration, but for the image the canaries promoted since.
    const drift = [...changedFields(original.deployment, now.deployment), ...changedFields(original.service, now.service)].filter(
        (c) => !c.startsWith("spec.template.spec.containers") && !c.startsWith("metadata.annotations.deployment.kubernetes.io/revision"),
    );
    const serving = timeline.probes.at(-1) ?? 0;
    const readProbes = timeline.probes.filter((p) => p >= 0);
    const minReady = readProbes.length ? Math.min(...readProbes) : 0;
    const inOrder = timeline.restoredAt !== undefined && timeline.rolloutGoneAt !== undefined && timeline.restoredAt < timeline.rolloutGoneAt;
    // With the fault: restoredAt counts only after the scale to 0, so in order means the restore waited for its own re-patch.
    const faulted = !fault || (timeline.scaledDownAt !== undefined && (timeline.rolloutGoneAt ?? 0) > timeline.scaledDownAt);
    const repatchLogged = /after the restore's patch: patching it again/.test(destroy.output);
    const passed =
        destroy.code === 0 &&
        inOrder &&
        faulted &&
        minReady > 0 &&
        left.length === 0 &&
        crdsLeft.length === crds.length &&
        stateResources === 0 &&
        drift.length === 0 &&
        serving === DEMO.replicas;
    const faultText = fault
        ? `the restore's patch seen at ${timeline.patchedAt ?? "never"}s, Deployment scaled to 0 at ${timeline.scaledDownAt ?? "never"}s ` +
          `(re-patch ${repatchLogged ? "in the destroy's output" : "not in the destroy's output"}); `
        : "";
    return stepResult(
        name,
        (fault ? `with the Deployment scaled to 0 ${fault.afterSeconds} s into the restore's wait: the restore patches it again and waits; ` : "") +
            (options.kubeconfigMoved ? "with KUBECONFIG naming a file that is gone, the kubeconfig stored at the last up reaches the cluster: " : "") +
            "Deployment back at 4 replicas with the stable image before the Rollout is deleted; ready endpoints never 0; " +
            "then nothing of the stack is left but the app as it was, the CRDs, and an empty state",
        `exit ${destroy.code}; ${destroy.summary}; ${faultText}Deployment serving ${DEMO.replicas}/${DEMO.replicas} with the stable image ${stableImage} at ` +
            `${timeline.restoredAt ?? "never"}s, Rollout gone at ${timeline.rolloutGoneAt ?? "never"}s; ${timeline.probes.length} endpoint probes every 100 ms, ` +
            `fewest ready ${minReady}, ${serving} at the end; objects of the stack left: ${left.join(", ") || "none"}; ` +
            `CRDs kept: ${crdsLeft.length}/${crds.length}; resources in pulumi stack export: ${stateResources}; ` +
            `the app's Deployment and Service against before the migration: ${drift.join("; ") || "as they were (image aside)"}`,
        passed,
        seconds,
        {
            probes: timeline.probes.length,
            minReadyEndpoints: minReady,
            restoredAfterSeconds: timeline.restoredAt,
            rolloutGoneAfterSeconds: timeline.rolloutGoneAt,
            summary: destroy.summary,
            ...(fault ? { patchedAfterSeconds: timeline.patchedAt, scaledDownAfterSeconds: timeline.scaledDownAt, repatchLogged } : {}),
        },
    );
}
