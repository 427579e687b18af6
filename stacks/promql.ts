import type * as LezerPromql from "@prometheus-io/lezer-promql" with { "resolution-mode": "import" };

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
