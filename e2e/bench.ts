/**
 * npm run bench: wall seconds of `pulumi preview`, a first `pulumi up` and a
 * no-op `pulumi up` of the whole program on the local control plane, for the
 * local stack's app and for a generated stack of 50 apps (each with its own
 * Deployment and Service). Not part of npm test or the e2e run. Writes the
 * table to docs/bench.md (or CANARY_BENCH_OUT).
 *
 *   CANARY_BENCH_DIR   state and logs (default /tmp/canary-bench)
 *   CANARY_BENCH_APPS  app counts to measure (default "1,50")
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify } from "yaml";
import { asStream } from "./demoApp";
import { Kubectl } from "./lib/kubectl";
import { run } from "./lib/proc";
import { PulumiStack } from "./pulumiStack";

const ROOT = path.join(__dirname, "..");
const started = Date.now();
const log = (message: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`);

interface Row {
    apps: number;
    resources: number;
    preview: number;
    firstUp: number;
    noopUp: number;
}

const appName = (i: number) => `app-${String(i).padStart(2, "0")}`;
/**
 * One namespace per stack, and no destroy: without a running controller the restore refuses
 * (the Rollout never reconciled), and the cluster goes away with the run.
 */
const namespaceOf = (count: number) => `bench-${count}`;

/** The app of Pulumi.local.yaml, copied `count` times onto Deployments app-00, app-01, ... in one namespace. */
function stackConfig(count: number): string {
    const namespace = namespaceOf(count);
    const local = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8"));
    const template = local.config["canary-stack:apps"][0];
    // The alerts and the dashboard too: each stack writes its own.
    local.config["canary-stack:platform"].monitoring.namespace = namespace;
    local.config["canary-stack:apps"] = Array.from({ length: count }, (_, i) => ({
        ...template,
        name: appName(i),
        namespace,
        workloadRef: { ...template.workloadRef, name: appName(i) },
        service: appName(i),
        metrics: { ...template.metrics, job: appName(i) },
        deployer: { ...template.deployer, namespace },
    }));
    return stringify(local);
}

function appManifests(count: number): object[] {
    const namespace = namespaceOf(count);
    const objects: object[] = [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ci-deployer", namespace } },
    ];
    for (let i = 0; i < count; i++) {
        const labels = { app: appName(i) };
        objects.push(
            {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: appName(i), namespace, labels },
                spec: {
                    replicas: 4,
                    selector: { matchLabels: labels },
                    template: {
                        metadata: { labels },
                        spec: { containers: [{ name: "app", image: "registry.example/demo:v1", ports: [{ name: "http", containerPort: 8080 }] }] },
                    },
                },
            },
            {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: appName(i), namespace, labels },
                spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
            },
        );
    }
    return objects;
}

function seconds(work: () => void): number {
    const t0 = Date.now();
    work();
    return (Date.now() - t0) / 1000;
}

function measure(dir: string, kubeconfig: string, kubectl: Kubectl, count: number): Row {
    log(`${count} app(s): Deployments and Services`);
    kubectl.apply(asStream(appManifests(count)));
    for (let i = 0; i < count; i++) kubectl.run(["rollout", "status", `deployment/${appName(i)}`, "-n", namespaceOf(count), "--timeout=300s"]);
    const stack = new PulumiStack(path.join(dir, `apps-${count}`), kubeconfig, `bench-${count}`, stackConfig(count));
    stack.installPlugins();
    stack.init();
    const must = (args: string[]) => log(`pulumi ${args.join(" ")}: ${stack.must(args).summary}`);
    const row: Row = {
        apps: count,
        preview: seconds(() => must(["preview"])),
        firstUp: seconds(() => must(["up", "--yes", "--skip-preview"])),
        noopUp: seconds(() => must(["up", "--yes", "--skip-preview"])),
        resources: stack.resources().length,
    };
    log(`${count} app(s): ${JSON.stringify(row)}`);
    return row;
}

