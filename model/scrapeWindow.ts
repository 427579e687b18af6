import { goDurationSeconds } from "./duration";

/**
 * How many scrapes of the app a `rate()` window must span. rate() needs two samples in its range;
 * a window of two scrapes has two when every scrape is on time, and one late or failed scrape leaves
 * one sample: no value, an Inconclusive measurement (at 15 s, 30 s windows paused healthy canaries).
 * Four scrapes leave two samples after two late or lost ones; it is the floor Grafana's
 * `$__rate_interval` keeps for the same reason.
 */
export const MIN_WINDOW_SCRAPES = 4;

/** Seconds as the shortest duration text that PromQL ranges and Go durations both read: "1m", "90s", "2h". */
export function durationText(seconds: number): string {
    if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
    if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
    return `${seconds}s`;
}

/** The shortest window a built-in rate metric may have at this scrape interval, in seconds; 0 when the app is not scraped. */
export function minWindowSeconds(scrapeInterval: string | undefined): number {
    const scrape = scrapeInterval === undefined ? 0 : (goDurationSeconds(scrapeInterval) ?? 0);
    return Number((MIN_WINDOW_SCRAPES * scrape).toPrecision(12));
}
