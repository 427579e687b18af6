// Tests components/manifests/ (the pure builders), without mocks.
import { strict as assert } from "assert";
import { parseStackConfig } from "../stacks";
import { AppConfig } from "../stacks/types";
import { analysisTemplate } from "../components/manifests/analysisTemplate";
import { READINESS_ALLOWANCE_SECONDS, rolloutCommands } from "../components/manifests/commands";
import { builtinConditions, builtinQuery, BuiltinQueryInput } from "../components/manifests/queries";
import { deployerRole, deployerRoleBinding } from "../components/manifests/rbac";
import { argoRolloutsValues } from "../components/manifests/platformValues";
import { rollout } from "../components/manifests/rollout";
import { serviceMonitor } from "../components/manifests/serviceMonitor";
import { copiedService, metricsService } from "../components/manifests/services";
import { promqlError } from "../stacks/promql";
import { existingPlatform, newRelicOnlyApp, noPrometheusPlatform, validApp } from "./fixtures";
import { validateObject } from "./schema";

function app(change: (raw: any) => void = () => undefined): AppConfig {
    const raw = validApp();
    change(raw);
    return parseStackConfig({ platform: existingPlatform(), apps: [raw] }).apps[0];
}

const at = { name: "demo", namespace: "demo" };

describe("built-in queries", () => {
    const base: BuiltinQueryInput = {
        kind: "errorRate",
        job: "demo",
        canaryScoped: true,
        window: "2m",
        minRequests: 20,
        requestsTotal: "http_requests_total",
        codeLabel: "code",
        durationHistogram: "http_request_duration_seconds",
    };
    for (const kind of ["successRate", "errorRate", "latencyP95", "targetsUp"] as const) {
        for (const canaryScoped of [true, false]) {
            it(`${kind} (${canaryScoped ? "canary pods" : "whole service"}) parses and is scoped as asked`, () => {
                const query = builtinQuery({ ...base, kind, canaryScoped });
                assert.equal(promqlError(query), undefined);
                assert.equal(query.includes('rollouts_pod_template_hash="{{args.canary-hash}}"'), canaryScoped);
                assert.ok(query.includes('job="demo"'));
            });
        }
    }
    it("gates traffic queries on a minimum request count, so too little traffic returns nothing", () => {
        for (const kind of ["successRate", "errorRate", "latencyP95"] as const) {
            assert.match(builtinQuery({ ...base, kind }), /and on\(\) \(sum\(increase\(\w+\{.*\}\[2m\]\)\) >= 20\)$/);
        }
    });
    it("counts a missing 5xx series as zero errors instead of no data", () => {
        assert.match(builtinQuery(base), /^\(\(sum\(rate\(http_requests_total\{.*code=~"5.."\}\[2m\]\)\) or vector\(0\)\) \//);
    });
    const conditions: [Parameters<typeof builtinConditions>[0], number, string, string][] = [
        ["successRate", 0.99, "len(result) > 0 && result[0] >= 0.99", "len(result) > 0 && result[0] < 0.99"],
        ["targetsUp", 1, "len(result) > 0 && result[0] >= 1", "len(result) > 0 && result[0] < 1"],
        ["errorRate", 0.01, "len(result) > 0 && result[0] <= 0.01", "len(result) > 0 && result[0] > 0.01"],
        ["latencyP95", 0.5, "len(result) > 0 && result[0] <= 0.5", "len(result) > 0 && result[0] > 0.5"],
    ];
    for (const [kind, threshold, success, failure] of conditions) {
        it(`${kind} sets both conditions, so an empty result is inconclusive`, () => {
            assert.deepEqual(builtinConditions(kind, threshold), { successCondition: success, failureCondition: failure });
        });
    }
});

describe("Rollout builder", () => {
    it("adopts the Deployment through workloadRef with the configured scaleDown and no pod template", async () => {
        const r = rollout(
            at,
            app((a) => {
                a.scaleDown = "onsuccess";
            }),
        );
        assert.deepEqual(r.spec.workloadRef, { apiVersion: "apps/v1", kind: "Deployment", name: "demo", scaleDown: "onsuccess" });
        assert.equal(r.spec.template, undefined);
        assert.equal(r.spec.replicas, 4);
        await validateObject(r);
    });
    it("writes revisionHistoryLimit when set, 0 included, and leaves it to Argo's default (10) when unset", async () => {
        assert.equal("revisionHistoryLimit" in rollout(at, app()).spec, false);
        for (const limit of [0, 3, 2147483647]) {
            const r = rollout(
                at,
                app((a) => {
                    a.revisionHistoryLimit = limit;
                }),
            );
            assert.equal(r.spec.revisionHistoryLimit, limit);
            await validateObject(r);
        }
    });
    it("keeps the stable at full strength until canary pods are available, and aborts a canary stuck past its deadline", async () => {
        const r = rollout(at, app());
        assert.equal(r.spec.strategy?.canary?.maxUnavailable, 0);
        assert.equal(r.spec.strategy?.canary?.maxSurge, undefined, "Argo's default maxSurge (25%), which model/canaryShare.ts assumes");
        assert.deepEqual([r.spec.progressDeadlineSeconds, r.spec.progressDeadlineAbort], [600, true]);
        const set = rollout(
            at,
            app((a) => {
                a.progressDeadlineSeconds = 30;
                a.progressDeadlineAbort = false;
                a.podReadySeconds = 10;
            }),
        );
        assert.deepEqual([set.spec.progressDeadlineSeconds, set.spec.progressDeadlineAbort], [30, false]);
        await validateObject(set);
    });
    it("checks revisionHistoryLimit against the Rollout schema, whose int32 bound the config enforces", async () => {
        const r: any = rollout(at, app());
        r.spec.revisionHistoryLimit = 2147483648;
        await assert.rejects(validateObject(r), /Rollout demo\/demo is invalid/);
    });
    it("turns an analysis step without templates into the app's template with the canary hash", () => {
        const steps = rollout(at, app()).spec.strategy?.canary?.steps ?? [];
        assert.deepEqual(steps[2], {
            analysis: { templates: [{ templateName: "demo" }], args: [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }] },
        });
        assert.deepEqual(steps.slice(0, 2), [{ setWeight: 10 }, { pause: { duration: "1m" } }]);
    });
    it("hands an analysis step that names its own templates both hashes (Argo drops the args a template does not declare)", async () => {
        const r = rollout(
            at,
            app((a) => {
                a.steps.push({ analysis: { templates: [{ templateName: "smoke", clusterScope: true }] } });
                a.steps.push({ analysis: { templates: [{ templateName: "smoke" }, { templateName: "db-check" }] } });
            }),
        );
        const steps = r.spec.strategy?.canary?.steps ?? [];
        const args = [
            { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } },
            { name: "stable-hash", valueFrom: { podTemplateHashValue: "Stable" } },
        ];
        assert.deepEqual(steps[6], { analysis: { templates: [{ templateName: "smoke", clusterScope: true }], args } });
        assert.deepEqual(steps[7], { analysis: { templates: [{ templateName: "smoke" }, { templateName: "db-check" }], args } });
        assert.deepEqual(steps[2].analysis?.args, [args[0]], "the app's own template keeps the args it declares");
        await validateObject(r);
    });
    it("runs background analysis from startingStep", async () => {
        const r = rollout(
            at,
            app((a) => {
                a.analysis.mode = "background";
                a.analysis.startingStep = 1;
                a.maxBadCanaryWeight = 100;
                a.steps = [{ setWeight: 10 }, { pause: { duration: "1m" } }, { setWeight: 50 }, { pause: {} }];
            }),
        );
        assert.deepEqual(r.spec.strategy?.canary?.analysis, {
            templates: [{ templateName: "demo" }],
            args: [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }],
            startingStep: 1,
        });
        await validateObject(r);
    });
    it("adds nginx traffic routing and abortScaleDownDelaySeconds only when configured", async () => {
        assert.equal(rollout(at, app()).spec.strategy?.canary?.trafficRouting, undefined);
        const r = rollout(
            at,
            app((a) => {
                a.stableIngress = "api";
                a.abortScaleDownDelaySeconds = 30;
            }),
        );
        assert.deepEqual(r.spec.strategy?.canary?.trafficRouting, { nginx: { stableIngress: "api" } });
        assert.equal(r.spec.strategy?.canary?.abortScaleDownDelaySeconds, 30);
        await validateObject(r);
    });
});

