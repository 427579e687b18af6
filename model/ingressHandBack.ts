import { Backend, IIngress, repointCommand, repointPatch, serviceBackends } from "./ingressRoutes";

/**
 * What `pulumi destroy` does to the app's stableIngress, so that it keeps
 * serving: a destroy deletes the Rollout (its pods leave the stable Service's
 * endpoints) and then the stable Service itself, so every backend of the
 * Ingress that names the stable Service is moved back to the app's own
 * Service, which selects the Deployment's pods the restore has just made
 * Available. Plain data in and out; components/app/restore/ does the I/O.
 */

/** The objects of one app's Ingress hand-back, by name, in the app's namespace. */
export interface IngressNames {
    /** The app's stableIngress. */
    stableIngress: string;
    /** `<app>-stable`, which the destroy deletes. */
    stableService: string;
    /** The app's own Service, which serves the Deployment. */
    service: string;
    /** Argo Rollouts' canary Ingress, `<rollout>-<stableIngress>-canary` (`utils/ingress/ingress.go` `GetCanaryIngressName`, v1.8.3). */
    canaryIngress: string;
}

/** Argo Rollouts' `GetCanaryIngressName` (v1.8.3): `<rollout>-<stableIngress>`, cut to leave room for `-canary` within 253 characters. */
export function canaryIngressName(rollout: string, stableIngress: string): string {
    const suffix = "-canary";
    return `${`${rollout}-${stableIngress}`.slice(0, 253 - suffix.length)}${suffix}`;
}

export type IngressHandBack =
    /** Nothing to move: `why` says so, for the log. */
    | { kind: "none"; why: string }
    /** A JSON patch moving `backends` to the app's Service, each behind a test of the name it replaces, and the same by hand. */
    | { kind: "repoint"; backends: Backend[]; patch: object[]; command: string };

export function ingressHandBack(namespace: string, names: IngressNames, ingress: IIngress | undefined): IngressHandBack {
    const where = `Ingress ${namespace}/${names.stableIngress}`;
    if (!ingress) return { kind: "none", why: `${where} not found: nothing routes through it` };
    const backends = serviceBackends(ingress).filter((b) => b.service === names.stableService);
    if (backends.length === 0) return { kind: "none", why: `${where} does not route to ${names.stableService}: left as it is` };
    return {
        kind: "repoint",
        backends,
        patch: repointPatch(backends, names.service),
        command: repointCommand({ name: names.stableIngress, namespace }, backends, names.service),
    };
}

/**
 * Argo Rollouts' canary Ingress is its own only when the Rollout controls it
 * (the controller refuses to touch one "controlled by different object"); the
 * restore deletes only that one.
 */
export function ownedCanaryIngress(ingress: IIngress | undefined, rolloutUid: string | undefined): boolean {
    if (!ingress || !rolloutUid) return false;
    return (ingress.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.kind === "Rollout" && o.uid === rolloutUid);
}
