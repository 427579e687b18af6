import type * as k8sClient from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { DEMO, demoImage } from "./demoApp";
import { BASE_LATENCY_SECONDS, Env, setBehaviour } from "./environment";
import { run, sleep, waitFor } from "./lib/proc";
import { RolloutObserver } from "./observe";
import { ScenarioResult, stepResult } from "./report/types";

/**
 * The destroy scenarios run a real `pulumi destroy` of the app's
 * DeploymentSnapshot and DeploymentRestore (e2e/pulumi-restore), whose
 * serialized provider does the restore, then delete the Rollout with kubectl,
 * as `pulumi destroy` of the whole program would next: the Kubernetes
 * provider that would delete it cannot be built here (see the README).
 */

/** `kubectl argo rollouts status` from the stack outputs: its exit code on the Rollout as it is now. */
export function statusCommand(env: Env, timeout = "10s"): number {
    try {
        run("kubectl-argo-rollouts", ["status", DEMO.name, "-n", DEMO.namespace, "--timeout", timeout], { ...process.env, KUBECONFIG: env.kubeconfig });
        return 0;
    } catch (err) {
        return Number(/exited (\d+)/.exec((err as Error).message)?.[1] ?? 1);
    }
}

export async function destroyMidCanary(env: Env): Promise<ScenarioResult> {
    const image = demoImage("v8");
    setBehaviour(env, image, { errorRate: 0, latencySeconds: BASE_LATENCY_SECONDS });
    const previousStable = env.kubectl.get("rollout", DEMO.name, DEMO.namespace).status.stableRS;
    env.kubectl.run(["set", "image", `deployment/${DEMO.name}`, `${DEMO.container}=${image}`, "-n", DEMO.namespace]);
    const observer = new RolloutObserver(env.kubectl, DEMO.namespace, DEMO.name, previousStable);
    await waitFor("the canary to be paused at its first step", 60000, () => {
        const r = observer.sample();
        return r?.status?.phase === "Paused" && r.status.currentPodHash !== previousStable ? r : undefined;
    }, 250);
    const before = { rollout: env.kubectl.get("rollout", DEMO.name, DEMO.namespace), deployment: env.kubectl.get("deployment", DEMO.name, DEMO.namespace) };
    const resourcesBefore = env.pulumi.resources().length;
    env.log("pulumi destroy mid-canary (expect a refusal)");
    const destroy = await env.pulumi.destroy();
    const message = /Rollout \S+ is [^\n]*?refusing to destroy mid-canary.*?stack's state\)\./.exec(destroy.output)?.[0] ?? "";
    const stateKept = env.pulumi.resources().length === resourcesBefore;
    const after = { rollout: env.kubectl.get("rollout", DEMO.name, DEMO.namespace), deployment: env.kubectl.get("deployment", DEMO.name, DEMO.namespace) };
    const unchanged = before.rollout.metadata.generation === after.rollout.metadata.generation
        && before.deployment.metadata.generation === after.deployment.metadata.generation
        && before.deployment.spec.replicas === after.deployment.spec.replicas;
    const refused = destroy.code !== 0 && message !== "" && stateKept;
    // Let the canary finish, so the next scenario starts from a Healthy Rollout.
    await waitFor("the mid-canary image to be promoted", 240000, () => {
        const s = env.kubectl.get("rollout", DEMO.name, DEMO.namespace)?.status;
        return s?.phase === "Healthy" && s.stableRS === s.currentPodHash && s.stableRS !== previousStable ? true : undefined;
    }, 1000);
    return stepResult("pulumi destroy mid-canary", "refused with the documented message, nothing changed",
        refused
            ? `pulumi destroy exited ${destroy.code}: "${message}"; Rollout and Deployment ${unchanged ? "unchanged" : "CHANGED"}; stack state kept`
            : `not refused (exit ${destroy.code}): ${destroy.output.slice(-600)}`,
        refused && unchanged, observer.seconds(), { message, exitCode: destroy.code });
}

async function readyEndpoints(discovery: k8sClient.DiscoveryV1Api): Promise<number> {
    const slices = await discovery.listNamespacedEndpointSlice({ namespace: DEMO.namespace, labelSelector: `kubernetes.io/service-name=${DEMO.name}` });
    return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length;
}

export async function destroyHealthy(env: Env): Promise<ScenarioResult> {
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(env.kubeconfig);
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    const rollout = env.kubectl.get("rollout", DEMO.name, DEMO.namespace);
    const stableRs = env.kubectl.list("replicaset", DEMO.namespace, `rollouts-pod-template-hash=${rollout.status.stableRS}`)[0];
    const stableImage = stableRs.spec.template.spec.containers[0].image;
    const t0 = Date.now();
    const probes: number[] = [];
    let probing = true;
    const probe = (async () => {
        while (probing) {
            probes.push(await readyEndpoints(discovery).catch(() => -1));
            await sleep(100);
        }
    })();

    env.log("pulumi destroy of the healthy Rollout's restore");
    const destroy = await env.pulumi.destroy();
    if (destroy.code !== 0) throw new Error(`pulumi destroy failed:\n${destroy.output}`);
    const restored = env.kubectl.get("deployment", DEMO.name, DEMO.namespace);
    const restoredAt = (Date.now() - t0) / 1000;
    env.kubectl.run(["delete", "rollout", DEMO.name, "-n", DEMO.namespace, "--wait=true"]);
    await waitFor("the Rollout's pods to be gone", 120000, () =>
        env.kubectl.list("pod", DEMO.namespace, `app=${DEMO.name},rollouts-pod-template-hash`).length === 0 ? true : undefined, 500);
    await sleep(3000);
    probing = false;
    await probe;

    const image = restored.spec.template.spec.containers[0].image;
    const available = restored.status.availableReplicas;
    const minReady = Math.min(...probes.filter((p) => p >= 0));
    const passed = restored.spec.replicas === DEMO.replicas && image === stableImage && available === DEMO.replicas && minReady > 0;
    return stepResult("pulumi destroy on a healthy Rollout",
        "Deployment back at 4 replicas with the stable image before the Rollout is deleted; ready endpoints never 0",
        `pulumi destroy exited 0; Deployment ${restored.spec.replicas} replicas (${available} available), image ${image} (stable ${stableImage}) ` +
        `${restoredAt}s after the destroy started, before the Rollout was deleted; ` +
        `${probes.length} endpoint probes every 100 ms, fewest ready ${minReady}`,
        passed, (Date.now() - t0) / 1000, { probes: probes.length, minReadyEndpoints: minReady, restoredAfterSeconds: restoredAt });
}