describe("AnalysisTemplate builder", () => {
    it("writes Argo's measurement fields and a Prometheus provider per built-in metric", async () => {
        const t = analysisTemplate(
            at,
            app((a) => {
                a.analysis.metrics[1].initialDelay = "30s";
            }),
        );
        assert.deepEqual(t.spec.args, [{ name: "canary-hash" }]);
        const m = t.spec.metrics?.[1];
        assert.equal(m?.name, "error-rate");
        assert.deepEqual([m?.interval, m?.count, m?.initialDelay, m?.failureLimit, m?.inconclusiveLimit, m?.consecutiveErrorLimit], ["1m", 3, "30s", 1, 1, 4]);
        assert.equal(m?.provider.prometheus?.address, "http://prometheus.monitoring:9090");
        await validateObject(t);
    });
    it("writes a New Relic provider with its profile for a New Relic metric", async () => {
        const raw = validApp();
        raw.analysis.metrics.push({
            name: "nr",
            kind: "custom",
            provider: "newRelic",
            profile: "team-a",
            nrql: "SELECT count(*) FROM Transaction",
            successCondition: "result.count > 0",
        });
        const platform = { ...existingPlatform(), newRelic: { accountId: "1" } };
        const { apps } = parseStackConfig({ platform, apps: [raw] }, {} as any);
        const t = analysisTemplate(at, apps[0]);
        assert.deepEqual(t.spec.metrics?.[4].provider, { newRelic: { query: "SELECT count(*) FROM Transaction", profile: "team-a" } });
        assert.equal(t.spec.metrics?.[4].failureCondition, undefined);
        assert.equal(t.spec.metrics?.[4].initialDelay, "3m", "New Relic's lag: its default initialDelay");
        assert.equal(t.spec.metrics?.[1].initialDelay, undefined, "Prometheus metrics keep none");
        await validateObject(t);
    });
});

