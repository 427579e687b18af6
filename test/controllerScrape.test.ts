// Tests e2e/controllerScrape.ts (the chart's controller Service and ServiceMonitor, the controller's target as
// discovery labels it) and e2e/alertHistory.ts's reading of an alert summary's commands.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { canaryAlerts } from "../components/manifests/alerts";
import { CONTROLLER_NAMESPACE_RELABELINGS } from "../components/manifests/platformValues";
import { summaryCommands } from "../e2e/alertHistory";
import { controllerMetricsObjects, controllerTarget, withGlobalTimings } from "../e2e/controllerScrape";
import { parseStackConfig } from "../stacks";
import { PLATFORM_DEFAULTS } from "../stacks/defaults";
import { validateObject } from "./schema";

const local = parseStackConfig({
    platform: parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.local.yaml"), "utf8")).config["canary-stack:platform"],
}).platform;

describe("e2e: the controller scraped through the operator's job", () => {
    const { service, serviceMonitor } = controllerMetricsObjects(local);

    it("writes the chart's metrics Service and ServiceMonitor, valid, selected by the e2e's Prometheus, with the namespace relabelings", async () => {
        await validateObject(service);
        await validateObject(serviceMonitor);
        assert.deepEqual(
            [service.metadata.name, service.metadata.namespace, serviceMonitor.metadata.name],
            ["argo-rollouts-metrics", "argo-rollouts", "argo-rollouts"],
        );
        assert.equal(serviceMonitor.metadata.labels.prometheus, "canary-e2e");
        assert.deepEqual(serviceMonitor.spec.endpoints, [{ port: "metrics", metricRelabelings: CONTROLLER_NAMESPACE_RELABELINGS }]);
        // The ServiceMonitor selects the Service by the chart's labels.
        for (const [k, v] of Object.entries(serviceMonitor.spec.selector.matchLabels)) assert.equal(service.metadata.labels[k], v, k);
    });

    it("labels the controller's target as endpoints discovery would, at the out-of-cluster address and /metrics", () => {
        const target = controllerTarget(service, "127.0.0.1:14091");
        assert.deepEqual(target.targets, ["127.0.0.1:14091"]);
        const l = target.labels;
        assert.deepEqual(
            [l.__metrics_path__, l.__meta_kubernetes_namespace, l.__meta_kubernetes_service_name, l.__meta_kubernetes_endpoint_port_name],
            ["/metrics", "argo-rollouts", "argo-rollouts-metrics", "metrics"],
        );
        assert.equal(l.__meta_kubernetes_service_label_app_kubernetes_io_component, "rollouts-controller");
    });

    it("runs the job at the generated global interval where the ServiceMonitor sets none", () => {
        assert.deepEqual(withGlobalTimings({ job_name: "j" }, { scrape_interval: "30s", scrape_timeout: "10s" }), {
            job_name: "j",
            scrape_interval: "30s",
            scrape_timeout: "10s",
        });
        assert.equal(withGlobalTimings({ job_name: "j", scrape_interval: "15s" }, { scrape_interval: "30s" }).scrape_interval, "15s");
    });
});

describe("e2e: the commands of an alert's summary", () => {
    const expand = (text: string) => text.replace(/\{\{ \$labels\.namespace \}\}/g, "demo").replace(/\{\{ \$labels\.name \}\}/g, "demo-abc-3");

    it("finds each alert's read-only command, up to a ; or the end, and never the retry", () => {
        const commands = Object.fromEntries(
            canaryAlerts("argo", PLATFORM_DEFAULTS.monitoring.alertFor).map((a) => [a.alert, summaryCommands(expand(a.summary))]),
        );
        assert.deepEqual(commands, {
            CanaryAnalysisFailed: ["kubectl describe analysisrun demo-abc-3 -n demo"],
            CanaryAnalysisErrored: ["kubectl describe analysisrun demo-abc-3 -n demo"],
            RolloutDegraded: ["kubectl argo rollouts get rollout demo-abc-3 -n demo"],
            RolloutPausedTooLong: ["kubectl argo rollouts get rollout demo-abc-3 -n demo"],
            RolloutsControllerDown: [],
        });
    });
});
