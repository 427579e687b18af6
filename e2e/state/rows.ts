/**
 * The shared state backend's rows, on a stack whose state is in PostgreSQL (postgres.ts) and
 * already migrated by a `pulumi up`: a second `pulumi up` while one runs is refused by the lock
 * and changes nothing; the state is whole after it; `stack export` / `import` round-trip; the
 * secrets in the database are ciphertext; a killed `pulumi up`'s lock and `pulumi cancel`.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify } from "yaml";
import { DEMO } from "../demoApp";
import { stateObjects } from "../engineScenarios";
import { Env } from "../environment";
import { waitFor } from "../lib/proc";
import { EngineRun } from "../pulumiStack";
import { ScenarioResult, stepResult } from "../report/types";
import { killTree } from "./killTree";
import { diffShape, jsonDiff, lockKeys, parseLockMessage, sightings, total } from "./evidence";
import { Postgres, STATE_TABLE } from "./postgres";

const PREFIX = "state in PostgreSQL";
const since = (t0: number) => (Date.now() - t0) / 1000;
const tail = (output: string) => output.trim().split("\n").slice(-8).join(" / ");

export interface StateContext {
    env: Env;
    pg: Postgres;
    /** Every pulumi command's output in these rows, for the secret check of the logs. */
    outputs: string[];
}

/** The lock files of the stack in the database. */
export function dbLocks(pg: Postgres, stack: string): string[] {
    return lockKeys(pg.query(`SELECT key FROM ${STATE_TABLE} ORDER BY key`).split("\n").filter(Boolean), stack);
}

function logged<T extends EngineRun>(ctx: StateContext, what: string, result: T): T {
    ctx.outputs.push(result.output);
    ctx.env.log(`${PREFIX}: pulumi ${what}: exit ${result.code}; ${result.summary || "(no summary)"}`);
    return result;
}

/** `resourceVersion` and `generation` of each object the stack created, by `Kind namespace/name`. */
function versions(env: Env, objects: string[]): Record<string, string> {
    return Object.fromEntries(
        objects.map((o) => {
            const [kind, ref] = o.split(" ");
            const [namespace, name] = ref.includes("/") ? ref.split("/") : [undefined, ref];
            const live = env.kubectl.get(kind, name, namespace);
            return [o, live ? `${live.metadata.resourceVersion}/${live.metadata.generation ?? "-"}` : "gone"];
        }),
    );
}

/** The stack's config with the ladder's last pause set to `duration`, written to `file`. */
function withPause(env: Env, duration: string, file: string): { file: string; step: number } {
    const config = parseYaml(fs.readFileSync(env.pulumi.configFile, "utf8"));
    const steps = config.config["canary-stack:apps"][0].steps;
    const step = Math.max(...steps.map((s: any, i: number) => (s.pause ? i : -1)));
    steps[step] = { pause: { duration } };
    fs.writeFileSync(file, stringify(config));
    return { file, step };
}

const historyLength = (env: Env) => JSON.parse(env.pulumi.must(["stack", "history", "--json"]).stdout).length as number;

/**
 * a. `pulumi up` (a ladder change: the last pause to 9s) runs; once its lock row is in the
 * database a second `pulumi up` (the pause to 7s) starts. The second is refused with the lock
 * message naming the first's PID while the first still holds its lock; the first then succeeds,
 * and the cluster and the history show the first's change alone.
 */
