import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { NewRelicConfig } from "../../stacks/types";
import { stackLabels } from "../manifests/labels";
import { newRelicSecretData } from "../manifests/newRelic";

export interface NewRelicCredentialsArgs {
    config: NewRelicConfig;
    /** The personal API key, a Pulumi secret from `pulumi config set --secret`. */
    apiKey: pulumi.Output<string>;
    /** The Argo Rollouts controller's namespace: the only place its New Relic provider looks. */
    namespace: string;
    /** `newrelic`, or the profile names the metrics use. */
    secretNames: string[];
}

/** The Secret(s) the Argo Rollouts New Relic provider reads. */
export class NewRelicCredentials extends pulumi.ComponentResource {
    constructor(name: string, args: NewRelicCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("canary:platform:NewRelicCredentials", name, {}, opts);
        const stringData = pulumi.secret(args.apiKey.apply((key) => newRelicSecretData(args.config, key)));
        for (const secretName of args.secretNames) {
            new k8s.core.v1.Secret(
                `${name}-${secretName}`,
                {
                    metadata: { name: secretName, namespace: args.namespace, labels: stackLabels() },
                    type: "Opaque",
                    stringData,
                },
                { parent: this },
            );
        }
        this.registerOutputs({});
    }
}
