/**
 * A chart object's name already taken in the cluster by someone else: the
 * install must refuse it (the provider's "already exists") and leave it as it
 * was, not adopt it (a later destroy would delete it). Only the charts' CRDs
 * go through the provider that applies over existing objects.
 *
 * Run as the phase's first install, with a ClusterRole of
 * kube-prometheus-stack's, and `--continue-on-error`: the engine creates
 * everything but the refused object and what depends on it, and the next up
 * (the install row) creates those. Without it the engine stops scheduling at
 * the refusal while the Deployments it had started wait, up to their 10
 * minutes, for ServiceAccounts it no longer creates (seen in the e2e).
 */
import { stringify } from "yaml";
import { ScenarioResult, stepResult } from "../report/types";
import { PlatformEnv } from "./installed";

/**
 * kube-prometheus-stack 75.15.0 names its operator's ClusterRole `<fullname>-operator`
 * (templates/prometheus-operator/clusterrole.yaml), the fullname being the release itself when the
 * release contains the chart's name and has at most 26 characters, as `kube-prometheus-stack` does.
 */
export function operatorClusterRole(release: string): string {
    return `${release}-operator`;
}

export const FOREIGN_MANAGER = "another-team";

/**
 * The other team's ClusterRole: a label key the chart does not set and no rules, nothing the chart also
 * sets, so an upsert (server-side apply without force) would take it over without a field conflict,
 * as it would take over an identical copy of the chart's: an adoption would show as a new
 * resourceVersion and the provider's field manager.
 */
export function foreignClusterRole(name: string): Record<string, unknown> {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name, labels: { "canary-e2e/owner": FOREIGN_MANAGER } },
    };
}

/** The provider's refusal of a create, as pulumi-kubernetes 4.32.0 words it (provider/pkg/await/await.go). */
export function alreadyExistsLine(name: string): string {
    return `clusterroles.rbac.authorization.k8s.io "${name}" already exists`;
}

/** What the live object shows of an adoption: any write changes its resourceVersion, an apply adds a field manager. */
export function fingerprint(live: any): { resourceVersion: string; managers: string[]; rules: unknown; labels: unknown } {
    return {
        resourceVersion: live?.metadata?.resourceVersion ?? "",
        managers: (live?.metadata?.managedFields ?? []).map((f: any) => f.manager).sort(),
        rules: live?.rules,
        labels: live?.metadata?.labels,
    };
}

/** Whether the stack's state holds a ClusterRole of that name (an adopted or created one). */
export function stateHasClusterRole(state: any, name: string): boolean {
    return (state?.deployment?.resources ?? []).some((r: any) => r.outputs?.kind === "ClusterRole" && r.outputs?.metadata?.name === name);
}

/**
 * Creates the other team's ClusterRole, runs `pulumi up` (expected to fail on it), checks the object is
 * untouched and not in the state, and deletes it again so the phase's install can go on.
 */
export function foreignClusterRoleRow(env: PlatformEnv, release: string): ScenarioResult {
    const t0 = Date.now();
    const name = operatorClusterRole(release);
    try {
        env.kubectl.apply(stringify(foreignClusterRole(name)), FOREIGN_MANAGER);
        // kubectl leaves managedFields out unless asked.
        const live = () => fingerprint(env.kubectl.json(["get", "clusterrole", name, "--show-managed-fields"]));
        const before = live();
        const up = env.pulumi.run(["up", "--yes", "--skip-preview", "--continue-on-error"]);
        env.log(`pulumi up over the foreign ClusterRole ${name}: exit ${up.code}; ${up.summary}`);
        const after = live();
        const inState = stateHasClusterRole(JSON.parse(env.pulumi.must(["stack", "export"]).stdout), name);
        return foreignRow(name, up, before, after, inState, (Date.now() - t0) / 1000);
    } finally {
        env.kubectl.run(["delete", "clusterrole", name, "--ignore-not-found"]);
    }
}

export function foreignRow(
    name: string,
    up: { code: number; output: string; summary: string },
    before: ReturnType<typeof fingerprint>,
    after: ReturnType<typeof fingerprint>,
    inState: boolean,
    seconds: number,
): ScenarioResult {
    const message = up.output
        .split("\n")
        .find((l) => l.includes(alreadyExistsLine(name)))
        ?.trim();
    const unchanged = JSON.stringify(before) === JSON.stringify(after) && before.resourceVersion !== "";
    const ok = up.code !== 0 && message !== undefined && up.output.includes("The resource already exists in the cluster") && unchanged && !inState;
    return stepResult(
        "platform: pulumi up with a chart's ClusterRole name already taken refuses it, and leaves it as it was",
        `exit non-zero with "${alreadyExistsLine(name)}" (the provider's refusal, only the CRDs are applied over); the other team's ClusterRole ` +
            "unchanged (same resourceVersion, rules, labels, field managers) and not in the stack's state",
        `exit ${up.code}; ${up.summary}; ${message ? JSON.stringify(message) : "no already-exists line"}; ` +
            `ClusterRole ${name}: ${unchanged ? `unchanged (resourceVersion ${after.resourceVersion}, managers ${after.managers.join(", ")})` : `changed: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`}; ` +
            `in the state: ${inState ? "yes" : "no"}` +
            (ok || message ? "" : `; output: ${up.output.slice(-1500)}`),
        ok,
        seconds,
    );
}
