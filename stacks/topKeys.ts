/**
 * A key of the project's namespace that the program does not read: `pulumi
 * config set canary-stack:app ...` (for `apps`) would otherwise be ignored
 * without a word, and the stack would plan the removal of every app's canary;
 * a misspelled `platform` would replace the operator's platform settings with
 * the defaults. Keys set without --path (a `.` or `[` in the name) are
 * flatKeys.ts's.
 */

/** Edit distance (insertions, deletions, substitutions), for the nearest known key. */
function distance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        for (let j = 1; j <= b.length; j++) {
            row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = row;
    }
    return previous[b.length];
}

/** The known key closest to `key` (case-insensitive edit distance; the first of the known keys on a tie). */
export function nearestKey(key: string, known: readonly string[]): string {
    const score = (k: string) => distance(key.toLowerCase(), k.toLowerCase());
    return known.reduce((best, k) => (score(k) < score(best) ? k : best));
}

/**
 * The error for the first key of `namespace` in `config` that is not one of `known` (flat keys aside),
 * naming the nearest known key; undefined when there is none. The value is never shown: it may be a secret.
 */
export function unknownTopKeyError(config: Record<string, string>, namespace: string, known: readonly string[]): string | undefined {
    const prefix = `${namespace}:`;
    const unknown = Object.keys(config)
        .filter((key) => key.startsWith(prefix))
        .map((key) => key.slice(prefix.length))
        .filter((name) => !/[.[]/.test(name) && !known.includes(name))
        .sort()[0];
    if (unknown === undefined) return undefined;
    return (
        `${prefix}${unknown}: unknown key, which this program never reads (did you mean ${prefix}${nearestKey(unknown, known)}?); ` +
        `the keys of ${namespace} are ${known.join(", ")}. Remove it with: pulumi config rm ${prefix}${unknown}`
    );
}
