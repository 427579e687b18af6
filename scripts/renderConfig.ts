import { CONFIG_NAMESPACE, NEW_RELIC_API_KEY } from "../stacks";
import { StackFile } from "./stackFile";

const API_KEY = `${CONFIG_NAMESPACE}:${NEW_RELIC_API_KEY}`;

/** Stands in for an unset New Relic API key; a secret, so a render writes it as [secret] only. */
export const NEW_RELIC_API_KEY_PLACEHOLDER = "render-placeholder-new-relic-api-key";

export interface RenderConfig extends StackFile {
    /** The stack has no New Relic API key and the placeholder stands in. */
    apiKeyPlaceholder: boolean;
}

/**
 * A stack's config as the render hands it to the program. A render is a
 * review without credentials, so an unset New Relic API key gets a
 * placeholder; the program itself still stops `pulumi preview` and `up`
 * without the real one (stacks/ checks it whenever a metric uses New Relic).
 */
export function renderConfig(file: StackFile): RenderConfig {
    if (file.config[API_KEY]) return { ...file, apiKeyPlaceholder: false };
    return {
        config: { ...file.config, [API_KEY]: NEW_RELIC_API_KEY_PLACEHOLDER },
        secretKeys: [...file.secretKeys, API_KEY],
        apiKeyPlaceholder: true,
    };
}

/** Said on stderr when the placeholder reached an object: the stack needs the key before preview and up. */
export function apiKeyNote(stack: string): string {
    return (
        `note: ${API_KEY} is unset: the render used a placeholder for it (written as [secret]); ` +
        `pulumi preview and up require it, since a metric uses provider newRelic: ` +
        `pulumi config set --secret ${API_KEY} <personal-api-key> --stack ${stack}`
    );
}
