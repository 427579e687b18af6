// Tests model/preflight/ingress.ts and model/ingressRoutes.ts: the app's stableIngress as Argo Rollouts' nginx routing needs it.
import { strict as assert } from "assert";
import { preflightFindings } from "../model/preflight";
import { repointPatch, routesTo, serviceBackends } from "../model/ingressRoutes";
import { live, nginxClass, preflightApp, service } from "./preflightFixtures";

const found = (objects = live()) => preflightFindings(preflightApp(), objects, "demo-stable").map((f) => `${f.severity} ${f.check}: ${f.message}`);

const INVALID = 'Argo Rollouts holds the Rollout as InvalidSpec ("ingress `demo` has no rules using service demo-stable backend")';
const path = (name: string, port: object = { number: 80 }) => ({ path: "/", pathType: "Prefix", backend: { service: { name, port } } });
const stableServiceLive = (o: any) => {
    o.stableService = { ...service(), metadata: { name: "demo-stable", namespace: "demo" } };
};

describe("preflight of the app's stableIngress", () => {
    it("finds nothing on an Ingress whose rule routes to the stable Service through ingress-nginx", () => {
        assert.deepEqual(found(), []);
    });

    it("is silent for an app without stableIngress", () => {
        const app = preflightApp((a) => {
            delete a.stableIngress;
            a.replicas = 10;
        });
        const objects = live((o) => {
            delete o.ingress;
            o.deployment.spec.replicas = 10;
        });
        assert.deepEqual(
            preflightFindings(app, objects, "demo-stable").filter((f) => f.check.startsWith("ingress")),
            [],
        );
    });

    it("stops on a missing Ingress, with the command that creates it routed to the stable Service", () => {
        assert.deepEqual(
            found(
                live((o) => {
                    delete o.ingress;
                }),
            ),
            [
                "error ingress: demo: Ingress demo/demo (the app's stableIngress) not found: Argo Rollouts holds a Rollout whose stableIngress does not exist " +
                    "as InvalidSpec and runs none of its steps. Create it, routing to the stable Service " +
                    '(kubectl create ingress demo -n demo --class=nginx --rule="/*=demo-stable:80"), or name the right one in the app\'s stableIngress',
            ],
        );
    });

    it("first migration, the Ingress on the app's own Service: warns, and says to point it at the stable Service once pulumi up created it", () => {
        const onOwn = live((o) => {
            o.ingress.spec.rules[0].http.paths = [path("demo"), { ...path("other"), path: "/other" }, { ...path("demo", { name: "http" }), path: "/api" }];
        });
        assert.deepEqual(found(onOwn), [
            "warning ingress: demo: Ingress demo/demo routes to the app's Service demo (spec.rules[0].http.paths[0], spec.rules[0].http.paths[2]), " +
                "not yet to demo-stable, which this pulumi up creates as a copy of Service demo, selecting the same pods. Until the Ingress routes to it, " +
                `${INVALID} and leaves the Deployment serving as it does now. Once pulumi up is done, point the Ingress at it; ` +
                "Argo Rollouts tries again within 20 s and adopts the Deployment: kubectl patch ingress demo -n demo --type json -p " +
                `'[{"op":"replace","path":"/spec/rules/0/http/paths/0/backend/service/name","value":"demo-stable"},` +
                `{"op":"replace","path":"/spec/rules/0/http/paths/2/backend/service/name","value":"demo-stable"}]'`,
        ]);
    });

    it("the stable Service exists and the Ingress is still on the app's own Service: stops, with the patch", () => {
        const objects = live((o) => {
            stableServiceLive(o);
            o.ingress.spec.rules[0].http.paths = [path("demo")];
        });
        assert.deepEqual(found(objects), [
            "error ingress: demo: Ingress demo/demo routes to the app's Service demo (spec.rules[0].http.paths[0]), not to demo-stable: " +
                `${INVALID} and runs none of its steps, and Service demo sends each request to any of the app's pods, stable or canary. ` +
                "Point the Ingress at demo-stable, which serves the same app: kubectl patch ingress demo -n demo --type json -p " +
                `'[{"op":"replace","path":"/spec/rules/0/http/paths/0/backend/service/name","value":"demo-stable"}]'`,
        ]);
    });

    it("a defaultBackend alone does not count, as for Argo Rollouts: stops, with the patch that adds a rule", () => {
        const objects = live((o) => {
            delete o.ingress.spec.rules;
            o.ingress.spec.defaultBackend = { service: { name: "demo-stable", port: { name: "http" } } };
        });
        assert.deepEqual(found(objects), [
            "error ingress: demo: Ingress demo/demo sends requests to Service demo-stable through its spec.defaultBackend only: Argo Rollouts reads only " +
                `rules' paths, so ${INVALID} and runs none of its steps. Add a rule routing to demo-stable: kubectl patch ingress demo -n demo --type json -p ` +
                `'[{"op":"add","path":"/spec/rules","value":[{"http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"demo-stable","port":{"name":"http"}}}}]}}]}]'`,
        ]);
    });

    it("an Ingress of other Services: stops, and lists the namespace's Ingresses with their Services", () => {
        const objects = live((o) => {
            o.ingress.spec.rules[0].http.paths = [path("shop"), path("cart")];
        });
        assert.deepEqual(found(objects), [
            "error ingress: demo: Ingress demo/demo routes neither to demo-stable nor to the app's Service demo (it routes to shop, cart): " +
                `${INVALID} and runs none of its steps. Name the Ingress that routes to Service demo in the app's stableIngress; this lists each Ingress ` +
                "of the namespace with its Services: kubectl get ingress -n demo " +
                "-o custom-columns='NAME:.metadata.name,SERVICES:.spec.rules[*].http.paths[*].backend.service.name'",
        ]);
    });

    it("warns about paths left on the app's own Service beside the stable one", () => {
        const objects = live((o) => {
            o.ingress.spec.rules.push({ host: "api.example", http: { paths: [path("demo")] } });
        });
        assert.deepEqual(found(objects), [
            "warning ingress: demo: Ingress demo/demo routes to demo-stable, but spec.rules[1].http.paths[0] still route to the app's Service demo, " +
                "which sends each request to any of the app's pods, stable or canary: there the canary's share is its share of the pods, not the weight. " +
                "Point them at demo-stable: kubectl patch ingress demo -n demo --type json -p " +
                `'[{"op":"replace","path":"/spec/rules/1/http/paths/0/backend/service/name","value":"demo-stable"}]'`,
        ]);
    });

    describe("its class", () => {
        const ELSEWHERE =
            "Argo Rollouts' nginx routing puts the canary's weight in nginx.ingress.kubernetes.io/canary annotations on a copy of the Ingress, " +
            "which only ingress-nginx reads; another controller serves that copy as a second Ingress for the same hosts and paths, " +
            "so the canary's share would not be the weight";
        const FIX = `kubectl patch ingress demo -n demo --type merge -p '{"spec":{"ingressClassName":"nginx"}}'`;

        it("an IngressClass of another controller: warns, naming it", () => {
            const objects = live((o) => {
                o.ingress.spec.ingressClassName = "traefik";
                o.ingressClass = { ...nginxClass(), metadata: { name: "traefik" }, spec: { controller: "traefik.io/ingress-controller" } };
            });
            assert.deepEqual(found(objects), [
                "warning ingressClass: demo: Ingress demo/demo has ingressClassName traefik, and IngressClass traefik has controller traefik.io/ingress-controller, " +
                    `not k8s.io/ingress-nginx: ${ELSEWHERE}. Name an IngressClass of ingress-nginx (controller k8s.io/ingress-nginx), e.g.: ${FIX}`,
            ]);
        });

        it("an IngressClass of ingress-nginx under another name is nginx", () => {
            assert.deepEqual(
                found(
                    live((o) => {
                        o.ingress.spec.ingressClassName = "internal";
                        o.ingressClass = { ...nginxClass(), metadata: { name: "internal" } };
                    }),
                ),
                [],
            );
        });

        it("an IngressClass that does not exist: warns", () => {
            assert.deepEqual(
                found(
                    live((o) => {
                        o.ingress.spec.ingressClassName = "public";
                        delete o.ingressClass;
                    }),
                ),
                [
                    "warning ingressClass: demo: Ingress demo/demo has ingressClassName public, and there is no IngressClass public, so no controller serves it: " +
                        `${ELSEWHERE}. Name an IngressClass of ingress-nginx (controller k8s.io/ingress-nginx), e.g.: ${FIX}`,
                ],
            );
        });

        it("the legacy annotation wins over ingressClassName, as for Argo Rollouts and ingress-nginx", () => {
            const annotated = (value: string) =>
                live((o) => {
                    o.ingress.metadata.annotations = { "kubernetes.io/ingress.class": value };
                });
            assert.deepEqual(found(annotated("nginx")), []);
            assert.deepEqual(found(annotated("alb")), [
                `warning ingressClass: demo: Ingress demo/demo has class alb (annotation kubernetes.io/ingress.class), not nginx: ${ELSEWHERE}. Serve it with ingress-nginx`,
            ]);
        });

        it("no class at all: warns", () => {
            assert.deepEqual(
                found(
                    live((o) => {
                        delete o.ingress.spec.ingressClassName;
                    }),
                ),
                [
                    "warning ingressClass: demo: Ingress demo/demo names no class (no spec.ingressClassName, no kubernetes.io/ingress.class annotation): " +
                        `ingress-nginx serves it only when started with --watch-ingress-without-class. Name the class of ingress-nginx: ${FIX}`,
                ],
            );
        });

        it("an IngressClass it could not read: says so, and judges nothing", () => {
            const reason = "reading IngressClass nginx failed (HTTP 403): forbidden";
            assert.deepEqual(
                found(
                    live((o) => {
                        delete o.ingressClass;
                        o.unread.ingressClass = reason;
                    }),
                ),
                [`warning unread: demo: the preflight could not read the IngressClass of Ingress demo/demo, and skipped the checks that need it: ${reason}`],
            );
        });
    });

    it("an Ingress it could not read: says so, and judges nothing", () => {
        const reason = "reading Ingress demo/demo failed (HTTP 403): forbidden";
        assert.deepEqual(
            found(
                live((o) => {
                    delete o.ingress;
                    o.unread.ingress = reason;
                }),
            ),
            [`warning unread: demo: the preflight could not read Ingress demo/demo, and skipped the checks that need it: ${reason}`],
        );
    });
});

