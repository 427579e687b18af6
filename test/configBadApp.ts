// Bad stack configs of an app's own keys (name, namespace, deployer, workload, replicas, deadlines, pod start-up, metrics block),
// each with the message that stops it (test/configBadInput.test.ts).
import { validApp } from "./fixtures";
import { Case } from "./configFixtures";

export const badAppConfigs: Case[] = [
    [
        "app name with capitals",
        (a) => {
            a.name = "Demo";
        },
        "apps[0].name: \"Demo\" is not a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at most 63 characters)",
    ],
    [
        "app name too long for derived Service names",
        (a) => {
            a.name = "a".repeat(60);
        },
        `apps[0].name: "${"a".repeat(60)}" is longer than 56 characters (Service names <name>-canary must fit 63)`,
    ],
    [
        "namespace missing",
        (a) => {
            delete a.namespace;
        },
        "apps[0].namespace: missing (a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters) is required)",
    ],
    [
        "unknown app key",
        (a) => {
            a.stepz = [];
        },
        "apps[0].stepz: unknown key (allowed: name, namespace, workloadRef, replicas, scaleDown, service, metrics, series, steps, analysis, stableIngress, abortScaleDownDelaySeconds, deployer, maxBadCanaryWeight, maxBadCanaryExposure, allowNoAnalysis, allowDestroyMidCanary, revisionHistoryLimit, progressDeadlineSeconds, progressDeadlineAbort, podReadySeconds)",
    ],
    [
        "deployer.admissionPolicy not a boolean",
        (a) => {
            a.deployer.admissionPolicy = "yes";
        },
        'apps[0].deployer.admissionPolicy: "yes" is not true or false',
    ],
    [
        "unknown deployer key",
        (a) => {
            a.deployer.policy = false;
        },
        "apps[0].deployer.policy: unknown key (allowed: serviceAccount, namespace, admissionPolicy)",
    ],
    [
        "workloadRef missing",
        (a) => {
            delete a.workloadRef;
        },
        "apps[0].workloadRef: missing (a mapping of name, container)",
    ],
    [
        "container missing",
        (a) => {
            delete a.workloadRef.container;
        },
        "apps[0].workloadRef.container: missing (a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters) is required)",
    ],
    [
        "replicas zero",
        (a) => {
            a.replicas = 0;
        },
        "apps[0].replicas: 0 is not an integer from 1 to 10000",
    ],
    [
        "negative revisionHistoryLimit",
        (a) => {
            a.revisionHistoryLimit = -1;
        },
        "apps[0].revisionHistoryLimit: -1 is not an integer from 0 to 2147483647",
    ],
    [
        "revisionHistoryLimit as a string",
        (a) => {
            a.revisionHistoryLimit = "10";
        },
        'apps[0].revisionHistoryLimit: "10" is not an integer from 0 to 2147483647',
    ],
    [
        "revisionHistoryLimit beyond int32",
        (a) => {
            a.revisionHistoryLimit = 2147483648;
        },
        "apps[0].revisionHistoryLimit: 2147483648 is not an integer from 0 to 2147483647",
    ],
    [
        "progressDeadlineSeconds zero",
        (a) => {
            a.progressDeadlineSeconds = 0;
        },
        "apps[0].progressDeadlineSeconds: 0 is not an integer from 1 to 2147483647",
    ],
    [
        "progressDeadlineSeconds as a duration",
        (a) => {
            a.progressDeadlineSeconds = "10m";
        },
        'apps[0].progressDeadlineSeconds: "10m" is not an integer from 1 to 2147483647',
    ],
    [
        "progressDeadlineSeconds beyond int32",
        (a) => {
            a.progressDeadlineSeconds = 2147483648;
        },
        "apps[0].progressDeadlineSeconds: 2147483648 is not an integer from 1 to 2147483647",
    ],
    [
        "negative podReadySeconds",
        (a) => {
            a.podReadySeconds = -1;
        },
        "apps[0].podReadySeconds: -1 is not a non-negative whole number of seconds",
    ],
    [
        "podReadySeconds with a fraction",
        (a) => {
            a.podReadySeconds = 2.5;
        },
        "apps[0].podReadySeconds: 2.5 is not a non-negative whole number of seconds",
    ],
    [
        "podReadySeconds as a duration",
        (a) => {
            a.podReadySeconds = "1m";
        },
        'apps[0].podReadySeconds: "1m" is not a non-negative whole number of seconds (write 60)',
    ],
    [
        "podReadySeconds as a word",
        (a) => {
            a.podReadySeconds = "slow";
        },
        'apps[0].podReadySeconds: "slow" is not a non-negative whole number of seconds',
    ],
    [
        "podReadySeconds at the progress deadline",
        (a) => {
            a.podReadySeconds = 600;
        },
        "apps[0].podReadySeconds: 600 is not below progressDeadlineSeconds (600): every step that adds canary pods would pass the progress deadline " +
            "while they start, and the controller would count each release as stuck (Degraded, and aborted with progressDeadlineAbort); raise progressDeadlineSeconds",
    ],
    [
        "the default podReadySeconds above a short deadline",
        (a) => {
            a.progressDeadlineSeconds = 20;
        },
        "apps[0].podReadySeconds: 30 is not below progressDeadlineSeconds (20): every step that adds canary pods would pass the progress deadline " +
            "while they start, and the controller would count each release as stuck (Degraded, and aborted with progressDeadlineAbort); raise progressDeadlineSeconds",
    ],
    [
        "progressDeadlineAbort as a string",
        (a) => {
            a.progressDeadlineAbort = "false";
        },
        'apps[0].progressDeadlineAbort: "false" is not true or false',
    ],
    [
        "scaleDown unknown",
        (a) => {
            a.scaleDown = "always";
        },
        'apps[0].scaleDown: "always" is not one of never, onsuccess, progressively',
    ],
    [
        "metrics port out of range",
        (a) => {
            a.metrics.port = 70000;
        },
        "apps[0].metrics.port: 70000 is not an integer from 1 to 65535",
    ],
    [
        "metrics path without slash",
        (a) => {
            a.metrics.path = "metrics";
        },
        'apps[0].metrics.path: "metrics" is not a URL path starting with "/"',
    ],
    [
        "abortScaleDownDelaySeconds without traffic routing",
        (a) => {
            a.abortScaleDownDelaySeconds = 30;
        },
        "apps[0].abortScaleDownDelaySeconds: only applies with traffic routing; set stableIngress too",
    ],
    [
        "duplicate app names",
        (_a, c) => {
            c.apps.push(validApp());
        },
        'apps[1].name: "demo" is already apps[0]\'s name (app names are unique in a stack)',
    ],
    [
        "apps not a list",
        (_a, c) => {
            c.apps = { demo: {} };
        },
        'apps: {"demo":{}} is not a list',
    ],
];
