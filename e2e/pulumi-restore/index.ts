import * as pulumi from "@pulumi/pulumi";
import { DeploymentRestore, DeploymentSnapshot } from "../../components/app/deploymentRestore";
import { DEMO } from "../demoApp";

// The same two resources, with the same arguments, that CanaryApp registers for the demo app.
const kubeconfig = new pulumi.Config().require("kubeconfig");
const snapshot = new DeploymentSnapshot("demo-snapshot", { namespace: DEMO.namespace, deployment: DEMO.name, kubeconfig });
new DeploymentRestore("demo-restore", {
    namespace: DEMO.namespace,
    rollout: DEMO.name,
    deployment: DEMO.name,
    recordedReplicas: snapshot.replicas,
    allowUnhealthy: false,
    timeoutSeconds: 120,
    pollIntervalSeconds: 1,
    kubeconfig,
}, { dependsOn: [snapshot] });

export const recordedReplicas = snapshot.replicas;
