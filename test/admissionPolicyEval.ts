/**
 * Evaluates a ValidatingAdmissionPolicy on one request the way the API server does
 * (k8s.io/apiserver v0.35 plugin/policy/validating): the match constraints, then every match
 * condition (any false skips the policy), then each validation, with `variables` evaluated
 * lazily and a failing validation answered by its messageExpression, else its message.
 * CEL by @bufbuild/cel; `object` and `oldObject` are JSON maps with integers as int, as the
 * API server hands them over (the unstructured form).
 */
import { isCelError, run } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

export interface AdmissionRequest {
    operation: "UPDATE" | "DELETE" | "CREATE";
    group: string;
    resource: string;
    subResource?: string;
    namespace: string;
    username: string;
    object: unknown;
    oldObject: unknown;
}

export type Verdict = { matched: false } | { matched: true; denied: string[] };

/**
 * JSON to CEL input: objects as maps, whole numbers as int (bigint), like the API server's
 * unstructured objects. Map entries whose value is null are left out: @bufbuild/cel 0.6.1 answers
 * `key in map` with `get(key) != undefined`, so it would count them as absent in one place and
 * present in another (cel-go counts them present). The API server converts `object` and
 * `oldObject` from the same typed struct, so both carry the same nulls (a pod template's
 * `metadata.creationTimestamp: null`); leaving them out of both changes no comparison.
 */
export function celValue(json: unknown): any {
    if (Array.isArray(json)) return json.map(celValue);
    if (json !== null && typeof json === "object") {
        return new Map(
            Object.entries(json)
                .filter(([, v]) => v !== null)
                .map(([k, v]) => [k, celValue(v)]),
        );
    }
    if (typeof json === "number" && Number.isInteger(json)) return BigInt(json);
    return json;
}

function evaluate(expression: string, bindings: Record<string, unknown>): unknown {
    const result = run(expression, bindings as any, { funcs: strings });
    if (isCelError(result)) throw new Error(`${expression.slice(0, 120)}: ${result.message}`);
    return result;
}

function resourceMatches(policy: any, req: AdmissionRequest): boolean {
    const constraints = policy.spec.matchConstraints;
    const name = req.subResource ? `${req.resource}/${req.subResource}` : req.resource;
    const selected = constraints.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
    if (selected !== undefined && selected !== req.namespace) return false;
    return constraints.resourceRules.some(
        (rule: any) => rule.apiGroups.includes(req.group) && rule.resources.includes(name) && rule.operations.includes(req.operation) && !rule.resourceNames,
    );
}

export function admit(policy: any, req: AdmissionRequest): Verdict {
    if (!resourceMatches(policy, req)) return { matched: false };
    // `request` is the AdmissionRequest as JSON: its omitempty fields (subResource, name, namespace,
    // username) are absent when empty, not "" (k8s.io/apiserver plugin/cel/activation.go).
    const omitEmpty = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== "" && v !== undefined));
    const bindings: Record<string, unknown> = {
        request: celValue(
            omitEmpty({
                operation: req.operation,
                subResource: req.subResource,
                namespace: req.namespace,
                resource: { group: req.group, version: "v1", resource: req.resource },
                userInfo: omitEmpty({ username: req.username }),
            }),
        ),
        object: celValue(req.object),
        oldObject: celValue(req.oldObject),
    };
    for (const condition of policy.spec.matchConditions ?? []) {
        if (evaluate(condition.expression, bindings) !== true) return { matched: false };
    }
    // Lazy, as in the API server: a variable that cannot be computed for this request is left out,
    // and only a validation that reaches it fails.
    const variables = new Map<string, unknown>();
    for (const variable of policy.spec.variables ?? []) {
        const value = run(variable.expression, { ...bindings, variables: variables } as any, { funcs: strings });
        if (!isCelError(value)) variables.set(variable.name, value);
    }
    const withVariables = { ...bindings, variables };
    const denied: string[] = [];
    for (const validation of policy.spec.validations) {
        if (evaluate(validation.expression, withVariables) === true) continue;
        denied.push(validation.messageExpression ? String(evaluate(validation.messageExpression, withVariables)) : validation.message);
    }
    return { matched: true, denied };
}

/** RFC 7386 JSON merge patch, the patch type the plugin and `kubectl patch --type=merge` send. */
export function mergePatch(target: any, patch: any): any {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
    const result = target !== null && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
    for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete result[key];
        else result[key] = mergePatch(result[key], value);
    }
    return result;
}
