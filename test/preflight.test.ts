// Tests model/preflight/ (each check of an app's live objects), with live-object fixtures: the Deployment, the Service, and a Deployment
// another tool applies. HPAs and PDBs: test/preflightScaling.test.ts.
import { strict as assert } from "assert";
import { unrealizedWeightsWarning } from "../model/ladderShares";
import { live, preflightApp, found } from "./preflightFixtures";

const WHY_GITOPS =
    "after Argo Rollouts scales the Deployment down, which Argo Rollouts does only while the Rollout is at its first revision: " +
    "from the next release on, the Deployment's pods would run its newest image beside the Rollout's, outside the canary.";

describe("preflight of an app's live objects", () => {
    it("finds nothing on a well-prepared app", () => {
        assert.deepEqual(found(preflightApp(), live()), []);
    });

    it("reuses the ladder's unrealized-weights warning, with or without live objects", () => {
        const app = preflightApp((a) => {
            delete a.stableIngress;
        });
        const expected = [`warning replicas: ${unrealizedWeightsWarning(app)}`];
        assert.deepEqual(found(app, live()), expected);
        assert.deepEqual(found(app, undefined), expected, "the offline render without live objects runs the config's checks only");
        assert.match(expected[0], /steps\[0\] setWeight 10 runs at 20% \(1 canary pod beside 4 stable pods/);
    });

    it("stops on a missing Deployment or Service", () => {
        assert.deepEqual(
            found(
                preflightApp(),
                live((o) => {
                    delete (o as any).deployment;
                    delete (o as any).service;
                }),
            ),
            [
                "error deployment: demo: Deployment demo/demo not found: the Rollout can only adopt an existing Deployment. " +
                    "Create it, or name the right one in the app's workloadRef.name",
                "error service: demo: Service demo/demo not found: the stable and canary Services copy its ports and selector. " +
                    "Create it, or name the right one in the app's service",
            ],
        );
    });

    it("says which reads failed and skips their checks instead of guessing", () => {
        const reason = "listing PodDisruptionBudgets in demo failed (HTTP 403): poddisruptionbudgets.policy is forbidden";
        const app = preflightApp((a) => {
            a.replicas = 2;
        });
        assert.deepEqual(
            found(
                app,
                live((o) => {
                    o.disruptionBudgets = [];
                    o.deployment.spec.replicas = 2;
                    o.unread.disruptionBudgets = reason;
                }),
            ),
            [`warning unread: demo: the preflight could not read the PodDisruptionBudgets of namespace demo, and skipped the checks that need it: ${reason}`],
        );
        assert.deepEqual(
            found(
                app,
                live((o) => {
                    delete (o as any).deployment;
                    o.unread.deployment = "reading Deployment demo/demo failed (HTTP 403): forbidden";
                }),
            ),
            [
                "warning unread: demo: the preflight could not read Deployment demo/demo, and skipped the checks that need it: " +
                    "reading Deployment demo/demo failed (HTTP 403): forbidden",
            ],
        );
    });

    it("warns about a Deployment without a readiness probe, naming the port the Service targets", () => {
        const noProbe = (o: any) => {
            delete o.deployment.spec.template.spec.containers[0].readinessProbe;
        };
        assert.deepEqual(found(preflightApp(), live(noProbe)), [
            "warning readiness: demo: container app of Deployment demo/demo has no readinessProbe: a canary pod is Ready as soon as it starts, " +
                "so it takes traffic before it can serve, and the Rollout goes on to its next step without waiting for it. " +
                "Add a readinessProbe to the container (e.g. httpGet on port http, the port the Service sends traffic to)",
        ]);
        // Only the app's container counts: a sidecar's probe does not gate the app.
        const sidecarProbe = live((o) => {
            noProbe(o);
            o.deployment.spec.template.spec.containers.push({ name: "proxy", image: "proxy", readinessProbe: { tcpSocket: { port: 15000 } } });
        });
        assert.equal(found(preflightApp(), sidecarProbe).filter((f) => f.startsWith("warning readiness")).length, 1);
    });

    it("warns when the app's container is not in the Deployment", () => {
        assert.deepEqual(
            found(
                preflightApp((a) => {
                    a.workloadRef.container = "web";
                }),
                live(),
            ),
            [
                "warning container: demo: Deployment demo/demo has no container web (it has app): the deploy commands would set the image of a container " +
                    "that does not exist. Name one of its containers in the app's workloadRef.container",
            ],
        );
    });

    it("warns when the Rollout would run another replica count than the Deployment does, not once Argo scaled it to 0", () => {
        assert.deepEqual(
            found(
                preflightApp(),
                live((o) => {
                    o.deployment.spec.replicas = 6;
                }),
            ),
            [
                "warning replicas: demo: Deployment demo/demo runs 6 replicas, and the Rollout will run 4 (the app's replicas in the stack config), " +
                    "fewer pods than serve it now; the canary's shares and the exposure figures are for 4. Set replicas: 6 to keep the capacity",
            ],
        );
        assert.deepEqual(
            found(
                preflightApp(),
                live((o) => {
                    o.deployment.spec.replicas = 0;
                }),
            ),
            [],
        );
    });

    describe("a Deployment with pods beside a Rollout past its first revision (a failed destroy, then refresh and up)", () => {
        const rollout = (revision: string | undefined, replicas = 4): any => ({
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Rollout",
            metadata: { name: "demo", namespace: "demo", ...(revision === undefined ? {} : { annotations: { "rollout.argoproj.io/revision": revision } }) },
            spec: { replicas },
        });
        const besideError = (spec: number, running: number, revision: number, share: string) =>
            "error servingBesideRollout: demo: Deployment demo/demo runs pods " +
            `(spec.replicas ${spec}, status.replicas ${running}) beside Rollout demo/demo, which is at revision ${revision}: Argo Rollouts scales a workloadRef ` +
            "Deployment down only while its Rollout is at revision 1, so it never will, and the next image set on the Deployment reaches these pods at once, " +
            `outside the canary (${share} of the traffic). A failed pulumi destroy followed by pulumi refresh and pulumi up leaves this. ` +
            "Scale the Deployment to 0 (kubectl scale deployment/demo -n demo --replicas=0), then run pulumi up again";
        // [title, Rollout (undefined: none yet), Deployment spec.replicas, status.replicas, findings]
        const cases: [string, any, number, number, string[]][] = [
            ["first migration: no Rollout yet, the Deployment serves", undefined, 4, 4, []],
            ["Rollout never reconciled (no revision annotation)", rollout(undefined), 4, 4, []],
            ["Rollout at revision 1, Argo scaling the Deployment down: no error, and no capacity warning either", rollout("1"), 2, 3, []],
            ["Rollout at revision 1, Deployment still at full size", rollout("1"), 4, 4, []],
            ["Rollout at revision 2, Deployment scaled to 0 and its pods gone", rollout("2"), 0, 0, []],
            [
                "Rollout at revision 2, Deployment at 4 (the restore's scale-up, kept by refresh and up)",
                rollout("2"),
                4,
                4,
                [besideError(4, 4, 2, "4 of 8 pods, about 50%")],
            ],
            ["Rollout at revision 5, Deployment scaled to 0 but pods still terminating", rollout("5"), 0, 2, [besideError(0, 2, 5, "2 of 6 pods, about 33%")]],
            [
                "Rollout at revision 2, Deployment at 6, not the Rollout's 4: the error, not the capacity warning",
                rollout("2"),
                6,
                6,
                [besideError(6, 6, 2, "6 of 10 pods, about 60%")],
            ],
        ];
        for (const [title, liveRollout, specReplicas, running, expected] of cases) {
            it(title, () => {
                assert.deepEqual(
                    found(
                        preflightApp(),
                        live((o) => {
                            o.deployment.spec.replicas = specReplicas;
                            o.deployment.status = { replicas: running };
                            if (liveRollout) o.rollout = liveRollout;
                        }),
                    ),
                    expected,
                );
            });
        }
    });

    describe("a Deployment another tool applies", () => {
        const argoCdFix = (application: string) =>
            `In Argo CD Application ${application}, ignore the field and make syncs respect that: ` +
            "spec.ignoreDifferences: [{group: apps, kind: Deployment, name: demo, namespace: demo, jsonPointers: [/spec/replicas]}] " +
            "and spec.syncPolicy.syncOptions: [RespectIgnoreDifferences=true]";
        const table: [string, (d: any) => void, string][] = [
            [
                "Argo CD by annotation",
                (d) => {
                    d.metadata.annotations = { "argocd.argoproj.io/tracking-id": "shop:apps/Deployment:demo/demo" };
                },
                `Argo CD (Application shop, annotation argocd.argoproj.io/tracking-id): a sync would put spec.replicas back ${WHY_GITOPS} ${argoCdFix("shop")}`,
            ],
            [
                "Argo CD by its tracking label",
                (d) => {
                    d.metadata.labels["app.kubernetes.io/instance"] = "shop-demo";
                },
                `Argo CD (Application shop-demo, going by Argo CD's tracking label app.kubernetes.io/instance): a sync would put spec.replicas back ${WHY_GITOPS} ${argoCdFix("shop-demo")}`,
            ],
            [
                "a Flux Kustomization",
                (d) => {
                    Object.assign(d.metadata.labels, { "kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system" });
                },
                "Flux (Kustomization flux-system/apps, labels kustomize.toolkit.fluxcd.io/name and /namespace): its next reconcile would put spec.replicas back " +
                    `${WHY_GITOPS} Once Argo Rollouts has scaled the Deployment to 0, remove spec.replicas from the Deployment's manifest in the Kustomization's source: ` +
                    "the field then stays with Argo Rollouts",
            ],
            [
                "a Flux HelmRelease",
                (d) => {
                    Object.assign(d.metadata.labels, { "helm.toolkit.fluxcd.io/name": "demo", "helm.toolkit.fluxcd.io/namespace": "flux-system" });
                },
                "Flux (HelmRelease flux-system/demo, labels helm.toolkit.fluxcd.io/name and /namespace): the next upgrade of the release would put spec.replicas back " +
                    `${WHY_GITOPS} Render the Deployment without spec.replicas, and after that upgrade check that it is still at 0 replicas (kubectl get deployment demo -n demo)`,
            ],
            // A Helm chart sets app.kubernetes.io/instance too: the release annotation tells it from Argo CD.
            [
                "a Helm release",
                (d) => {
                    d.metadata.labels["app.kubernetes.io/instance"] = "demo";
                    d.metadata.annotations = { "meta.helm.sh/release-name": "demo", "meta.helm.sh/release-namespace": "demo" };
                },
                "Helm (release demo/demo, annotation meta.helm.sh/release-name): the next upgrade of the release would put spec.replicas back " +
                    `${WHY_GITOPS} Render the Deployment without spec.replicas, and after that upgrade check that it is still at 0 replicas (kubectl get deployment demo -n demo)`,
            ],
        ];
        for (const [who, mark, message] of table) {
            it(`managed by ${who}: says what to leave to Argo Rollouts`, () => {
                assert.deepEqual(
                    found(
                        preflightApp(),
                        live((o) => mark(o.deployment)),
                    ),
                    [`warning gitOps: demo: Deployment demo/demo is managed by ${message}`],
                );
            });
        }

        it("nothing with scaleDown never: Argo Rollouts never scales the Deployment down", () => {
            assert.deepEqual(
                found(
                    preflightApp((a) => {
                        a.scaleDown = "never";
                    }),
                    live((o) => mark(o.deployment)),
                ),
                [],
            );
            function mark(d: any) {
                d.metadata.annotations = { "argocd.argoproj.io/tracking-id": "shop:apps/Deployment:demo/demo" };
            }
        });
    });

    describe("the Service", () => {
        it("stops when its selector misses the Deployment's pods", () => {
            assert.deepEqual(
                found(
                    preflightApp(),
                    live((o) => {
                        o.service.spec.selector = { app: "demo-web" };
                    }),
                ),
                [
                    "error serviceWiring: demo: Service demo/demo selects app=demo-web, but the pods of Deployment demo/demo are labelled app=demo,tier=web: " +
                        "the stable and canary Services copy that selector and would reach no pod. Make the Service's selector a subset of the pod template's labels, " +
                        "or name the app's own Service in the app's service",
                ],
            );
        });

        it("stops when a named target port is not a container's; warns when a numbered one is not declared", () => {
            assert.deepEqual(
                found(
                    preflightApp(),
                    live((o) => {
                        o.service.spec.ports = [
                            { name: "http", port: 80, targetPort: "web" },
                            { name: "admin", port: 9000 },
                            { port: 8443, targetPort: 8080 },
                        ];
                    }),
                ),
                [
                    "error serviceWiring: demo: Service demo/demo port http (80) targets the container port named web, which no container of Deployment demo/demo " +
                        "declares (its ports: http (8080)): the stable and canary Services would have no endpoints for it. " +
                        "Name the container port web, or point the Service's targetPort at a declared one",
                    "warning serviceWiring: demo: Service demo/demo port admin (9000) targets port 9000, which no container of Deployment demo/demo declares " +
                        "(its ports: http (8080)): traffic reaches the pods only if the app listens there anyway. " +
                        "Declare the port on the container, or point the Service's targetPort at a declared one",
                ],
            );
        });
    });
});
