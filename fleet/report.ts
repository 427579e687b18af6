/** The fleet's reports as text for people (stdout); `--json` prints the reports themselves. Pure. */
import { OperationSummary, PreviewReport, StatusReport, UpReport } from "./runner";

/** Columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: string[]) =>
        cells
            .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    return [line(header), ...rows.map(line)].join("\n");
}

const SYMBOLS: Record<string, string> = { create: "+", update: "~", delete: "-", replace: "+-" };
/** The engine's counts that change nothing: resources left as they are, and objects only read (the Argo CRDs, ...). */
const NOT_CHANGES = ["same", "read"];

export function changesText(changes: Record<string, number>): string {
    const parts = Object.entries(changes)
        .filter(([op]) => !NOT_CHANGES.includes(op))
        .map(([op, n]) => `${SYMBOLS[op] ?? ""}${n} ${op}`);
    return parts.length > 0 ? parts.join(", ") : "no changes";
}

function details(s: OperationSummary): string[] {
    return [...s.exposure.map((m) => `  exposure: ${m}`), ...s.warnings.map((m) => `  warning: ${m}`), ...s.errors.map((m) => `  error: ${m}`)];
}

export function previewText(report: PreviewReport): string {
    const rows = report.stacks.map((s) => [
        s.stack,
        s.ok ? "ok" : "FAILED",
        changesText(s.changes),
        String(s.warnings.length),
        String(s.errors.length),
        `${s.seconds.toFixed(0)}s`,
    ]);
    const lines = [table(["STACK", "PREVIEW", "CHANGES", "WARNINGS", "ERRORS", "TIME"], rows)];
    for (const s of report.stacks) {
        const more = details(s);
        if (more.length > 0) lines.push("", `${s.stack}:`, ...more);
    }
    return lines.join("\n");
}

export function upText(report: UpReport): string {
    const lines: string[] = [];
    for (const wave of report.waves) {
        if (wave.gate) {
            for (const h of wave.gate)
                lines.push(`wave ${wave.wave} gate: ${h.stack} ${h.healthy ? "healthy" : `NOT healthy: ${h.reasons.join("; ")}`}${notes(h.notes)}`);
        }
        for (const u of wave.ups ?? []) {
            lines.push(`wave ${wave.wave}: ${u.stack}: pulumi up ${u.ok ? "succeeded" : "FAILED"} (${changesText(u.changes)}) in ${u.seconds.toFixed(0)}s`);
            lines.push(...details(u).filter((l) => !l.startsWith("  exposure")));
        }
    }
    for (const h of report.final ?? [])
        lines.push(`after the last wave: ${h.stack} ${h.healthy ? "healthy" : `NOT healthy: ${h.reasons.join("; ")}`}${notes(h.notes)}`);
    if (report.stopped) {
        const where = { up: "its pulumi up failed", gate: "the stacks before it are not healthy", final: "the fleet is not healthy after the last wave" }[
            report.stopped.at
        ];
        lines.push(`STOPPED at wave ${report.stopped.wave}: ${where}: ${report.stopped.reasons.join("; ")}`);
    }
    for (const wave of report.untouched) lines.push(`untouched: wave ${wave.wave}: ${wave.stacks.join(", ")}`);
    return lines.join("\n");
}

function notes(n: string[]): string {
    return n.length > 0 ? ` (${n.join("; ")})` : "";
}

export function statusText(report: StatusReport): string {
    const rows = report.stacks.flatMap((s) =>
        s.error
            ? [[s.stack, s.cluster ?? "", "", `ERROR: ${s.error}`, "", "", "", "", ""]]
            : s.rollouts.map((r) => [
                  s.stack,
                  s.cluster ?? "",
                  `${r.namespace}/${r.name}`,
                  r.status,
                  r.step,
                  r.setWeight === "" ? "" : `${r.actualWeight}/${r.setWeight}`,
                  r.stableImage,
                  r.canaryImage,
                  r.lastAnalysisRun ? `${r.lastAnalysisRun.name} ${r.lastAnalysisRun.phase}` : "",
              ]),
    );
    return table(["STACK", "CLUSTER (kube-system UID)", "ROLLOUT", "STATUS", "STEP", "WEIGHT (actual/set)", "STABLE", "CANARY", "LAST ANALYSISRUN"], rows);
}
