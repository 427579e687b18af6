/**
 * The NerdGraph stand-in (nerdgraph.ts) as the New Relic phase runs it: its
 * certificate, its process (started, stopped by its pid: NerdGraph down),
 * its mode, and the requests it logged.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { run, start, Started, stop, waitFor } from "../lib/proc";
import { NERDGRAPH_PORT } from "./config";
import type { NerdGraphConfig, NerdGraphRequest } from "./nerdgraph";
import { sha256 } from "./nerdgraph";

/** Where the stand-in's certificate and key are, under the phase's dir. */
export function certificatePaths(dir: string): { certFile: string; keyFile: string } {
    return { certFile: path.join(dir, "nerdgraph", "cert.pem"), keyFile: path.join(dir, "nerdgraph", "key.pem") };
}

/** A self-signed certificate for 127.0.0.1: the controller trusts it as its only root (SSL_CERT_FILE). */
export function makeCertificate(dir: string): { certFile: string; keyFile: string } {
    const paths = certificatePaths(dir);
    fs.mkdirSync(path.dirname(paths.certFile), { recursive: true });
    run("openssl", [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        paths.keyFile,
        "-out",
        paths.certFile,
    ]);
    return paths;
}

export class NerdGraphStandIn {
    private readonly configFile: string;
    readonly requestLog: string;
    private readonly logFile: string;
    private process?: Started;
    private config: NerdGraphConfig;

    constructor(dir: string, apiKey: string, accountId: number, simulatorUrl: string) {
        this.configFile = path.join(dir, "nerdgraph", "config.json");
        this.requestLog = path.join(dir, "nerdgraph", "requests.jsonl");
        this.logFile = path.join(dir, "logs", "nerdgraph.log");
        this.config = {
            port: NERDGRAPH_PORT,
            ...certificatePaths(dir),
            apiKeySha256: sha256(apiKey),
            accountId,
            simulatorUrl,
            requestLog: this.requestLog,
            mode: "answer",
        };
        this.write();
    }

    private write(): void {
        fs.mkdirSync(path.dirname(this.configFile), { recursive: true });
        fs.writeFileSync(this.configFile, JSON.stringify(this.config, null, 2));
    }

    async start(): Promise<void> {
        this.process = start(
            "nerdgraph",
            "node",
            ["-r", "ts-node/register/transpile-only", path.join(__dirname, "nerdgraph.ts"), this.configFile],
            this.logFile,
        );
        await waitFor(
            `the NerdGraph stand-in on 127.0.0.1:${NERDGRAPH_PORT}`,
            30000,
            () =>
                new Promise<true | undefined>((resolve) => {
                    const socket = net.connect(NERDGRAPH_PORT, "127.0.0.1", () => {
                        socket.destroy();
                        resolve(true);
                    });
                    socket.on("error", () => resolve(undefined));
                }),
            250,
        );
    }

    /** NerdGraph down: the process stopped, nothing listening on its port. */
    async stop(): Promise<void> {
        if (this.process) await stop(this.process);
        this.process = undefined;
    }

    setMode(mode: NonNullable<NerdGraphConfig["mode"]>): void {
        this.config = { ...this.config, mode };
        this.write();
    }

    /** Every request logged so far, oldest first; `since` (epoch ms) keeps the later ones. */
    requests(since = 0): NerdGraphRequest[] {
        if (!fs.existsSync(this.requestLog)) return [];
        return fs
            .readFileSync(this.requestLog, "utf8")
            .split("\n")
            .filter((l) => l.trim() !== "")
            .map((l) => JSON.parse(l) as NerdGraphRequest)
            .filter((r) => Date.parse(r.at) >= since);
    }
}