describe("Services, ServiceMonitor and RBAC builders", () => {
    const existing = { selector: { app: "demo" }, ports: [{ name: "http", port: 80, targetPort: 8080 as number | string }] };
    it("copies the existing Service's ports and selector into a ClusterIP stable/canary Service", async () => {
        const s = copiedService({ name: "demo-canary", namespace: "demo" }, "demo", "canary", existing);
        assert.deepEqual(s.spec, { type: "ClusterIP", selector: { app: "demo" }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] });
        await validateObject(s);
    });
    it("refuses an existing Service without a selector", () => {
        assert.throws(() => copiedService(at, "demo", "stable", { selector: {}, ports: [] }), /has no selector/);
    });
    it("scrapes a headless metrics Service, its ready endpoints only, and copies the pod-template hash to a label", async () => {
        const svc = metricsService({ name: "demo-metrics", namespace: "demo" }, "demo", "demo-job", 9090, existing.selector);
        assert.equal(svc.metadata?.labels?.["canary-stack.io/job"], "demo-job");
        assert.equal(svc.spec?.clusterIP, "None");
        const sm = serviceMonitor({ target: at, app: "demo", path: "/metrics", scrapeInterval: "15s", selectedBy: { release: "kps" } });
        assert.equal(sm.metadata?.labels?.release, "kps");
        assert.deepEqual(sm.spec.podTargetLabels, ["rollouts-pod-template-hash"]);
        assert.equal(sm.spec.jobLabel, "canary-stack.io/job");
        assert.deepEqual(
            sm.spec.endpoints[0].relabelings,
            [
                { action: "drop", sourceLabels: ["__meta_kubernetes_endpoint_ready"], regex: "false" },
                { action: "drop", sourceLabels: ["__meta_kubernetes_endpointslice_endpoint_conditions_ready"], regex: "false" },
            ],
            "not-ready endpoints are not scraped, in either discovery role",
        );
        await validateObject(svc);
        await validateObject(sm);
    });
    const role = deployerRole({ name: "demo-deployer", namespace: "demo" }, "demo", { rollout: "demo", deployment: "demo-web" });
    it("lets the CI deployer set the image, drive the Rollout and watch it, with these exact rules", async () => {
        assert.deepEqual(role.rules, [
            { apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["demo-web"], verbs: ["get", "patch", "update"] },
            { apiGroups: ["argoproj.io"], resources: ["rollouts"], resourceNames: ["demo"], verbs: ["get", "patch"] },
            { apiGroups: ["argoproj.io"], resources: ["rollouts/status"], resourceNames: ["demo"], verbs: ["patch"] },
            { apiGroups: ["argoproj.io"], resources: ["rollouts", "analysisruns", "experiments"], verbs: ["list", "watch"] },
            { apiGroups: ["apps"], resources: ["deployments", "replicasets"], verbs: ["list", "watch"] },
            { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
        ]);
        const binding = deployerRoleBinding({ name: "demo-deployer", namespace: "demo" }, "demo", {
            serviceAccount: "ci",
            namespace: "ci",
            admissionPolicy: true,
        });
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "ci", namespace: "ci" }]);
        await validateObject(role);
        await validateObject(binding);
    });
    it("writes only the named Rollout and Deployment, and never creates, deletes or reads Secrets", () => {
        const rules = role.rules ?? [];
        for (const rule of rules) {
            assert.ok(!rule.verbs.some((v) => ["create", "delete", "deletecollection", "*"].includes(v)), JSON.stringify(rule));
            assert.ok(!rule.resources?.some((r) => r === "secrets" || r === "*"), JSON.stringify(rule));
            assert.ok(!rule.apiGroups?.includes("*"), JSON.stringify(rule));
        }
        const writes = rules.filter((r) => r.verbs.some((v) => v === "patch" || v === "update"));
        assert.ok(writes.length > 0 && writes.every((r) => r.resourceNames?.length === 1), "every write names its one object");
    });
    it("puts list and watch only on rules without resourceNames (the plugin's informers send no name selector)", () => {
        for (const rule of role.rules ?? []) {
            const collection = rule.verbs.filter((v) => v === "list" || v === "watch");
            if (rule.resourceNames) assert.deepEqual(collection, [], JSON.stringify(rule));
            else assert.deepEqual(rule.verbs, ["list", "watch"], JSON.stringify(rule));
        }
    });
});

