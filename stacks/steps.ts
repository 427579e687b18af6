import { goDurationSeconds } from "../model/duration";
import { AnalysisStep, CanaryStep } from "./types";
import { bool, fail, isObj, list, obj, optionalInt, show, str, DNS_SUBDOMAIN, DNS_SUBDOMAIN_WHAT } from "./reader";

export const STEP_KINDS = ["setWeight", "pause", "analysis", "setCanaryScale"] as const;

/** `pause: 120` is a common slip for Argo's `pause: {duration: 120s}`: say what to write instead. */
function pauseHint(value: unknown): string {
    if (typeof value === "number" && Number.isInteger(value) && value >= 0) return `write pause: {duration: ${value}s}`;
    if (typeof value === "string" && goDurationSeconds(value) !== undefined) return `write pause: {duration: ${value}}`;
    return "write e.g. pause: {duration: 5m}, or pause: {} to wait for a promote";
}

function parsePause(value: unknown, path: string): CanaryStep {
    if (value !== undefined && value !== null && !isObj(value)) fail(path, `${show(value)} is not a mapping; ${pauseHint(value)}`);
    const pause = obj(value ?? {}, path, ["duration"]);
    const duration = pause.duration;
    if (duration === undefined) return { pause: {} };
    const ok =
        typeof duration === "number"
            ? Number.isInteger(duration) && duration >= 0
            : typeof duration === "string" && (/^\d+$/.test(duration) || goDurationSeconds(duration) !== undefined);
    if (!ok) fail(`${path}.duration`, `${show(duration)} is not a duration (use e.g. "30s", "5m", or whole seconds)`);
    return { pause: { duration: duration as string | number } };
}

function parseAnalysisStep(value: unknown, path: string): CanaryStep {
    const analysis = obj(value ?? {}, path, ["templates"]);
    const templates: AnalysisStep["templates"] = [];
    if (analysis.templates !== undefined) {
        list(analysis.templates, `${path}.templates`).forEach((raw, i) => {
            const at = `${path}.templates[${i}]`;
            const template = obj(raw, at, ["templateName", "clusterScope"]);
            const templateName = str(template, "templateName", at, DNS_SUBDOMAIN, DNS_SUBDOMAIN_WHAT);
            const clusterScope = template.clusterScope === undefined ? undefined : bool(template, "clusterScope", at, false);
            templates.push(clusterScope === undefined ? { templateName } : { templateName, clusterScope });
        });
    }
    return { analysis: { templates } };
}

function parseCanaryScale(value: unknown, path: string): CanaryStep {
    const scale = obj(value, path, ["weight", "replicas", "matchTrafficWeight"]);
    const set = Object.keys(scale);
    if (set.length !== 1) fail(path, `${show(value)} must set exactly one of weight, replicas, matchTrafficWeight`);
    if (scale.matchTrafficWeight !== undefined) {
        if (scale.matchTrafficWeight !== true) fail(`${path}.matchTrafficWeight`, `${show(scale.matchTrafficWeight)} is not true`);
        return { setCanaryScale: { matchTrafficWeight: true } };
    }
    const weight = optionalInt(scale, "weight", path, 0, 100);
    if (weight !== undefined) return { setCanaryScale: { weight } };
    return { setCanaryScale: { replicas: optionalInt(scale, "replicas", path, 0, 10000) } };
}

/** One step in Argo's format: a mapping with exactly one of the step kinds. */
export function parseStep(raw: unknown, path: string): CanaryStep {
    if (!isObj(raw) || Object.keys(raw).length !== 1) {
        fail(path, `${show(raw)} is not a step (a mapping with exactly one of ${STEP_KINDS.join(", ")})`);
    }
    const [kind, value] = Object.entries(raw)[0];
    const at = `${path}.${kind}`;
    switch (kind) {
        case "setWeight":
            if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 100) {
                fail(at, `${show(value)} is not an integer from 0 to 100`);
            }
            return { setWeight: value };
        case "pause":
            return parsePause(value, at);
        case "analysis":
            return parseAnalysisStep(value, at);
        case "setCanaryScale":
            return parseCanaryScale(value, at);
        default:
            return fail(at, `unknown step (allowed: ${STEP_KINDS.join(", ")})`);
    }
}

export function parseSteps(value: unknown, path: string): CanaryStep[] {
    if (value === undefined) fail(path, "missing (the canary ladder, e.g. [{setWeight: 10}, {pause: {duration: 5m}}, {analysis: {}}])");
    const steps = list(value, path).map((raw, i) => parseStep(raw, `${path}[${i}]`));
    if (steps.length === 0) fail(path, "[] is empty (a canary needs at least one step)");
    const firstTraffic = steps.findIndex((s) => "setWeight" in s && s.setWeight > 0);
    const early = steps.findIndex((s, i) => "analysis" in s && (firstTraffic === -1 || i < firstTraffic));
    if (early !== -1) {
        fail(
            `${path}[${early}].analysis`,
            "runs before any setWeight above 0: the canary has no pods and no traffic yet, so every measurement " +
                "is inconclusive and the rollout pauses there; put a setWeight above 0 (and a pause) before it",
        );
    }
    return steps;
}

/** Indexes of the analysis steps that run the app's own template. */
export function ownAnalysisSteps(steps: CanaryStep[]): number[] {
    return steps.flatMap((step, i) => ("analysis" in step && step.analysis.templates.length === 0 ? [i] : []));
}
