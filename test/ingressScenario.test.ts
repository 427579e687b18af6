// Tests e2e/ingressScenario.ts (what it computes without a cluster): the stack config behind the Ingress and the warning it expects.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { CANARY_INGRESS, firstMigrationWarning, ingressApp, ingressConfigText, ingressManifests, INGRESS_STEPS } from "../e2e/ingressScenario";
import { ingressHandBack } from "../model/ingressHandBack";

describe("e2e: the app behind its Ingress", () => {
    const text = ingressConfigText(fs.readFileSync(path.join(__dirname, "..", "Pulumi.local.yaml"), "utf8"));

    it("routes the local stack's one app through Ingress demo, on a ladder of setWeight 10 and a pause", () => {
        const app = ingressApp(text);
        assert.deepEqual([app.name, app.stableIngress, app.steps, app.budget.allowNoAnalysis], ["demo", "demo", INGRESS_STEPS, true]);
        assert.equal(CANARY_INGRESS, "demo-demo-canary");
    });

    it("expects the first-migration warning, whose command points the Ingress at demo-stable", () => {
        const warning = firstMigrationWarning(ingressApp(text));
        assert.match(warning, /^demo: Ingress demo\/demo routes to the app's Service demo \(spec\.rules\[0\]\.http\.paths\[0\]\), not yet to demo-stable, /);
        assert.ok(
            warning.endsWith(
                `kubectl patch ingress demo -n demo --type json -p '[{"op":"replace","path":"/spec/rules/0/http/paths/0/backend/service/name","value":"demo-stable"}]'`,
            ),
        );
    });

    it("once pointed at demo-stable, the restore would move it back to demo", () => {
        const ingress = ingressManifests()[1];
        ingress.spec.rules[0].http.paths[0].backend.service.name = "demo-stable";
        const names = { stableIngress: "demo", stableService: "demo-stable", service: "demo", canaryIngress: CANARY_INGRESS };
        assert.equal(ingressHandBack("demo", names, ingress).kind, "repoint");
    });
});
