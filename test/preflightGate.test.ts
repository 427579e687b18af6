// Tests components/app/preflight/ (the gate under the mock engine, the cluster source against a fake API server) and the render's live objects.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { stringify } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CanaryApp } from "../components/app/canaryApp";
import { setLiveSource } from "../components/app/preflight/liveSource";
import { ClusterIdentity } from "../components/cluster/clusterGuard";
import { clusterSource } from "../components/app/preflight/clusterSource";
import { preflight, PreflightError } from "../components/app/preflight/gate";
import { programErrors } from "../scripts/mockEngine";
import { FakeKubeApi } from "./fakeKubeApi";
import { defaultFixtures, installMocks, registered, resetRegistered, settle } from "./harness";
import { autoscaler, deployment, disruptionBudget, ingress, nginxClass, preflightConfig, service } from "./preflightFixtures";

const HPA_ON_DEPLOYMENT = autoscaler({ apiVersion: "apps/v1", kind: "Deployment", name: "demo" });
const NO_PROBE =
    "demo: container app of Deployment demo/demo has no readinessProbe: a canary pod is Ready as soon as it starts, so it takes traffic " +
    "before it can serve, and the Rollout goes on to its next step without waiting for it. Add a readinessProbe to the container " +
    "(e.g. httpGet on port http, the port the Service sends traffic to)";
const HPA =
    "demo: HorizontalPodAutoscaler demo/demo scales Deployment demo/demo; Argo Rollouts scales the Deployment down as the Rollout's pods " +
    "become ready while the HPA scales it back up, and once it is at 0 the HPA stops: nothing would autoscale the app. Once pulumi up has created " +
    "the Rollout, change the HPA's scaleTargetRef to apiVersion argoproj.io/v1alpha1, kind Rollout, name demo: kubectl patch hpa demo -n demo " +
    `--type merge -p '{"spec":{"scaleTargetRef":{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","name":"demo"}}}'`;

const NGINX = { "kubernetes:networking.k8s.io/v1:IngressClass nginx": { spec: nginxClass().spec } };

function probeless(): any {
    const d = deployment();
    delete d.spec.template.spec.containers[0].readinessProbe;
    return d;
}

/** The fixtures' form of a live object: metadata and spec, keyed by type and name. */
function fixtures(...objects: any[]) {
    const types: Record<string, string> = {
        Deployment: "kubernetes:apps/v1:Deployment",
        Service: "kubernetes:core/v1:Service",
        HorizontalPodAutoscaler: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        PodDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
        Ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    };
    return Object.fromEntries(objects.map((o) => [`${types[o.kind]} ${o.metadata.namespace}/${o.metadata.name}`, { metadata: o.metadata, spec: o.spec }]));
}