export async function concurrentUpRow(ctx: StateContext): Promise<ScenarioResult> {
    const { env, pg } = ctx;
    const name = `${PREFIX}: a second pulumi up while one runs`;
    const expected =
        "the second exits non-zero with the lock message naming the first up's PID, while the first still holds its lock; the first exits 0; " +
        "the Rollout has the first's pause, its generation +1, every other object of the stack unchanged (resourceVersion), one history entry more, no lock left";
    const t0 = Date.now();
    const objects = stateObjects(env);
    const before = versions(env, objects);
    const history = historyLength(env);
    const first = withPause(env, "9s", env.pulumi.configFile);
    const second = withPause(env, "7s", path.join(env.dir, "Pulumi.second-up.yaml"));
    const running = env.pulumi.start(["up", "--yes", "--skip-preview"]);
    const lockedAt = Date.now();
    const held = await waitFor(
        "the first up's lock row",
        60000,
        () => (dbLocks(pg, env.pulumi.stack).length > 0 ? dbLocks(pg, env.pulumi.stack) : undefined),
        100,
    );
    const waited = since(lockedAt);
    let firstDone = false;
    void running.done.then(() => (firstDone = true));
    const secondAt = Date.now();
    const refused = logged(ctx, "up (the second, while the first runs)", await env.pulumi.start(["up", "--yes", "--skip-preview"], second.file).done);
    const secondSeconds = since(secondAt);
    const stillHeld = !firstDone && dbLocks(pg, env.pulumi.stack).join() === held.join();
    const up = logged(ctx, "up (the first)", await running.done);
    const firstSeconds = since(lockedAt);
    const locksAfter = dbLocks(pg, env.pulumi.stack);
    const after = versions(env, objects);
    const rollout = env.kubectl.get("rollout", DEMO.name, DEMO.namespace);
    const rolloutKey = objects.find((o) => o.startsWith("Rollout "))!;
    const changed = objects.filter((o) => before[o] !== after[o]);
    const generation = (v: string) => Number(v.split("/")[1]);
    const lock = parseLockMessage(refused.output);
    const pause = rollout?.spec?.strategy?.canary?.steps?.[first.step]?.pause?.duration;
    const historyAfter = historyLength(env);
    const ok =
        refused.code !== 0 &&
        lock !== undefined &&
        lock.count === 1 &&
        lock.holders[0]?.pid === running.pid &&
        stillHeld &&
        up.code === 0 &&
        pause === "9s" &&
        generation(after[rolloutKey]) === generation(before[rolloutKey]) + 1 &&
        changed.every((o) => o === rolloutKey) &&
        historyAfter === history + 1 &&
        locksAfter.length === 0;
    return stepResult(
        name,
        expected,
        `lock row ${held.join(", ")} ${waited.toFixed(1)}s after the first up started; the second up: exit ${refused.code} after ${secondSeconds.toFixed(1)}s, ` +
            (lock ? `"${lock.text}" (first up's pid ${running.pid})` : `no lock message: ${tail(refused.output)}`) +
            `; the first still held its lock when the second exited: ${stillHeld}; the first up: exit ${up.code} after ${firstSeconds.toFixed(1)}s, ${up.summary}; ` +
            `Rollout steps[${first.step}] pause ${pause}, generation ${before[rolloutKey]} -> ${after[rolloutKey]} (resourceVersion/generation); ` +
            `objects changed: ${changed.join(", ") || "none"} of ${objects.length}; history ${history} -> ${historyAfter} entries; lock rows after: ${locksAfter.length}`,
        ok,
        since(t0),
        { lockMessage: lock?.text },
    );
}

/** b. The state after it: whole (no pending operation, every resource there) and a preview plans no change. */
export async function wholeStateRow(ctx: StateContext, resourcesBefore: number): Promise<ScenarioResult> {
    const { env } = ctx;
    const t0 = Date.now();
    const state = JSON.parse(env.pulumi.must(["stack", "export"]).stdout);
    const resources = (state.deployment?.resources ?? []).length;
    const pending = (state.deployment?.pending_operations ?? []).length;
    const preview = logged(ctx, "preview --expect-no-changes", env.pulumi.noChanges());
    return stepResult(
        `${PREFIX}: the state after the refused up`,
        `${resourcesBefore} resources as before, no pending operation; pulumi preview --expect-no-changes exits 0`,
        `${resources} resources, ${pending} pending operations; preview --expect-no-changes: exit ${preview.code}, ${preview.summary || tail(preview.output)}`,
        resources === resourcesBefore && pending === 0 && preview.ok,
        since(t0),
    );
}

/**
 * c. `pulumi stack export`, `import` of that file, `export` again: the same deployment but for what
 * the import rewrites (the manifest's time, and each secret's ciphertext when it encrypts afresh:
 * then the `--show-secrets` exports before and after must be equal but for the time); then no change planned.
 */
