/** What one e2e scenario observed, as the report and the timeline picture read it. */

/** A sample of the live Rollout, taken every ~500 ms. */
export interface WeightSample {
    /** Seconds since the image change. */
    t: number;
    /** The canary's weight % as Argo sets it (0 after an abort, 100 once promoted). */
    weight: number;
    /** Rollout status.phase: Progressing, Paused, Healthy, Degraded. */
    phase: string;
    /** status.currentStepIndex (undefined once the ladder is done). */
    step?: number;
}

/** One measurement of an AnalysisRun metric. */
export interface MeasurementMark {
    t: number;
    metric: string;
    /** Successful, Failed, Inconclusive, Error. */
    phase: string;
    value?: string;
    /** The AnalysisRun's kind as Argo labels it (rollout-type): Step for a ladder step's run, Background for the watchdog's. */
    run?: string;
}

/** A moment worth marking: the image change, the abort, the promotion. */
export interface TimelineEvent {
    t: number;
    kind: "image-change" | "aborted" | "promoted" | "paused" | "prometheus-stopped" | "prometheus-started";
    label: string;
}

export interface ScenarioResult {
    name: string;
    image: string;
    /** What the scenario expects, in words. */
    expected: string;
    /** What was seen, in words. */
    observed: string;
    passed: boolean;
    /** Seconds from the image change to the outcome. */
    seconds: number;
    /** Highest canary weight % reached. */
    maxWeight: number;
    samples: WeightSample[];
    measurements: MeasurementMark[];
    events: TimelineEvent[];
    /** Anything else the scenario measured (e.g. whole-service error rate, probe counts). */
    extra?: Record<string, unknown>;
}

/** A result of a step that has no canary to draw (a command's exit code, a destroy, a failed run). */
export function stepResult(name: string, expected: string, observed: string, passed: boolean, seconds = 0, extra?: Record<string, unknown>): ScenarioResult {
    return { name, image: "", expected, observed, passed, seconds, maxWeight: 0, samples: [], measurements: [], events: [], extra };
}
