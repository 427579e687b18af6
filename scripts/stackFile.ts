import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export interface StackFile {
    /** `namespace:key` -> value as Pulumi hands it to a program (objects as JSON strings). */
    config: Record<string, string>;
    /** Keys whose value is encrypted (`secure:`) in the file. */
    secretKeys: string[];
}

/**
 * Reads `Pulumi.<stack>.yaml` (or `configFile`, as `--config-file` names it) the way the
 * Pulumi CLI hands it to the program; secrets stay unreadable.
 */
export function readStackFile(stack: string, dir = path.join(__dirname, ".."), configFile?: string): StackFile {
    const file = configFile ?? path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack file ${file} (stacks: ${listStacks(dir).join(", ")})`);
    const doc = parse(fs.readFileSync(file, "utf8")) ?? {};
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries<unknown>(doc.config ?? {})) {
        const isSecure = typeof value === "object" && value !== null && "secure" in value;
        if (isSecure) {
            secretKeys.push(key);
            config[key] = "[secret]";
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { config, secretKeys };
}

export function listStacks(dir = path.join(__dirname, "..")): string[] {
    return fs.readdirSync(dir).flatMap((f) => {
        const m = /^Pulumi\.(.+)\.yaml$/.exec(f);
        return m ? [m[1]] : [];
    });
}
