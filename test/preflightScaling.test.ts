// Tests model/preflight/'s checks of what scales or evicts an app's pods: HorizontalPodAutoscalers and PodDisruptionBudgets.
import { strict as assert } from "assert";
import { LiveObjects } from "../model/preflight";
import { allowedDisruptions } from "../model/preflight/disruptionBudgets";
import { selectorSelects } from "../model/preflight/labels";
import { autoscaler, disruptionBudget, live, preflightApp, found } from "./preflightFixtures";

describe("preflight of an app's live objects", () => {
    describe("HorizontalPodAutoscalers", () => {
        const onDeployment = (o: LiveObjects) => {
            o.autoscalers = [autoscaler({ apiVersion: "apps/v1", kind: "Deployment", name: "demo" }, "demo-hpa")];
        };
        const fix =
            "Once pulumi up has created the Rollout, change the HPA's scaleTargetRef to apiVersion argoproj.io/v1alpha1, kind Rollout, name demo: " +
            `kubectl patch hpa demo-hpa -n demo --type merge -p '{"spec":{"scaleTargetRef":{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","name":"demo"}}}'`;
        const table: [string, string][] = [
            [
                "progressively",
                "Argo Rollouts scales the Deployment down as the Rollout's pods become ready while the HPA scales it back up, " +
                    "and once it is at 0 the HPA stops: nothing would autoscale the app",
            ],
            [
                "onsuccess",
                "Argo Rollouts scales the Deployment to 0 once the Rollout is Healthy, and an HPA stops at 0 replicas: nothing would autoscale the app",
            ],
            ["never", "the Deployment keeps its pods beside the Rollout's and the HPA scales only those: nothing would autoscale the Rollout's pods"],
        ];
        for (const [scaleDown, consequence] of table) {
            it(`one on the Deployment, scaleDown ${scaleDown}: says what happens and the change to make`, () => {
                assert.deepEqual(
                    found(
                        preflightApp((a) => {
                            a.scaleDown = scaleDown;
                        }),
                        live(onDeployment),
                    ),
                    [`warning autoscaler: demo: HorizontalPodAutoscaler demo/demo-hpa scales Deployment demo/demo; ${consequence}. ${fix}`],
                );
            });
        }

        it("none for one on another Deployment", () => {
            assert.deepEqual(
                found(
                    preflightApp(),
                    live((o) => {
                        o.autoscalers = [autoscaler({ apiVersion: "apps/v1", kind: "Deployment", name: "other" }, "other")];
                    }),
                ),
                [],
            );
        });

        it("one on the Rollout: says that an up changing the Rollout sets its replicas back", () => {
            assert.deepEqual(
                found(
                    preflightApp(),
                    live((o) => {
                        o.autoscalers = [autoscaler({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "demo" })];
                    }),
                ),
                [
                    "warning autoscaler: demo: HorizontalPodAutoscaler demo/demo scales the Rollout: a pulumi up that changes the Rollout sets its replicas back to 4 " +
                        "(the app's replicas in the stack config) until the HPA's next sync, and the canary's shares and the exposure figures are for 4. " +
                        "Set replicas to the count the HPA usually holds (it ranges from 2 to 8)",
                ],
            );
        });
    });

    describe("PodDisruptionBudgets", () => {
        it("none selecting the pods, with few replicas: warns; with more: nothing", () => {
            const unrelated = (o: LiveObjects) => {
                o.disruptionBudgets = [disruptionBudget({ maxUnavailable: 1, selector: { matchLabels: { app: "other" } } })];
            };
            const few = preflightApp((a) => {
                a.replicas = 3;
            });
            assert.deepEqual(
                found(
                    few,
                    live((o) => {
                        unrelated(o);
                        o.deployment.spec.replicas = 3;
                    }),
                ),
                [
                    "warning disruptionBudget: demo: no PodDisruptionBudget selects the app's pods (app=demo,tier=web) and the Rollout runs 3 replicas: " +
                        "a node drain may evict all of them at once, stable and canary. Add a PodDisruptionBudget with maxUnavailable: 1 and a selector matching the app's pods",
                ],
            );
            assert.deepEqual(found(preflightApp(), live(unrelated)), []);
        });

        it("more than one selecting the pods: warns, evictions fail", () => {
            assert.deepEqual(
                found(
                    preflightApp(),
                    live((o) => {
                        o.disruptionBudgets.push(disruptionBudget({ minAvailable: "50%" }, "other"));
                    }),
                ),
                [
                    "warning disruptionBudget: demo: 2 PodDisruptionBudgets select the app's pods (demo/demo, demo/other): the eviction API refuses to evict " +
                        "a pod with more than one, so node drains fail on them. Keep one",
                ],
            );
        });

        it("one that allows no eviction at the Rollout's replicas: warns, and says it does not hold up the canary", () => {
            const tail =
                "no node drain or cluster-autoscaler scale-down can evict one of its pods. It does not hold up the canary, whose pods Argo Rollouts " +
                "removes by scaling ReplicaSets, without the eviction API. Set minAvailable: 3 or less, or maxUnavailable: 1";
            for (const [spec, rule] of [
                [{ minAvailable: 4 }, "minAvailable: 4"],
                [{ minAvailable: "100%" }, "minAvailable: 100%"],
                [{ maxUnavailable: 0 }, "maxUnavailable: 0"],
            ] as const) {
                assert.deepEqual(
                    found(
                        preflightApp(),
                        live((o) => {
                            o.disruptionBudgets = [disruptionBudget(spec)];
                        }),
                    ),
                    [`warning disruptionBudget: demo: PodDisruptionBudget demo/demo (${rule}) allows no disruption at the Rollout's 4 replicas: ${tail}`],
                );
            }
        });

        it("a budget sized for the Deployment's replicas is judged at the Rollout's", () => {
            // 6 pods today, minAvailable 5 allows one eviction; the Rollout's 4 replicas allow none.
            const findings = found(
                preflightApp(),
                live((o) => {
                    o.deployment.spec.replicas = 6;
                    o.disruptionBudgets = [disruptionBudget({ minAvailable: 5 })];
                }),
            );
            assert.deepEqual(
                findings.map((f) => f.split(":")[0]),
                ["warning replicas", "warning disruptionBudget"],
            );
        });

        it("counts allowed evictions as the disruption controller does (percentages rounded up)", () => {
            const table: [object, number, number][] = [
                [{ maxUnavailable: 1 }, 4, 1],
                [{ maxUnavailable: "25%" }, 4, 1],
                [{ maxUnavailable: "10%" }, 4, 1],
                [{ maxUnavailable: "0%" }, 4, 0],
                [{ minAvailable: 3 }, 4, 1],
                [{ minAvailable: "50%" }, 3, 1],
                [{ minAvailable: "75%" }, 4, 1],
                [{ minAvailable: "80%" }, 4, 0],
                [{ minAvailable: 6 }, 4, 0],
                [{}, 4, 4],
            ];
            for (const [spec, replicas, allowed] of table) {
                assert.equal(allowedDisruptions(disruptionBudget(spec), replicas), allowed, `${JSON.stringify(spec)} at ${replicas}`);
            }
        });

        it("matches selectors as the API server does", () => {
            const pod = { app: "demo", tier: "web" };
            const table: [object | undefined, boolean][] = [
                [undefined, false],
                [{}, true],
                [{ matchLabels: { app: "demo" } }, true],
                [{ matchLabels: { app: "demo", tier: "db" } }, false],
                [{ matchExpressions: [{ key: "tier", operator: "In", values: ["web", "api"] }] }, true],
                [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, false],
                [{ matchExpressions: [{ key: "track", operator: "NotIn", values: ["canary"] }] }, true],
                [{ matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
                [{ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
                [{ matchLabels: { app: "demo" }, matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }] }, false],
            ];
            for (const [selector, selects] of table) assert.equal(selectorSelects(selector as any, pod), selects, JSON.stringify(selector));
        });
    });
});
