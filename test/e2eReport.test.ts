// Tests e2e/report/ (the e2e report and its timelines).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ReportMeta, slug, summaryMarkdown } from "../e2e/report/summary";
import { escapeXml, tickStep, timelineSvg } from "../e2e/report/timeline";
import { ScenarioResult } from "../e2e/report/types";
import { writeReport } from "../e2e/report/write";

function scenario(over: Partial<ScenarioResult> = {}): ScenarioResult {
    return {
        name: "bad image aborts",
        image: "demo:2",
        expected: "aborted before 50%",
        observed: "aborted at 25%",
        passed: true,
        seconds: 41.25,
        maxWeight: 25,
        samples: [
            { t: 0, weight: 0, phase: "Progressing", step: 0 },
            { t: 0.5, weight: 10, phase: "Paused", step: 1 },
            { t: 20, weight: 25, phase: "Paused", step: 3 },
            { t: 41.5, weight: 0, phase: "Degraded" },
        ],
        measurements: [
            { t: 10, metric: "error-rate", phase: "Successful", value: "0.01" },
            { t: 20, metric: "error-rate", phase: "Inconclusive" },
            { t: 30, metric: "error-rate", phase: "Failed", value: "0.2" },
            { t: 30, metric: "latency-p95", phase: "Error" },
        ],
        events: [
            { t: 0, kind: "image-change", label: "image demo:1 → demo:2" },
            { t: 41.25, kind: "aborted", label: "aborted" },
        ],
        ...over,
    };
}

const meta: ReportMeta = { startedAt: "2025-01-02T03:04:05Z", durationSeconds: 312.44, versions: { "argo-rollouts": "v1.8.3", prometheus: "2.53.0" } };

/**
 * Well-formedness as far as this SVG needs it: every '<' opens a proper tag,
 * tags nest and close, attributes are quoted, '&' only starts an entity, one root.
 */
function assertWellFormedXml(xml: string): void {
    const entity = /&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi;
    const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
    const stack: string[] = [];
    let roots = 0;
    let i = 0;
    while (i < xml.length) {
        const lt = xml.indexOf("<", i);
        const text = xml.slice(i, lt < 0 ? xml.length : lt);
        assert.ok(!text.replace(entity, "").includes("&"), `bare & in text ${JSON.stringify(text)}`);
        if (stack.length === 0) assert.equal(text.trim(), "", `text outside the root: ${JSON.stringify(text)}`);
        if (lt < 0) break;
        tag.lastIndex = lt;
        const m = tag.exec(xml);
        assert.ok(m, `malformed tag at ${lt}: ${JSON.stringify(xml.slice(lt, lt + 60))}`);
        const [whole, closing, name, attrs, selfClosing] = m;
        assert.ok(!attrs.replace(entity, "").includes("&"), `bare & in attributes of <${name}>`);
        if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
        else if (!selfClosing) {
            if (stack.length === 0) roots++;
            stack.push(name);
        } else if (stack.length === 0) roots++;
        i = lt + whole.length;
    }
    assert.deepEqual(stack, [], "unclosed elements");
    assert.equal(roots, 1, "exactly one root element");
}

/** The rows of the table that follows `heading`, as cells, without header and separator. */
function tableRows(markdown: string, heading: string): string[][] {
    const lines = markdown.split("\n");
    const start = lines.indexOf(heading);
    assert.ok(start >= 0, `no ${heading}`);
    const rows: string[][] = [];
    let i = lines.findIndex((l, n) => n > start && l.startsWith("|"));
    for (i += 2; i < lines.length && lines[i].startsWith("|"); i++) {
        rows.push(lines[i].slice(2, -2).split(/ (?<!\\)\| /));
    }
    return rows;
}

