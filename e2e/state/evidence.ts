/**
 * What the state rows read out of the CLI's output and the database, as pure functions: the
 * self-managed backends' lock message (backend/diy/lock.go) and where a secret's plain text
 * shows in a text, the PostgreSQL backend's base64-wrapped blobs included.
 */

/** One lock file the message lists: `<url>: created by <user>@<host> (pid <pid>) at <time>`. */
export interface LockHolder {
    url: string;
    user: string;
    host: string;
    pid: number;
    at: string;
}

export interface LockMessage {
    /** The message as printed: its first line and the lock lines. */
    text: string;
    count: number;
    holders: LockHolder[];
}

const LOCKED =
    /the stack is currently locked by (\d+) lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\./;
const HOLDER = /^\s+(\S+): created by (.+)@(\S+) \(pid (\d+)\) at (\S+)$/;

/** The lock message in a pulumi command's output (undefined when there is none). */
export function parseLockMessage(output: string): LockMessage | undefined {
    const lines = output.split("\n");
    const at = lines.findIndex((l) => LOCKED.test(l));
    if (at < 0) return undefined;
    const holders: LockHolder[] = [];
    const text = [LOCKED.exec(lines[at])![0]];
    for (const line of lines.slice(at + 1)) {
        const m = HOLDER.exec(line);
        if (!m) break;
        holders.push({ url: m[1], user: m[2], host: m[3], pid: Number(m[4]), at: m[5] });
        text.push(line.trim());
    }
    return { text: text.join(" "), count: Number(LOCKED.exec(lines[at])![1]), holders };
}

/** The keys of lock files among a backend's keys (`.pulumi/locks/<org>/<project>/<stack>/<id>.json`). */
export function lockKeys(keys: string[], stack?: string): string[] {
    return keys.filter((k) => /(^|\/)\.pulumi\/locks\//.test(k) && (stack === undefined || k.includes(`/${stack}/`)));
}

/**
 * Substrings that every base64 encoding of a text containing `needle` contains, whatever the
 * needle's offset (one per offset modulo 3): the characters fixed by the needle's bytes alone.
 */
export function base64Forms(needle: string): string[] {
    const bytes = Buffer.from(needle, "utf8");
    return [0, 1, 2].map((offset) => {
        const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
        const start = offset === 0 ? 0 : offset === 1 ? 2 : 3;
        const whole = Math.floor((offset + bytes.length) / 3) * 4;
        return encoded.slice(start, whole);
    });
}

/** The base64 runs of a text (at least `min` characters), decoded: the PostgreSQL backend stores each blob as `{"data": "<base64>"}`. */
export function decodedBlobs(text: string, min = 40): string[] {
    const runs = text.match(new RegExp(`[A-Za-z0-9+/]{${min},}={0,2}`, "g")) ?? [];
    return runs.map((r) => Buffer.from(r, "base64").toString("utf8"));
}

/** How often `needle` shows in `text`: as is, base64-encoded, and inside the decoded blobs. */
export interface Sightings {
    plain: number;
    base64: number;
    inBlobs: number;
}

const count = (text: string, needle: string) => (needle === "" ? 0 : text.split(needle).length - 1);

export function sightings(text: string, needle: string): Sightings {
    const forms = base64Forms(needle).filter((f) => f.length >= 8);
    return {
        plain: count(text, needle),
        base64: forms.reduce((n, f) => n + count(text, f), 0),
        inBlobs: decodedBlobs(text).reduce((n, blob) => n + count(blob, needle), 0),
    };
}

export const total = (s: Sightings) => s.plain + s.base64 + s.inBlobs;

/** Paths whose values differ between two JSON values, arrays by index: `a.b[2].c`. */
export function jsonDiff(before: unknown, after: unknown, at = ""): string[] {
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (Array.isArray(before) && Array.isArray(after)) {
        return Array.from({ length: Math.max(before.length, after.length) }, (_, i) => jsonDiff(before[i], after[i], `${at}[${i}]`)).flat();
    }
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((k) => jsonDiff(before[k], after[k], at ? `${at}.${k}` : k));
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [at];
}

/** A path of a diff with array indexes and secret-holding keys folded: `deployment.resources[*].outputs.kubeconfig.ciphertext`. */
export const diffShape = (p: string) => p.replace(/\[\d+\]/g, "[*]");
