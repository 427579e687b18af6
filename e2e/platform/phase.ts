/**
 * The platform phase of npm run e2e: the `local-platform` stack installs Argo
 * Rollouts, kube-prometheus-stack and cert-manager from chart archives on a
 * fresh control plane of its own (no CRDs from cluster-up, the charts bring
 * theirs), migrates one app, and the rows check the live objects, the
 * selectors of the installed Prometheus, the configuration the Prometheus
 * operator generates for it, a second up, and both kinds of destroy. Before
 * the install, a ClusterRole of a chart's name, already taken, is refused;
 * after the shared destroy, what the kept workloads reference is still there.
 *
 *   CANARY_VENDOR_DIR   the vendored charts are in <it>/charts (default ../shared/vendor beside the checkout)
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { kubePrometheusStackValues } from "../../components/manifests/platformValues";
import { parseStackConfig } from "../../stacks";
import { controllerStandInRow } from "../controllerScrape";
import { asStream, DEMO, demoImage, demoManifests } from "../demoApp";
import { Kubectl } from "../lib/kubectl";
import { run } from "../lib/proc";
import { PulumiStack } from "../pulumiStack";
import { ScenarioResult, stepResult } from "../report/types";
import { chartRow, crdRow, destroyRow, missingChartRow } from "./chartRows";
import { foreignClusterRoleRow } from "./foreignObject";
import { installed, PlatformEnv } from "./installed";
import { keptReferencesRow, liveSnapshot } from "./keptReferences";
import { scrapeRows } from "./scrapeRows";
import { dashboardRow, selectorRow } from "./wiring";

const ROOT = path.join(__dirname, "..", "..");
export const PLATFORM_STACK = "local-platform";
const VENDORED_CHARTS = "../shared/vendor/charts/";

/** The checked-in stack file, its chart paths moved to $CANARY_VENDOR_DIR/charts when that is set. */
export function platformConfigText(vendorDir = process.env.CANARY_VENDOR_DIR): string {
    const text = fs.readFileSync(path.join(ROOT, `Pulumi.${PLATFORM_STACK}.yaml`), "utf8");
    return vendorDir ? text.split(VENDORED_CHARTS).join(`${path.resolve(vendorDir, "charts")}/`) : text;
}

/** The stack's config as the program reads it (chart paths are checked against this checkout). */
function platformConfig(env: PlatformEnv) {
    const file = parse(fs.readFileSync(env.pulumi.configFile, "utf8")).config;
    return parseStackConfig({ platform: file["canary-stack:platform"], apps: file["canary-stack:apps"] });
}

function timed<T>(work: () => T): Promise<[Awaited<T>, number]> {
    const t0 = Date.now();
    return Promise.resolve(work()).then((value) => [value, (Date.now() - t0) / 1000]);
}

/** A row with the seconds it took to make. */
function timedRow(make: () => ScenarioResult): ScenarioResult {
    const t0 = Date.now();
    const row = make();
    return { ...row, seconds: (Date.now() - t0) / 1000 };
}

function upRow(env: PlatformEnv, name: string, expected: string, args: string[]): Promise<ScenarioResult> {
    return timed(() => env.pulumi.run(args)).then(([result, seconds]) => {
        env.log(`pulumi ${args.join(" ")}: exit ${result.code}; ${result.summary}`);
        return stepResult(
            name,
            expected,
            result.code === 0 ? `exit 0; ${result.summary}` : `exit ${result.code}: ${result.output.slice(-2000)}`,
            result.code === 0,
            seconds,
            { summary: result.summary },
        );
    });
}

function setShared(env: PlatformEnv, shared: boolean): void {
    const text = fs.readFileSync(env.pulumi.configFile, "utf8");
    fs.writeFileSync(env.pulumi.configFile, text.replace(/^(\s+shared:) (true|false)$/m, `$1 ${shared}`));
}

