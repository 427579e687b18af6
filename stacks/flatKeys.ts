/**
 * `pulumi config set canary-stack:cluster.context x` without `--path` stores
 * a key literally named `cluster.context`, which this program never reads: it
 * reads `cluster` as one object, so the setting would be dropped without a
 * word (for the context, the provider would use the current one). Every
 * key of the project is a top-level name, so a `.` or `[` in one means
 * exactly that mistake.
 */

/** `value` as one shell word. */
function shellWord(value: string): string {
    return /^[A-Za-z0-9_.:/@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The error for the first flat key of `namespace` in `config` (`namespace:key` -> value, as the CLI hands it
 * over), naming the command that sets it as meant; undefined when there is none.
 */
export function flatKeyError(config: Record<string, string>, namespace: string, isSecret: (key: string) => boolean): string | undefined {
    const prefix = `${namespace}:`;
    const flat = Object.keys(config)
        .sort()
        .find((key) => key.startsWith(prefix) && /[.[]/.test(key.slice(prefix.length)));
    if (flat === undefined) return undefined;
    const secret = isSecret(flat);
    const value = secret ? "<value>" : shellWord(config[flat]);
    const name = flat.slice(prefix.length);
    const head = name.split(/[.[]/)[0];
    return (
        `${flat}: ${secret ? "a secret" : JSON.stringify(config[flat])} set without --path, as one key named "${name}", ` +
        `which this program never reads (it reads ${head} as a whole); set it with --path instead: ` +
        `pulumi config rm ${shellWord(flat)} && pulumi config set --path ${secret ? "--secret " : ""}${shellWord(flat)} ${value}`
    );
}
