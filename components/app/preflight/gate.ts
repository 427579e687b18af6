import * as pulumi from "@pulumi/pulumi";
import { AppConfig } from "../../../stacks/types";
import { messages, PreflightFinding, preflightFindings } from "../../../model/preflight";
import { appObjectNames } from "../../manifests/labels";
import { LiveSource } from "./liveSource";

/**
 * Fails the run after the preflight logged its errors. The Pulumi CLI prints
 * an error raised after the program's main module has returned as its
 * `stack`, so the stack is the message alone: one line, no trace.
 */
export class PreflightError extends pulumi.ResourceError {
    constructor(app: string, errors: number, resource: pulumi.Resource) {
        super(
            `${app}: the preflight found ${
                errors === 1
                    ? "1 error in the app's live objects: the Rollout is not created or changed until it is fixed"
                    : `${errors} errors in the app's live objects: the Rollout is not created or changed until they are fixed`
            }`,
            resource,
            true,
        );
        this.stack = this.message;
    }
}

/**
 * Runs the app's preflight against its live objects, logs every finding on
 * `parent` (warnings, then errors), and resolves to the findings; rejects
 * with a PreflightError when any is an error. Whatever waits on it (the
 * Rollout) is then never registered. With `after` (the stack's Kubernetes
 * provider, or its ClusterIdentity), the reads wait until the engine has
 * registered it, that is, until the cluster is checked: on another cluster
 * they never run.
 */
export function preflight(app: AppConfig, source: LiveSource, parent: pulumi.Resource, after?: pulumi.Resource): pulumi.Output<PreflightFinding[]> {
    const { stableService } = appObjectNames(app.name);
    const read = () =>
        source({
            namespace: app.namespace,
            deployment: app.deployment,
            service: app.service.name,
            rollout: app.name,
            stableService,
            ingress: app.stableIngress,
        }).then((live) => preflightFindings(app, live, stableService));
    // A URN is known once the registration is done, in a preview too; a failed one rejects, and so does this.
    const findings = after ? after.urn.apply(read) : pulumi.output(read());
    return findings.apply((all) => {
        for (const message of messages(all, "warning")) pulumi.log.warn(message, parent);
        const errors = messages(all, "error");
        for (const message of errors) pulumi.log.error(message, parent);
        if (errors.length > 0) throw new PreflightError(app.name, errors.length, parent);
        return all;
    });
}
