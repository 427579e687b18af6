import type * as k8sClient from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { appObjectNames } from "../components/manifests/labels";
import { formatSeconds } from "../model/exposure";
import { neverReadyRelease } from "../model/exposureNeverReady";
import { AppConfig } from "../stacks/types";
import { BASE_LATENCY_SECONDS, Env, servedByHash } from "./environment";
import { sleep } from "./lib/proc";
import { RolloutObserver } from "./observe";
import type { CanaryRun, CanaryScenario, Check } from "./scenarios";

/**
 * The readiness cutover: an image whose pods never become Ready (kwok's
 * pod-never-ready stage, scripts/cluster-up, keeps every pod of an image
 * whose tag starts with "never-ready" Running and not Ready). The canary must take no
 * request, the Rollout must not promote, the stable Service must keep all its
 * ready endpoints, and the progress deadline must abort the canary when the
 * model says (model/exposureNeverReady.ts).
 */

/**
 * How late the abort may come after the deadline passed, counted from the last
 * progress (the Progressing condition's lastUpdateTime) to status.abortedAt,
 * both in whole seconds: `requeueStuckRollout` requeues the Rollout a second
 * after the deadline, and a loaded 2-core machine may take a few more.
 */
const SLACK_SECONDS = 10;
/** The periodic resync of the controller as the e2e runs it (no --rollout-resync: `DefaultRolloutResyncPeriod`, controller/controller.go, v1.8.3). */
const RESYNC_SECONDS = 900;
/** How long the endpoints are still probed after the abort, while the canary ReplicaSet is scaled down. */
const AFTER_ABORT_MS = 5000;
const PROBE_EVERY_MS = 100;

interface CanaryPod {
    name: string;
    phase: string;
    ready: string;
}

interface Watched {
    /** Ready endpoints of the stable Service and of the app's own Service, 100 ms apart (-1: the read failed). */
    probes: { stable: number; app: number }[];
    /** Seconds from the first probe to the last. */
    probedSeconds: number;
    servedBefore: Record<string, number>;
    servedAfter: Record<string, number>;
    /** The canary's pods as last seen while it had any. */
    canaryPods: CanaryPod[];
    /** The Progressing condition's lastUpdateTime last seen before the abort: the last progress, where the deadline counts from. */
    lastProgress?: string;
}

async function readyEndpoints(api: k8sClient.DiscoveryV1Api, namespace: string, service: string): Promise<number> {
    const slices = await api.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
    return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length;
}

async function canaryPods(api: k8sClient.CoreV1Api, namespace: string, rollout: any): Promise<CanaryPod[]> {
    const hash: string | undefined = rollout?.status?.currentPodHash;
    if (!hash || hash === rollout?.status?.stableRS) return [];
    const pods = await api.listNamespacedPod({ namespace, labelSelector: `rollouts-pod-template-hash=${hash}` });
    return pods.items.map((p) => ({
        name: p.metadata?.name ?? "?",
        phase: p.status?.phase ?? "?",
        ready: p.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "?",
    }));
}

/** Probes both Services' ready endpoints, 100 ms apart, from the image change until a few seconds after the abort. */
async function watch(env: Env, app: AppConfig, observer: RolloutObserver, watched: Watched): Promise<void> {
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(env.kubeconfig);
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const stableService = appObjectNames(app.name).stableService;
    watched.servedBefore = await servedByHash(env);
    const started = Date.now();
    const giveUp = started + 240000;
    let abortedAt: number | undefined;
    for (let i = 0; Date.now() < giveUp; i++) {
        const [stable, own] = await Promise.all([
            readyEndpoints(discovery, app.namespace, stableService),
            readyEndpoints(discovery, app.namespace, app.service.name),
        ]).catch(() => [-1, -1]);
        watched.probes.push({ stable, app: own });
        if (i % 10 === 0) {
            const pods = await canaryPods(core, app.namespace, observer.latest).catch(() => []);
            if (pods.length > 0) watched.canaryPods = pods;
        }
        const status = observer.latest?.status;
        if (abortedAt === undefined && status?.abort) abortedAt = Date.now();
        if (abortedAt === undefined && status && status.currentPodHash !== status.stableRS) {
            watched.lastProgress = (status.conditions ?? []).find((c: any) => c.type === "Progressing")?.lastUpdateTime ?? watched.lastProgress;
        }
        if (abortedAt !== undefined && Date.now() - abortedAt > AFTER_ABORT_MS) break;
        await sleep(PROBE_EVERY_MS);
    }
    watched.probedSeconds = (Date.now() - started) / 1000;
    watched.servedAfter = await servedByHash(env);
}

