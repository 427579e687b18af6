import * as fs from "fs";
import * as path from "path";
import { ChartSource } from "./types";
import { fail, obj, optionalStr, show, Obj } from "./reader";
import { URL_PATTERN } from "./metrics";

const KEYS = ["repo", "oci", "path"] as const;
const WHAT = "repo (a chart repository URL), oci (an oci:// chart reference) or path (a chart archive or directory)";
/** `oci://<registry>/<repository>/<chart>`; a tag or digest on the last segment is refused: the version is the pin. */
const OCI_REFERENCE = /^oci:\/\/[^\s/]+(\/[^\s/]+)*\/[^\s/:@]+$/;

/**
 * A local chart must exist when the config is read, so a wrong path stops
 * `pulumi preview` with the key instead of failing in the provider. It is
 * resolved against the project directory: the Pulumi CLI runs the program
 * and its providers there, and the render runs from it.
 */
function checkChartPath(value: string, key: string): void {
    const resolved = path.resolve(value);
    const allowed = "give a chart archive (.tgz) or a chart directory";
    if (!fs.existsSync(resolved)) {
        fail(key, `${show(value)} does not exist (resolved against the project directory: ${resolved}); ${allowed}`);
    }
    if (fs.statSync(resolved).isDirectory() && !fs.existsSync(path.join(resolved, "Chart.yaml"))) {
        fail(key, `${show(value)} is a directory without a Chart.yaml (${resolved}); ${allowed}`);
    }
}

/**
 * `<section>.chart`: where a chart installed here comes from, one of `repo`,
 * `oci` or `path`; unset, the upstream repository. Only with `install: true`.
 */
export function parseChartSource(section: Obj, sectionPath: string, install: boolean): ChartSource {
    const key = `${sectionPath}.chart`;
    if (section.chart === undefined) return { kind: "repo" };
    if (!install) fail(key, "only used with install: true (nothing is installed here); remove it");
    const o = obj(section.chart, key, KEYS);
    const given = KEYS.filter((k) => o[k] !== undefined);
    if (given.length !== 1) fail(key, `give one of ${WHAT}${given.length ? `, not ${given.join(" and ")}` : ""}`);
    const repo = optionalStr(o, "repo", key, URL_PATTERN, "an http(s) chart repository URL such as https://charts.example.com/argo");
    if (repo !== undefined) return { kind: "repo", repo };
    const ref = optionalStr(
        o,
        "oci",
        key,
        OCI_REFERENCE,
        "an OCI chart reference without a tag (oci://<registry>/<repository>/<chart>; the version is the pinned one)",
    );
    if (ref !== undefined) return { kind: "oci", ref };
    const chartPath = optionalStr(o, "path", key) as string;
    checkChartPath(chartPath, `${key}.path`);
    return { kind: "path", path: chartPath };
}
