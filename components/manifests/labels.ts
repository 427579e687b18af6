/** Labels on every object the program writes, so an operator can find them all with one selector. */
export function stackLabels(app?: string): Record<string, string> {
    return {
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/part-of": "canary-stack",
        ...(app ? { "canary-stack.io/app": app } : {}),
    };
}

export interface ObjectName {
    name: string;
    namespace: string;
}

/** Names of the objects a CanaryApp writes, derived from the app's name in one place. */
export function appObjectNames(app: string) {
    return {
        rollout: app,
        analysisTemplate: app,
        watchdogTemplate: `${app}-watchdog`,
        stableService: `${app}-stable`,
        canaryService: `${app}-canary`,
        metricsService: `${app}-metrics`,
        serviceMonitor: app,
        deployerRole: `${app}-deployer`,
    };
}
