/**
 * The NerdGraph stand-in's NRQL: the part of the language the stacks ship
 * (Pulumi.newrelic.yaml's gates), answered from the traffic simulator's
 * `Transaction` records. Anything else is answered as New Relic answers a
 * query it cannot run, with an error, so a gate the stand-in does not
 * understand can never pass.
 *
 *   SELECT <item>[ AS <alias>], ... FROM Transaction
 *     [WHERE <cond> AND ...] [SINCE <n> seconds|minutes|hours ago]
 *   item: count(*) | percentage(count(*), WHERE <cond> AND ...)
 *   cond: <attr> = '<s>' | <attr> LIKE '<pattern with %>' | error IS true|false
 *         | duration >|>=|<|<= <number>
 *
 * Unaliased items are keyed as New Relic keys them (`count`, `percentage`).
 * A percentage over no transactions is null, as New Relic gives it.
 */
import type { Transaction } from "../traffic/transactions";

export type Row = Record<string, number | null>;
export type Answer = { results: Row[] } | { error: string };

type Cond = (t: Transaction) => boolean;
interface Item {
    key: string;
    value: (ts: Transaction[]) => number | null;
}

const count = (ts: Transaction[]) => ts.reduce((n, t) => n + t.count, 0);

interface Where {
    where: Cond;
    errors?: boolean;
}

/** The requests of `t` that meet `cond`: a record's requests share its host and duration; only `error` splits them. */
function restrict(t: Transaction, cond: Where): Transaction {
    if (!cond.where(t)) return { ...t, count: 0, errors: 0 };
    if (cond.errors === undefined) return t;
    return cond.errors ? { ...t, count: t.errors } : { ...t, count: t.count - t.errors, errors: 0 };
}

class Parser {
    private at = 0;
    private readonly tokens: string[];

    constructor(query: string) {
        this.tokens = query.match(/'(?:[^'\\]|\\.|'')*'|[A-Za-z_][A-Za-z0-9_.]*|\d+(?:\.\d+)?|>=|<=|[(),*=<>]|\S/g) ?? [];
    }

    fail(what: string): never {
        const near = this.tokens.slice(this.at, this.at + 4).join(" ");
        throw new Error(
            `NRQL Syntax Error: ${what}${near ? ` at '${near}'` : " at the end"} (the e2e's NerdGraph stand-in reads only the NRQL the stacks ship)`,
        );
    }

    peek(): string | undefined {
        return this.tokens[this.at];
    }

    isWord(word: string): boolean {
        return this.peek()?.toUpperCase() === word;
    }

    take(expected?: string): string {
        const token = this.tokens[this.at];
        if (token === undefined || (expected !== undefined && token.toUpperCase() !== expected)) this.fail(`expected ${expected ?? "more"}`);
        this.at++;
        return token;
    }

    done(): boolean {
        return this.at >= this.tokens.length;
    }

    string(): string {
        const token = this.take();
        if (!token.startsWith("'")) this.fail("expected a string");
        return token.slice(1, -1).replace(/''/g, "'").replace(/\\(.)/g, "$1");
    }

    /** `<cond> AND <cond> ...`; errors says which requests of a record count (the `error IS` condition). */
    conditions(): Where {
        const conds: Cond[] = [];
        let errors: boolean | undefined;
        for (;;) {
            const attr = this.take();
            if (!/^[A-Za-z_]/.test(attr)) this.fail("expected an attribute");
            if (attr === "error" && this.isWord("IS")) {
                this.take("IS");
                const value = this.take().toLowerCase();
                if (value !== "true" && value !== "false") this.fail("expected true or false");
                errors = value === "true";
            } else if (attr === "duration") {
                const op = this.take();
                const n = Number(this.take());
                if (!Number.isFinite(n)) this.fail("expected a number");
                const compare: Record<string, (d: number) => boolean> = { ">": (d) => d > n, ">=": (d) => d >= n, "<": (d) => d < n, "<=": (d) => d <= n };
                if (!compare[op]) this.fail("expected a comparison");
                conds.push((t) => compare[op](t.duration));
            } else if (attr === "appName" || attr === "host") {
                const field = attr as "appName" | "host";
                if (this.isWord("LIKE")) {
                    this.take("LIKE");
                    const pattern = this.string()
                        .split("%")
                        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
                        .join(".*");
                    const re = new RegExp(`^${pattern}$`);
                    conds.push((t) => re.test(t[field]));
                } else {
                    this.take("=");
                    const value = this.string();
                    conds.push((t) => t[field] === value);
                }
            } else {
                this.fail(`unknown attribute ${attr}`);
            }
            if (!this.isWord("AND")) break;
            this.take("AND");
        }
        return { where: (t) => conds.every((c) => c(t)), errors };
    }

    item(): Item {
        const f = this.take().toLowerCase();
        this.take("(");
        let item: Item;
        if (f === "count") {
            this.take("*");
            item = { key: "count", value: count };
        } else if (f === "percentage") {
            this.take("COUNT");
            this.take("(");
            this.take("*");
            this.take(")");
            this.take(",");
            this.take("WHERE");
            const cond = this.conditions();
            item = {
                key: "percentage",
                value: (ts) => {
                    const all = count(ts);
                    return all === 0 ? null : (100 * count(ts.map((t) => restrict(t, cond)))) / all;
                },
            };
        } else {
            this.fail(`unknown function ${f}`);
        }
        this.take(")");
        if (this.isWord("AS")) {
            this.take("AS");
            item = { ...item, key: this.take() };
        }
        return item;
    }
}

const UNIT_MS: Record<string, number> = { second: 1000, minute: 60000, hour: 3600000 };

/** The query's one result row, over the records given, at `now` (epoch ms); or New Relic's kind of error. */
export function answerNrql(query: string, transactions: Transaction[], now: number): Answer {
    try {
        const p = new Parser(query);
        p.take("SELECT");
        const items = [p.item()];
        while (p.peek() === ",") {
            p.take(",");
            items.push(p.item());
        }
        p.take("FROM");
        const eventType = p.take();
        if (eventType !== "Transaction") p.fail(`no events of type ${eventType} here`);
        let cond: Where = { where: () => true };
        if (p.isWord("WHERE")) {
            p.take("WHERE");
            cond = p.conditions();
        }
        let since = 60 * 60 * 1000; // New Relic's default window is the last hour
        if (p.isWord("SINCE")) {
            p.take("SINCE");
            const n = Number(p.take());
            const unit = UNIT_MS[p.take().toLowerCase().replace(/s$/, "")];
            if (!Number.isFinite(n) || unit === undefined) p.fail("expected SINCE <n> seconds|minutes|hours ago");
            p.take("AGO");
            since = n * unit;
        }
        if (!p.done()) p.fail("unexpected");
        const inWindow = transactions
            .filter((t) => t.timestamp >= now - since && t.timestamp <= now)
            .map((t) => restrict(t, cond))
            .filter((t) => t.count > 0);
        const keys = items.map((i) => i.key);
        if (new Set(keys).size !== keys.length) p.fail(`the SELECT names ${keys.join(", ")}: give each value its own AS`);
        return { results: [Object.fromEntries(items.map((i) => [i.key, i.value(inWindow)]))] };
    } catch (err) {
        return { error: (err as Error).message };
    }
}
