// Tests components/app/restore/ingress.ts and model/ingressHandBack.ts: the restore moves the stableIngress back to the app's Service.
import { strict as assert } from "assert";
import { kubeApi } from "../components/app/restore/kubeApi";
import { restoreDeployment, RestoreTarget } from "../components/app/restore/restore";
import { canaryIngressName } from "../model/ingressHandBack";
import { FakeKubeApi } from "./fakeKubeApi";
import { deploymentObject, fakeWithAppAtRest, KEY, NAME, NS, RECORDED_IMAGES, STABLE } from "./restoreFixtures";

const STABLE_SERVICE = `${NAME}-stable`;
const CANARY_INGRESS = `${NAME}-api-canary`;
const INGRESS_KEY = `${NS}/api`;
const NAMES = { stableIngress: "api", stableService: STABLE_SERVICE, service: NAME, canaryIngress: CANARY_INGRESS };

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
function stableIngress(service = STABLE_SERVICE): any {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "api", namespace: NS, uid: "uid-ingress" },
        spec: {
            ingressClassName: "nginx",
            rules: [
                {
                    host: "api.example",
                    http: {
                        paths: [
                            { path: "/", pathType: "Prefix", backend: backend(service) },
                            { path: "/docs", pathType: "Prefix", backend: backend("docs") },
                        ],
                    },
                },
            ],
        },
    };
}
/** What Argo Rollouts makes of it: the paths on the stable Service, moved to the canary one, controlled by the Rollout. */
function canaryIngress(uid = "uid-rollout", controller = "Rollout"): any {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
            name: CANARY_INGRESS,
            namespace: NS,
            uid: `uid-canary-${Math.random()}`,
            annotations: { "nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-weight": "0" },
            ownerReferences: [{ apiVersion: "argoproj.io/v1alpha1", kind: controller, name: NAME, uid, controller: true }],
        },
        spec: {
            ingressClassName: "nginx",
            rules: [{ host: "api.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend(`${NAME}-canary`) }] } }],
        },
    };
}
const slice = (ready: boolean[]) => ({
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: `${NAME}-abc`, namespace: NS, labels: { "kubernetes.io/service-name": NAME } },
    endpoints: ready.map((r, i) => ({ addresses: [`10.0.0.${i}`], conditions: { ready: r } })),
});
const backendsOf = (ingress: any) => ingress.spec.rules[0].http.paths.map((p: any) => p.backend.service.name);
const LEFT = "Rollout instant/instant-api was not deleted (its workloadRef.scaleDown is now never), so the app keeps serving.";
const COMMAND = `kubectl patch ingress api -n instant --type json -p '[{"op":"replace","path":"/spec/rules/0/http/paths/0/backend/service/name","value":"instant-api"}]'`;