function setUp(dir: string, log: (message: string) => void): PlatformEnv {
    // The toolchain's kubectl, pulumi and prometheus-operator, and node 22 (as the main phase's environment does).
    const tools = run(path.join(ROOT, "scripts", "toolchain"), ["--print-path"]).trim();
    process.env.PATH = [path.join(ROOT, "node_modules", ".bin"), tools, process.env.PATH].join(":");
    log(`platform: cluster up in ${dir} (no CRDs: the charts bring theirs; no admission webhooks: the simulated nodes serve none)`);
    run(path.join(ROOT, "scripts", "cluster-up"), [], {
        ...process.env,
        CANARY_E2E_DIR: dir,
        CANARY_E2E_SKIP_SMOKE: "1",
        CANARY_E2E_SKIP_CRDS: "1",
        CANARY_E2E_NO_WEBHOOKS: "1",
    });
    const kubeconfig = path.join(dir, "kubeconfig");
    const kubectl = new Kubectl(kubeconfig);
    // The app only: the stack creates the controller's and Prometheus's namespaces itself.
    kubectl.apply(asStream(demoManifests(demoImage("v1")).filter((o: any) => o.kind !== "Namespace" || o.metadata.name === DEMO.namespace)));
    kubectl.run(["rollout", "status", `deployment/${DEMO.name}`, "-n", DEMO.namespace, "--timeout=120s"]);
    const pulumi = new PulumiStack(dir, kubeconfig, PLATFORM_STACK, platformConfigText());
    // The state is about 10 MB (kube-prometheus-stack's CRDs, as inputs and outputs) and the file backend
    // writes all of it after every step of an up or destroy; the final state is written either way.
    pulumi.env.PULUMI_SKIP_CHECKPOINTS = "true";
    log(`platform: provider plugins:\n${pulumi.installPlugins().trim()}`);
    pulumi.init();
    return { dir, kubeconfig, kubectl, pulumi, log };
}

/** The whole phase; every step a row. Runs on its own control plane in `dir`, taken down at the end. */
export async function platformPhase(dir: string, log: (message: string) => void, record: (row: ScenarioResult) => void): Promise<void> {
    try {
        const env = setUp(dir, log);
        record(missingChartRow(env));
        const { platform } = platformConfig(env);
        record(foreignClusterRoleRow(env, platform.monitoring.release));
        const first = await upRow(
            env,
            "platform: pulumi up installs Argo Rollouts, kube-prometheus-stack and cert-manager from chart archives",
            "exit 0: the three charts from ../shared/vendor/charts, the canary PrometheusRule and dashboard, and the app migrated " +
                "(the refused ClusterRole and what depends on it, the rest being there)",
            ["up", "--yes", "--skip-preview"],
        );
        record(first);
        if (!first.passed) return;
        const install = installed(env);
        const { charts, own } = install;
        for (const chart of charts) record(timedRow(() => chartRow(env, chart)));
        record(timedRow(() => crdRow(env, charts)));
        const prometheus = charts[1].objects.find((o) => o.kind === "Prometheus")!;
        const controllerMonitors = charts[0].objects.filter((o) => o.kind === "ServiceMonitor");
        record(timedRow(() => selectorRow(env.kubectl, prometheus, [...controllerMonitors, ...own("ServiceMonitor")], own("PrometheusRule"))));
        record(timedRow(() => controllerStandInRow(env.kubectl, platform)));
        const archive = platform.monitoring.chart.kind === "path" ? path.resolve(ROOT, platform.monitoring.chart.path) : "";
        const dashboardValues = (kubePrometheusStackValues(platform.certManager.present) as any).grafana.sidecar.dashboards;
        record(timedRow(() => dashboardRow(env.kubectl, archive, dashboardValues, own("ConfigMap"), charts[1].objects)));
        for (const row of await scrapeRows(env, install)) record(row);
        record(
            await upRow(env, "platform: a second pulumi up changes nothing", "exit 0 with --expect-no-changes (after the operator ran)", [
                "up",
                "--yes",
                "--skip-preview",
                "--expect-no-changes",
            ]),
        );
        record(await destroyRow(env, charts, false));
        setShared(env, true);
        const again = await upRow(
            env,
            "platform: pulumi up with shared: true installs again over the CRDs the destroy kept",
            "exit 0: the charts' provider applies over the kept CRDs instead of refusing them",
            ["up", "--yes", "--skip-preview"],
        );
        record(again);
        if (again.passed) {
            const { charts: kept } = installed(env);
            const [before, snapshotSeconds] = await timed(() => liveSnapshot(env.kubectl));
            record(await destroyRow(env, kept, true));
            const [after, seconds] = await timed(() => liveSnapshot(env.kubectl));
            record(keptReferencesRow(before, after, snapshotSeconds + seconds));
        }
    } catch (err) {
        log(`platform phase stopped: ${(err as Error).stack ?? err}`);
        record(stepResult("platform phase", "completes", (err as Error).message, false));
    } finally {
        try {
            run(path.join(ROOT, "scripts", "cluster-down"), [], { ...process.env, CANARY_E2E_DIR: dir });
        } catch (err) {
            log(`platform cluster-down: ${(err as Error).message}`);
        }
    }
}