export async function exportImportRow(ctx: StateContext): Promise<ScenarioResult> {
    const { env } = ctx;
    const t0 = Date.now();
    const file = path.join(env.dir, "state-export.json");
    const plainBefore = JSON.parse(env.pulumi.must(["stack", "export", "--show-secrets"]).stdout);
    logged(ctx, "stack export --file", env.pulumi.must(["stack", "export", "--file", file]));
    const exported = JSON.parse(fs.readFileSync(file, "utf8"));
    const imported = logged(ctx, "stack import --file", env.pulumi.run(["stack", "import", "--file", file]));
    const again = JSON.parse(env.pulumi.must(["stack", "export"]).stdout);
    const plainAfter = JSON.parse(env.pulumi.must(["stack", "export", "--show-secrets"]).stdout);
    const shapes = [...new Set(jsonDiff(exported, again).map(diffShape))];
    const plainShapes = [...new Set(jsonDiff(plainBefore, plainAfter).map(diffShape))];
    const time = "deployment.manifest.time";
    const allowed = (p: string) => p === time || p.endsWith(".ciphertext");
    const preview = logged(ctx, "preview --expect-no-changes (after the import)", env.pulumi.noChanges());
    const count = (exported.deployment?.resources ?? []).length;
    const changed = jsonDiff(exported, again).length;
    return stepResult(
        `${PREFIX}: pulumi stack export, import, export`,
        `import exits 0; the second export equals the first but for ${time} and secrets' ciphertexts; with --show-secrets, equal but for ${time}; ` +
            "preview --expect-no-changes exits 0",
        `import: exit ${imported.code} (${imported.output.trim().split("\n").pop()}); ${count} resources exported, ${(again.deployment?.resources ?? []).length} after; ` +
            `${changed} fields differ, of the shapes ${shapes.join(", ") || "none"}; with --show-secrets: ${plainShapes.join(", ") || "none"}; ` +
            `preview: exit ${preview.code}, ${preview.summary}`,
        imported.code === 0 && shapes.every(allowed) && plainShapes.every((p) => p === time) && count > 0 && preview.ok,
        since(t0),
        { differences: shapes },
    );
}

/** The client key of the kubeconfig the stack stores (a secret: components/kube/dynamic.ts). */
export function clientKey(kubeconfig: string): string {
    const key = /client-key-data:\s*(\S+)/.exec(fs.readFileSync(kubeconfig, "utf8"))?.[1];
    if (!key) throw new Error(`${kubeconfig}: no client-key-data`);
    return key;
}

function logTexts(dirs: string[]): Record<string, string> {
    const texts: Record<string, string> = {};
    for (const dir of dirs.filter((d) => fs.existsSync(d))) {
        for (const f of fs.readdirSync(dir)) if (fs.statSync(path.join(dir, f)).isFile()) texts[path.join(dir, f)] = fs.readFileSync(path.join(dir, f), "utf8");
    }
    return texts;
}

/**
 * d. The cluster's client key (in the kubeconfig the stack stores as a secret) is nowhere in a
 * pg_dump of the database: not as is, not base64-encoded, not in the backend's decoded blobs;
 * `stack export --show-secrets` shows it (the search can find it), and the dump's blobs hold the
 * stack's kube-system UID in plain text (they are read). Nor is the key or the database password in the logs.
 */
export async function secretsRow(ctx: StateContext, logDirs: string[]): Promise<ScenarioResult> {
    const { env, pg } = ctx;
    const t0 = Date.now();
    // The cluster's own kubeconfig has one user, this cluster's; the stack's copy may hold several contexts (the fleet phase's).
    const key = clientKey(env.kubeconfig);
    const pem = Buffer.from(key, "base64").toString("utf8").split("\n")[1] ?? "";
    const dump = pg.dump();
    const inDump = [sightings(dump, key), sightings(dump, pem)];
    const shown = env.pulumi.must(["stack", "export", "--show-secrets"]).stdout;
    const hidden = env.pulumi.must(["stack", "export"]).stdout;
    const uid = env.kubectl.get("namespace", "kube-system")?.metadata?.uid ?? "";
    const control = sightings(dump, uid).inBlobs;
    const ciphertexts = (hidden.match(/"ciphertext":/g) ?? []).length;
    const logs = { ...logTexts(logDirs), "pulumi outputs": ctx.outputs.join("\n") };
    const leaks = Object.entries(logs).flatMap(([where, text]) =>
        [
            ["client key", key],
            ["PEM line", pem],
            ["PGPASSWORD", pg.env.PGPASSWORD ?? ""],
        ]
            .filter(([, needle]) => needle && total(sightings(text, needle)) > 0)
            .map(([what]) => `${what} in ${where}`),
    );
    const dumpTotal = inDump.reduce((n, s) => n + total(s), 0);
    const ok = dumpTotal === 0 && shown.includes(key) && !hidden.includes(key) && control > 0 && ciphertexts > 0 && leaks.length === 0 && pem.length > 0;
    return stepResult(
        `${PREFIX}: secrets in the stored state are ciphertext`,
        "the client key: 0 times in pg_dump (as is, base64, in the decoded blobs), in stack export --show-secrets, not in stack export; " +
            "the kube-system UID found in the dump's decoded blobs (the search reads them); neither the key nor PGPASSWORD in the logs",
        `pg_dump ${dump.length} bytes: client key ${JSON.stringify(inDump[0])}, its PEM line ${JSON.stringify(inDump[1])}; ` +
            `--show-secrets export has it: ${shown.includes(key)}; plain export has it: ${hidden.includes(key)} (${ciphertexts} ciphertexts); ` +
            `kube-system UID ${control} times in the decoded blobs; ${Object.keys(logs).length} logs searched: ${leaks.join(", ") || "no key, no password"}`,
        ok,
        since(t0),
    );
}

