/**
 * The NerdGraph stand-in: New Relic's GraphQL API as Argo Rollouts' New Relic
 * provider (v1.8.3, metricproviders/newrelic, through newrelic-client-go
 * v2.51.3) calls it, on the loopback over HTTPS (its certificate is the
 * e2e's own; the controller trusts it through SSL_CERT_FILE). It answers
 * the one query the provider sends,
 *
 *   actor { account(id: $accountId) { nrql(query: $query, timeout: $timeout) { results } } }
 *
 * with the NRQL answered from the traffic simulator's transactions
 * (nrqlAnswer.ts), and checks what a real NerdGraph checks first: the
 * `Api-Key` header (401 otherwise) and the account. Every request is logged
 * as a JSON line (the NRQL, the variables, the answer, and whether the key
 * was the expected one: never the key itself).
 *
 *   node e2e/newrelic/nerdgraph.ts <config.json>
 *
 * The config file is re-read on each request: `mode: "empty"` answers every
 * query with no result rows. Stopping the process is NerdGraph down.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as https from "https";
import { answerNrql, Answer } from "./nrqlAnswer";

export interface NerdGraphConfig {
    port: number;
    certFile: string;
    keyFile: string;
    /** SHA-256 (hex) of the personal API key it accepts: the key itself is not written down. */
    apiKeySha256: string;
    accountId: number;
    /** The traffic simulator, for /transactions. */
    simulatorUrl: string;
    requestLog: string;
    mode?: "answer" | "empty";
}

/** One request as the stand-in logged it. */
export interface NerdGraphRequest {
    at: string;
    apiKey: "expected" | "other" | "none";
    userAgent?: string;
    accountId?: unknown;
    nrql?: string;
    timeout?: unknown;
    status: number;
    results?: unknown[];
    error?: string;
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The provider's query, as newrelic.go writes it, whitespace aside. */
const NRQL_FIELD = /actor\s*\{\s*account\s*\(\s*id:\s*\$accountId\s*\)\s*\{\s*nrql\s*\(\s*query:\s*\$query\s*,\s*timeout:\s*\$timeout\s*\)\s*\{\s*results\s*\}/;

async function answer(config: NerdGraphConfig, body: any): Promise<{ answer: Answer; record: Partial<NerdGraphRequest> }> {
    const variables = body?.variables ?? {};
    const record = { accountId: variables.accountId, nrql: variables.query, timeout: variables.timeout };
    if (typeof body?.query !== "string" || !NRQL_FIELD.test(body.query))
        return { answer: { error: "the stand-in answers only actor.account.nrql.results" }, record };
    if (variables.accountId !== config.accountId) return { answer: { error: `Account ${variables.accountId} not found or not authorized` }, record };
    if (typeof variables.query !== "string") return { answer: { error: "Variable $query of required type Nrql! was not provided." }, record };
    if (config.mode === "empty") return { answer: { results: [] }, record };
    const now = Date.now();
    const response = await fetch(`${config.simulatorUrl}/transactions?since=${now - 2 * 60 * 60 * 1000}`);
    if (!response.ok) return { answer: { error: `the traffic simulator answered ${response.status}` }, record };
    return { answer: answerNrql(variables.query, (await response.json()) as any[], now), record };
}

function main(configFile: string): void {
    const first = JSON.parse(fs.readFileSync(configFile, "utf8")) as NerdGraphConfig;
    const server = https.createServer({ cert: fs.readFileSync(first.certFile), key: fs.readFileSync(first.keyFile) }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
            const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as NerdGraphConfig;
            const key = req.headers["api-key"];
            const apiKey: NerdGraphRequest["apiKey"] = typeof key !== "string" ? "none" : sha256(key) === config.apiKeySha256 ? "expected" : "other";
            const log = (entry: Omit<NerdGraphRequest, "at" | "apiKey" | "userAgent">, payload: object) => {
                fs.appendFileSync(
                    config.requestLog,
                    `${JSON.stringify({ at: new Date().toISOString(), apiKey, userAgent: req.headers["user-agent"], ...entry })}\n`,
                );
                res.writeHead(entry.status, { "Content-Type": "application/json" }).end(JSON.stringify(payload));
            };
            if (req.method !== "POST") return log({ status: 405, error: "POST only" }, { errors: [{ message: "POST only" }] });
            if (apiKey !== "expected") return log({ status: 401, error: "Invalid API key" }, { errors: [{ message: "Invalid API key" }] });
            let body: any;
            try {
                body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
                return log({ status: 400, error: "the body is not JSON" }, { errors: [{ message: "the body is not JSON" }] });
            }
            const { answer: a, record } = await answer(config, body).catch((err: Error) => ({ answer: { error: err.message } as Answer, record: {} }));
            if ("error" in a)
                return log({ ...record, status: 200, error: a.error }, { data: { actor: { account: { nrql: null } } }, errors: [{ message: a.error }] });
            log({ ...record, status: 200, results: a.results }, { data: { actor: { account: { nrql: { results: a.results } } } } });
        });
    });
    server.listen(first.port, "127.0.0.1", () => process.stderr.write(`NerdGraph stand-in on https://127.0.0.1:${first.port}/graphql\n`));
    const stop = () => {
        server.close(() => process.exit(0));
        server.closeAllConnections();
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

if (require.main === module) main(process.argv[2]);
