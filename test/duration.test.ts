// Tests model/duration.ts: Go durations, PromQL ranges and pause durations, in seconds.
import { strict as assert } from "assert";
import { goDurationSeconds, pauseSeconds, promDurationSeconds } from "../model/duration";

describe("durations", () => {
    const go: [string, number | undefined][] = [
        ["30s", 30],
        ["5m", 300],
        ["1h30m", 5400],
        ["1.5h", 5400],
        ["250ms", 0.25],
        ["5", undefined],
        ["5 m", undefined],
        ["", undefined],
        ["1d", undefined],
    ];
    for (const [text, seconds] of go) it(`Go duration ${JSON.stringify(text)} is ${seconds}`, () => assert.equal(goDurationSeconds(text), seconds));
    const prom: [string, number | undefined][] = [
        ["2m", 120],
        ["1h30m", 5400],
        ["1d", 86400],
        ["1.5m", undefined],
        ["m", undefined],
    ];
    for (const [text, seconds] of prom) it(`PromQL range ${JSON.stringify(text)} is ${seconds}`, () => assert.equal(promDurationSeconds(text), seconds));
    const pauses: [string | number | undefined, number | undefined][] = [
        [undefined, undefined],
        [90, 90],
        ["90", 90],
        ["2m", 120],
    ];
    for (const [duration, seconds] of pauses) it(`pause ${JSON.stringify(duration)} is ${seconds}`, () => assert.equal(pauseSeconds(duration), seconds));
});