describe("chart values", () => {
    const argo = {
        install: true,
        chart: { kind: "repo" as const },
        namespace: "argo-rollouts",
        dashboard: false,
        metricsJob: "argo-rollouts-metrics",
        scraped: true,
    };
    it("labels the Argo Rollouts chart's ServiceMonitor for the stack's Prometheus", () => {
        const { monitoring } = parseStackConfig({ platform: existingPlatform() }).platform;
        const metrics = (argoRolloutsValues(argo, { ...monitoring, selectorLabels: { team: "obs" } }).controller as any).metrics;
        assert.deepEqual(metrics, {
            enabled: true,
            service: { port: 8090 },
            serviceMonitor: {
                enabled: true,
                additionalLabels: { team: "obs" },
                // The series' own namespace back as `namespace`, where the scrape job had renamed it exported_namespace.
                metricRelabelings: [
                    { sourceLabels: ["exported_namespace"], regex: "(.+)", targetLabel: "namespace", replacement: "$1", action: "replace" },
                    { regex: "exported_namespace", action: "labeldrop" },
                ],
            },
        });
    });
    it("writes metricRelabelings the operator's ServiceMonitor schema accepts, on the endpoint as the chart's template puts them", async () => {
        const { monitoring } = parseStackConfig({ platform: existingPlatform() }).platform;
        const values = (argoRolloutsValues(argo, monitoring).controller as any).metrics;
        await validateObject({
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: "argo-rollouts", namespace: "argo-rollouts" },
            spec: {
                endpoints: [{ port: "metrics", metricRelabelings: values.serviceMonitor.metricRelabelings }],
                namespaceSelector: { matchNames: ["argo-rollouts"] },
                selector: { matchLabels: { "app.kubernetes.io/component": "rollouts-controller" } },
            },
        });
    });
    it("turns the Argo Rollouts chart's ServiceMonitor off without Prometheus, and keeps the controller's metrics Service", () => {
        const { monitoring } = parseStackConfig({ platform: noPrometheusPlatform(), apps: [newRelicOnlyApp()] }, {} as any).platform;
        const metrics = (argoRolloutsValues(argo, monitoring).controller as any).metrics;
        assert.deepEqual(metrics, { enabled: true, service: { port: 8090 }, serviceMonitor: { enabled: false } });
    });
});

