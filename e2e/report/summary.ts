import { ScenarioResult } from "./types";

/** What the run as a whole was: when, how long, and which controller, Prometheus and tool versions it used. */
export interface ReportMeta {
    startedAt: string;
    durationSeconds: number;
    versions: Record<string, string>;
}

/** A file-name-safe form of a scenario name: runs of anything but [a-z0-9] become one '-'. */
export function slug(name: string): string {
    const s = name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
    return s === "" ? "scenario" : s;
}

export function timelineFileName(name: string): string {
    return `timeline-${slug(name)}.svg`;
}

/** Without samples there is no weight to draw, so no picture is written or linked. */
export function hasTimeline(result: ScenarioResult): boolean {
    return result.samples.length > 0;
}

/** Keeps a value inside its table cell: a '|' would split it and a '<' would start raw HTML. */
function cell(value: unknown): string {
    return String(value).replace(/\r?\n/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;");
}

function table(header: string[], rows: unknown[][]): string[] {
    return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

const seconds = (n: number) => n.toFixed(1);
/** Error rates and thresholds are printed as measured, to four significant digits, never rescaled. */
const rate = (n: number) => (Number.isFinite(n) ? String(Number(n.toPrecision(4))) : String(n));
const numberIn = (extra: Record<string, unknown> | undefined, key: string) => (typeof extra?.[key] === "number" ? (extra[key] as number) : undefined);
const yesNo = (caught: boolean) => (caught ? "yes" : "no");

/** The gates with a Failed measurement, in order, the watchdog's (a background run) marked as such. */
function failedGates(r: ScenarioResult): string {
    const failed = r.measurements.filter((m) => m.phase === "Failed").map((m) => (m.run === "Background" ? `${m.metric} (watchdog)` : m.metric));
    return [...new Set(failed)].join(", ") || "none";
}

function detectionRows(results: ScenarioResult[]): unknown[][] {
    return results.flatMap((r) => {
        const [canary, whole, threshold] = ["canaryErrorRate", "wholeServiceErrorRate", "threshold"].map((k) => numberIn(r.extra, k));
        if (canary === undefined || whole === undefined || threshold === undefined) return [];
        const [injected, injectedStable] = ["injectedErrorRate", "injectedStableErrorRate"].map((k) => numberIn(r.extra, k));
        const shown = (n?: number) => (n === undefined ? "—" : rate(n));
        return [
            [
                r.name,
                `${shown(injected)} / ${shown(injectedStable)}`,
                rate(canary),
                rate(whole),
                rate(threshold),
                yesNo(canary > threshold),
                yesNo(whole > threshold),
                failedGates(r),
                r.observed.split(" ")[0],
            ],
        ];
    });
}

/** The canary-against-stable scenarios: both versions as measured, and what the absolute and the relative gate did. */
function comparisonRows(results: ScenarioResult[]): unknown[][] {
    return results.flatMap((r) => {
        const gates = r.extra?.gates as Record<string, number> | undefined;
        if (!gates) return [];
        const [canaryErrors, stableErrors, canaryP95, stableP95] = ["canaryErrorRate", "stableErrorRate", "canaryP95", "stableP95"].map((k) =>
            numberIn(r.extra, k),
        );
        const measured = (canary?: number, stable?: number) => `${canary === undefined ? "—" : rate(canary)} / ${stable === undefined ? "—" : rate(stable)}`;
        const verdict = (metric: string) => {
            const phases = r.measurements.filter((m) => m.metric === metric).map((m) => m.phase);
            return phases.includes("Failed") ? "Failed" : (phases.at(-1) ?? "not measured");
        };
        return [
            [
                r.name,
                measured(canaryErrors, stableErrors),
                measured(canaryP95, stableP95),
                `${verdict("error-rate")} / ${verdict("error-vs-stable")}`,
                `${verdict("latency-p95")} / ${verdict("latency-vs-stable")}`,
                r.observed.split(" ")[0],
                r.passed ? "pass" : "**FAIL**",
            ],
        ];
    });
}

function abortRows(results: ScenarioResult[]): unknown[][] {
    return results.flatMap((r) => {
        const predicted = numberIn(r.extra, "predictedAbortSeconds");
        if (predicted === undefined) return [];
        const diff = r.seconds - predicted;
        return [[r.name, seconds(r.seconds), seconds(predicted), `${diff > 0 ? "+" : ""}${seconds(diff)}`]];
    });
}

function alertRows(results: ScenarioResult[]): unknown[][] {
    return results.flatMap((r) => {
        const alert = r.extra?.alert;
        const event = r.extra?.event;
        if (typeof alert !== "string" || typeof event !== "string") return [];
        const fired = numberIn(r.extra, "secondsToFire");
        return [[event, alert, fired === undefined ? "did not fire" : seconds(fired)]];
    });
}

/** A titled table, or nothing when there are no rows. */
function optionalSection(title: string, intro: string, headers: string[], rows: unknown[][]): string[] {
    return rows.length === 0 ? [] : [`## ${title}`, "", intro, "", ...table(headers, rows), ""];
}

export function summaryMarkdown(results: ScenarioResult[], meta: ReportMeta): string {
    const passed = results.filter((r) => r.passed).length;
    const lines: string[] = [
        "# Canary end-to-end report",
        "",
        `Started ${cell(meta.startedAt)}, took ${seconds(meta.durationSeconds)} s. **${passed} of ${results.length} scenarios passed.**`,
        "",
    ];
    if (Object.keys(meta.versions).length > 0) lines.push(...table(["Component", "Version"], Object.entries(meta.versions)), "");

    lines.push(
        "## Scenarios",
        "",
        ...table(
            ["Scenario", "Image", "Expected", "Observed", "Seconds", "Max weight", "Result"],
            results.map((r) => [r.name, r.image, r.expected, r.observed, seconds(r.seconds), `${r.maxWeight}%`, r.passed ? "pass" : "**FAIL**"]),
        ),
        "",
    );

    lines.push(
        ...optionalSection(
            "Detection power",
            "The error rate injected into the canary and into the stable pods; the canary's as a query scoped to its pods and the whole Service's " +
                "saw it when the analysis decided, against the absolute threshold (caught means above it); the gates whose measurements failed " +
                "(the watchdog's background run marked), and the outcome. A canary worse than its stable by less than the threshold is caught by " +
                "the relative gate alone.",
            [
                "Scenario",
                "Injected error rate, canary / stable",
                "Canary-scoped",
                "Whole-service",
                "Threshold",
                "Caught by canary-scoped",
                "Caught by whole-service",
                "Failed gates",
                "Outcome",
            ],
            detectionRows(results),
        ),
    );
    const gates = results.map((r) => r.extra?.gates as Record<string, number> | undefined).find((g) => g !== undefined);
    lines.push(
        ...optionalSection(
            "Canary against stable",
            "Each version's error rate and p95 (s) as measured when the analysis decided, and each gate's verdict: absolute " +
                `(error rate at most ${gates?.errorMax}, p95 at most ${gates?.p95Max} s) and relative (the canary's error rate at most the stable pods' ` +
                `+ ${gates?.errorMaxIncrease}, its p95 at most ${gates?.p95MaxRatio} times theirs).`,
            ["Scenario", "Error rate canary / stable", "p95 canary / stable", "Errors: absolute / relative", "p95: absolute / relative", "Outcome", "Result"],
            comparisonRows(results),
        ),
    );
    lines.push(
        ...optionalSection(
            "Time to abort",
            "Seconds from the image change to the abort, against what the analysis settings predict; a positive difference is slower than predicted.",
            ["Scenario", "Observed (s)", "Predicted (s)", "Difference (s)"],
            abortRows(results),
        ),
    );

    lines.push(
        ...optionalSection(
            "Alerts",
            "Seconds from the event to the alert firing in the e2e's Prometheus, which runs the rule file the Prometheus operator generated from the stack's PrometheusRule (local alertFor).",
            ["Event", "Alert", "Seconds to fire"],
            alertRows(results),
        ),
    );

    lines.push("## Timelines", "");
    for (const r of results) {
        const name = cell(r.name).replace(/[[\]]/g, "\\$&");
        lines.push(hasTimeline(r) ? `- [${name}](${timelineFileName(r.name)})` : `- ${name}: no weight samples, no timeline`);
    }
    return lines.join("\n") + "\n";
}
