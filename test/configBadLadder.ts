// Bad stack configs of an app's canary ladder and its analysis (steps, pauses, analysis mode, intervals, windows),
// each with the message that stops it (test/configBadInput.test.ts).
import { Case } from "./configFixtures";

export const badLadderConfigs: Case[] = [
    [
        "setWeight above 100",
        (a) => {
            a.steps[2] = { setWeight: 150 };
        },
        "apps[0].steps[2].setWeight: 150 is not an integer from 0 to 100",
    ],
    [
        "analysis before any setWeight",
        (a) => {
            a.steps = [{ analysis: {} }, ...a.steps];
        },
        "apps[0].steps[0].analysis: runs before any setWeight above 0: the canary has no pods and no traffic yet, so every measurement " +
            "is inconclusive and the rollout pauses there; put a setWeight above 0 (and a pause) before it",
    ],
    [
        "analysis after setWeight 0 only",
        (a) => {
            a.steps = [{ setWeight: 0 }, { analysis: { templates: [{ templateName: "smoke" }] } }, ...a.steps];
        },
        "apps[0].steps[1].analysis: runs before any setWeight above 0: the canary has no pods and no traffic yet, so every measurement " +
            "is inconclusive and the rollout pauses there; put a setWeight above 0 (and a pause) before it",
    ],
    [
        "setWeight not an integer",
        (a) => {
            a.steps[0] = { setWeight: 12.5 };
        },
        "apps[0].steps[0].setWeight: 12.5 is not an integer from 0 to 100",
    ],
    [
        "unknown step kind",
        (a) => {
            a.steps[1] = { wait: "1m" };
        },
        "apps[0].steps[1].wait: unknown step (allowed: setWeight, pause, analysis, setCanaryScale)",
    ],
    [
        "step with two kinds",
        (a) => {
            a.steps[0] = { setWeight: 10, pause: {} };
        },
        'apps[0].steps[0]: {"setWeight":10,"pause":{}} is not a step (a mapping with exactly one of setWeight, pause, analysis, setCanaryScale)',
    ],
    [
        "pause duration without unit word",
        (a) => {
            a.steps[1] = { pause: { duration: "5 minutes" } };
        },
        'apps[0].steps[1].pause.duration: "5 minutes" is not a duration (use e.g. "30s", "5m", or whole seconds)',
    ],
    [
        "negative pause seconds",
        (a) => {
            a.steps[1] = { pause: { duration: -5 } };
        },
        'apps[0].steps[1].pause.duration: -5 is not a duration (use e.g. "30s", "5m", or whole seconds)',
    ],
    [
        "pause as bare seconds",
        (a) => {
            a.steps[1] = { pause: 120 };
        },
        "apps[0].steps[1].pause: 120 is not a mapping; write pause: {duration: 120s}",
    ],
    [
        "pause as a bare duration",
        (a) => {
            a.steps[1] = { pause: "2m" };
        },
        'apps[0].steps[1].pause: "2m" is not a mapping; write pause: {duration: 2m}',
    ],
    [
        "pause as a bare non-duration",
        (a) => {
            a.steps[1] = { pause: "soon" };
        },
        'apps[0].steps[1].pause: "soon" is not a mapping; write e.g. pause: {duration: 5m}, or pause: {} to wait for a promote',
    ],
    [
        "empty ladder",
        (a) => {
            a.steps = [];
        },
        "apps[0].steps: [] is empty (a canary needs at least one step)",
    ],
    [
        "steps missing",
        (a) => {
            delete a.steps;
        },
        "apps[0].steps: missing (the canary ladder, e.g. [{setWeight: 10}, {pause: {duration: 5m}}, {analysis: {}}])",
    ],
    [
        "inline mode without analysis step",
        (a) => {
            a.steps = [{ setWeight: 10 }, { pause: { duration: "1m" } }];
        },
        "apps[0].steps: no step runs the app's analysis and analysis.mode is not background, so a broken release is never aborted: the ladder promotes it to 100% at 3m; add an analysis step after steps[0] (setWeight 10), or set allowNoAnalysis",
    ],
    [
        "background metric without count run inline",
        (a) => {
            a.analysis.mode = "background";
        },
        'apps[0].steps[2].analysis: runs the app\'s template inline, but metric "success-rate" has no count, so the step would never finish; set its count',
    ],
    [
        "startingStep beyond the ladder",
        (a) => {
            a.analysis.mode = "background";
            a.analysis.startingStep = 9;
        },
        "apps[0].analysis.startingStep: 9 is not an integer from 0 to 5",
    ],
    [
        "startingStep in inline mode",
        (a) => {
            a.analysis.startingStep = 1;
        },
        "apps[0].analysis.startingStep: only used with mode background (mode is inline)",
    ],
    [
        "unknown analysis mode",
        (a) => {
            a.analysis.mode = "sidecar";
        },
        'apps[0].analysis.mode: "sidecar" is not one of background, inline',
    ],
    [
        "bad interval",
        (a) => {
            a.analysis.metrics[0].interval = "5";
        },
        'apps[0].analysis.metrics[0].interval: "5" is not a duration (use e.g. "30s", "5m", "1h")',
    ],
    [
        "bad analysis-level interval",
        (a) => {
            a.analysis.interval = "often";
        },
        'apps[0].analysis.interval: "often" is not a duration (use e.g. "30s", "5m", "1h")',
    ],
    [
        "bad PromQL window",
        (a) => {
            a.analysis.window = "2 minutes";
        },
        'apps[0].analysis.window: "2 minutes" is not a PromQL range (use e.g. "1m", "5m")',
    ],
    [
        "a metric's window of two scrapes",
        (a) => {
            a.analysis.metrics[1].window = "30s";
        },
        'apps[0].analysis.metrics[1].window: "30s" holds two scrapes of the app (metrics.scrapeInterval 15s); a rate() over it is inconclusive after one late scrape: ' +
            "use a window of at least 60s (4 x the scrape interval) or scrape more often",
    ],
    [
        "an analysis-level window of three scrapes",
        (a) => {
            a.analysis.window = "45s";
        },
        'apps[0].analysis.window: "45s" holds three scrapes of the app (metrics.scrapeInterval 15s); a rate() over it is inconclusive after two late scrapes: ' +
            "use a window of at least 60s (4 x the scrape interval) or scrape more often",
    ],
    [
        "the default window at a slow scrape",
        (a) => {
            a.metrics.scrapeInterval = "1m";
        },
        'apps[0].analysis.window: "2m" (the default) holds two scrapes of the app (metrics.scrapeInterval 1m); a rate() over it is inconclusive after one late scrape: ' +
            "use a window of at least 240s (4 x the scrape interval) or scrape more often",
    ],
    [
        "a window shorter than two scrapes, on a comparison with stable",
        (a) => {
            a.analysis.metrics.push({ name: "vs", kind: "latencyP95VsStable", maxRatio: 1.2, window: "20s" });
        },
        'apps[0].analysis.metrics[4].window: "20s" holds fewer than two scrapes of the app (metrics.scrapeInterval 15s), and rate() needs two samples; ' +
            "a measurement that finds one is inconclusive: use a window of at least 60s (4 x the scrape interval) or scrape more often",
    ],
    [
        "a short window on a disabled metric (turning it on must not surprise)",
        (a) => {
            a.analysis.metrics[2].enabled = false;
            a.analysis.metrics[2].window = "30s";
        },
        'apps[0].analysis.metrics[2].window: "30s" holds two scrapes of the app (metrics.scrapeInterval 15s); a rate() over it is inconclusive after one late scrape: ' +
            "use a window of at least 60s (4 x the scrape interval) or scrape more often",
    ],
];