function verdict(app: AppConfig, watched: Watched, run: CanaryRun): Check {
    const model = neverReadyRelease(app);
    const canarySamples = run.split.filter((s) => s.canaryHash !== undefined && s.canaryHash !== run.previousStable);
    const canaryHash = canarySamples.at(-1)?.canaryHash ?? "";
    const delta = (hash: string) => (watched.servedAfter[hash] ?? 0) - (watched.servedBefore[hash] ?? 0);
    const canaryServed = delta(canaryHash);
    const otherServed = Object.keys(watched.servedAfter)
        .filter((h) => h !== canaryHash)
        .reduce((sum, h) => sum + delta(h), 0);
    const read = watched.probes.filter((p) => p.stable >= 0);
    const minStable = read.length ? Math.min(...read.map((p) => p.stable)) : 0;
    const minApp = read.length ? Math.min(...read.map((p) => p.app)) : 0;
    const maxCanaryReady = Math.max(0, ...canarySamples.map((s) => s.canaryReady));
    const maxCanaryReplicas = Math.max(0, ...canarySamples.map((s) => s.canaryReplicas));
    const last = run.split.at(-1);
    const stableKept = last?.stableHash === run.previousStable;
    const podsNotReady = watched.canaryPods.length > 0 && watched.canaryPods.every((p) => p.phase === "Running" && p.ready === "False");
    const late = run.seconds - model.seconds;
    const abortedAt: string | undefined = run.observer.latest?.status?.abortedAt;
    const sinceProgress = abortedAt && watched.lastProgress ? (Date.parse(abortedAt) - Date.parse(watched.lastProgress)) / 1000 : NaN;
    const deadline = app.progressDeadlineSeconds;
    const onTime =
        run.outcome === "aborted" &&
        model.outcome === "aborted" &&
        late >= -1 &&
        late <= RESYNC_SECONDS &&
        sinceProgress >= deadline &&
        sinceProgress <= deadline + SLACK_SECONDS;
    const pods = watched.canaryPods.map((p) => `${p.name} ${p.phase}, Ready ${p.ready}`).join(", ") || "none seen";
    const passed =
        onTime &&
        canaryServed === 0 &&
        otherServed > 0 &&
        maxCanaryReplicas >= 1 &&
        maxCanaryReady === 0 &&
        podsNotReady &&
        minStable === app.replicas &&
        minApp === app.replicas &&
        last?.canaryReplicas === 0 &&
        stableKept;
    return {
        text:
            `aborted ${late >= 0 ? "+" : ""}${late.toFixed(1)}s from the model's ${formatSeconds(model.seconds)} (progressDeadlineSeconds ${deadline} ` +
            `from steps[${model.step}]; allowed: one controller resync, ${RESYNC_SECONDS}s), ${sinceProgress}s after the last progress ` +
            `(Progressing lastUpdateTime ${watched.lastProgress ?? "?"}, abortedAt ${abortedAt ?? "?"}; allowed ${deadline}-${deadline + SLACK_SECONDS}s); ` +
            `canary pods: ${pods}; ready canary pods at most ${maxCanaryReady}; requests served meanwhile: canary ${canaryServed}, stable ${otherServed}; ` +
            `ready endpoints over ${read.length} probes ${PROBE_EVERY_MS} ms apart in ${watched.probedSeconds.toFixed(1)}s: ` +
            `${appObjectNames(app.name).stableService} at least ${minStable}, ` +
            `${app.service.name} at least ${minApp} (of ${app.replicas}); canary ReplicaSet at ${last?.canaryReplicas ?? "?"} replicas after the abort; ` +
            `stable ReplicaSet ${stableKept ? "unchanged" : `now ${last?.stableHash}`}; ` +
            `Rollout ${run.observer.latest?.status?.phase}: "${run.observer.latest?.status?.message ?? ""}"`,
        passed,
        extra: {
            predictedAbortSeconds: model.seconds,
            secondsFromLastProgress: sinceProgress,
            canaryRequests: canaryServed,
            stableRequests: otherServed,
            minStableReadyEndpoints: minStable,
            minAppReadyEndpoints: minApp,
            endpointProbes: read.length,
        },
    };
}

export function neverReadyScenario(app: AppConfig): CanaryScenario {
    const watched: Watched = { probes: [], probedSeconds: 0, servedBefore: {}, servedAfter: {}, canaryPods: [] };
    return {
        name: "image whose pods never become Ready",
        tag: "never-ready",
        behaviour: { errorRate: 0, latencySeconds: BASE_LATENCY_SECONDS },
        expected: "aborted",
        // The stable Service's endpoints are counted from the image change on: the previous canary's abort must be over.
        fromRest: true,
        expectedText:
            `never promoted; aborted by the progress deadline (${app.progressDeadlineSeconds}s) within one controller resync; no request reaches the canary; ` +
            `the stable Service's ready endpoints never drop below ${app.replicas}`,
        during: (env, observer) => watch(env, app, observer, watched),
        check: async (run) => verdict(app, watched, run),
    };
}

/**
 * Pods never Ready with a watchdog on: the watchdog starts at the step after the first setWeight,
 * which the controller reaches only once that step's canary pods are available (stacks/watchdog.ts),
 * so it never starts, and the progress deadline aborts the canary as without it: the same checks
 * as neverReadyScenario, and no background AnalysisRun at all.
 */
export function neverReadyUnderWatchdog(app: AppConfig): CanaryScenario {
    const scenario = neverReadyScenario(app);
    const startingStep = app.analysis.watchdog?.startingStep;
    return {
        ...scenario,
        name: "image whose pods never become Ready, watchdog on",
        tag: "never-ready-watchdog",
        expectedText: `${scenario.expectedText}; the watchdog never starts (its run begins at steps[${startingStep}], once the first setWeight's pods are Ready)`,
        check: async (run: CanaryRun): Promise<Check> => {
            const base = await scenario.check!(run);
            const background = run.observer.analysisRuns().filter((r) => r.metadata.labels?.["rollout-type"] === "Background");
            return {
                ...base,
                text: `${base.text}; background (watchdog) runs: ${background.map((r) => r.metadata.name).join(", ") || "none"}`,
                passed: base.passed && background.length === 0,
            };
        },
    };
}
