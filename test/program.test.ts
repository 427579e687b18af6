// Tests index.ts and components/canaryStack.ts (the whole program), under the mock engine.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { readStackFile } from "../scripts/stackFile";
import { installMocks, kubernetesObjects, registered, resetRegistered, setConfig, settle } from "./harness";
import { existingPlatform, validApp } from "./fixtures";
import { validateObject } from "./schema";

const indexPath = path.join(__dirname, "..", "index.ts");

/** Runs index.ts afresh, as `pulumi preview` would, and returns its stack outputs. */
function runProgram(): any {
    delete require.cache[require.resolve(indexPath)];
    return require(indexPath);
}

describe("the whole program under the mock engine", () => {
    before(() => installMocks());
    beforeEach(resetRegistered);

    it("registers the prod stack's objects, every one valid against its schema", async () => {
        const file = readStackFile("prod");
        setConfig(file.config, file.secretKeys);
        const outputs = runProgram();
        await settle();
        const objects = kubernetesObjects();
        const kinds = objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
        for (const expected of [
            "Rollout instant/instant-api",
            "AnalysisTemplate instant/instant-api",
            "AnalysisTemplate instant/instant-api-watchdog",
            "Service instant/instant-api-stable",
            "Service instant/instant-api-canary",
            "Service instant/instant-api-metrics",
            "ServiceMonitor instant/instant-api",
            "Role instant/instant-api-deployer",
            "RoleBinding instant/instant-api-deployer",
        ])
            assert.ok(kinds.includes(expected), `${expected} in ${kinds.join(", ")}`);
        for (const kind of ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]) {
            assert.ok(
                objects.some((o) => o.kind === kind && o.metadata.name === "canary-deployer.instant.instant-api"),
                `${kind} canary-deployer.instant.instant-api`,
            );
        }
        for (const object of objects) await validateObject(object);
        assert.match(outputs.rollouts["instant-api"].status, /^kubectl argo rollouts status instant-api -n instant --timeout \d+s$/);
        // 4 replicas without traffic routing: setWeight 10 is 1 canary pod of 5.
        const exposure = outputs.exposure["instant-api"];
        assert.deepEqual(exposure.shares, [
            { step: 0, setWeight: 10, canary: 1, stable: 4, share: 20 },
            { step: 3, setWeight: 50, canary: 2, stable: 2, share: 50 },
            { step: 6, setWeight: 100, canary: 4, stable: 0, share: 100 },
        ]);
        // The watchdog aborts a broken release 75 s into the 20% step (once its pod is Ready); the inline gates alone would at 6 minutes.
        assert.deepEqual(
            [exposure.broken.maxWeight, exposure.broken.exposure, exposure.brokenWithoutWatchdog.exposure, exposure.noTraffic.weight],
            [20, 1500, 7200, 20],
        );
        // Pods never Ready: setWeight 10 waits for its pod from 0s; the watchdog starts at steps[1], which the ladder never
        // reaches, so Argo's 600 s deadline aborts.
        assert.deepEqual(exposure.neverReady, { step: 0, outcome: "aborted", seconds: 600 });
    });

    it("never creates, only reads, the app's existing Service, Deployment and Ingress", async () => {
        const file = readStackFile("prod");
        setConfig(file.config, file.secretKeys);
        runProgram();
        await settle();
        const reads = registered.filter((r) => r.readId).map((r) => `${r.type} ${r.readId}`);
        assert.deepEqual(reads, ["kubernetes:core/v1:Service instant/instant-api"]);
        const written = kubernetesObjects().map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
        for (const untouched of ["Service instant/instant-api", "Deployment instant/instant-api", "Ingress instant/api"]) {
            assert.ok(!written.includes(untouched), `${untouched} must not be written`);
        }
    });

    it("deletes each app's restore before anything else of the stack, the platform included", async () => {
        const file = readStackFile("prod");
        setConfig(file.config, file.secretKeys);
        runProgram();
        await settle();
        const restore = registered.find((r) => r.name === "instant-api-restore")!;
        const platform = registered.filter((r) =>
            ["monitoring-canary-alerts", "monitoring-dashboard", "monitoring-chart", "argo-rollouts-chart", "cert-manager-chart"].includes(r.name),
        );
        assert.equal(platform.length, 5, registered.map((r) => r.name).join(", "));
        for (const r of platform)
            assert.ok(
                restore.dependencies.some((urn) => urn.endsWith(`::${r.name}`)),
                `the restore depends on ${r.name}`,
            );
    });

    it("registers no ServiceMonitor, PrometheusRule, metrics Service or dashboard for the New Relic-only stack, and turns the Argo chart's ServiceMonitor off", async () => {
        const file = readStackFile("newrelic");
        setConfig({ ...file.config, newRelicApiKey: "test-only-personal-api-key" }, [...file.secretKeys, "newRelicApiKey"]);
        const outputs = runProgram();
        await settle();
        const objects = kubernetesObjects();
        const kinds = objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`);
        assert.deepEqual(kinds.sort(), [
            "AnalysisTemplate shop/checkout",
            "Namespace /argo-rollouts",
            "Role shop/checkout-deployer",
            "RoleBinding shop/checkout-deployer",
            "Rollout shop/checkout",
            "Secret argo-rollouts/newrelic",
            "Service shop/checkout-canary",
            "Service shop/checkout-stable",
            "ValidatingAdmissionPolicy /canary-deployer.shop.checkout",
            "ValidatingAdmissionPolicyBinding /canary-deployer.shop.checkout",
        ]);
        for (const type of ["monitoring.coreos.com/v1:ServiceMonitor", "monitoring.coreos.com/v1:PrometheusRule", "core/v1:ConfigMap"]) {
            assert.deepEqual(
                registered.filter((r) => r.type === `kubernetes:${type}`),
                [],
                `no ${type}`,
            );
        }
        assert.ok(!registered.some((r) => r.name.endsWith("-metrics")), "no metrics Service");
        const charts = registered.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
        assert.deepEqual(
            charts.map((c) => c.inputs.name),
            ["argo-rollouts"],
            "no kube-prometheus-stack",
        );
        assert.deepEqual(charts[0].inputs.values.controller.metrics.serviceMonitor, { enabled: false });
        const template = objects.find((o) => o.kind === "AnalysisTemplate");
        assert.ok(
            template.spec.metrics.every((m: any) => m.provider.newRelic && m.initialDelay === "3m"),
            "New Relic metrics with the lag's initialDelay",
        );
        for (const object of objects) await validateObject(object);
        assert.strictEqual(outputs.prometheusAddress, null);
    });

    it("checks the cluster before anything reaches it: the Kubernetes provider and the snapshot wait for the cluster identity", async () => {
        const file = readStackFile("prod");
        setConfig(file.config, file.secretKeys);
        runProgram();
        await settle();
        const identity = registered.find((r) => r.name === "cluster-identity")!;
        assert.equal(registered[0], identity, "registered first");
        assert.deepEqual([identity.type, identity.dependencies, identity.provider], ["pulumi-nodejs:dynamic:Resource", [], ""]);
        const waits = (name: string) =>
            assert.ok(
                registered.find((r) => r.name === name)!.dependencies.some((urn) => urn.endsWith("::cluster-identity")),
                `${name} waits for it`,
            );
        waits("cluster");
        waits("instant-api-snapshot");
        waits("charts");
        // The charts' objects go through the chart provider (it upserts over the CRDs a destroy kept); everything else the stack's.
        for (const r of registered.filter((x) => x.type.startsWith("kubernetes:"))) {
            assert.match(r.provider ?? "", /::pulumi:providers:kubernetes::(cluster|charts)::/, `${r.type} ${r.name} uses one of the stack's providers`);
        }
    });

    it("checks the cluster at a destroy's first deletes: each app's restore takes the recorded cluster; no separate guard", async () => {
        const file = readStackFile("prod");
        setConfig(file.config, file.secretKeys);
        runProgram();
        await settle();
        const restore = registered.find((r) => r.name === "instant-api-restore")!;
        assert.ok("cluster" in restore.inputs, "the recorded cluster (unknown until the first up)");
        assert.ok(
            restore.dependencies.some((urn) => urn.endsWith("::cluster-identity")),
            "the restore's input comes from the identity",
        );
        // A guard deleted before the restore would be gone after a refused (mid-canary) destroy.
        assert.equal(
            registered.find((r) => r.name === "cluster-destroy-guard"),
            undefined,
        );
    });

    it("without apps, deletes the destroy guard before anything else of the stack: it depends on every other resource", async () => {
        const file = readStackFile("prod");
        setConfig({ ...file.config, apps: [] }, file.secretKeys);
        runProgram();
        await settle();
        const guard = registered.find((r) => r.name === "cluster-destroy-guard")!;
        assert.equal(registered.at(-1), guard, "registered last");
        // Components stand for their children (the SDK lists those); the provider goes after everything that uses it.
        const others = registered.filter((r) => r !== guard && !r.type.startsWith("canary:") && r.type !== "pulumi:providers:kubernetes");
        assert.ok(others.length >= 10, `${others.length} resources`);
        for (const r of others)
            assert.ok(
                guard.dependencies.some((urn) => urn.endsWith(`${r.type}::${r.name}`)),
                `the guard depends on ${r.type} ${r.name}`,
            );
    });

    /** Runs the program with KUBECONFIG set to `value`, and puts the run's own back. */
    function withKubeconfig(value: string, run: () => void): void {
        const saved = process.env.KUBECONFIG;
        process.env.KUBECONFIG = value;
        try {
            run();
        } finally {
            if (saved === undefined) delete process.env.KUBECONFIG;
            else process.env.KUBECONFIG = saved;
        }
    }

    /** A secret input's value (the mock engine hands inputs over as the SDK sends them, secrets wrapped). */
    const revealed = (input: { value: string }) => input.value;

    /** A kubeconfig file with contexts prod-admin (a client certificate in a file beside it) and staging, current staging. */
    function writeKubeconfig(dir: string): string {
        fs.writeFileSync(path.join(dir, "admin.crt"), "CERT PEM");
        const file = path.join(dir, "prod.yaml");
        fs.writeFileSync(
            file,
            JSON.stringify({
                clusters: [
                    { name: "prod", cluster: { server: "https://10.0.0.1:6443" } },
                    { name: "staging", cluster: { server: "https://10.0.0.2:6443" } },
                ],
                users: [{ name: "admin", user: { "client-certificate": "admin.crt", "client-key-data": "S0VZ" } }],
                contexts: [
                    { name: "prod-admin", context: { cluster: "prod", user: "admin" } },
                    { name: "staging", context: { cluster: "staging", user: "admin" } },
                ],
                "current-context": "staging",
            }),
        );
        return file;
    }

    it("gives cluster.context, set with --path, and the contents of the run's KUBECONFIG for it, as a secret, to the provider and to everything else that talks to the cluster", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "program-kubeconfig-"));
        try {
            const file = writeKubeconfig(dir);
            setConfig({ platform: existingPlatform(), apps: [validApp()], cluster: { context: "prod-admin" } });
            withKubeconfig(file, runProgram);
            await settle();
            const resource = (name: string) => registered.find((r) => r.name === name)!;
            // All are stored in the state: a refresh or destroy configures each from there, so all reach the cluster of the last up.
            for (const name of ["cluster", "cluster-identity", "demo-snapshot", "demo-restore"]) {
                const { kubeconfig, context } = resource(name).inputs;
                assert.equal(context, "prod-admin", name);
                const stored = parseYaml(revealed(kubeconfig));
                assert.equal(stored["current-context"], "prod-admin", name);
                assert.deepEqual(stored.clusters, [{ name: "prod", cluster: { server: "https://10.0.0.1:6443" } }], name);
                assert.deepEqual(
                    stored.users[0].user,
                    { "client-certificate-data": Buffer.from("CERT PEM").toString("base64"), "client-key-data": "S0VZ" },
                    name,
                );
                assert.ok(resource(name).secretInputs.includes("kubeconfig"), `${name}: the kubeconfig is a secret (${resource(name).secretInputs})`);
            }
            for (const name of ["cluster-identity", "demo-snapshot", "demo-restore"]) {
                assert.deepEqual(resource(name).additionalSecretOutputs, ["kubeconfig"], `${name}: its outputs keep the kubeconfig secret`);
            }
            assert.equal(resource("cluster-identity").inputs.kubeSystemUid, undefined);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a KUBECONFIG of several files (the provider would read the list as a kubeconfig's contents), with the command that merges them, and registers nothing", () => {
        setConfig({ platform: existingPlatform(), apps: [validApp()] });
        withKubeconfig(["/home/ops/.kube/prod.yaml", "/home/ops/.kube/staging.yaml"].join(path.delimiter), () =>
            assert.throws(runProgram, {
                name: "ConfigError",
                message:
                    "KUBECONFIG: lists 2 files (/home/ops/.kube/prod.yaml, /home/ops/.kube/staging.yaml); this stack reads one kubeconfig file " +
                    "and stores its contents for pulumi refresh and destroy, and the provider would read a list as a kubeconfig's contents. Merge them into one file, " +
                    "as kubectl merges them, and point KUBECONFIG at it: kubectl config view --flatten > ~/.kube/canary-stack.yaml && export KUBECONFIG=~/.kube/canary-stack.yaml",
            }),
        );
        assert.deepEqual(registered, []);
    });

    it("refuses a KUBECONFIG that names no file, and registers nothing", () => {
        setConfig({ platform: existingPlatform(), apps: [validApp()] });
        withKubeconfig("/home/ops/.kube/moved.yaml", () =>
            assert.throws(runProgram, {
                name: "ConfigError",
                message: "KUBECONFIG: /home/ops/.kube/moved.yaml does not exist; point KUBECONFIG at the cluster's kubeconfig file",
            }),
        );
        assert.deepEqual(registered, []);
    });

    it("gives the one file of a KUBECONFIG with an empty entry (`prod.yaml:`) as that file, not the list", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "program-kubeconfig-"));
        try {
            const file = writeKubeconfig(dir);
            setConfig({ platform: existingPlatform(), apps: [validApp()] });
            withKubeconfig(`${file}${path.delimiter}`, runProgram);
            await settle();
            for (const name of ["cluster", "cluster-identity", "demo-snapshot", "demo-restore"]) {
                assert.equal(parseYaml(revealed(registered.find((r) => r.name === name)!.inputs.kubeconfig))["current-context"], "staging", name);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("gives cluster.kubeSystemUid to the cluster identity", async () => {
        const uid = "0a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c";
        setConfig({ platform: existingPlatform(), apps: [validApp()], cluster: { kubeSystemUid: uid } });
        runProgram();
        await settle();
        assert.equal(registered.find((r) => r.name === "cluster-identity")!.inputs.kubeSystemUid, uid);
        // The provider is replaced (and every object with it) only when the cluster's UID changes, not when the kubeconfig does.
        assert.equal(registered.find((r) => r.name === "cluster" && r.type === "pulumi:providers:kubernetes")!.inputs.clusterIdentifier, uid);
    });

    it("refuses cluster.context set without --path (a flat key the program would not read), naming the command, and registers nothing", async () => {
        // `pulumi config set canary-stack:cluster.context prod-admin` hands the program this flat key.
        setConfig({ platform: existingPlatform(), apps: [validApp()], "cluster.context": "prod-admin" });
        assert.throws(runProgram, {
            name: "ConfigError",
            message:
                'canary-stack:cluster.context: "prod-admin" set without --path, as one key named "cluster.context", which this program never reads ' +
                "(it reads cluster as a whole); set it with --path instead: " +
                "pulumi config rm canary-stack:cluster.context && pulumi config set --path canary-stack:cluster.context prod-admin",
        });
        await settle();
        assert.deepEqual(registered, []);
    });

    it("never shows the value of a secret set without --path", async () => {
        setConfig({ platform: existingPlatform(), apps: [validApp()], "platform.newRelic.apiKey": "NRAK-s3cret" }, ["platform.newRelic.apiKey"]);
        assert.throws(runProgram, (err: Error) => {
            assert.match(
                err.message,
                /^canary-stack:platform\.newRelic\.apiKey: a secret set without --path, .* pulumi config set --path --secret canary-stack:platform\.newRelic\.apiKey <value>$/,
            );
            assert.doesNotMatch(err.message, /s3cret/);
            return true;
        });
        await settle();
    });

    it("refuses a misspelled apps (which would plan the removal of every canary), naming the nearest key, and registers nothing", async () => {
        setConfig({ platform: existingPlatform(), app: [validApp()] });
        assert.throws(runProgram, {
            name: "ConfigError",
            message:
                "canary-stack:app: unknown key, which this program never reads (did you mean canary-stack:apps?); " +
                "the keys of canary-stack are cluster, platform, apps, newRelicApiKey. Remove it with: pulumi config rm canary-stack:app",
        });
        await settle();
        assert.deepEqual(registered, []);
    });

    it("registers nothing at all when the config is bad", async () => {
        const app = validApp();
        app.steps[0] = { setWeight: 150 };
        setConfig({ platform: existingPlatform(), apps: [app] });
        assert.throws(runProgram, /apps\[0\]\.steps\[0\]\.setWeight: 150 is not an integer from 0 to 100/);
        await settle();
        assert.deepEqual(registered, []);
    });
});
