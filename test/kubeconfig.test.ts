// Tests stacks/kubeconfig.ts: the kubeconfig the stack stores (flattened and minified, as kubectl config view --flatten --minify prints it).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { KubeconfigSource, readKubeconfigSource, stackKubeconfig } from "../stacks/kubeconfig";

const FILES: Record<string, string> = {
    "/home/ops/.kube/prod-ca.crt": "CA PEM",
    "/home/ops/certs/admin.crt": "CERT PEM",
    "/home/ops/certs/admin.key": "KEY PEM",
};

const KUBECONFIG = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
        { name: "prod", cluster: { server: "https://10.0.0.1:6443", "certificate-authority": "prod-ca.crt" } },
        { name: "staging", cluster: { server: "https://10.0.0.2:6443", "certificate-authority-data": "U1RBR0lORw==" } },
    ],
    users: [
        { name: "admin", user: { "client-certificate": "../certs/admin.crt", "client-key": "/home/ops/certs/admin.key" } },
        { name: "eks", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token"] } } },
        { name: "sa", user: { tokenFile: "token" } },
    ],
    contexts: [
        { name: "prod-admin", context: { cluster: "prod", user: "admin", namespace: "apps" } },
        { name: "staging-eks", context: { cluster: "staging", user: "eks" } },
        { name: "staging-sa", context: { cluster: "staging", user: "sa" } },
        { name: "broken", context: { cluster: "gone", user: "admin" } },
    ],
    "current-context": "staging-eks",
};

function source(doc: unknown = KUBECONFIG, file = "/home/ops/.kube/config"): KubeconfigSource {
    return {
        file,
        text: JSON.stringify(doc),
        readFile: (p: string) => {
            if (!(p in FILES)) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
            return Buffer.from(FILES[p]);
        },
    };
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("the kubeconfig the stack stores", () => {
    it("keeps only the chosen context, its cluster and user, with their certificate files inlined (paths relative to the kubeconfig's folder)", () => {
        assert.deepEqual(parse(stackKubeconfig(source(), "prod-admin")), {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "prod", cluster: { server: "https://10.0.0.1:6443", "certificate-authority-data": b64("CA PEM") } }],
            users: [{ name: "admin", user: { "client-certificate-data": b64("CERT PEM"), "client-key-data": b64("KEY PEM") } }],
            contexts: [{ name: "prod-admin", context: { cluster: "prod", user: "admin", namespace: "apps" } }],
            "current-context": "prod-admin",
        });
    });

    it("takes the file's current context when cluster.context is unset, and leaves an exec plugin to fetch its token when used", () => {
        const flat = parse(stackKubeconfig(source()));
        assert.equal(flat["current-context"], "staging-eks");
        assert.deepEqual(flat.users, [KUBECONFIG.users[1]]);
        assert.deepEqual(flat.clusters, [KUBECONFIG.clusters[1]]);
    });

    it("keeps a tokenFile a path (a rotating token is read when used), made absolute", () => {
        assert.deepEqual(parse(stackKubeconfig(source(), "staging-sa")).users, [{ name: "sa", user: { tokenFile: "/home/ops/.kube/token" } }]);
    });

    it("is the same text for the same file: an unchanged kubeconfig plans no change", () => {
        assert.equal(stackKubeconfig(source(), "prod-admin"), stackKubeconfig(source(), "prod-admin"));
    });

    it("refuses, naming the file and what it has, a missing context, cluster, user or certificate file, and a file that is not a kubeconfig", () => {
        assert.throws(() => stackKubeconfig(source(), "nowhere"), {
            name: "ConfigError",
            message: 'cluster.context: "nowhere" is not in /home/ops/.kube/config (it has: prod-admin, staging-eks, staging-sa, broken)',
        });
        assert.throws(() => stackKubeconfig(source(), "broken"), {
            message: 'KUBECONFIG: /home/ops/.kube/config: context "broken" names cluster "gone", which it does not define',
        });
        assert.throws(() => stackKubeconfig(source({ ...KUBECONFIG, users: [] }), "prod-admin"), {
            message: 'KUBECONFIG: /home/ops/.kube/config: context "prod-admin" names user "admin", which it does not define',
        });
        assert.throws(() => stackKubeconfig(source({ ...KUBECONFIG, "current-context": "" })), {
            message: "KUBECONFIG: /home/ops/.kube/config has no current-context; choose one: pulumi config set --path canary-stack:cluster.context <context>",
        });
        assert.throws(() => stackKubeconfig(source(KUBECONFIG, "/elsewhere/config"), "prod-admin"), {
            message:
                'KUBECONFIG: /elsewhere/config: cluster "prod" certificate-authority /elsewhere/prod-ca.crt cannot be read ' +
                "(ENOENT: no such file or directory, open '/elsewhere/prod-ca.crt')",
        });
        assert.throws(() => stackKubeconfig({ ...source(), text: "- a list" }), {
            message: "KUBECONFIG: /home/ops/.kube/config is not a kubeconfig (not a mapping)",
        });
    });

    describe("the run's kubeconfig file", () => {
        let home: string;
        beforeEach(() => {
            home = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-home-"));
        });
        afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

        it("is KUBECONFIG's file, else ~/.kube/config; none without either (the provider's own defaults); a KUBECONFIG naming no file is refused", () => {
            assert.equal(readKubeconfigSource(undefined, home), undefined);
            fs.mkdirSync(path.join(home, ".kube"));
            fs.writeFileSync(path.join(home, ".kube", "config"), "kind: Config\n");
            assert.deepEqual(readKubeconfigSource(undefined, home)?.text, "kind: Config\n");
            const file = path.join(home, "other.yaml");
            fs.writeFileSync(file, "kind: Config # other\n");
            assert.equal(readKubeconfigSource(file, home)?.file, file);
            assert.throws(() => readKubeconfigSource(path.join(home, "moved.yaml"), home), {
                name: "ConfigError",
                message: `KUBECONFIG: ${path.join(home, "moved.yaml")} does not exist; point KUBECONFIG at the cluster's kubeconfig file`,
            });
        });
    });
});
