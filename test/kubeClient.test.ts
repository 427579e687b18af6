// Tests components/kube/client.ts: every call to the API server has a timeout.
import { strict as assert } from "assert";
import { API_CALL_TIMEOUT_SECONDS, orThrow, orUndefined } from "../components/kube/client";

describe("API server calls time out", () => {
    const never = () => new Promise<never>(() => undefined);

    it("a call without an answer fails, naming the call and the timeout", async () => {
        await assert.rejects(orThrow("patching Deployment instant/instant-api", never, 0.05), {
            message: "patching Deployment instant/instant-api failed: no answer from the API server within 0.05s",
        });
        await assert.rejects(orUndefined("reading Rollout instant/instant-api", never, 0.05), {
            message: "reading Rollout instant/instant-api failed: no answer from the API server within 0.05s",
        });
    });

    it("an answer in time is returned, and a 404 is still undefined", async () => {
        assert.equal(await orThrow("reading", async () => 7, 0.05), 7);
        assert.equal(await orUndefined("reading", () => Promise.reject(Object.assign(new Error("not found"), { code: 404 })), 0.05), undefined);
    });

    it("defaults to 30 s per call", () => {
        assert.equal(API_CALL_TIMEOUT_SECONDS, 30);
    });
});