describe("an Ingress's Service backends", () => {
    const ingress = {
        spec: {
            defaultBackend: { service: { name: "demo-stable", port: { number: 80 } } },
            rules: [
                { http: { paths: [path("shop"), { path: "/x", pathType: "Prefix", backend: { resource: { kind: "Bucket", name: "b" } } }] } },
                { host: "demo.example" },
                { http: { paths: [path("demo-stable", { name: "http" })] } },
            ],
        },
    } as any;

    it("lists rules' paths with their JSON pointers, then the defaultBackend; a resource backend is not a Service", () => {
        assert.deepEqual(serviceBackends(ingress), [
            { where: "spec.rules[0].http.paths[0]", pointer: "/spec/rules/0/http/paths/0/backend/service/name", service: "shop", port: 80, ofRule: true },
            {
                where: "spec.rules[2].http.paths[0]",
                pointer: "/spec/rules/2/http/paths/0/backend/service/name",
                service: "demo-stable",
                port: "http",
                ofRule: true,
            },
            { where: "spec.defaultBackend", pointer: "/spec/defaultBackend/service/name", service: "demo-stable", port: 80, ofRule: false },
        ]);
    });

    it("routes to a Service as Argo Rollouts' HasRuleWithService says: by a rule's path only", () => {
        assert.equal(routesTo(ingress, "demo-stable"), true);
        assert.equal(routesTo({ spec: { defaultBackend: ingress.spec.defaultBackend } } as any, "demo-stable"), false);
        assert.equal(routesTo({ spec: {} } as any, "demo-stable"), false);
    });

    it("repoints behind a test of each name it replaces", () => {
        assert.deepEqual(
            repointPatch(
                serviceBackends(ingress).filter((b) => b.service === "demo-stable"),
                "demo",
            ),
            [
                { op: "test", path: "/spec/rules/2/http/paths/0/backend/service/name", value: "demo-stable" },
                { op: "replace", path: "/spec/rules/2/http/paths/0/backend/service/name", value: "demo" },
                { op: "test", path: "/spec/defaultBackend/service/name", value: "demo-stable" },
                { op: "replace", path: "/spec/defaultBackend/service/name", value: "demo" },
            ],
        );
    });
});