describe("restore of an app behind its stableIngress", () => {
    let fake: FakeKubeApi;
    let kubeconfig: string;
    let logged: string[];

    const target = (change: Partial<RestoreTarget> = {}): RestoreTarget => ({
        namespace: NS,
        rollout: NAME,
        deployment: NAME,
        recordedReplicas: 4,
        recordedImages: RECORDED_IMAGES,
        allowUnhealthy: false,
        timeoutSeconds: 1,
        pollIntervalSeconds: 0.01,
        ingress: NAMES,
        ...change,
    });
    const restore = (change: Partial<RestoreTarget> = {}) => restoreDeployment(kubeApi({ kubeconfig, context: "fake" }), target(change), (m) => logged.push(m));
    const ingressCalls = () => fake.calls().filter((c) => /ingresses|endpointslices|services/.test(c));

    beforeEach(async () => {
        ({ fake, kubeconfig } = await fakeWithAppAtRest());
        fake.services.set(KEY, { apiVersion: "v1", kind: "Service", metadata: { name: NAME, namespace: NS }, spec: { selector: { app: NAME } } });
        fake.endpointSlices = [slice([true, true, false])];
        fake.ingresses.set(INGRESS_KEY, stableIngress());
        fake.ingresses.set(`${NS}/${CANARY_INGRESS}`, canaryIngress());
        logged = [];
    });
    afterEach(async () => fake.close());

    it("after the Deployment is Available: moves the stable Service's paths to the app's Service, then deletes the Rollout's canary Ingress", async () => {
        await restore();
        assert.deepEqual(ingressCalls(), [
            "GET /apis/networking.k8s.io/v1/namespaces/instant/ingresses/api",
            "GET /api/v1/namespaces/instant/services/instant-api",
            "GET /apis/discovery.k8s.io/v1/namespaces/instant/endpointslices",
            "PATCH /apis/networking.k8s.io/v1/namespaces/instant/ingresses/api",
            "GET /apis/networking.k8s.io/v1/namespaces/instant/ingresses/instant-api-api-canary",
            "DELETE /apis/networking.k8s.io/v1/namespaces/instant/ingresses/instant-api-api-canary",
            "GET /apis/networking.k8s.io/v1/namespaces/instant/ingresses/instant-api-api-canary",
        ]);
        const calls = fake.calls();
        assert.ok(
            calls.lastIndexOf("GET deployment instant/instant-api") < calls.indexOf("GET /apis/networking.k8s.io/v1/namespaces/instant/ingresses/api"),
            "the Ingress moves only once the Deployment is Available",
        );
        const patch = fake.writes().find((w) => w.path.endsWith("/ingresses/api"));
        assert.equal(patch?.contentType, "application/json-patch+json");
        assert.deepEqual(patch?.body, [
            { op: "test", path: "/spec/rules/0/http/paths/0/backend/service/name", value: STABLE_SERVICE },
            { op: "replace", path: "/spec/rules/0/http/paths/0/backend/service/name", value: NAME },
        ]);
        assert.deepEqual(backendsOf(fake.ingresses.get(INGRESS_KEY)), [NAME, "docs"]);
        assert.equal(fake.ingresses.has(`${NS}/${CANARY_INGRESS}`), false);
        assert.deepEqual(logged.slice(1), [
            "Ingress instant/api: spec.rules[0].http.paths[0] moved from instant-api-stable to the app's Service instant-api (2 ready endpoints)",
            "Ingress instant/instant-api-api-canary, the Rollout's canary Ingress, deleted before the canary Service goes",
        ]);
    });

    it("an Ingress not on the stable Service, or gone, is left as it is", async () => {
        fake.ingresses.set(INGRESS_KEY, stableIngress(NAME));
        await restore();
        fake.ingresses.delete(INGRESS_KEY);
        fake.deployments.set(KEY, deploymentObject(STABLE));
        await restore();
        assert.deepEqual(
            fake.writes().filter((w) => w.path.includes("ingresses/api")),
            [],
        );
        assert.deepEqual(
            logged.filter((l) => l.startsWith("Ingress instant/api ")),
            ["Ingress instant/api does not route to instant-api-stable: left as it is", "Ingress instant/api not found: nothing routes through it"],
        );
    });

    it("waits for a ready endpoint of the app's Service; without one, leaves the Ingress and the Rollout, with the command", async () => {
        fake.endpointSlices = [slice([false])];
        await assert.rejects(restore(), {
            message:
                "Service instant/instant-api has no ready endpoint within 1s, so Ingress instant/api was left on instant-api-stable. " +
                `${LEFT} Find out why the Deployment's pods are not among its endpoints ` +
                "(kubectl get endpointslices -n instant -l kubernetes.io/service-name=instant-api), " +
                `then point the Ingress at it (${COMMAND}) and run pulumi destroy again.`,
        });
        assert.deepEqual(backendsOf(fake.ingresses.get(INGRESS_KEY)), [STABLE_SERVICE, "docs"]);
        assert.ok(fake.ingresses.has(`${NS}/${CANARY_INGRESS}`));
    });

    it("the app's Service gone: refuses, the Ingress stays on the stable Service", async () => {
        fake.services.clear();
        await assert.rejects(restore(), {
            message:
                "Ingress instant/api routes to instant-api-stable, which the destroy deletes, and the app's Service instant/instant-api to route it back to " +
                `does not exist. ${LEFT} Recreate Service instant-api, or point the Ingress at a Service that serves the Deployment, then run pulumi destroy again.`,
        });
        assert.deepEqual(backendsOf(fake.ingresses.get(INGRESS_KEY)), [STABLE_SERVICE, "docs"]);
    });

    it("a refused patch: stops with the API server's reason and the command to run by hand", async () => {
        fake.deny = { method: "PATCH", kind: "ingresses" };
        await assert.rejects(restore(), {
            message:
                "Ingress instant/api could not be moved back to Service instant-api (patching Ingress instant/api failed (HTTP 403): " +
                'ingresses.networking.k8s.io "api" is forbidden: User "system:anonymous" cannot patch resource "ingresses" in API group ' +
                `"networking.k8s.io" in the namespace "instant"). ${LEFT} Point it at Service instant-api (${COMMAND}), then run pulumi destroy again.`,
        });
    });

    it("an Ingress changed since it was read: the patch's test fails, nothing is half-moved", async () => {
        const api = kubeApi({ kubeconfig, context: "fake" });
        const read = await api.getIngress(NS, "api");
        fake.ingresses.set(INGRESS_KEY, stableIngress("someone-else"));
        const patch = [
            { op: "test", path: "/spec/rules/0/http/paths/0/backend/service/name", value: STABLE_SERVICE },
            { op: "replace", path: "/spec/rules/0/http/paths/0/backend/service/name", value: NAME },
        ];
        await assert.rejects(api.patchIngress(NS, "api", patch), /^Error: patching Ingress instant\/api failed \(HTTP 422\): .*testing path/);
        assert.ok(read);
        assert.deepEqual(backendsOf(fake.ingresses.get(INGRESS_KEY)), ["someone-else", "docs"]);
    });

    it("a canary Ingress of the same name that another object controls is not deleted", async () => {
        fake.ingresses.set(`${NS}/${CANARY_INGRESS}`, canaryIngress("uid-other"));
        await restore();
        assert.ok(fake.ingresses.has(`${NS}/${CANARY_INGRESS}`));
        assert.ok(!fake.calls().some((c) => c.startsWith("DELETE")));
    });

    it("a canary Ingress recreated after each delete (a reconcile from a stale cache): deleted again, and after 3 deletes the restore stops", async () => {
        let recreated = 0;
        fake.onIngressWrite = (method, key) => {
            if (method === "DELETE" && key.endsWith(CANARY_INGRESS) && recreated < 1) {
                recreated++;
                fake.ingresses.set(key, canaryIngress());
            }
        };
        await restore();
        assert.equal(fake.calls().filter((c) => c.startsWith("DELETE")).length, 2);
        assert.equal(fake.ingresses.has(`${NS}/${CANARY_INGRESS}`), false);

        fake.onIngressWrite = (method, key) => {
            if (method === "DELETE") fake.ingresses.set(key, canaryIngress());
        };
        fake.ingresses.set(`${NS}/${CANARY_INGRESS}`, canaryIngress());
        fake.deployments.set(KEY, deploymentObject(STABLE));
        await assert.rejects(restore(), {
            message: `Ingress instant/instant-api-api-canary, the Rollout's canary Ingress, came back after 3 deletes. ${LEFT} Run pulumi destroy again.`,
        });
    });

    it("the Rollout already gone: the Ingress still moves back; an orphaned canary Ingress is left to the garbage collector", async () => {
        fake.rollouts.clear();
        fake.deployments.set(KEY, deploymentObject(STABLE, 4));
        await restore();
        assert.deepEqual(backendsOf(fake.ingresses.get(INGRESS_KEY)), [NAME, "docs"]);
        assert.ok(fake.ingresses.has(`${NS}/${CANARY_INGRESS}`));
    });

    it("a restore without ingress names (no stableIngress) reads no Ingress", async () => {
        await restore({ ingress: undefined });
        assert.deepEqual(ingressCalls(), []);
    });

    it("names the canary Ingress as Argo Rollouts does, cut to 253 characters with its suffix", () => {
        assert.equal(canaryIngressName("instant-api", "api"), "instant-api-api-canary");
        const long = canaryIngressName("r".repeat(200), "i".repeat(100));
        assert.equal(long.length, 253);
        assert.ok(long.endsWith(`${"i".repeat(45)}-canary`));
    });
});
