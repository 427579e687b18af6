import type * as LezerPromql from "@prometheus-io/lezer-promql" with { "resolution-mode": "import" };
import { CANARY_HASH_ARG, POD_HASH_PROM_LABEL } from "../components/manifests/queries";
import { AppConfig } from "./types";

// The package ships CommonJS too, but its types are declared as ESM only.
const { parser } = require("@prometheus-io/lezer-promql") as typeof LezerPromql;

/**
 * Where a PromQL expression stops parsing, or undefined when it parses.
 * Argo's `{{args.x}}` placeholders are replaced before parsing, as Argo
 * itself substitutes them before the query reaches Prometheus.
 */
export function promqlError(query: string): string | undefined {
    const substituted = query.replace(/\{\{\s*args\.[A-Za-z0-9_.-]+\s*\}\}/g, (m) => "0".repeat(m.length));
    const tree = parser.parse(substituted);
    let errorAt: number | undefined;
    tree.iterate({
        enter: (node) => {
            if (errorAt === undefined && node.type.isError) errorAt = node.from;
            return errorAt === undefined;
        },
    });
    if (errorAt === undefined) return undefined;
    const context = query.slice(Math.max(0, errorAt - 15), errorAt + 15).replace(/\s+/g, " ");
    const where = errorAt >= query.trimEnd().length ? "at its end (something is not closed)" : `at character ${errorAt + 1}`;
    return `PromQL does not parse ${where} (near ${JSON.stringify(context)})`;
}

/** A PromQL string literal's value: "..." has JSON's escapes, '...' and `...` are taken as written. */
function unquote(literal: string): string {
    return literal.startsWith('"') ? (JSON.parse(literal) as string) : literal.slice(1, -1);
}

export interface PromqlSelector {
    /** The metric name, or "" for a selector by labels alone. */
    metric: string;
    matchers: { label: string; op: string; value: string }[];
}

/** Every series selector in a query, in order: what the query reads, as Prometheus would parse it. */
export function promqlSelectors(query: string): PromqlSelector[] {
    const selectors: PromqlSelector[] = [];
    const text = (node: { from: number; to: number }) => query.slice(node.from, node.to);
    parser.parse(query).iterate({
        enter: (node) => {
            if (node.type.name !== "VectorSelector") return true;
            const identifier = node.node.getChild("Identifier");
            const matchers = node.node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? [];
            selectors.push({
                metric: identifier ? text(identifier) : "",
                matchers: matchers.map((m) => ({
                    label: text(m.getChild("LabelName")!),
                    op: text(m.getChild("MatchOp")!),
                    value: unquote(text(m.getChild("StringLiteral")!)),
                })),
            });
            return false;
        },
    });
    return selectors;
}

type SyntaxNode = NonNullable<ReturnType<typeof parser.parse>["topNode"]["firstChild"]>;

function readsSeries(node: SyntaxNode): boolean {
    if (node.type.name === "VectorSelector") return true;
    for (let child = node.firstChild; child; child = child.nextSibling) if (readsSeries(child)) return true;
    return false;
}

/**
 * The fallback of a query whose result is `<query> or <something that reads no series>` (e.g.
 * `or vector(0)`), as written; undefined for any other query. Such a query measures that constant
 * whenever its own series are missing. A fallback inside the query (the numerator of a ratio, as
 * the built-in error rates use) is not one: the rest of the query still needs its series.
 */
export function constantFallback(query: string): string | undefined {
    const substituted = query.replace(/\{\{\s*args\.[A-Za-z0-9_.-]+\s*\}\}/g, (m) => "0".repeat(m.length));
    let node = parser.parse(substituted).topNode.firstChild;
    while (node?.type.name === "ParenExpr" && node.firstChild) node = node.firstChild;
    if (!node || node.type.name !== "BinaryExpr") return undefined;
    const or = node.getChild("Or");
    const right = node.lastChild;
    if (!or || !right || readsSeries(right)) return undefined;
    return query.slice(or.from, right.to).replace(/\s+/g, " ");
}

/** A warning for each custom Prometheus metric of the app whose query falls back on a constant (the watchdog's are the same queries). */
export function constantFallbackWarnings(app: AppConfig): string[] {
    const canaryUp = `up{job="${app.metrics?.job ?? "<job>"}", ${POD_HASH_PROM_LABEL}="{{args.${CANARY_HASH_ARG}}}"}`;
    return app.analysis.metrics.flatMap((metric) => {
        const fallback = metric.kind === "custom" && metric.provider === "prometheus" ? constantFallback(metric.query) : undefined;
        if (!fallback) return [];
        return [
            `${app.name}: metric ${JSON.stringify(metric.name)} falls back on a constant (${fallback}) when its series are missing: not scraped, ` +
                "a wrong job label or pod-template hash, or a counter the app creates at its first increment all read as that number, and can pass the gate. " +
                `Fall back on a series that proves the canary is scraped instead: or on() (0 * sum(${canaryUp} == 1)) (docs/metrics.md, "Custom counter gates")`,
        ];
    });
}