describe("e2e report: the well-formedness check itself", () => {
    const bad = ["<svg><g></svg>", "<svg>a & b</svg>", "<svg x=1/>", "<a/><b/>", "<svg>a < b</svg>", "<svg><g></g>"];
    for (const xml of bad) it(`rejects ${xml}`, () => assert.throws(() => assertWellFormedXml(xml)));
    it("accepts entities and self-closing tags", () => assertWellFormedXml(`<svg a="&amp;"><g/>x &lt; y</svg>`));
});

describe("e2e report: timeline SVG", () => {
    it("is well-formed XML with one marker per measurement, each shaped by phase", () => {
        const svg = timelineSvg(scenario());
        assertWellFormedXml(svg);
        assert.equal(svg.match(/<g class="measurement">/g)?.length, 4);
        assert.match(svg, /<circle [^>]*fill="#2e7d32"/, "Successful is a green circle");
        assert.match(svg, /<path d="M[^"]*M[^"]*" stroke="#c62828"/, "Failed is a red cross");
        assert.match(svg, /<path d="[^"]*Z" fill="#ef8f00"/, "Inconclusive is an amber diamond");
        assert.match(svg, /<rect [^>]*width="8" height="8" fill="#757575"/, "Error is a grey square");
        for (const legend of ["canary weight", "Successful", "Failed", "Inconclusive", "Error"]) assert.ok(svg.includes(`>${legend}</text>`), legend);
    });
    it("labels every event and draws it as a line", () => {
        const svg = timelineSvg(scenario());
        assert.equal(svg.match(/<g class="event">/g)?.length, 2);
        assert.ok(svg.includes(">image demo:1 → demo:2</text>"));
        assert.ok(svg.includes(">aborted</text>"));
    });
    it("escapes names, images, metrics and labels", () => {
        const svg = timelineSvg(
            scenario({
                name: `a<b & "c"`,
                image: "x<y>",
                measurements: [{ t: 1, metric: "m<&>", phase: "Successful" }],
                events: [{ t: 0, kind: "paused", label: "p&<q" }],
            }),
        );
        assertWellFormedXml(svg);
        assert.ok(svg.includes("a&lt;b &amp; &quot;c&quot;"));
        assert.ok(svg.includes("x&lt;y&gt;"));
        assert.ok(svg.includes("m&lt;&amp;&gt;"));
        assert.ok(svg.includes("p&amp;&lt;q"));
        assert.equal(escapeXml("\u0001ok"), "ok");
    });
    it("renders with no measurements, a single sample, or no samples", () => {
        for (const r of [
            scenario({ measurements: [], events: [] }),
            scenario({ samples: [{ t: 0, weight: 10, phase: "Paused" }], measurements: [], events: [], seconds: 0 }),
            scenario({ samples: [] }),
        ]) {
            const svg = timelineSvg(r);
            assertWellFormedXml(svg);
            assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
        }
        assert.match(timelineSvg(scenario({ measurements: [] })), /no analysis measurements/);
        assert.match(timelineSvg(scenario({ samples: [{ t: 0, weight: 10, phase: "Paused" }] })), /<circle [^>]*fill="#1565c0"/);
    });
    it("keeps a 600 s run inside the picture with a readable number of ticks", () => {
        const samples = Array.from({ length: 1201 }, (_, i) => ({ t: i / 2, weight: i < 600 ? 20 : 100, phase: "Progressing" }));
        const svg = timelineSvg(scenario({ samples, seconds: 600, events: [{ t: 600, kind: "promoted", label: "promoted at the end" }] }));
        assertWellFormedXml(svg);
        const xs = [...svg.matchAll(/\bx[12]?="(-?[\d.]+)"/g)].map((m) => Number(m[1]));
        assert.ok(
            xs.every((x) => x >= 0 && x <= 900),
            "all x inside the width",
        );
        assert.equal(tickStep(600), 60);
        assert.ok(svg.includes(">600</text>"));
        // Weight only changes once, so the step line has one rise no matter how many samples.
        assert.equal(svg.match(/<path class="weight" d="([^"]*)"/)?.[1].split("V").length, 2);
    });
});

