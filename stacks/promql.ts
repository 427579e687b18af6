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
