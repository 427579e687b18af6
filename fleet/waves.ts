/**
 * Which stacks the fleet runs and in which waves. Pure: the stacks of the backend in, the waves out,
 * or a UsageError that names the stack or pattern at fault.
 */
import { UsageError } from "./args";

/** A stack name, or a glob where `*` stands for any characters (`prod-*`). */
export function matches(pattern: string, stack: string): boolean {
    const re = new RegExp(`^${pattern.split("*").map(escape).join(".*")}$`);
    return re.test(stack);
}

function escape(text: string): string {
    return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The stacks to run: `--stacks` in its order (each must be in the backend), else every stack of the
 * backend that has a config file, by name.
 */
export function selectStacks(backend: string[], withConfig: (stack: string) => boolean, named?: string[]): string[] {
    if (named) {
        const missing = named.filter((s) => !backend.includes(s));
        if (missing.length > 0) {
            throw new UsageError(
                `--stacks: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not in the backend (it has: ${backend.join(", ") || "none"})`,
            );
        }
        const twice = named.filter((s, i) => named.indexOf(s) !== i);
        if (twice.length > 0) throw new UsageError(`--stacks: ${twice.join(", ")} named twice`);
        const noConfig = named.filter((s) => !withConfig(s));
        if (noConfig.length > 0) throw new UsageError(`--stacks: no Pulumi.<stack>.yaml for ${noConfig.join(", ")}`);
        return named;
    }
    const stacks = [...backend].filter(withConfig).sort();
    if (stacks.length === 0)
        throw new UsageError(`no stack to run: the backend has ${backend.join(", ") || "none"}, and none of them has a Pulumi.<stack>.yaml`);
    return stacks;
}

/**
 * The waves, in order: each stack in exactly one. Without `--waves`, one wave of them all. A stack
 * named exactly goes to that wave even where a glob of another wave matches it too (`prod-eu:prod-*`:
 * prod-eu first, then the other prod stacks); two globs or two names that place it in two waves are
 * an error, and so is a stack in no wave, or a pattern that matches no stack (unless `--stacks`
 * narrowed the run: then a wave may be empty, and is left out).
 */
export function planWaves(stacks: string[], waves: string[][] | undefined, narrowed = false): string[][] {
    if (!waves) return [stacks];
    const placed = new Map<string, { wave: number; exact: boolean }>();
    const place = (stack: string, wave: number, exact: boolean) => {
        const before = placed.get(stack);
        if (before && before.wave !== wave && before.exact === exact)
            throw new UsageError(`--waves: ${stack} is in wave ${before.wave + 1} and in wave ${wave + 1}`);
        if (!before || (exact && !before.exact)) placed.set(stack, { wave, exact });
    };
    waves.forEach((patterns, w) =>
        patterns.forEach((pattern) => {
            const hit = stacks.filter((s) => matches(pattern, s));
            if (hit.length === 0 && !narrowed) throw new UsageError(`--waves: "${pattern}" (wave ${w + 1}) matches no stack (stacks: ${stacks.join(", ")})`);
            for (const stack of hit) place(stack, w, !pattern.includes("*"));
        }),
    );
    const unplaced = stacks.filter((s) => !placed.has(s));
    if (unplaced.length > 0)
        throw new UsageError(
            `--waves: ${unplaced.join(", ")} ${unplaced.length === 1 ? "is" : "are"} in no wave; add ${unplaced.length === 1 ? "it" : "them"} to one`,
        );
    return waves.map((_, w) => stacks.filter((s) => placed.get(s)!.wave === w)).filter((wave) => wave.length > 0);
}

/** Runs `work` over `items` with at most `limit` at once; results in the items' order. */
export async function bounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await work(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}
