/**
 * The gate before a wave: is a stack healthy? Pure: what was read off the stack's cluster and its
 * Prometheus in, a verdict with every reason out.
 */
import { RolloutView } from "./rolloutInfo";

export interface FiringAlert {
    alertname: string;
    labels: Record<string, string>;
    activeAt?: string;
}

/** The stack's canary alerts as its Prometheus reports them, or why they were not read. */
export type AlertCheck = { checked: true; firing: FiringAlert[]; error?: string } | { checked: false; note: string };

export interface StackHealth {
    stack: string;
    healthy: boolean;
    /** Why it is not healthy (empty when healthy). */
    reasons: string[];
    /** What was not checked, and why. */
    notes: string[];
}

/**
 * The alerts that count for a stack: one of the stack's canary alerts (by name), firing, about one of
 * its apps' namespaces or about no namespace at all (the controller's).
 */
export function stackAlerts(
    all: { labels?: Record<string, string>; state?: string; activeAt?: string }[],
    names: string[],
    namespaces: string[],
): FiringAlert[] {
    return all
        .filter((a) => a.state === "firing" && names.includes(a.labels?.alertname ?? ""))
        .filter((a) => a.labels?.namespace === undefined || namespaces.includes(a.labels.namespace))
        .map((a) => ({ alertname: a.labels!.alertname, labels: a.labels!, activeAt: a.activeAt }));
}

function labelText(labels: Record<string, string>): string {
    const shown = Object.entries(labels).filter(([k]) => !["alertname", "severity"].includes(k));
    return shown.length > 0 ? ` (${shown.map(([k, v]) => `${k}=${v}`).join(", ")})` : "";
}

/** Why a Rollout is not a finished, healthy release; empty when it is. */
export function rolloutReasons(view: RolloutView): string[] {
    const id = `Rollout ${view.namespace}/${view.name}`;
    const reasons: string[] = [];
    if (view.status !== "Healthy") reasons.push(`${id} is ${view.status || "without a phase"}${view.message ? `: ${view.message}` : ""}`);
    if (view.midCanary) {
        const where = [
            view.step && `step ${view.step}`,
            `canary weight ${view.actualWeight} (set ${view.setWeight})`,
            view.canaryImage && `canary ${view.canaryImage}`,
        ]
            .filter(Boolean)
            .join(", ");
        reasons.push(`${id} is mid-canary${view.aborted ? " (aborted)" : ""}: ${where}`);
    }
    return reasons;
}

export interface HealthInput {
    stack: string;
    /** The Rollouts the stack's config names (namespace/name), and what was read of them; undefined: not found. */
    rollouts: { namespace: string; name: string; view?: RolloutView }[];
    alerts: AlertCheck;
    /** The cluster could not be read at all. */
    readError?: string;
}

export function stackHealth(input: HealthInput): StackHealth {
    const reasons: string[] = [];
    const notes: string[] = [];
    if (input.readError) reasons.push(`its cluster could not be read: ${input.readError}`);
    for (const r of input.rollouts) {
        if (!r.view) reasons.push(`Rollout ${r.namespace}/${r.name} is not in the cluster`);
        else reasons.push(...rolloutReasons(r.view));
    }
    if (input.alerts.checked) {
        if (input.alerts.error) reasons.push(`its Prometheus could not be read (${input.alerts.error}): its canary alerts are unknown`);
        for (const a of input.alerts.firing) reasons.push(`alert ${a.alertname} is firing${labelText(a.labels)}`);
    } else {
        notes.push(`alerts not checked: ${input.alerts.note}`);
    }
    return { stack: input.stack, healthy: reasons.length === 0, reasons, notes };
}
