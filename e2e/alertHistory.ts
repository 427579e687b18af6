/**
 * What the e2e's Prometheus did with the canary alerts and the dashboard, read back from its own
 * data: every rule evaluation writes each active alert to the `ALERTS` series (with
 * `alertstate`), so when an alert first fired, and whether any page fired in a window, come
 * from Prometheus's record at its evaluation interval (1 s), not from polling it.
 */
import { DashboardPanel } from "../components/manifests/dashboard";
import { sleep } from "./lib/proc";
import { ScenarioResult, stepResult } from "./report/types";

type Labels = Record<string, string>;
interface RangeSeries {
    metric: Labels;
    values: [number, string][];
}

const describe = (labels: Labels) => {
    const { alertname, alertstate: _state, ...rest } = labels;
    return `${alertname}{${Object.entries(rest)
        .map(([k, v]) => `${k}="${v}"`)
        .join(", ")}}`;
};
const selector = (want: Labels) =>
    `{${Object.entries(want)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}}`;
const round = (seconds: number) => Math.round(seconds * 10) / 10;

/** The read-only kubectl commands in an alert's summary (`kubectl describe|get ...`, `kubectl argo rollouts get ...`), each up to a ";" or the end. */
export function summaryCommands(summary: string): string[] {
    return [...summary.matchAll(/kubectl (?:describe|get|argo rollouts get) [^;()]*[^;()\s]/g)].map((m) => m[0]);
}

export class AlertHistory {
    constructor(
        private readonly port: number,
        private readonly dashboard: DashboardPanel[],
    ) {}

    private async api<T>(pathAndQuery: string): Promise<T> {
        const body = (await (await fetch(`http://127.0.0.1:${this.port}${pathAndQuery}`)).json()) as { status: string; error?: string; data: T };
        if (body.status !== "success") throw new Error(`${pathAndQuery}: ${body.error}`);
        return body.data;
    }

    private range(promql: string, fromMs: number, toMs: number, stepSeconds: number): Promise<RangeSeries[]> {
        const q = new URLSearchParams({ query: promql, start: String(fromMs / 1000), end: String(toMs / 1000), step: String(stepSeconds) });
        return this.api<{ result: RangeSeries[] }>(`/api/v1/query_range?${q}`).then((d) => d.result);
    }

    private instant(promql: string, atMs: number): Promise<{ metric: Labels; value: [number, string] }[]> {
        const q = new URLSearchParams({ query: promql, time: String(atMs / 1000) });
        return this.api<{ result: { metric: Labels; value: [number, string] }[] }>(`/api/v1/query?${q}`).then((d) => d.result);
    }

    /**
     * The first evaluation at or after `since` at which an alert with these labels was firing, from
     * `timestamp(ALERTS{...})`; `already` when it was firing at `since` itself (not caused by the event).
     */
    async firstFiring(want: Labels, since: number): Promise<{ at: number; labels: Labels; already: boolean } | undefined> {
        const series = await this.range(`timestamp(ALERTS${selector({ ...want, alertstate: "firing" })})`, since, Date.now(), 1);
        const firsts = series.flatMap((s) => s.values.slice(0, 1).map(([, v]) => ({ at: Number(v) * 1000, labels: s.metric })));
        firsts.sort((a, b) => a.at - b.at);
        // At the range's first step, the latest sample at or before `since`: one before it means firing already.
        return firsts[0] && { ...firsts[0], already: firsts[0].at < since };
    }

    /** When this Prometheus process started (after the outage scenario, its restart). */
    async startedAt(): Promise<number> {
        return Date.parse((await this.api<{ startTime: string }>("/api/v1/status/runtimeinfo")).startTime);
    }

    /** The summary of the active alert with these labels, its templates expanded (Prometheus's /api/v1/alerts). */
    async summary(want: Labels): Promise<string | undefined> {
        const { alerts } = await this.api<{ alerts: { labels: Labels; annotations: Labels }[] }>("/api/v1/alerts");
        return alerts.find((a) => Object.entries(want).every(([k, v]) => a.labels[k] === v))?.annotations.summary;
    }

