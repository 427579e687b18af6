// ESLint 9 flat config: ESLint's and typescript-eslint's recommended rules over every source and test
// (type-aware rules are not used: `tsc --noEmit` checks the types). eslint-config-prettier comes last,
// so no rule fights Prettier's layout; `prettier --check` checks that (see package.json's lint script).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
    // Installed, built and generated files (docs/e2e/ is the e2e's generated report).
    { ignores: ["node_modules/", "bin/", "out/", ".e2e/", "docs/e2e/"] },
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        rules: {
            // Off: `any` is deliberate for Kubernetes objects as JSON (manifests, API replies, Helm values, Pulumi's mocks).
            "@typescript-eslint/no-explicit-any": "off",
            // Off: every require() is deliberate: loaded at call time by the serialized dynamic providers, Pulumi internals absent from its .d.ts, index.ts run afresh.
            "@typescript-eslint/no-require-imports": "off",
            // As tsc's noUnusedLocals: a `_` name, or a key destructured away beside a rest (`const { drop: _drop, ...kept } = o`), is unused on purpose.
            "@typescript-eslint/no-unused-vars": [
                "error",
                {
                    argsIgnorePattern: "^_",
                    varsIgnorePattern: "^_",
                    caughtErrorsIgnorePattern: "^_",
                    destructuredArrayIgnorePattern: "^_",
                    ignoreRestSiblings: true,
                },
            ],
        },
    },
    prettier,
);
