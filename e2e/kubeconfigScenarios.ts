/**
 * What the stack stores of its kubeconfig, under the real engine: the contents of the run's kubeconfig
 * for the stack's context, a secret (stacks/kubeconfig.ts), and the provider's clusterIdentifier, the
 * cluster's kube-system UID. A plain `pulumi refresh` (which does not run the program) with the
 * kubeconfig file pointing at a second cluster still reaches the stack's own; an `up` that reaches the
 * same cluster under another server URL replaces nothing; and the state holds no credential in the clear.
 * (A destroy with the kubeconfig file moved away: destroyScenarios.ts.)
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { Env } from "./environment";
import { EngineRun } from "./pulumiStack";
import { ScenarioResult, stepResult } from "./report/types";

/**
 * A plain `pulumi refresh` with the stack's kubeconfig file on a second cluster: the provider and the
 * dynamic resources are configured from the state, with the contents stored at the last up, so every
 * object is read on the stack's own cluster and the state stays whole. Should it not, the state exported
 * before is imported again, so the rows after it run on a whole stack.
 */
export function plainRefresh(env: Env, state: string[]): ScenarioResult {
    const t0 = Date.now();
    const saved = path.join(env.dir, "state-before-refresh.json");
    env.pulumi.must(["stack", "export", "--file", saved]);
    const refresh = env.pulumi.run(["refresh", "--yes", "--skip-preview"]);
    const after = env.pulumi.resources();
    const dropped = state.filter((urn) => !after.includes(urn)).map((urn) => urn.split("::").at(-1));
    fs.copyFileSync(env.kubeconfig, env.stackKubeconfig);
    const recovery = dropped.length > 0 ? env.pulumi.run(["stack", "import", "--file", saved]) : undefined;
    const preview = env.pulumi.noChanges();
    const ok = refresh.code === 0 && dropped.length === 0 && after.length === state.length && preview.ok;
    return stepResult(
        "plain pulumi refresh with the stack's kubeconfig file on a second cluster (it does not run the program)",
        "the provider and the restores use the kubeconfig stored at the last up: every object read on the stack's own cluster, the state whole; " +
            "then a preview on the stack's own cluster plans no change",
        `refresh exit ${refresh.code}; ${refresh.summary || "no resource summary"}; state ${state.length} -> ${after.length} resources ` +
            `(dropped: ${dropped.join(", ") || "none"})${recovery ? `; the exported state imported again: exit ${recovery.code}` : ""}; ` +
            `preview --expect-no-changes: exit ${preview.code}; ${preview.summary}` +
            (ok ? "" : `; refresh output: ${refresh.output.slice(-1500)}; preview output: ${preview.output.slice(-1500)}`),
        ok,
        (Date.now() - t0) / 1000,
        { droppedResources: dropped.length },
    );
}

/** The IDs of the stack's Kubernetes providers, from `pulumi stack export`: a replaced provider gets a new one. */
function providerIds(env: Env): Record<string, string> {
    const state = JSON.parse(env.pulumi.must(["stack", "export"]).stdout);
    return Object.fromEntries(
        (state.deployment?.resources ?? [])
            .filter((r: { type: string }) => r.type === "pulumi:providers:kubernetes")
            .map((r: { urn: string; id: string }) => [r.urn.split("::").at(-1), r.id]),
    );
}

/** The files of the run's file backend (the stack's state and its backups): what a reader of the bucket would see. */
function stateFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name));
}

const REPLACING = ["replace", "create-replacement", "delete-replaced"];

/**
 * The same cluster under another server URL (`https://localhost:<port>` for `https://127.0.0.1:<port>`;
 * the API server's certificate names both), as after a load balancer or DNS change: the provider's
 * clusterIdentifier (the kube-system UID) is unchanged, so the preview plans no replacement and the up
 * replaces nothing, the provider keeping its ID; the state stores the new kubeconfig, as ciphertext. A
 * second up with the original URL puts it back, replacing nothing either.
 */
export function serverUrlRow(env: Env): ScenarioResult {
    const t0 = Date.now();
    const original = fs.readFileSync(env.kubeconfig, "utf8");
    const moved = original.replace(/server: https:\/\/127\.0\.0\.1:/u, "server: https://localhost:");
    const clientKey: string = parseYaml(original).users[0].user["client-key-data"];
    const before = { ids: providerIds(env), resources: env.pulumi.resources().length };
    fs.writeFileSync(env.stackKubeconfig, moved);
    let planned: string[];
    let up: EngineRun;
    let clear: string[];
    try {
        planned = env.pulumi
            .plan()
            .filter((s) => REPLACING.includes(s.op))
            .map((s) => `${s.op} ${s.urn.split("::").at(-1)}`);
        up = env.pulumi.run(["up", "--yes", "--skip-preview"]);
        clear = stateFiles(path.join(env.dir, "pulumi-state")).filter((f) => fs.readFileSync(f, "utf8").includes(clientKey.slice(0, 64)));
    } finally {
        fs.copyFileSync(env.kubeconfig, env.stackKubeconfig);
    }
    const mid = providerIds(env);
    const back = env.pulumi.run(["up", "--yes", "--skip-preview"]);
    const after = { ids: providerIds(env), resources: env.pulumi.resources().length };
    const same = (ids: Record<string, string>) => JSON.stringify(ids) === JSON.stringify(before.ids);
    const noReplace = (summary: string) => !/replaced/u.test(summary);
    const ok =
        moved !== original &&
        planned.length === 0 &&
        up.code === 0 &&
        noReplace(up.summary) &&
        same(mid) &&
        back.code === 0 &&
        noReplace(back.summary) &&
        same(after.ids) &&
        after.resources === before.resources &&
        clear.length === 0;
    return stepResult(
        "pulumi up with the stack's cluster under another server URL (localhost for 127.0.0.1), then back",
        "the provider's clusterIdentifier (the kube-system UID) is unchanged: the preview plans no replacement, the up replaces nothing " +
            "and the providers keep their IDs; the state stores the new kubeconfig as ciphertext (the client key nowhere in the backend's files); " +
            "the up back to the original URL replaces nothing either",
        `planned replacements: ${planned.join(", ") || "none"}; up exit ${up.code}; ${up.summary}; providers ${JSON.stringify(before.ids)} -> ${JSON.stringify(mid)}; ` +
            `backend files holding the client key in the clear: ${clear.join(", ") || "none"}; up back: exit ${back.code}; ${back.summary}; ` +
            `providers then ${JSON.stringify(after.ids)}; state ${before.resources} -> ${after.resources} resources` +
            (ok ? "" : `; up output: ${up.output.slice(-1500)}; up back output: ${back.output.slice(-1500)}`),
        ok,
        (Date.now() - t0) / 1000,
        { plannedReplacements: planned.length },
    );
}