/**
 * e. A `pulumi up` SIGKILLed (with every process it started) once its lock row exists leaves the lock: the
 * next up is refused naming the dead PID; `pulumi cancel` removes it; an up then succeeds and a
 * preview plans no change.
 */
export async function killedUpRow(ctx: StateContext): Promise<ScenarioResult> {
    const { env, pg } = ctx;
    const t0 = Date.now();
    withPause(env, "8s", env.pulumi.configFile);
    const startedAt = Date.now();
    const running = env.pulumi.start(["up", "--yes", "--skip-preview"]);
    await waitFor("the up's lock row", 60000, () => (dbLocks(pg, env.pulumi.stack).length > 0 ? true : undefined), 100);
    const tree = killTree(running.pid);
    const killedAfter = since(startedAt);
    const killed = logged(ctx, "up (SIGKILLed)", await running.done);
    const left = dbLocks(pg, env.pulumi.stack);
    const refused = logged(ctx, "up (after the kill)", env.pulumi.run(["up", "--yes", "--skip-preview"]));
    const lock = parseLockMessage(refused.output);
    const cancel = logged(ctx, "cancel --yes", env.pulumi.run(["cancel", "--yes"]));
    const afterCancel = dbLocks(pg, env.pulumi.stack);
    const up = logged(ctx, "up (after cancel)", env.pulumi.run(["up", "--yes", "--skip-preview"]));
    const preview = logged(ctx, "preview --expect-no-changes (after cancel)", env.pulumi.noChanges());
    const ok =
        left.length === 1 &&
        refused.code !== 0 &&
        lock?.holders[0]?.pid === running.pid &&
        cancel.code === 0 &&
        afterCancel.length === 0 &&
        up.code === 0 &&
        preview.ok;
    return stepResult(
        `${PREFIX}: the lock of a SIGKILLed pulumi up, and pulumi cancel`,
        "the lock row stays after the kill; the next up refused naming the killed PID; pulumi cancel exits 0 and removes it; then up exits 0 and a preview plans no change",
        `killed up (pid ${running.pid} and ${tree.length - 1} processes it started, ${killedAfter.toFixed(1)}s after it started): ${killed.code === 0 ? "exit 0" : "gone"}; lock rows left: ${left.length}; next up: exit ${refused.code}, ` +
            `${lock ? `"${lock.text}"` : tail(refused.output)}; cancel: exit ${cancel.code} (${cancel.output.trim().split("\n").pop()}), lock rows ${afterCancel.length}; ` +
            `up: exit ${up.code}, ${up.summary}; preview --expect-no-changes: exit ${preview.code}`,
        ok,
        since(t0),
    );
}

/** Rows a to e in order, on a migrated stack; `logDirs`: the folders whose files the secret row searches. */
export async function stateRows(ctx: StateContext, logDirs: string[], record: (row: ScenarioResult) => void): Promise<void> {
    const resources = ctx.env.pulumi.resources().length;
    const concurrent = await concurrentUpRow(ctx);
    record(concurrent);
    record(await wholeStateRow(ctx, resources));
    record(await exportImportRow(ctx));
    record(await secretsRow(ctx, logDirs));
    record(await killedUpRow(ctx));
}
