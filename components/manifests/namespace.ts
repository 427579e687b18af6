import { INamespace } from "./k8sTypes";
import { stackLabels } from "./labels";

export function namespaceObject(name: string): INamespace {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: stackLabels() } };
}
