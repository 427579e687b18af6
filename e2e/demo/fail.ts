/**
 * npm run demo:fail -- <image> <error rate>: tells the demo's traffic simulator that `image`
 * answers that share of its requests with 500s (it re-reads its config every tick), as
 * e2e/environment.ts setBehaviour does for the e2e's scenarios. Run it before releasing the image.
 *
 *   CANARY_DEMO_DIR   the demo's state dir (default /tmp/canary-demo)
 */
import * as fs from "fs";
import * as path from "path";
import { BASE_LATENCY_SECONDS, setBehaviour } from "../environment";
import type { SimConfig } from "../traffic/server";
import { demoDir } from "./config";

const [image, rate] = process.argv.slice(2);
const errorRate = Number(rate);
if (!image || !(errorRate >= 0 && errorRate <= 1)) {
    process.stderr.write("usage: npm run demo:fail -- <image> <error rate from 0 to 1>\n");
    process.exit(2);
}
const simConfigFile = path.join(demoDir(), "sim.json");
if (!fs.existsSync(simConfigFile)) {
    process.stderr.write(`${simConfigFile} not found: is the demo up (npm start)?\n`);
    process.exit(1);
}
const sim = JSON.parse(fs.readFileSync(simConfigFile, "utf8")) as SimConfig;
setBehaviour({ sim, simConfigFile }, image, { errorRate, latencySeconds: BASE_LATENCY_SECONDS });
process.stderr.write(`traffic simulator: ${image} answers ${errorRate * 100}% of its requests with 500s\n`);
