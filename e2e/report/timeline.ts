import { MeasurementMark, ScenarioResult, TimelineEvent, WeightSample } from "./types";

/**
 * One scenario as a self-contained SVG: the canary weight as a step line, the
 * analysis measurements on a band below it (one row per metric), and the
 * moments that explain the shape (image change, abort, Prometheus outage) as
 * vertical lines through both. Only generic font names, so it renders the
 * same in a browser, on GitHub and through rsvg-convert.
 */

const WIDTH = 900;
/** Wide enough for a metric name like "error-rate-canary" beside its band row. */
const LEFT = 140;
const RIGHT = 24;
const PLOT_HEIGHT = 200;
const ROW_HEIGHT = 20;
const LANE_HEIGHT = 13;
const FONT = 11;
/** Average glyph width of a sans-serif font per unit of size, to lay labels out without measuring. */
const GLYPH = 0.6;

type Shape = "circle" | "cross" | "diamond" | "square";

const PHASE_STYLE: Record<string, { color: string; shape: Shape }> = {
    Successful: { color: "#2e7d32", shape: "circle" },
    Failed: { color: "#c62828", shape: "cross" },
    Inconclusive: { color: "#ef8f00", shape: "diamond" },
    Error: { color: "#757575", shape: "square" },
};

const EVENT_COLOR: Record<TimelineEvent["kind"], string> = {
    "image-change": "#1565c0",
    aborted: "#c62828",
    promoted: "#2e7d32",
    paused: "#616161",
    "prometheus-stopped": "#6a1b9a",
    "prometheus-started": "#6a1b9a",
};

/** Escapes text for element content and attribute values, dropping control characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
    const entities: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" };
    // eslint-disable-next-line no-control-regex -- XML 1.0 forbids these control characters: removed on purpose.
    return text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "").replace(/[<>&"']/g, (c) => entities[c]);
}

/** Tick spacing in seconds giving at most `maxTicks` ticks over `span`, from steps a reader counts in. */
export function tickStep(span: number, maxTicks = 12): number {
    const steps = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600];
    return steps.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / 600) * 600;
}

const num = (n: number) => String(Math.round(n * 10) / 10);
const textWidth = (text: string, size = FONT) => text.length * size * GLYPH;

