/**
 * NRQL checked at preview, as PromQL is (issue 21 item 4). No NRQL parser is
 * published for Node, so this reads only what a mistake breaks: string
 * literals ('...', with '' or \' inside) and backtick identifiers closed,
 * parentheses balanced outside them, a SELECT and a FROM at the top level,
 * and the keys of the SELECT list, which is what Argo's New Relic provider
 * (v1.8.3, metricproviders/newrelic) hands a condition: one result row as a
 * map (`result.errorPercent`), several as a list (`result[0].errorPercent`).
 * Argo's `{{args.x}}` placeholders are taken as written: Argo substitutes
 * them before the query leaves the controller.
 */

interface Token {
    kind: "word" | "string" | "ident" | "punct" | "placeholder";
    text: string;
    at: number;
}

/** Clauses that end a SELECT list written before FROM ... or after it (FROM x SELECT y WHERE ...). */
const CLAUSES = ["FROM", "WHERE", "SINCE", "UNTIL", "FACET", "LIMIT", "TIMESERIES", "COMPARE", "WITH", "OFFSET", "EXTRAPOLATE", "ORDER", "SLIDE", "AS"];

function near(query: string, at: number): string {
    return JSON.stringify(query.slice(Math.max(0, at - 15), at + 15).replace(/\s+/g, " "));
}

/** The query's tokens, or the first thing that does not close. */
function tokenize(query: string): Token[] | string {
    const tokens: Token[] = [];
    const depth: number[] = [];
    let i = 0;
    while (i < query.length) {
        const c = query[i];
        if (/\s/.test(c)) {
            i++;
            continue;
        }
        if (query.startsWith("{{", i)) {
            const end = query.indexOf("}}", i + 2);
            if (end < 0) return `NRQL: the placeholder at character ${i + 1} is not closed with }} (near ${near(query, i)})`;
            tokens.push({ kind: "placeholder", text: query.slice(i, end + 2), at: i });
            i = end + 2;
            continue;
        }
        if (c === "'" || c === "`") {
            let j = i + 1;
            for (; j < query.length; j++) {
                if (c === "'" && query[j] === "\\") {
                    j++;
                    continue;
                }
                if (query[j] === c) {
                    if (c === "'" && query[j + 1] === "'") {
                        j++;
                        continue;
                    }
                    break;
                }
            }
            if (j >= query.length)
                return `NRQL: the ${c === "'" ? "string" : "identifier"} opened at character ${i + 1} is not closed with ${c} (near ${near(query, i)})`;
            const open = query.slice(i + 1, j).search(/\{\{(?![^{}]*\}\})/);
            if (open >= 0) return `NRQL: the placeholder at character ${i + 2 + open} is not closed with }} (near ${near(query, i + 1 + open)})`;
            tokens.push({ kind: c === "'" ? "string" : "ident", text: query.slice(i + 1, j), at: i });
            i = j + 1;
            continue;
        }
        if (c === "(") depth.push(i);
        if (c === ")" && depth.pop() === undefined) return `NRQL: the ) at character ${i + 1} closes nothing (near ${near(query, i)})`;
        const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i));
        if (word) {
            tokens.push({ kind: "word", text: word[0], at: i });
            i += word[0].length;
            continue;
        }
        tokens.push({ kind: "punct", text: c, at: i });
        i++;
    }
    if (depth.length > 0) return `NRQL: the ( at character ${depth[depth.length - 1] + 1} is not closed (near ${near(query, depth[depth.length - 1])})`;
    return tokens;
}

const isWord = (t: Token | undefined, word: string) => t?.kind === "word" && t.text.toUpperCase() === word;

/**
 * The result keys of one SELECT item: its alias, or what New Relic names an unaliased
 * `f(x, ...)` (`f`, and `f.x` for an attribute argument). Undefined when not known.
 */
function itemKeys(item: Token[]): string[] | undefined {
    const as = item.findIndex((t, k) => isWord(t, "AS") && depthBefore(item, k) === 0);
    if (as >= 0) {
        const alias = item[as + 1];
        return alias && alias.kind !== "punct" ? [alias.text] : undefined;
    }
    const [f, open, arg] = item;
    if (f?.kind === "word" && open?.text === "(") {
        // Only a call that is the whole item: `count(*) * 2` has no name New Relic would give.
        const closes = item.findIndex((t, k) => k > 1 && t.kind === "punct" && t.text === ")" && depthBefore(item, k) === 1);
        if (closes !== item.length - 1) return undefined;
        return arg?.kind === "word" || arg?.kind === "ident" ? [f.text, `${f.text}.${arg.text}`] : [f.text];
    }
    return item.length === 1 && (f.kind === "word" || f.kind === "ident") ? [f.text] : undefined;
}

function depthBefore(tokens: Token[], index: number): number {
    let d = 0;
    for (let k = 0; k < index; k++)
        d += tokens[k].text === "(" && tokens[k].kind === "punct" ? 1 : tokens[k].text === ")" && tokens[k].kind === "punct" ? -1 : 0;
    return d;
}

export interface NrqlShape {
    /** The keys a condition may read (`result.<key>`); undefined when some SELECT item's key cannot be told. */
    keys?: string[];
}

/** What is wrong with an NRQL query (with where), or its shape. */
export function nrqlCheck(query: string): { error: string } | NrqlShape {
    const tokens = tokenize(query);
    if (typeof tokens === "string") return { error: tokens };
    const top = tokens.map((t, k) => ({ t, k })).filter(({ k }) => depthBefore(tokens, k) === 0);
    const select = top.find(({ t }) => isWord(t, "SELECT"));
    if (!select) return { error: "NRQL: no SELECT (a query reads SELECT <function>(...) FROM <event type> ...)" };
    const from = top.find(({ t }) => isWord(t, "FROM"));
    if (!from) return { error: "NRQL: no FROM (name the event type: ... FROM Transaction ...)" };
    const next = top.find(({ t, k }) => k > select.k && t.kind === "word" && CLAUSES.includes(t.text.toUpperCase()) && !isWord(t, "AS"));
    const list = tokens.slice(select.k + 1, next ? next.k : tokens.length);
    if (list.length === 0) return { error: `NRQL: SELECT selects nothing (near ${near(query, select.t.at)})` };
    const items: Token[][] = [[]];
    list.forEach((t, k) => {
        if (t.kind === "punct" && t.text === "," && depthBefore(list, k) === 0) items.push([]);
        else items[items.length - 1].push(t);
    });
    if (items.some((item) => item.length === 0)) return { error: `NRQL: an empty item in the SELECT list (near ${near(query, select.t.at)})` };
    const keys = items.map(itemKeys);
    return keys.every((k) => k !== undefined) ? { keys: (keys as string[][]).flat() } : {};
}

/**
 * The result keys a condition reads: `result.x`, `result["x"]`, `result['x']`, and `result[N].x`
 * (one row of several). `len(result)` and `result[0]` alone read no key.
 */
export function conditionKeys(condition: string): string[] {
    const keys = new Set<string>();
    for (const m of condition.matchAll(/\bresult(?:\[\d+\])?(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"']+)["']\s*\])/g)) keys.add(m[1] ?? m[2]);
    return [...keys];
}

/** The first key a condition reads that the query does not select, or undefined. */
export function unselectedKey(shape: NrqlShape, condition: string): string | undefined {
    if (!shape.keys) return undefined;
    return conditionKeys(condition).find((k) => !shape.keys!.includes(k));
}