function markdown(rows: Row[]): string {
    const pulumiVersion = run("pulumi", ["version"]).trim();
    const lines = [
        "# Engine benchmark",
        "",
        `Measured with \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, ` +
            `${Math.round(os.totalmem() / 2 ** 30)} GiB; Pulumi CLI ${pulumiVersion}, pulumi-resource-kubernetes 4.32.0, ` +
            "Node.js " +
            process.version +
            ", the local control plane of the e2e run (Kubernetes v1.35.4, kwok nodes). " +
            "Wall seconds of each whole command, program start-up (TypeScript) included; the Argo Rollouts controller does not run, " +
            "so nothing changes between the first and the no-op `up`.",
        "",
        "| apps | resources in state | `pulumi preview` (s) | first `pulumi up` (s) | no-op `pulumi up` (s) | no-op up / preview |",
        "|---:|---:|---:|---:|---:|---:|",
        ...rows.map(
            (r) =>
                `| ${r.apps} | ${r.resources} | ${r.preview.toFixed(1)} | ${r.firstUp.toFixed(1)} | ${r.noopUp.toFixed(1)} | ${(r.noopUp / r.preview).toFixed(2)} |`,
        ),
        "",
    ];
    if (rows.length >= 2) {
        const [a, b] = [rows[0], rows[rows.length - 1]];
        const perApp = (x: number, y: number) => ((y - x) / (b.apps - a.apps)).toFixed(2);
        lines.push(
            `From ${a.apps} to ${b.apps} apps, each further app adds ${perApp(a.preview, b.preview)} s to a preview, ` +
                `${perApp(a.firstUp, b.firstUp)} s to the first up and ${perApp(a.noopUp, b.noopUp)} s to a no-op up ` +
                `(a straight line through the two points; the fixed part is the engine, plugin and program start-up).`,
            "",
        );
    }
    const checks = [
        ...rows.filter((r) => r.apps === 1).map((r) => `no-op up of 1 app under 15 s: ${r.noopUp.toFixed(1)} s, ${r.noopUp < 15 ? "met" : "NOT met"}`),
        ...rows.filter((r) => r.apps === 50).map((r) => `no-op up of 50 apps under 60 s: ${r.noopUp.toFixed(1)} s, ${r.noopUp < 60 ? "met" : "NOT met"}`),
        ...rows.map(
            (r) => `${r.apps} app(s): no-op up at most 1.5 x preview: ${(r.noopUp / r.preview).toFixed(2)}, ${r.noopUp <= 1.5 * r.preview ? "met" : "NOT met"}`,
        ),
    ];
    return [...lines, "Targets:", "", ...checks.map((c) => `- ${c}`), ""].join("\n");
}

async function main(): Promise<void> {
    const dir = process.env.CANARY_BENCH_DIR ?? "/tmp/canary-bench";
    const counts = (process.env.CANARY_BENCH_APPS ?? "1,50").split(",").map(Number);
    const out = process.env.CANARY_BENCH_OUT ?? path.join(ROOT, "docs", "bench.md");
    const tools = run(path.join(ROOT, "scripts", "toolchain"), ["--print-path"]).trim();
    process.env.PATH = [path.join(ROOT, "node_modules", ".bin"), tools, process.env.PATH].join(":");
    const clusterEnv = { ...process.env, CANARY_E2E_DIR: dir, CANARY_E2E_SKIP_SMOKE: "1" };
    const rows: Row[] = [];
    try {
        log("cluster up");
        run(path.join(ROOT, "scripts", "cluster-up"), [], clusterEnv);
        const kubeconfig = path.join(dir, "kubeconfig");
        const kubectl = new Kubectl(kubeconfig);
        for (const count of counts) rows.push(measure(dir, kubeconfig, kubectl, count));
    } finally {
        run(path.join(ROOT, "scripts", "cluster-down"), [], clusterEnv);
    }
    fs.writeFileSync(out, markdown(rows));
    process.stdout.write(`${fs.readFileSync(out, "utf8")}\nwritten to ${out}\n`);
}

main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
});
