/**
 * Watches what the e2e's Prometheus does with the canary alerts and the dashboard: its firing
 * alerts (/api/v1/alerts) every 500 ms, and each dashboard panel's query every 5 s, for the
 * whole run, so that each report row can ask what fired when, and which panels showed data.
 */
import { DashboardPanel } from "../components/manifests/dashboard";
import { sleep } from "./lib/proc";
import { querySeries } from "./prometheus";
import { ScenarioResult, stepResult } from "./report/types";

interface FiringAlert {
    labels: Record<string, string>;
    /** Wall-clock ms of the first and the last poll that saw it firing, per unbroken stretch. */
    stretches: { from: number; to: number }[];
}

interface PanelSamples {
    samples: number;
    withData: number;
    firstDataAt?: number;
}

/** What identifies an alert: its name and labels, as Alertmanager groups them. */
const alertKey = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const describe = (labels: Record<string, string>) => {
    const { alertname, ...rest } = labels;
    return `${alertname}{${Object.entries(rest).map(([k, v]) => `${k}="${v}"`).join(", ")}}`;
};
const matches = (labels: Record<string, string>, want: Record<string, string>) => Object.entries(want).every(([k, v]) => labels[k] === v);
const secondsBetween = (from: number, to: number) => Math.round((to - from) / 100) / 10;

export class AlertWatcher {
    private readonly firing = new Map<string, FiringAlert>();
    private readonly panels = new Map<string, PanelSamples>();
    /** Wall-clock ms of every poll of /api/v1/alerts that Prometheus answered. */
    private readonly polls: number[] = [];
    private running = false;
    private loops: Promise<void>[] = [];

    constructor(private readonly port: number, private readonly dashboard: DashboardPanel[]) {}

    start(): void {
        this.running = true;
        this.loops = [this.every(500, () => this.pollAlerts()), this.every(5000, () => this.pollPanels())];
    }

    async stop(): Promise<void> {
        this.running = false;
        await Promise.all(this.loops);
    }

    private async every(ms: number, poll: () => Promise<void>): Promise<void> {
        while (this.running) {
            // Prometheus is down in the outage scenario: that poll sees nothing.
            await poll().catch(() => undefined);
            await sleep(ms);
        }
    }

    private async pollAlerts(): Promise<void> {
        const res = await fetch(`http://127.0.0.1:${this.port}/api/v1/alerts`);
        const body = (await res.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
        const now = Date.now();
        const previous = this.polls.at(-1);
        this.polls.push(now);
        for (const alert of body.data.alerts.filter((a) => a.state === "firing")) {
            const key = alertKey(alert.labels);
            const seen = this.firing.get(key) ?? { labels: alert.labels, stretches: [] };
            const last = seen.stretches.at(-1);
            if (last && last.to === previous) last.to = now;
            else seen.stretches.push({ from: now, to: now });
            this.firing.set(key, seen);
        }
    }

    private async pollPanels(): Promise<void> {
        for (const panel of this.dashboard) {
            const result = await querySeries(this.port, panel.expr);
            const seen = this.panels.get(panel.title) ?? { samples: 0, withData: 0 };
            seen.samples += 1;
            if (result.length > 0) {
                seen.withData += 1;
                seen.firstDataAt ??= Date.now();
            }
            this.panels.set(panel.title, seen);
        }
    }

    /** The first time, at or after `since`, that an alert with these labels started firing. */
    firingSince(want: Record<string, string>, since: number): { at: number; labels: Record<string, string> } | undefined {
        const found = [...this.firing.values()]
            .filter((a) => matches(a.labels, want))
            .flatMap((a) => a.stretches.filter((s) => s.from >= since).map((s) => ({ at: s.from, labels: a.labels })))
            .sort((a, b) => a.at - b.at);
        return found[0];
    }

    /** The first poll Prometheus answered, since `since`, after a gap of more than 2 s (an outage). */
    answeredAgain(since: number): number | undefined {
        const index = this.polls.findIndex((t, i) => t >= since && i > 0 && t - this.polls[i - 1] > 2000);
        return index < 0 ? undefined : this.polls[index];
    }

    /** Waits up to `timeoutMs` for the alert; `eventAt` is what the row measures from. */
    async alertRow(o: {
        name: string; event: string; eventAt: number; since: number; want: Record<string, string>; expected: string; timeoutMs: number;
    }): Promise<ScenarioResult> {
        const deadline = Date.now() + o.timeoutMs;
        let fired = this.firingSince(o.want, o.since);
        while (!fired && Date.now() < deadline) {
            await sleep(250);
            fired = this.firingSince(o.want, o.since);
        }
        const alert = o.want.alertname;
        if (!fired) {
            const waited = secondsBetween(o.eventAt, Date.now());
            return stepResult(o.name, o.expected, `${alert} did not fire within ${waited}s of ${o.event}; firing then: ${this.firingNow().join(", ") || "nothing"}`, false, waited,
                { alert, event: o.event });
        }
        const seconds = secondsBetween(o.eventAt, fired.at);
        return stepResult(o.name, o.expected, `${describe(fired.labels)} firing ${seconds}s after ${o.event}`, true, seconds,
            { alert, event: o.event, secondsToFire: seconds });
    }

    private firingNow(): string[] {
        const last = this.polls.at(-1);
        return [...this.firing.values()].filter((a) => a.stretches.at(-1)?.to === last).map((a) => describe(a.labels));
    }

    /** Every alert seen firing between `from` and `to`, with its severity. */
    firingBetween(from: number, to: number): Record<string, string>[] {
        return [...this.firing.values()].filter((a) => a.stretches.some((s) => s.to >= from && s.from <= to)).map((a) => a.labels);
    }

    /** No alert of severity page fired while the healthy canary ran (and Prometheus answered throughout). */
    noPageRow(name: string, from: number, to: number): ScenarioResult {
        const polls = this.polls.filter((t) => t >= from && t <= to).length;
        const fired = this.firingBetween(from, to);
        const pages = fired.filter((l) => l.severity === "page").map(describe);
        const others = fired.filter((l) => l.severity !== "page").map(describe);
        const seconds = secondsBetween(from, to);
        const observed = `${polls} polls of /api/v1/alerts over ${seconds}s; page alerts firing: ${pages.join(", ") || "none"}; other alerts firing: ${others.join(", ") || "none"}`;
        return stepResult(name, "no alert of severity page fires from the image change to the promotion", observed, polls > 0 && pages.length === 0, seconds);
    }

    /** Each dashboard panel's query returned at least one series at least once during the run. */
    panelsRow(): ScenarioResult {
        const lines = this.dashboard.map((p) => {
            const seen = this.panels.get(p.title) ?? { samples: 0, withData: 0 };
            return { title: p.title, seen, ok: seen.withData > 0 };
        });
        const observed = lines.map(({ title, seen }) => `"${title}": data in ${seen.withData} of ${seen.samples} samples`).join("; ");
        return stepResult("every dashboard panel's query returns data during the run", "each panel's query returns at least one series at least once (sampled every 5 s)",
            observed, lines.every((l) => l.ok));
    }
}
