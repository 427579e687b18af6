/**
 * Durations as Argo Rollouts and Prometheus read them. Argo parses with Go's
 * `time.ParseDuration` (units ns..h, fractions allowed, e.g. "1m30s", "1.5h");
 * a pause duration may also be a bare integer of seconds. PromQL ranges use
 * whole numbers with units ms..y ("2m", "1h30m").
 */

const GO_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const GO_PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

const PROM_UNITS: Record<string, number> = { ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const PROM_PART = /(\d+)(ms|s|m|h|d|w|y)/y;

function parseParts(text: string, part: RegExp, units: Record<string, number>): number | undefined {
    if (text.length === 0) return undefined;
    let seconds = 0;
    part.lastIndex = 0;
    while (part.lastIndex < text.length) {
        const match = part.exec(text);
        if (!match) return undefined;
        seconds += Number(match[1]) * units[match[2]];
    }
    return seconds;
}

/** Seconds of a Go duration string such as "30s" or "1m30s"; undefined if it is not one. */
export function goDurationSeconds(text: string): number | undefined {
    return parseParts(text, GO_PART, GO_UNITS);
}

/** Seconds of a PromQL range such as "2m"; undefined if it is not one. */
export function promDurationSeconds(text: string): number | undefined {
    return parseParts(text, PROM_PART, PROM_UNITS);
}

/** Seconds of an Argo pause duration; undefined for a pause without duration (waits for a promote). */
export function pauseSeconds(duration: string | number | undefined): number | undefined {
    if (duration === undefined) return undefined;
    if (typeof duration === "number") return duration;
    return /^\d+$/.test(duration) ? Number(duration) : goDurationSeconds(duration);
}
