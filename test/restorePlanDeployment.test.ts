// Tests model/restorePlan.ts on the Deployment: its availability against the plan, its drift from the plan, and the record of it.
import { strict as assert } from "assert";
import { deploymentAvailability, deploymentRecord, planDrift } from "../model/restorePlan";
import { NS, NAME, STABLE, NEWEST, SIDECAR, deploymentObject } from "./restoreFixtures";

describe("restore plan (pure)", () => {
    const up = (n: number, change: object = {}) => ({
        observedGeneration: 8,
        replicas: n,
        updatedReplicas: n,
        availableReplicas: n,
        conditions: [{ type: "Available", status: "True" }],
        ...change,
    });
    // [title, live spec.replicas, status, planned replicas, Available]
    const availability: [string, number, any, number, boolean][] = [
        ["rolled out and available", 4, up(4), 4, true],
        ["old generation observed", 4, up(4, { observedGeneration: 7 }), 4, false],
        ["pods not yet available", 4, up(4, { availableReplicas: 2 }), 4, false],
        ["old pods still counted", 4, up(4, { updatedReplicas: 2 }), 4, false],
        ["old pods still terminating", 4, up(4, { replicas: 5 }), 4, false],
        ["Available=False", 4, up(4, { conditions: [{ type: "Available", status: "False" }] }), 4, false],
        ["no status", 4, undefined, 4, false],
        ["scaled back to 0 after the patch (a stale Argo reconcile): 0 of 0 is not the plan", 0, up(0), 4, false],
        ["scaled below the plan, every pod of the smaller spec available", 2, up(2), 4, false],
        ["scaled above the plan (an HPA) and all of them available", 6, up(6), 4, true],
        ["scaled above the plan, only the planned count available", 6, up(6, { availableReplicas: 4 }), 4, false],
    ];
    for (const [title, replicas, status, planned, expected] of availability) {
        it(`availability: ${title} -> ${expected}`, () => {
            const deployment = { ...deploymentObject(STABLE, replicas), metadata: { name: NAME, namespace: NS, generation: 8 }, status };
            assert.equal(deploymentAvailability(deployment, planned).available, expected);
        });
    }

    it("availability says what it saw against the plan", () => {
        const deployment = { ...deploymentObject(STABLE, 0), metadata: { name: NAME, namespace: NS, generation: 9 }, status: up(0, { observedGeneration: 9 }) };
        assert.equal(
            deploymentAvailability(deployment, 4).seen,
            "generation 9, observedGeneration 9, 4 replicas planned, 0 in spec, 0 updated, 0 available, Available=True",
        );
    });

    const plan = { replicas: 4, containers: [{ name: "api", image: STABLE }], initContainers: [{ name: "migrate", image: STABLE }] };
    const drifts: [string, (d: any) => void, string | undefined][] = [
        ["as planned", () => undefined, undefined],
        [
            "scaled above the plan",
            (d) => {
                d.spec.replicas = 6;
            },
            undefined,
        ],
        [
            "scaled to 0",
            (d) => {
                d.spec.replicas = 0;
            },
            "is scaled to 0 replicas, below the planned 4",
        ],
        [
            "image changed back",
            (d) => {
                d.spec.template.spec.containers[0].image = NEWEST;
            },
            `container api has image ${NEWEST}, not the planned ${STABLE}`,
        ],
        [
            "scaled to 0 and init image changed",
            (d) => {
                d.spec.replicas = 0;
                d.spec.template.spec.initContainers = [{ name: "migrate", image: NEWEST }];
            },
            `is scaled to 0 replicas, below the planned 4; init container migrate has image ${NEWEST}, not the planned ${STABLE}`,
        ],
    ];
    for (const [title, change, expected] of drifts) {
        it(`drift from the plan: ${title}`, () => {
            const deployment = deploymentObject(STABLE, 4);
            deployment.spec.template.spec.initContainers = [{ name: "migrate", image: STABLE }];
            change(deployment);
            assert.equal(planDrift(deployment, plan), expected);
        });
    }

    it("records replicas (1 when unset) and images by container", () => {
        assert.deepEqual(deploymentRecord(deploymentObject(STABLE, 5)), { replicas: 5, images: { api: STABLE, envoy: SIDECAR } });
        const unset = deploymentObject(STABLE);
        delete unset.spec.replicas;
        assert.equal(deploymentRecord(unset).replicas, 1);
    });
});