describe("the preflight gate under the mock engine", () => {
    const warned: string[] = [];
    const errored: string[] = [];
    const { warn, error } = pulumi.log;
    beforeEach(() => {
        resetRegistered();
        warned.length = 0;
        errored.length = 0;
        Object.assign(pulumi.log, {
            warn: async (message: string) => {
                warned.push(message);
            },
            error: async (message: string) => {
                errored.push(message);
            },
        });
    });
    afterEach(() => {
        Object.assign(pulumi.log, { warn, error });
    });
    after(() => installMocks());

    it("logs a warning per finding on the app, and the Rollout is registered", async () => {
        installMocks({
            ...defaultFixtures,
            ...fixtures(probeless(), service(), HPA_ON_DEPLOYMENT, disruptionBudget({ maxUnavailable: 1 }), ingress()),
            ...NGINX,
        });
        const { apps, platform } = preflightConfig();
        new CanaryApp("demo", { app: apps[0], platform, connection: {} });
        await settle();
        assert.deepEqual(warned, [NO_PROBE, HPA]);
        assert.ok(registered.some((r) => r.name === "demo-rollout"));
        assert.deepEqual([programErrors, errored], [[], []]);
    });

    it("stops at an error: no Rollout, no restore, one PreflightError with every error and what it stopped", async () => {
        const elsewhere = service();
        elsewhere.spec.selector = { app: "demo-web" };
        elsewhere.spec.ports[0].targetPort = "web";
        installMocks({ ...defaultFixtures, ...fixtures(probeless(), elsewhere, disruptionBudget({ maxUnavailable: 1 }), ingress()), ...NGINX });
        new CanaryApp("demo", { app: preflightConfig().apps[0], platform: preflightConfig().platform, connection: {} });
        await settle();
        assert.deepEqual(warned, [NO_PROBE.replace(" (e.g. httpGet on port http, the port the Service sends traffic to)", "")]);
        const names = registered.map((r) => r.name);
        assert.ok(!names.includes("demo-rollout") && !names.includes("demo-restore"), names.join(", "));
        assert.ok(names.includes("demo-stable") && names.includes("demo-snapshot"), "the rest of the app is not held up");
        assert.equal(programErrors.length, 1);
        assert.ok(programErrors[0] instanceof PreflightError);
        assert.equal(
            programErrors[0].message,
            "demo: the preflight found 2 errors in the app's live objects: the Rollout is not created or changed until they are fixed",
        );
        assert.equal(programErrors[0].stack, programErrors[0].message, "the CLI prints the stack of an error raised after main returned: no trace");
        assert.deepEqual(errored, [
            "demo: Service demo/demo selects app=demo-web, but the pods of Deployment demo/demo are labelled app=demo,tier=web: the stable and canary " +
                "Services copy that selector and would reach no pod. Make the Service's selector a subset of the pod template's labels, or name the app's " +
                "own Service in the app's service",
            "demo: Service demo/demo port http (80) targets the container port named web, which no container of Deployment demo/demo declares " +
                "(its ports: http (8080)): the stable and canary Services would have no endpoints for it. Name the container port web, or point the " +
                "Service's targetPort at a declared one",
        ]);
    });

    it("reads nothing before the cluster's check: when the identity's registration fails, no live object is read", async () => {
        installMocks();
        const reads: string[] = [];
        const source = async (target: { namespace: string; deployment: string }) => {
            reads.push(`${target.namespace}/${target.deployment}`);
            return undefined;
        };
        // What the engine makes of the identity on another cluster: its registration, and so its URN, rejects.
        const refused = { urn: pulumi.output(Promise.reject(new pulumi.RunError("wrong cluster"))) } as unknown as pulumi.Resource;
        const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
        const findings = preflight(preflightConfig().apps[0], source, parent, refused);
        const outcome = await new Promise<string>((resolve) => {
            findings.apply(() => resolve("read"));
            setTimeout(() => resolve("not read"), 500);
        });
        await settle();
        assert.deepEqual([outcome, reads], ["not read", []]);
    });

    it("reads the live objects once the cluster's check is done", async () => {
        installMocks({ ...defaultFixtures, ...fixtures(probeless(), service()) });
        const registeredAtRead: string[][] = [];
        setLiveSource(async () => {
            registeredAtRead.push(registered.map((r) => r.name));
            return undefined;
        });
        const identity = new ClusterIdentity("cluster-identity", {});
        new CanaryApp("demo", { app: preflightConfig().apps[0], platform: preflightConfig().platform, connection: {}, clusterIdentity: identity });
        await settle();
        assert.equal(registeredAtRead.length, 1);
        assert.ok(registeredAtRead[0].includes("cluster-identity"));
        assert.ok(registered.some((r) => r.name === "demo-rollout"));
    });

    it("reads nothing before the stack's provider is registered: a refresh --run-program on another cluster refuses its clusterIdentifier", async () => {
        installMocks({ ...defaultFixtures, ...fixtures(probeless(), service()) });
        const reads: string[] = [];
        setLiveSource(async (target) => {
            reads.push(`${target.namespace}/${target.deployment}`);
            return undefined;
        });
        // The identity registers (a refresh only reads it); the provider's clusterIdentifier is refused.
        const identity = new ClusterIdentity("cluster-identity", {});
        const provider = new k8s.Provider(
            "cluster",
            { clusterIdentifier: pulumi.output(Promise.reject(new pulumi.RunError("wrong cluster")) as Promise<string>) },
            { dependsOn: [identity] },
        );
        new CanaryApp(
            "demo",
            { app: preflightConfig().apps[0], platform: preflightConfig().platform, connection: {}, clusterIdentity: identity },
            { provider },
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        await settle();
        assert.deepEqual(reads, []);
        assert.ok(registered.some((r) => r.name === "cluster-identity"));
        assert.ok(!registered.some((r) => r.name === "demo-rollout"));
    });

    it("without the app's Deployment among the fixtures (the offline render), runs only the config's checks", async () => {
        installMocks();
        new CanaryApp("demo", { app: preflightConfig().apps[0], platform: preflightConfig().platform, connection: {} });
        await settle();
        assert.deepEqual(warned, []);
        assert.ok(registered.some((r) => r.name === "demo-rollout"));
    });
});

describe("the preflight's reads against a fake Kubernetes API", () => {
    let fake: FakeKubeApi;
    let kubeconfig: string;
    const target = { namespace: "demo", deployment: "demo", service: "demo", rollout: "demo", stableService: "demo-stable" };

    beforeEach(async () => {
        fake = await FakeKubeApi.start();
        kubeconfig = fake.writeKubeconfig("elsewhere");
        fake.deployments.set("demo/demo", probeless());
        fake.services.set("demo/demo", service());
        fake.autoscalers = [
            HPA_ON_DEPLOYMENT,
            { ...autoscaler({ apiVersion: "apps/v1", kind: "Deployment", name: "demo" }), metadata: { name: "x", namespace: "other" } },
        ];
        fake.disruptionBudgets = [disruptionBudget({ minAvailable: "50%" })];
    });
    afterEach(async () => fake.close());

    it("reads the Deployment and Service by name and lists the namespace's autoscalers and budgets, through the stack's context", async () => {
        const live = await clusterSource({ kubeconfig, context: "fake" })(target);
        assert.deepEqual(fake.calls().sort(), [
            "GET /api/v1/namespaces/demo/services/demo",
            "GET /api/v1/namespaces/demo/services/demo-stable",
            "GET /apis/autoscaling/v2/namespaces/demo/horizontalpodautoscalers",
            "GET /apis/policy/v1/namespaces/demo/poddisruptionbudgets",
            "GET deployment demo/demo",
            "GET rollout demo/demo",
        ]);
        assert.deepEqual(fake.writes(), []);
        assert.equal(live?.deployment?.spec?.template.spec?.containers[0].name, "app");
        assert.deepEqual(live?.service?.spec?.selector, { app: "demo" });
        assert.deepEqual(
            live?.autoscalers.map((h) => `${h.metadata?.namespace}/${h.metadata?.name} -> ${h.spec?.scaleTargetRef.kind}`),
            ["demo/demo -> Deployment"],
        );
        assert.deepEqual(
            live?.disruptionBudgets.map((p) => p.spec?.minAvailable),
            ["50%"],
        );
        assert.equal(live?.rollout, undefined, "no Rollout yet: a first migration");
        assert.deepEqual(live?.unread, {});
    });

    it("reads the app's Rollout when an earlier pulumi up created it", async () => {
        fake.rollouts.set("demo/demo", {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Rollout",
            metadata: { name: "demo", namespace: "demo", annotations: { "rollout.argoproj.io/revision": "3" } },
            spec: { replicas: 4 },
        });
        const live = await clusterSource({ kubeconfig, context: "fake" })(target);
        assert.equal(live?.rollout?.metadata?.annotations?.["rollout.argoproj.io/revision"], "3");
    });

    it("reads the stableIngress and the IngressClass it names, and the stable Service once it exists", async () => {
        fake.ingresses.set("demo/demo", ingress());
        fake.ingressClasses.set("nginx", nginxClass());
        fake.services.set("demo/demo-stable", { ...service(), metadata: { name: "demo-stable", namespace: "demo" } });
        const live = await clusterSource({ kubeconfig, context: "fake" })({ ...target, ingress: "demo" });
        assert.deepEqual(
            fake
                .calls()
                .filter((c) => c.includes("networking") || c.includes("demo-stable"))
                .sort(),
            [
                "GET /api/v1/namespaces/demo/services/demo-stable",
                "GET /apis/networking.k8s.io/v1/ingressclasses/nginx",
                "GET /apis/networking.k8s.io/v1/namespaces/demo/ingresses/demo",
            ],
        );
        assert.equal(live?.ingress?.spec?.rules?.[0].http?.paths[0].backend.service?.name, "demo-stable");
        assert.equal(live?.ingressClass?.spec?.controller, "k8s.io/ingress-nginx");
        assert.equal(live?.stableService?.metadata?.name, "demo-stable");
        assert.deepEqual(live?.unread, {});
    });

    it("an Ingress with the legacy class annotation: no IngressClass read; a missing Ingress is absent, a refused one unread", async () => {
        const annotated = ingress();
        annotated.metadata.annotations = { "kubernetes.io/ingress.class": "nginx" };
        fake.ingresses.set("demo/demo", annotated);
        await clusterSource({ kubeconfig, context: "fake" })({ ...target, ingress: "demo" });
        assert.ok(!fake.calls().some((c) => c.includes("ingressclasses")));
        const absent = await clusterSource({ kubeconfig, context: "fake" })({ ...target, ingress: "other" });
        assert.deepEqual([absent?.ingress, absent?.unread], [undefined, {}]);
        fake.deny = { method: "GET", kind: "ingresses" };
        const refused = await clusterSource({ kubeconfig, context: "fake" })({ ...target, ingress: "demo" });
        assert.match(refused?.unread.ingress ?? "", /^reading Ingress demo\/demo failed \(HTTP 403\): ingresses.networking.k8s.io "demo" is forbidden/);
    });

    it("reports a context the kubeconfig does not have as unread, without throwing", async () => {
        const live = await clusterSource({ kubeconfig, context: "nowhere" })(target);
        const reason = `context "nowhere" is not in ${kubeconfig} (it has: fake, elsewhere)`;
        assert.deepEqual(live, {
            autoscalers: [],
            disruptionBudgets: [],
            unread: {
                deployment: reason,
                service: reason,
                rollout: reason,
                autoscalers: reason,
                disruptionBudgets: reason,
                stableService: reason,
            },
        });
        assert.deepEqual(fake.requests, []);
    });

    it("reports not found as absent, and a refused read as unread, without throwing", async () => {
        fake.deployments.clear();
        fake.deny = { method: "GET", kind: "poddisruptionbudgets" };
        const live = await clusterSource({ kubeconfig, context: "fake" })(target);
        assert.equal(live?.deployment, undefined);
        assert.deepEqual(live?.disruptionBudgets, []);
        assert.deepEqual(live?.unread, {
            disruptionBudgets:
                'listing PodDisruptionBudgets in demo failed (HTTP 403): poddisruptionbudgets.policy is forbidden: User "system:anonymous" ' +
                'cannot list resource "poddisruptionbudgets" in API group "policy" in the namespace "demo"',
        });
    });
});

describe("render: the preflight on live objects given with --live", function () {
    this.timeout(120000);

    it("logs the preflight's warnings on stderr, and fails on its errors, as preview does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-render-"));
        const prod = (objects: any[]) => objects.map((o) => ({ ...o, metadata: { ...o.metadata, name: "instant-api", namespace: "instant" } }));
        const [d, s, h] = prod([probeless(), service(), HPA_ON_DEPLOYMENT]);
        d.spec.template.spec.containers[0].name = "api";
        h.spec.scaleTargetRef.name = "instant-api";
        const file = path.join(dir, "live.yaml");
        const render = () =>
            spawnSync("npm", ["run", "-s", "render", "--", "--stack", "prod", "--live", file, "--out", path.join(dir, "out.yaml")], {
                cwd: path.join(__dirname, ".."),
                encoding: "utf8",
            });
        s.spec.selector = { app: "other" };
        fs.writeFileSync(file, [d, s, h].map((o) => stringify(o)).join("---\n"));
        const failed = render();
        assert.notEqual(failed.status, 0);
        const warnings = failed.stderr.split("\n").filter((l) => l.startsWith("warning: [runtime] instant-api: "));
        assert.deepEqual(
            warnings.map((l) => l.split(" ").slice(3, 5).join(" ")),
            ["without traffic", "container api", "HorizontalPodAutoscaler instant/instant-api"],
        );
        assert.match(
            failed.stderr,
            /^error: \[runtime\] instant-api: Service instant\/instant-api selects app=other, but the pods of Deployment instant\/instant-api are labelled app=demo,tier=web: /m,
        );
        assert.match(
            failed.stderr,
            /^render failed: instant-api: the preflight found 1 error in the app's live objects: the Rollout is not created or changed until it is fixed$/m,
        );
        assert.ok(!fs.existsSync(path.join(dir, "out.yaml")), "nothing rendered");
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
