// Tests components/app/canaryApp.ts, under the mock engine.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { CanaryApp } from "../components/app/canaryApp";
import { timedPausesWarning } from "../components/manifests/alerts";
import { unrealizedWeightsWarning } from "../model/ladderShares";
import { parseStackConfig } from "../stacks";
import { constantFallbackWarnings } from "../stacks/promql";
import { existingPlatform, newRelicOnlyApp, noPrometheusPlatform, validApp } from "./fixtures";
import { installMocks, kubernetesObjects, ofType, registered, resetRegistered, settle } from "./harness";
import { validateObject } from "./schema";

function config(change: (app: any) => void = () => undefined) {
    const app = validApp();
    change(app);
    return parseStackConfig({ platform: existingPlatform(), apps: [app] });
}

describe("CanaryApp under the mock engine", () => {
    before(() => installMocks());
    beforeEach(resetRegistered);

    it("registers its children as <name>-<role>, all valid against their schemas", async () => {
        const { apps, platform } = config();
        const component = new CanaryApp("demo", { app: apps[0], platform, connection: {} });
        await settle();
        assert.deepEqual(
            ofType("canary:app:CanaryApp").map((r) => r.name),
            ["demo"],
        );
        const children = registered
            .filter((r) => r.type !== "canary:app:CanaryApp")
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        assert.deepEqual(children, [
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy demo-deployer-policy",
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding demo-deployer-policy",
            "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate demo-analysistemplate",
            "kubernetes:argoproj.io/v1alpha1:Rollout demo-rollout",
            "kubernetes:core/v1:Service demo-canary",
            "kubernetes:core/v1:Service demo-existing-service",
            "kubernetes:core/v1:Service demo-metrics",
            "kubernetes:core/v1:Service demo-stable",
            "kubernetes:monitoring.coreos.com/v1:ServiceMonitor demo-servicemonitor",
            "kubernetes:rbac.authorization.k8s.io/v1:Role demo-deployer",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding demo-deployer",
            "pulumi-nodejs:dynamic:Resource demo-restore",
            "pulumi-nodejs:dynamic:Resource demo-snapshot",
        ]);
        for (const object of kubernetesObjects()) await validateObject(object);
        assert.equal(component.commands.promote, "kubectl argo rollouts promote demo -n demo");
        assert.equal(component.commands.statusTimeoutSeconds, Math.ceil(component.exposure.healthy.worstSeconds) + 60);
    });

    it("snapshots the Deployment before the Rollout, and restores it before the Rollout is deleted", async () => {
        const { apps, platform } = config((app) => {
            app.allowDestroyMidCanary = true;
        });
        new CanaryApp("demo", { app: apps[0], platform, connection: { context: "prod" } });
        await settle();
        const dynamic = ofType("pulumi-nodejs:dynamic:Resource");
        const snapshot = dynamic.find((r) => r.name === "demo-snapshot")!;
        const restore = dynamic.find((r) => r.name === "demo-restore")!;
        assert.deepEqual([snapshot.inputs.namespace, snapshot.inputs.deployment, snapshot.inputs.context], ["demo", "demo", "prod"]);
        assert.deepEqual(
            [restore.inputs.namespace, restore.inputs.rollout, restore.inputs.deployment, restore.inputs.allowUnhealthy, restore.inputs.context],
            ["demo", "demo", "demo", true, "prod"],
        );
        // The snapshot's record (unknown in a preview until the snapshot has read the Deployment) goes to the restore.
        assert.deepEqual(
            Object.keys(restore.inputs)
                .filter((k) => k.startsWith("recorded"))
                .sort(),
            ["recordedImages", "recordedReplicas"],
        );
        // Pulumi creates dependencies first and deletes dependents first: snapshot -> Rollout -> restore.
        const rollout = registered.find((r) => r.name === "demo-rollout")!;
        // The controller co-owns the steps list after its first update: the stack's apply forces the ladder.
        assert.equal(rollout.inputs.metadata.annotations["pulumi.com/patchForce"], "true");
        assert.ok(
            rollout.dependencies.some((urn) => urn.endsWith("::demo-snapshot")),
            "the Rollout waits for the snapshot",
        );
        assert.ok(
            restore.dependencies.some((urn) => urn.endsWith("::demo-rollout")),
            "the restore depends on the Rollout",
        );
        // ...and on every other object of the app, so a refused destroy has deleted nothing yet.
        // (The read of the existing Service too: a refused destroy leaves the state as it was.)
        const others = registered.filter((r) => r.type.startsWith("kubernetes:") && r.name !== "demo-rollout");
        assert.equal(others.length, 10);
        for (const other of others)
            assert.ok(
                restore.dependencies.some((urn) => urn.endsWith(`::${other.name}`)),
                `the restore depends on ${other.name}`,
            );
        assert.ok(!snapshot.dependencies.some((urn) => urn.endsWith("::demo-rollout")));
        assert.equal(restore.inputs.ingress, undefined, "without stableIngress the restore touches no Ingress");
    });

    it("gives the restore the stableIngress, the Services it moves between and Argo Rollouts' canary Ingress", async () => {
        const { apps, platform } = config((app) => {
            app.stableIngress = "shop";
        });
        new CanaryApp("demo", { app: apps[0], platform, connection: {} });
        await settle();
        const restore = ofType("pulumi-nodejs:dynamic:Resource").find((r) => r.name === "demo-restore")!;
        assert.deepEqual(restore.inputs.ingress, { stableIngress: "shop", stableService: "demo-stable", service: "demo", canaryIngress: "demo-shop-canary" });
    });

    it("copies the live Service's ports and selector into the stable and canary Services", async () => {
        const { apps, platform } = config();
        new CanaryApp("demo", { app: apps[0], platform, connection: {} });
        await settle();
        const read = registered.find((r) => r.readId);
        assert.equal(read?.readId, "demo/demo");
        for (const role of ["stable", "canary"]) {
            const svc = ofType("kubernetes:core/v1:Service").find((s) => s.name === `demo-${role}`);
            assert.deepEqual(svc?.inputs.spec, {
                type: "ClusterIP",
                selector: { app: "demo" },
                ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }],
            });
        }
    });

    it("names the adopted Deployment and the Rollout in the deployer Role, and binds the configured service account", async () => {
        const { apps, platform } = config((app) => {
            app.workloadRef.name = "demo-web";
        });
        new CanaryApp("demo", { app: apps[0], platform, connection: {} });
        await settle();
        const [role] = ofType("kubernetes:rbac.authorization.k8s.io/v1:Role");
        const named = role.inputs.rules.filter((r: any) => r.resourceNames).map((r: any) => `${r.resources.join(",")} ${r.resourceNames.join(",")}`);
        assert.deepEqual(named, ["deployments demo-web", "rollouts demo", "rollouts/status demo"]);
        const [binding] = ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
        assert.deepEqual(binding.inputs.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "demo-deployer" });
        assert.deepEqual(binding.inputs.subjects, [{ kind: "ServiceAccount", name: "ci", namespace: "ci" }]);
    });

    it("narrows the deployer's writes with an admission policy bound after it, and the restore depends on both", async () => {
        const { apps, platform } = config((app) => {
            app.workloadRef.name = "demo-web";
        });
        new CanaryApp("demo", { app: apps[0], platform, connection: {} });
        await settle();
        const [policy] = ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy");
        assert.equal(policy.inputs.metadata.name, "canary-deployer.demo.demo");
        assert.equal(
            policy.inputs.spec.matchConditions[0].expression,
            'has(request.userInfo.username) && request.userInfo.username == "system:serviceaccount:ci:ci"',
        );
        assert.match(policy.inputs.spec.matchConditions[1].expression, /"demo-web" : "demo"\)$/);
        const [binding] = ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding");
        assert.equal(binding.inputs.spec.policyName, "canary-deployer.demo.demo");
        assert.ok(
            binding.dependencies.some((urn) => urn.endsWith("::demo-deployer-policy")),
            "the binding waits for its policy",
        );
    });

    it("leaves out the deployer RBAC and policy when no deployer is configured, and the policy alone when it is turned off", async () => {
        const { apps, platform } = config((app) => {
            delete app.deployer;
        });
        new CanaryApp("demo", { app: apps[0], platform, connection: {} });
        await settle();
        assert.equal(ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").length, 0);
        assert.equal(ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").length, 0);
        resetRegistered();
        const off = config((app) => {
            app.deployer.admissionPolicy = false;
        });
        new CanaryApp("demo", { app: off.apps[0], platform: off.platform, connection: {} });
        await settle();
        assert.equal(ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").length, 1);
        assert.equal(ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").length, 0);
        assert.equal(ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").length, 0);
    });

    it("writes no metrics Service or ServiceMonitor for an app without a metrics block (New Relic metrics only)", async () => {
        const { apps, platform } = parseStackConfig({ platform: noPrometheusPlatform(), apps: [newRelicOnlyApp()] }, pulumi.secret("k"));
        new CanaryApp("demo", { app: apps[0], platform, connection: {} });
        await settle();
        const kinds = kubernetesObjects()
            .map((o) => `${o.kind} ${o.metadata.name}`)
            .sort();
        assert.deepEqual(kinds, [
            "AnalysisTemplate demo",
            "Role demo-deployer",
            "RoleBinding demo-deployer",
            "Rollout demo",
            "Service demo-canary",
            "Service demo-stable",
            "ValidatingAdmissionPolicy canary-deployer.demo.demo",
            "ValidatingAdmissionPolicyBinding canary-deployer.demo.demo",
        ]);
        for (const object of kubernetesObjects()) await validateObject(object);
        const restore = registered.find((r) => r.name === "demo-restore")!;
        for (const other of registered.filter((r) => r.type.startsWith("kubernetes:"))) {
            assert.ok(
                restore.dependencies.some((urn) => urn.endsWith(`::${other.name}`)),
                `the restore depends on ${other.name}`,
            );
        }
    });

    it("warns at preview, once, when the replicas cannot run the ladder's weights; not with traffic routing", async () => {
        const warned: string[] = [];
        const warn = pulumi.log.warn;
        (pulumi.log as { warn: typeof warn }).warn = async (message: string) => {
            warned.push(message);
        };
        try {
            const { apps, platform } = config();
            new CanaryApp("demo", { app: apps[0], platform, connection: {} });
            const routed = config((app) => {
                app.stableIngress = "demo";
            });
            new CanaryApp("routed", { app: { ...routed.apps[0], name: "routed" }, platform, connection: {} });
            await settle();
            assert.deepEqual(warned, [unrealizedWeightsWarning(apps[0])]);
            assert.match(warned[0], /^demo: .* steps\[0\] setWeight 10 runs at 20% \(1 canary pod beside 4 stable pods/);
        } finally {
            (pulumi.log as { warn: typeof warn }).warn = warn;
        }
    });

    it("warns at preview when a timed pause plus the controller's scrape interval is as long as the paused alert's for", async () => {
        const warned: string[] = [];
        const warn = pulumi.log.warn;
        (pulumi.log as { warn: typeof warn }).warn = async (message: string) => {
            warned.push(message);
        };
        try {
            const { apps, platform } = config((app) => {
                app.stableIngress = "demo";
            });
            const monitoring = { ...platform.monitoring, alertFor: { ...platform.monitoring.alertFor, RolloutPausedTooLong: "90s" } };
            new CanaryApp("demo", { app: apps[0], platform: { ...platform, monitoring }, connection: {} });
            await settle();
            assert.deepEqual(warned, [timedPausesWarning(apps[0], monitoring)]);
            assert.match(
                warned[0],
                /^demo: steps\[1\] \(pause 1m\) plus the controller's 30s scrape interval is not shorter than platform.monitoring.alertFor.RolloutPausedTooLong \(90s\)/,
            );
        } finally {
            (pulumi.log as { warn: typeof warn }).warn = warn;
        }
    });

    it("warns at preview when a custom PromQL gate falls back on a constant", async () => {
        const warned: string[] = [];
        const warn = pulumi.log.warn;
        (pulumi.log as { warn: typeof warn }).warn = async (message: string) => {
            warned.push(message);
        };
        try {
            const { apps, platform } = config((app) => {
                app.stableIngress = "demo";
                app.analysis.metrics.push({
                    name: "jobs-failed",
                    kind: "custom",
                    query: "sum(increase(jobs_failed_total[5m])) or vector(0)",
                    successCondition: "result[0] == 0",
                });
            });
            new CanaryApp("demo", { app: apps[0], platform, connection: {} });
            await settle();
            assert.deepEqual(warned, constantFallbackWarnings(apps[0]));
            assert.match(warned[0], /^demo: metric "jobs-failed" falls back on a constant \(or vector\(0\)\)/);
        } finally {
            (pulumi.log as { warn: typeof warn }).warn = warn;
        }
    });

    it("can be used twice in one stack without name collisions", async () => {
        const first = config().apps[0];
        const second = { ...first, name: "other", service: { name: "demo" } };
        const { platform } = config();
        new CanaryApp("demo", { app: first, platform, connection: {} });
        new CanaryApp("other", { app: second, platform, connection: {} });
        await settle();
        const names = registered.map((r) => `${r.type} ${r.name}`);
        assert.equal(new Set(names).size, names.length);
        assert.ok(kubernetesObjects().some((o) => o.kind === "Rollout" && o.metadata.name === "other"));
    });
});
