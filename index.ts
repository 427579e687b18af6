import { loadStackConfig } from "./stacks";
import { deployStack } from "./components/canaryStack";

// Config is validated before anything is registered: a bad value stops here.
const outputs = deployStack(loadStackConfig());

/** Per app: watch, promote, abort and status commands. */
export const rollouts = outputs.rollouts;
