/**
 * Small path-aware readers for untyped config. `requireObject<T>()` is only a
 * cast, so every value is checked here, and every error names the key path,
 * the value and what is allowed: `apps[0].steps[2].setWeight: 150 is not an
 * integer from 0 to 100`.
 */

import * as pulumi from "@pulumi/pulumi";

/** A RunError, so the Pulumi CLI prints its message as one line, without the program's stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

export type Obj = Record<string, unknown>;

export function show(value: unknown): string {
    if (value === undefined) return "missing";
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function fail(path: string, message: string): never {
    throw new ConfigError(`${path}: ${message}`);
}

export function isObj(value: unknown): value is Obj {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A mapping with no keys outside `allowed`. */
export function obj(value: unknown, path: string, allowed: readonly string[]): Obj {
    if (value === undefined) fail(path, `missing (a mapping of ${allowed.join(", ")})`);
    if (!isObj(value)) fail(path, `${show(value)} is not a mapping`);
    for (const key of Object.keys(value)) {
        if (!allowed.includes(key)) fail(`${path}.${key}`, `unknown key (allowed: ${allowed.join(", ")})`);
    }
    return value;
}

export function list(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) fail(path, `${show(value)} is not a list`);
    return value;
}

export function optionalStr(o: Obj, key: string, path: string, pattern?: RegExp, what?: string): string | undefined {
    const value = o[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.length === 0) fail(`${path}.${key}`, `${show(value)} is not a non-empty string`);
    if (pattern && !pattern.test(value)) fail(`${path}.${key}`, `${show(value)} is not ${what}`);
    return value;
}

export function str(o: Obj, key: string, path: string, pattern?: RegExp, what?: string): string {
    const value = optionalStr(o, key, path, pattern, what);
    if (value === undefined) fail(`${path}.${key}`, `missing (${what ?? "a non-empty string"} is required)`);
    return value;
}

export function optionalInt(o: Obj, key: string, path: string, min: number, max: number): number | undefined {
    const value = o[key];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
        fail(`${path}.${key}`, `${show(value)} is not an integer ${range}`);
    }
    return value;
}

export function int(o: Obj, key: string, path: string, min: number, max: number, fallback: number): number {
    return optionalInt(o, key, path, min, max) ?? fallback;
}

export function optionalNumber(o: Obj, key: string, path: string, min: number, max: number): number | undefined {
    const value = o[key];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
        fail(`${path}.${key}`, `${show(value)} is not a number from ${min} to ${max}`);
    }
    return value;
}

export function bool(o: Obj, key: string, path: string, fallback: boolean): boolean {
    const value = o[key];
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") fail(`${path}.${key}`, `${show(value)} is not true or false`);
    return value;
}

export function oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[], fallback: T): T {
    const value = o[key];
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
        fail(`${path}.${key}`, `${show(value)} is not one of ${allowed.join(", ")}`);
    }
    return value as T;
}

export function stringMap(o: Obj, key: string, path: string): Record<string, string> {
    const value = o[key];
    if (value === undefined) return {};
    if (!isObj(value)) fail(`${path}.${key}`, `${show(value)} is not a mapping of strings`);
    for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") fail(`${path}.${key}.${k}`, `${show(v)} is not a string`);
    }
    return value as Record<string, string>;
}

/** RFC 1035 label: Service names and everything derived from an app name. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_WHAT = "a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at most 63 characters)";
/** RFC 1123 subdomain: names of Deployments, ServiceAccounts, Ingresses, Secrets. */
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_SUBDOMAIN_WHAT = "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')";
/** RFC 1123 label: namespaces and container names. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_1123_LABEL_WHAT = "a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)";