describe("commands and the status timeout", () => {
    it("waits the worst-case healthy ladder plus the readiness allowance", () => {
        const commands = rolloutCommands(app(), 1769.5);
        assert.equal(commands.statusTimeoutSeconds, 1770 + READINESS_ALLOWANCE_SECONDS);
        assert.equal(commands.status, `kubectl argo rollouts status demo -n demo --timeout ${1770 + READINESS_ALLOWANCE_SECONDS}s`);
        assert.equal(commands.abort, "kubectl argo rollouts abort demo -n demo");
        assert.equal(commands.watch, "kubectl argo rollouts get rollout demo -n demo --watch");
        assert.equal(commands.get, "kubectl argo rollouts get rollout demo -n demo");
        assert.equal(commands.retry, "kubectl argo rollouts retry rollout demo -n demo");
    });
    it("gives the day-2 commands: full promotion, undo, and the current AnalysisRuns", () => {
        const commands = rolloutCommands(
            app((raw) => {
                raw.name = "web";
                raw.namespace = "shop";
            }),
            600,
        );
        assert.equal(commands.promote, "kubectl argo rollouts promote web -n shop");
        assert.equal(commands.promoteFull, "kubectl argo rollouts promote web -n shop --full");
        assert.equal(commands.undo, "kubectl argo rollouts undo web -n shop");
        assert.equal(commands.undoToRevision, "kubectl argo rollouts undo web -n shop --to-revision=<revision>");
        assert.equal(
            commands.analysisRuns,
            "kubectl get analysisruns -n shop -l rollouts-pod-template-hash=\"$(kubectl get rollout web -n shop -o jsonpath='{.status.currentPodHash}')\" " +
                "--sort-by=.metadata.creationTimestamp",
        );
        assert.equal(commands.describeAnalysisRun, "kubectl describe analysisrun <analysisrun> -n shop");
    });
    it("has exactly these keys (the end-to-end run reads get, status, promote, abort and retry)", () => {
        assert.deepEqual(Object.keys(rolloutCommands(app(), 600)).sort(), [
            "abort",
            "analysisRuns",
            "describeAnalysisRun",
            "get",
            "promote",
            "promoteFull",
            "retry",
            "status",
            "statusTimeoutSeconds",
            "undo",
            "undoToRevision",
            "watch",
        ]);
    });
});

describe("the schema check itself", () => {
    it("rejects an object its schema forbids", async () => {
        const r: any = rollout(at, app());
        r.spec.strategy.canary.steps[0].setWeight = "ten";
        await assert.rejects(validateObject(r), /Rollout demo\/demo is invalid/);
    });
    it("rejects a kind it has no schema for", async () => {
        await assert.rejects(validateObject({ apiVersion: "v1", kind: "Pod" }), /no schema for v1\/Pod/);
    });
});
