import * as pulumi from "@pulumi/pulumi";
import { AppConfig } from "../../../stacks/types";
import { messages, PreflightFinding, preflightFindings } from "../../../model/preflight";
import { LiveSource } from "./liveSource";

/**
 * The preflight's errors, as one error the Pulumi CLI prints under the app's
 * component without a stack trace.
 */
export class PreflightError extends pulumi.ResourceError {
    constructor(app: string, readonly errors: string[], resource: pulumi.Resource) {
        const count = errors.length === 1 ? "1 error: the Rollout is not created or changed until it is fixed"
            : `${errors.length} errors: the Rollout is not created or changed until they are fixed`;
        super(`${errors.join("\n")}\n${app}: the preflight found ${count}`, resource, true);
    }
}

/**
 * Runs the app's preflight against its live objects, logs every warning on
 * `parent`, and resolves to the findings; rejects with a PreflightError when
 * any is an error. Whatever waits on it (the Rollout) is then never registered.
 */
export function preflight(app: AppConfig, source: LiveSource, parent: pulumi.Resource): pulumi.Output<PreflightFinding[]> {
    const findings = source({ namespace: app.namespace, deployment: app.deployment, service: app.service.name })
        .then((live) => preflightFindings(app, live));
    return pulumi.output(findings.then((all) => {
        for (const message of messages(all, "warning")) pulumi.log.warn(message, parent);
        const errors = messages(all, "error");
        if (errors.length > 0) throw new PreflightError(app.name, errors, parent);
        return all;
    }));
}
