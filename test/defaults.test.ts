// Tests docs/config-reference.md against stacks/defaults.ts: every default the page states is the one the readers apply.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { APP_DEFAULTS, METRIC_DEFAULTS, PLATFORM_DEFAULTS, WATCHDOG_DEFAULTS } from "../stacks/defaults";
import { parseStackConfig } from "../stacks";
import { existingPlatform, validApp } from "./fixtures";

const page = fs.readFileSync(path.join(__dirname, "..", "docs", "config-reference.md"), "utf8");

/** The default column of each `### <section>` table, by the row's first key (backticks and spaces dropped). */
function defaultColumn(section: string): Map<string, string> {
    const start = page.indexOf(`### \`${section}\``);
    assert.ok(start >= 0, `docs/config-reference.md has no ### \`${section}\``);
    const end = page.indexOf("\n### ", start + 1);
    const rows = page
        .slice(start, end < 0 ? undefined : end)
        .split("\n")
        .filter((l) => l.startsWith("| `"));
    return new Map(
        rows.map((row) => {
            const [key, value] = row
                .split("|")
                .slice(1, 3)
                .map((c) => c.trim());
            return [key.split(",")[0].replace(/`/g, "").trim(), value];
        }),
    );
}

const code = (value: unknown) => `\`${value}\``;
const P = PLATFORM_DEFAULTS;
const A = APP_DEFAULTS;

/** One test per row: the page's default for `key` in that section's table starts with what the module says. */
function checkRows(section: string, prefix: string, rows: [string, string][]): void {
    const column = defaultColumn(section);
    for (const [key, stated] of rows) {
        it(`${prefix}${key}: ${stated}`, () => assert.ok(column.get(key)?.startsWith(stated), `the page says ${column.get(key)}`));
    }
}

describe("docs/config-reference.md states the defaults of stacks/defaults.ts", () => {
    checkRows("platform", "platform.", [
        ["shared", code(P.shared)],
        ["maxBadCanaryWeight", code(P.maxBadCanaryWeight)],
        ["argoRollouts.install", code(P.argoRollouts.install)],
        ["argoRollouts.namespace", code(P.argoRollouts.namespace)],
        ["argoRollouts.dashboard", code(P.argoRollouts.dashboard)],
        ["argoRollouts.metricsJob", code(P.argoRollouts.metricsJob)],
        ["monitoring.prometheus", code(P.monitoring.prometheus)],
        ["monitoring.install", code(P.monitoring.install)],
        ["monitoring.namespace", code(P.monitoring.namespace)],
        ["monitoring.release", code(P.monitoring.release)],
        ["monitoring.alerts", code(P.monitoring.alerts)],
        ["monitoring.alertFor.RolloutDegraded", Object.values(P.monitoring.alertFor).map(code).join(", ")],
        ["certManager.install", code(P.certManager.install)],
        ["certManager.namespace", code(P.certManager.namespace)],
        ["certManager.present", code(P.certManager.present)],
        ["newRelic.region", code(P.newRelic.region)],
    ]);

    checkRows("apps", "apps[].", [
        ["scaleDown", code(A.scaleDown)],
        ["metrics.path", code(A.metrics.path)],
        ["metrics.scrapeInterval", code(A.metrics.scrapeInterval)],
        ["series.requestsTotal", code(A.series.requestsTotal)],
        ["series.codeLabel", code(A.series.codeLabel)],
        ["series.durationHistogram", code(A.series.durationHistogram)],
        ["analysis.mode", code(A.analysis.mode)],
        ["progressDeadlineSeconds", code(A.progressDeadlineSeconds)],
        ["progressDeadlineAbort", code(A.progressDeadlineAbort)],
        ["podReadySeconds", code(A.podReadySeconds)],
        ["deployer.admissionPolicy", code(A.deployer.admissionPolicy)],
        ["allowNoAnalysis", code(A.allowNoAnalysis)],
        ["allowDestroyMidCanary", code(A.allowDestroyMidCanary)],
        ["maxBadCanaryWeight", `\`platform.maxBadCanaryWeight\` (${P.maxBadCanaryWeight})`],
    ]);

    it("the metrics' measurement defaults, as its Metrics section words them", () => {
        const text = page.slice(page.indexOf("### Metrics")).replace(/\s+/g, " ");
        const M = METRIC_DEFAULTS;
        for (const phrase of [
            `\`interval\` (default \`${M.interval}\`)`,
            `\`count\` (default ${M.inlineCount} in inline mode`,
            `\`${M.newRelicInitialDelay}\` for New Relic ones`,
            `\`failureLimit\` (${M.failureLimit})`,
            `\`inconclusiveLimit\` (${M.inconclusiveLimit})`,
            `\`consecutiveErrorLimit\` (${M.consecutiveErrorLimit})`,
            `default \`${M.window}\``,
            `\`minRequests\` (default ${M.minRequests})`,
            `\`canaryScoped\` (default ${M.canaryScoped}`,
        ])
            assert.ok(text.includes(phrase), `the Metrics section lacks: ${phrase}`);
    });

    it("the watchdog's, in its row", () => {
        assert.match(defaultColumn("apps").get("analysis.watchdog") ?? "", /none/);
        assert.ok(
            page.includes(`measured every ${WATCHDOG_DEFAULTS.interval} over ${WATCHDOG_DEFAULTS.minWindowSeconds}s`),
            "the watchdog row's interval and window",
        );
    });
});

describe("stacks/defaults.ts is what the readers apply", () => {
    it("an app and a platform with nothing optional set come out with these defaults", () => {
        const raw = validApp();
        for (const key of [
            "scaleDown",
            "series",
            "progressDeadlineSeconds",
            "podReadySeconds",
            "allowNoAnalysis",
            "allowDestroyMidCanary",
            "progressDeadlineAbort",
        ])
            delete raw[key];
        delete raw.metrics.path;
        delete raw.metrics.scrapeInterval;
        delete raw.analysis.mode;
        const platform = existingPlatform();
        const config = parseStackConfig({ platform: { monitoring: platform.monitoring, argoRollouts: { install: false } }, apps: [raw] });
        const app = config.apps[0];
        assert.deepEqual(
            [
                app.scaleDown,
                app.series,
                app.progressDeadlineSeconds,
                app.podReadySeconds,
                app.budget.allowNoAnalysis,
                app.allowDestroyMidCanary,
                app.progressDeadlineAbort,
                app.metrics?.path,
                app.metrics?.scrapeInterval,
                app.analysis.mode,
            ],
            [
                A.scaleDown,
                A.series,
                A.progressDeadlineSeconds,
                A.podReadySeconds,
                A.allowNoAnalysis,
                A.allowDestroyMidCanary,
                A.progressDeadlineAbort,
                A.metrics.path,
                A.metrics.scrapeInterval,
                A.analysis.mode,
            ],
        );
        const p = config.platform;
        assert.deepEqual(
            [
                p.shared,
                p.maxBadCanaryWeight,
                p.argoRollouts.namespace,
                p.argoRollouts.metricsJob,
                p.argoRollouts.dashboard,
                p.certManager.install,
                p.certManager.namespace,
                p.monitoring.alertFor,
            ],
            [
                P.shared,
                P.maxBadCanaryWeight,
                P.argoRollouts.namespace,
                P.argoRollouts.metricsJob,
                P.argoRollouts.dashboard,
                P.certManager.install,
                P.certManager.namespace,
                P.monitoring.alertFor,
            ],
        );
    });
});
