import * as path from "path";
import { stringify } from "yaml";
import { ClusterFixtures, installMocks, programErrors, registered, resetRegistered, setStackConfig, settle } from "./mockEngine";
import { apiKeyNote, NEW_RELIC_API_KEY_PLACEHOLDER, renderConfig } from "./renderConfig";
import { renderDocuments } from "./renderObjects";
import { StackFile } from "./stackFile";

/** One stack's render: the YAML stream, and the notes its reader needs beside it (stderr). */
export interface StackRender {
    text: string;
    objectCount: number;
    notes: string[];
}

/** Stands in for an existing Service that `live` does not have: port 80 to `http`, selector `app: <name>`. */
function placeholderService(id: string): Record<string, unknown> {
    const name = id.split("/")[1];
    return { spec: { type: "ClusterIP", selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] } };
}

/**
 * Runs the real program (index.ts, afresh) under the mock engine with a
 * stack's config, and writes every object it would register as one
 * multi-document YAML stream.
 */
export async function renderStack(stack: string, file: StackFile, live: ClusterFixtures): Promise<StackRender> {
    const placeholders: string[] = [];
    installMocks(live, stack, (type, id) => {
        if (type !== "kubernetes:core/v1:Service") return undefined;
        placeholders.push(id);
        return placeholderService(id);
    });
    const config = renderConfig(file);
    resetRegistered();
    setStackConfig(config.config, config.secretKeys);
    // Afresh, as each `pulumi preview` runs it: a second render in one process (the tests) runs it again.
    const index = require.resolve(path.join(__dirname, "..", "index"));
    delete require.cache[index];
    require(index);
    await settle();
    // As under the engine: an error the program raised on the way (the preflight's) fails the run.
    if (programErrors.length > 0) throw new Error(programErrors.map((e) => e.message).join("\n"));

    const documents = renderDocuments(registered);
    // Only a stack that uses New Relic passes the key on: say so only then.
    const placeholderUsed = config.apiKeyPlaceholder && JSON.stringify(registered.map((r) => r.inputs)).includes(NEW_RELIC_API_KEY_PLACEHOLDER);
    const header = [
        `# canary-stack render of stack ${stack}: ${documents.length} objects, as they would be applied.`,
        "# Secret values are shown as [secret]. HelmChart documents are chart installs (chart, version, source: repo, oci or path, values).",
        ...(placeholders.length ? [`# Placeholder ports/selector for the live Service(s) ${placeholders.join(", ")}: pass --live to use the real ones.`] : []),
        ...(placeholderUsed ? ["# The New Relic API key is unset: a placeholder stands in for it; pulumi preview and up require it."] : []),
    ].join("\n");
    const body = documents.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
    return { text: `${header}\n${body}`, objectCount: documents.length, notes: placeholderUsed ? [apiKeyNote(stack)] : [] };
}
