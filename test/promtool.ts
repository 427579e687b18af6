/**
 * Prometheus's own engine for the unit tests: `promtool test rules` evaluates PromQL over input
 * series written in its notation. The tests that use it skip when promtool is not on PATH (it
 * comes with Debian's prometheus package, which the e2e prerequisites install).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";

export function hasPromtool(): boolean {
    return spawnSync("promtool", ["--version"]).status === 0;
}

export interface InputSeries {
    series: string;
    /** promtool's notation: "0+10x16", "1 2 _ 3" ("_" is a missing sample). */
    values: string;
}

/** A case: the expression at `eval_time` returns one sample without labels of this value, or nothing (undefined). */
export interface ExprCase {
    expr: string;
    exp: number | undefined;
}

/** "SUCCESS", or promtool's complaint: every case evaluated over `series`, scraped every `interval`. */
export function promtoolTest(series: InputSeries[], cases: ExprCase[], evalTime: string, interval = "15s"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
    const file = path.join(dir, "test.yaml");
    fs.writeFileSync(
        file,
        stringify({
            rule_files: [],
            tests: [
                {
                    interval,
                    input_series: series,
                    promql_expr_test: cases.map((c) => ({
                        expr: c.expr,
                        eval_time: evalTime,
                        exp_samples: c.exp === undefined ? [] : [{ labels: "{}", value: c.exp }],
                    })),
                },
            ],
        }),
    );
    const run = spawnSync("promtool", ["test", "rules", file], { encoding: "utf8" });
    fs.rmSync(dir, { recursive: true, force: true });
    return run.status === 0 ? "SUCCESS" : `${run.stdout}${run.stderr}`;
}