function clip(text: string, maxWidth: number, size: number): string {
    const max = Math.floor(maxWidth / (size * GLYPH));
    return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

export function marker(phase: string, x: number, y: number): string {
    const style = PHASE_STYLE[phase];
    if (!style) return `<circle cx="${num(x)}" cy="${num(y)}" r="4" fill="none" stroke="#000"/>`;
    const [c, X, Y] = [style.color, num(x), num(y)];
    switch (style.shape) {
        case "circle":
            return `<circle cx="${X}" cy="${Y}" r="4.5" fill="${c}"/>`;
        case "cross":
            return `<path d="M${num(x - 4)} ${num(y - 4)}L${num(x + 4)} ${num(y + 4)}M${num(x - 4)} ${num(y + 4)}L${num(x + 4)} ${num(y - 4)}" stroke="${c}" stroke-width="2.5" fill="none"/>`;
        case "diamond":
            return `<path d="M${X} ${num(y - 5.5)}L${num(x + 5.5)} ${Y}L${X} ${num(y + 5.5)}L${num(x - 5.5)} ${Y}Z" fill="${c}"/>`;
        case "square":
            return `<rect x="${num(x - 4)}" y="${num(y - 4)}" width="8" height="8" fill="${c}"/>`;
    }
}

interface PlacedLabel {
    event: TimelineEvent;
    x: number;
    lane: number;
    /** Labels near the right edge read leftwards from their line so they stay inside the picture. */
    anchorEnd: boolean;
}

/** Puts each event label in the first lane where it does not overlap the one before it, so close events stay legible. */
export function placeLabels(events: TimelineEvent[], x: (t: number) => number): PlacedLabel[] {
    const laneEnds: number[] = [];
    return [...events]
        .sort((a, b) => a.t - b.t)
        .map((event) => {
            const at = x(event.t);
            const width = textWidth(event.label || event.kind) + 3;
            const anchorEnd = at + width > WIDTH - 4;
            const [start, end] = anchorEnd ? [at - width, at] : [at, at + width];
            let lane = laneEnds.findIndex((laneEnd) => laneEnd + 6 < start);
            if (lane < 0) lane = laneEnds.push(end) - 1;
            else laneEnds[lane] = end;
            return { event, x: at, lane, anchorEnd };
        });
}

/** Weight as a step path: Argo moves the weight in jumps and holds it between samples. */
function stepPath(samples: WeightSample[], x: (t: number) => number, y: (w: number) => number): string {
    const [first, ...rest] = samples;
    let d = `M${num(x(first.t))} ${num(y(first.weight))}`;
    let weight = first.weight;
    for (const s of rest) {
        if (s.weight === weight) continue;
        d += `H${num(x(s.t))}V${num(y(s.weight))}`;
        weight = s.weight;
    }
    return `${d}H${num(x(samples[samples.length - 1].t))}`;
}

function legend(y: number): string {
    const items: [string, string][] = [
        [`<path d="M0 0H18" stroke="#1565c0" stroke-width="2"/>`, "canary weight"],
        ...Object.keys(PHASE_STYLE).map((phase): [string, string] => [marker(phase, 9, 0), phase]),
    ];
    let x = LEFT;
    return items
        .map(([swatch, label]) => {
            const out = `<g transform="translate(${num(x)} ${y})">${swatch}<text x="24" y="4">${escapeXml(label)}</text></g>`;
            x += 24 + textWidth(label) + 18;
            return out;
        })
        .join("");
}

export function timelineSvg(result: ScenarioResult): string {
    const finite = <T extends { t: number }>(items: T[]) => items.filter((i) => Number.isFinite(i.t));
    const samples = finite(result.samples).sort((a, b) => a.t - b.t);
    const measurements: MeasurementMark[] = finite(result.measurements);
    const events = finite(result.events);

    const times = [0, ...samples.map((s) => s.t), ...measurements.map((m) => m.t), ...events.map((e) => e.t)];
    if (Number.isFinite(result.seconds)) times.push(result.seconds);
    const rawLo = Math.min(...times);
    const rawHi = Math.max(...times, rawLo + 10);
    const step = tickStep(rawHi - rawLo);
    const lo = Math.floor(rawLo / step) * step;
    const hi = Math.max(Math.ceil(rawHi / step) * step, lo + step);
    const x = (t: number) => LEFT + ((t - lo) / (hi - lo)) * (WIDTH - LEFT - RIGHT);

    const labels = placeLabels(events, x);
    const lanes = Math.max(1, ...labels.map((l) => l.lane + 1));
    const plotTop = 52 + lanes * LANE_HEIGHT + 6;
    const plotBottom = plotTop + PLOT_HEIGHT;
    const y = (w: number) => plotBottom - (Math.min(100, Math.max(0, w)) / 100) * PLOT_HEIGHT;
    const metrics = [...new Set(measurements.map((m) => m.metric))];
    const bandTop = plotBottom + 26;
    const bandBottom = bandTop + Math.max(1, metrics.length) * ROW_HEIGHT;
    const height = bandBottom + 30;
    const right = WIDTH - RIGHT;

    const out: string[] = [];
    out.push(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="${FONT}" fill="#222">`,
        `<title>${escapeXml(`${result.name} (${result.image})`)}</title>`,
        `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
        `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(clip(`${result.name} — ${result.image}`, WIDTH - 24, 15))}</text>`,
        legend(42),
    );

    for (let t = lo; t <= hi + 1e-9; t += step) {
        out.push(
            `<line x1="${num(x(t))}" y1="${plotTop}" x2="${num(x(t))}" y2="${bandBottom}" stroke="#eee"/>`,
            `<text x="${num(x(t))}" y="${plotBottom + 15}" text-anchor="middle">${num(t)}</text>`,
        );
    }
    for (const w of [0, 25, 50, 75, 100]) {
        out.push(
            `<line x1="${LEFT}" y1="${num(y(w))}" x2="${right}" y2="${num(y(w))}" stroke="${w === 0 ? "#999" : "#eee"}"/>`,
            `<text x="${LEFT - 6}" y="${num(y(w) + 4)}" text-anchor="end">${w}%</text>`,
        );
    }
    out.push(
        `<rect x="${LEFT}" y="${plotTop}" width="${right - LEFT}" height="${PLOT_HEIGHT}" fill="none" stroke="#999"/>`,
        `<text transform="translate(${LEFT - 44} ${plotTop + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle">canary weight</text>`,
        `<text x="${num((LEFT + right) / 2)}" y="${bandBottom + 22}" text-anchor="middle">seconds since the image change</text>`,
    );

    if (samples.length === 0) {
        out.push(`<text x="${num((LEFT + right) / 2)}" y="${plotTop + PLOT_HEIGHT / 2}" text-anchor="middle" fill="#777">no weight samples</text>`);
    } else {
        const d = stepPath(samples, x, y);
        const last = samples[samples.length - 1];
        out.push(
            `<path d="${d}V${plotBottom}H${num(x(samples[0].t))}Z" fill="#1565c0" fill-opacity="0.08"/>`,
            `<path class="weight" d="${d}" fill="none" stroke="#1565c0" stroke-width="2"/>`,
        );
        // A single sample is a point, which a path alone would not draw.
        if (samples.length === 1) out.push(`<circle cx="${num(x(last.t))}" cy="${num(y(last.weight))}" r="3" fill="#1565c0"/>`);
    }

    out.push(`<rect x="${LEFT}" y="${bandTop}" width="${right - LEFT}" height="${bandBottom - bandTop}" fill="#fafafa" stroke="#999"/>`);
    // Event lines go under the markers so a measurement at the same moment stays visible.
    for (const { event, x: at, lane, anchorEnd } of labels) {
        const color = EVENT_COLOR[event.kind] ?? "#000";
        const labelY = 52 + (lane + 1) * LANE_HEIGHT - 2;
        out.push(
            `<g class="event">`,
            // Two segments, leaving the tick labels between plot and band unstruck.
            `<path d="M${num(at)} ${labelY - 9}V${plotBottom}M${num(at)} ${bandTop}V${bandBottom}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
            `<text x="${num(anchorEnd ? at - 3 : at + 3)}" y="${labelY}" fill="${color}"${anchorEnd ? ` text-anchor="end"` : ""}>${escapeXml(event.label || event.kind)}</text>`,
            `</g>`,
        );
    }

    if (metrics.length === 0) {
        out.push(`<text x="${num((LEFT + right) / 2)}" y="${bandTop + 14}" text-anchor="middle" fill="#777">no analysis measurements</text>`);
    }
    metrics.forEach((metric, row) => {
        const rowY = bandTop + row * ROW_HEIGHT + ROW_HEIGHT / 2;
        out.push(
            `<text x="${LEFT - 6}" y="${num(rowY + 4)}" text-anchor="end" font-size="10"><title>${escapeXml(metric)}</title>${escapeXml(clip(metric, LEFT - 12, 10))}</text>`,
        );
        for (const m of measurements.filter((mm) => mm.metric === metric)) {
            const tip = `${m.metric}: ${m.phase}${m.value === undefined ? "" : ` (${m.value})`} at ${num(m.t)} s`;
            out.push(`<g class="measurement"><title>${escapeXml(tip)}</title>${marker(m.phase, x(m.t), rowY)}</g>`);
        }
    });

    out.push(`</svg>`);
    return out.join("\n") + "\n";
}
