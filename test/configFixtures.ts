// The config tests' helpers (test/config.test.ts, test/configBadInput.test.ts): the fixture stack's raw config, changed per test,
// and the shape of a bad-config case (test/configBad*.ts).
import { RawStackConfig } from "../stacks";
import { existingPlatform, validApp } from "./fixtures";

export function raw(change: (app: any, cfg: RawStackConfig & { platform: any; apps: any[] }) => void = () => undefined) {
    const cfg = { platform: existingPlatform(), apps: [validApp()] };
    change(cfg.apps[0], cfg);
    return cfg;
}

/** [what is wrong, the change that makes it wrong, the ConfigError's message]. */
export type Case = [string, (app: any, cfg: any) => void, string];
