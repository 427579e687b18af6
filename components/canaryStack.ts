import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { StackConfig } from "../stacks/types";
import { CanaryApp } from "./app/canaryApp";
import { RolloutCommands } from "./spec/commands";

export interface StackOutputs {
    /** Per app: the `kubectl argo rollouts` commands an operator runs. */
    rollouts: Record<string, RolloutCommands>;
}

/**
 * The whole stack for one cluster: one Kubernetes provider (the config's
 * context), the platform, then every app. Called once, from index.ts.
 */
export function deployStack(config: StackConfig): StackOutputs {
    const provider = new k8s.Provider("cluster", {
        ...(config.cluster.context ? { context: config.cluster.context } : {}),
    });
    const opts: pulumi.ComponentResourceOptions = { provider };
    const apps = config.apps.map((app) => new CanaryApp(app.name, { app, platform: config.platform }, opts));
    return {
        rollouts: Object.fromEntries(apps.map((a, i) => [config.apps[i].name, a.commands])),
    };
}