describe("e2e report: summary", () => {
    const good = scenario({ name: "good image promotes", image: "demo:3", passed: true, maxWeight: 100, seconds: 90, events: [] });
    const failed = scenario({ name: "flaky | metric", passed: false, samples: [] });
    const detect = (name: string, injected: number | undefined, canary: number, whole: number) =>
        scenario({ name, extra: { injectedErrorRate: injected, canaryErrorRate: canary, wholeServiceErrorRate: whole, threshold: 0.05 } });

    it("tabulates every scenario with pass/fail", () => {
        const md = summaryMarkdown([scenario(), good, failed], meta);
        assert.deepEqual(tableRows(md, "## Scenarios"), [
            ["bad image aborts", "demo:2", "aborted before 50%", "aborted at 25%", "41.3", "25%", "pass"],
            ["good image promotes", "demo:3", "aborted before 50%", "aborted at 25%", "90.0", "100%", "pass"],
            ["flaky \\| metric", "demo:2", "aborted before 50%", "aborted at 25%", "41.3", "25%", "**FAIL**"],
        ]);
        assert.match(md, /\*\*2 of 3 scenarios passed\.\*\*/);
        assert.match(md, /took 312\.4 s/);
        assert.deepEqual(tableRows(md, "# Canary end-to-end report"), [
            ["argo-rollouts", "v1.8.3"],
            ["prometheus", "2.53.0"],
        ]);
    });
    it("computes detection power: caught means strictly above the threshold; the failed gates, the watchdog's marked, and the outcome", () => {
        const relative = scenario({
            name: "canary 3%, stable 1%",
            observed: "aborted after 30s",
            extra: { injectedErrorRate: 0.03, injectedStableErrorRate: 0.01, canaryErrorRate: 0.03, wholeServiceErrorRate: 0.015, threshold: 0.05 },
            measurements: [
                { t: 20, metric: "error-rate", phase: "Successful", value: "0.03", run: "Step" },
                { t: 20, metric: "error-vs-stable", phase: "Failed", value: "0.02", run: "Step" },
                { t: 25, metric: "error-vs-stable", phase: "Failed", value: "0.02", run: "Step" },
            ],
        });
        const watchdog = scenario({
            name: "30%, watchdog",
            observed: "aborted after 12s",
            extra: { injectedErrorRate: 0.3, injectedStableErrorRate: 0, canaryErrorRate: 0.3, wholeServiceErrorRate: 0.06, threshold: 0.05 },
            measurements: [{ t: 10, metric: "error-rate", phase: "Failed", value: "0.3", run: "Background" }],
        });
        const md = summaryMarkdown(
            [detect("errors 20%", 0.2, 0.2, 0.021), detect("errors at threshold", undefined, 0.05, 0.004), relative, watchdog, good],
            meta,
        );
        assert.deepEqual(tableRows(md, "## Detection power"), [
            ["errors 20%", "0.2 / —", "0.2", "0.021", "0.05", "yes", "no", "error-rate", "aborted"],
            ["errors at threshold", "— / —", "0.05", "0.004", "0.05", "no", "no", "error-rate", "aborted"],
            ["canary 3%, stable 1%", "0.03 / 0.01", "0.03", "0.015", "0.05", "no", "no", "error-vs-stable", "aborted"],
            ["30%, watchdog", "0.3 / 0", "0.3", "0.06", "0.05", "yes", "yes", "error-rate (watchdog)", "aborted"],
        ]);
    });
    it("compares observed with predicted time to abort", () => {
        const md = summaryMarkdown(
            [scenario({ extra: { predictedAbortSeconds: 45 } }), scenario({ name: "slow", seconds: 50, extra: { predictedAbortSeconds: 45 } }), good],
            meta,
        );
        assert.deepEqual(tableRows(md, "## Time to abort"), [
            ["bad image aborts", "41.3", "45.0", "-3.8"],
            ["slow", "50.0", "45.0", "+5.0"],
        ]);
    });
    it("tabulates each alert row: the event, the alert and the seconds to fire, or that it did not", () => {
        const md = summaryMarkdown(
            [
                good,
                scenario({ name: "alert A", extra: { alert: "CanaryAnalysisFailed", event: "run-1 Failed", secondsToFire: 1.96 } }),
                scenario({ name: "alert B", extra: { alert: "RolloutsControllerDown", event: "the controller exited" } }),
            ],
            meta,
        );
        assert.deepEqual(tableRows(md, "## Alerts"), [
            ["run-1 Failed", "CanaryAnalysisFailed", "2.0"],
            ["the controller exited", "RolloutsControllerDown", "did not fire"],
        ]);
    });
    it("tabulates canary against stable: both versions as measured, each gate's verdict (Failed if any measurement failed)", () => {
        const gates = { errorMax: 0.05, errorMaxIncrease: 0.01, p95Max: 0.5, p95MaxRatio: 1.2 };
        const aborted = scenario({
            name: "canary 3%, stable 1%",
            observed: "aborted after 30s; analysis runs: x",
            extra: { gates, canaryErrorRate: 0.03, stableErrorRate: 0.01, canaryP95: 0.1975, stableP95: 0.1975 },
            measurements: [
                { t: 20, metric: "error-rate", phase: "Successful", value: "0.03" },
                { t: 20, metric: "error-vs-stable", phase: "Failed", value: "0.02" },
                { t: 20, metric: "latency-p95", phase: "Successful", value: "0.1975" },
            ],
        });
        const md = summaryMarkdown([aborted, good], meta);
        assert.deepEqual(tableRows(md, "## Canary against stable"), [
            ["canary 3%, stable 1%", "0.03 / 0.01", "0.1975 / 0.1975", "Successful / Failed", "Successful / not measured", "aborted", "pass"],
        ]);
        assert.match(
            md,
            /absolute \(error rate at most 0\.05, p95 at most 0\.5 s\) and relative \(the canary's error rate at most the stable pods' \+ 0\.01, its p95 at most 1\.2 times theirs\)/,
        );
    });
    it("leaves out tables nothing measured, and links each timeline", () => {
        const md = summaryMarkdown([good, failed], meta);
        assert.doesNotMatch(md, /Detection power|Time to abort|## Alerts|Canary against stable/);
        assert.ok(md.includes("- [good image promotes](timeline-good-image-promotes.svg)"));
        assert.ok(md.includes("- flaky \\| metric: no weight samples, no timeline"));
    });
    it("slugs names into file-safe lower case", () => {
        const cases: [string, string][] = [
            ["Bad Image <&> 20%", "bad-image-20"],
            ["a_b.c", "a-b-c"],
            ["plain", "plain"],
            ["???", "scenario"],
        ];
        for (const [name, expected] of cases) assert.equal(slug(name), expected, name);
    });
});

describe("e2e report: writeReport", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-report-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes report.json, summary.md and one SVG per scenario with samples, creating the directory", () => {
        const out = path.join(dir, "nested", "report");
        const results = [scenario(), scenario({ name: "No Samples", samples: [] })];
        const written = writeReport(out, results, meta);
        assert.deepEqual(
            written.map((p) => path.relative(out, p)),
            ["report.json", "summary.md", "timeline-bad-image-aborts.svg"],
        );
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8")), { meta, results });
        assert.equal(fs.readFileSync(path.join(out, "summary.md"), "utf8"), summaryMarkdown(results, meta));
        assertWellFormedXml(fs.readFileSync(written[2], "utf8"));
    });
    it("refuses two scenarios whose timelines would share a file, before writing anything", () => {
        assert.throws(() => writeReport(dir, [scenario({ name: "A b" }), scenario({ name: "a-b" })], meta), {
            message: 'scenarios "A b" and "a-b" would both write timeline-a-b.svg; rename one',
        });
        assert.deepEqual(fs.readdirSync(dir), []);
    });
});