    /**
     * Waits up to `timeoutMs` for the alert to fire after `since`; `eventAt` is what the row measures from.
     * With `run`, each read-only kubectl command of the fired alert's summary is run as written, and must succeed.
     */
    async alertRow(o: {
        name: string;
        event: string;
        eventAt: number;
        since: number;
        want: Labels;
        expected: string;
        timeoutMs: number;
        run?: (command: string) => { code: number; output: string };
    }): Promise<ScenarioResult> {
        const deadline = Date.now() + o.timeoutMs;
        const alert = o.want.alertname;
        let fired: Awaited<ReturnType<AlertHistory["firstFiring"]>>;
        for (;;) {
            // Prometheus may be restarting: a failed query is a miss, not the end.
            fired = await this.firstFiring(o.want, o.since).catch(() => undefined);
            if (fired || Date.now() > deadline) break;
            await sleep(1000);
        }
        if (!fired || fired.already) {
            const why = fired
                ? `${describe(fired.labels)} was already firing before ${o.event}`
                : `${alert} did not fire within ${o.timeoutMs / 1000}s of ${o.event}`;
            return stepResult(o.name, o.expected, why, false, round((Date.now() - o.eventAt) / 1000), { alert, event: o.event });
        }
        const seconds = round((fired.at - o.eventAt) / 1000);
        const observed = `${describe(fired.labels)} firing ${seconds}s after ${o.event}, by its ALERTS series (evaluated every 1s)`;
        if (!o.run) return stepResult(o.name, o.expected, observed, true, seconds, { alert, event: o.event, secondsToFire: seconds });
        const summary = await this.summary(o.want).catch(() => undefined);
        const commands = summaryCommands(summary ?? "");
        const ran = commands.map((command) => ({ command, ...o.run!(command) }));
        const failed = ran.filter((r) => r.code !== 0);
        return stepResult(
            o.name,
            `${o.expected}; the summary's read-only kubectl commands run as written and succeed`,
            `${observed}; summary: ${summary === undefined ? "NOT FOUND among the active alerts" : JSON.stringify(summary)}; ` +
                (ran.map((r) => `\`${r.command}\`: exit ${r.code}${r.code === 0 ? "" : ` (${r.output.trim().slice(0, 200)})`}`).join("; ") ||
                    "no command in it"),
            summary !== undefined && failed.length === 0,
            seconds,
            { alert, event: o.event, secondsToFire: seconds, summary, commands },
        );
    }

    /** No alert of severity critical (a page) fired in [from, to], and Prometheus was scraping the controller throughout. */
    async noPageRow(name: string, controllerJob: string, from: number, to: number): Promise<ScenarioResult> {
        const window = `${Math.ceil((to - from) / 1000)}s`;
        const expected = "no alert of severity critical (a page) fires from the image change to the promotion";
        try {
            const fired = (await this.instant(`max_over_time(ALERTS{alertstate="firing"}[${window}])`, to)).map((r) => r.metric);
            const scrapes = (await this.instant(`count_over_time(up{job="${controllerJob}"}[${window}])`, to))[0]?.value[1] ?? "0";
            const pages = fired.filter((l) => l.severity === "critical").map(describe);
            const others = fired.filter((l) => l.severity !== "critical").map(describe);
            const observed = `over ${window}: ${scrapes} scrapes of the controller; critical alerts firing: ${pages.join(", ") || "none"}; other alerts firing: ${others.join(", ") || "none"}`;
            return stepResult(name, expected, observed, Number(scrapes) > 0 && pages.length === 0, (to - from) / 1000);
        } catch (err) {
            return stepResult(name, expected, (err as Error).message, false);
        }
    }

    /** Each dashboard panel's query, over the run so far in 5 s steps, returned a series at least once. */
    async panelsRow(from: number, to: number): Promise<ScenarioResult> {
        const name = "every dashboard panel's query returns data during the run";
        const expected = "each panel's query returns at least one series at least once (evaluated every 5 s over the run)";
        const steps = Math.floor((to - from) / 5000) + 1;
        try {
            const counts = await Promise.all(
                this.dashboard.map(async (p) => {
                    const series = await this.range(p.expr, from, to, 5);
                    return { title: p.title, withData: new Set(series.flatMap((s) => s.values.map(([t]) => t))).size };
                }),
            );
            const observed = counts.map((c) => `"${c.title}": data at ${c.withData} of ${steps} steps`).join("; ");
            return stepResult(
                name,
                expected,
                observed,
                counts.every((c) => c.withData > 0),
            );
        } catch (err) {
            return stepResult(name, expected, (err as Error).message, false);
        }
    }
}
