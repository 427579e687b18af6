import * as fs from "fs";
import * as path from "path";
import { hasTimeline, ReportMeta, summaryMarkdown, timelineFileName } from "./summary";
import { timelineSvg } from "./timeline";
import { ScenarioResult } from "./types";

/**
 * Writes report.json, summary.md and one timeline SVG per scenario with samples
 * into `dir` (created if missing) and returns the paths written, in that order.
 * Refuses before writing anything when two scenario names share a slug, since
 * one picture would silently overwrite the other.
 */
export function writeReport(dir: string, results: ScenarioResult[], meta: ReportMeta): string[] {
    const byFile = new Map<string, string>();
    for (const r of results) {
        const file = timelineFileName(r.name);
        const other = byFile.get(file);
        if (other !== undefined) throw new Error(`scenarios ${JSON.stringify(other)} and ${JSON.stringify(r.name)} would both write ${file}; rename one`);
        byFile.set(file, r.name);
    }

    const files: [string, string][] = [
        ["report.json", JSON.stringify({ meta, results }, null, 2) + "\n"],
        ["summary.md", summaryMarkdown(results, meta)],
        ...results.filter(hasTimeline).map((r): [string, string] => [timelineFileName(r.name), timelineSvg(r)]),
    ];
    fs.mkdirSync(dir, { recursive: true });
    return files.map(([name, text]) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    });
}
