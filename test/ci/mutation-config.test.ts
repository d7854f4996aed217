/**
 * `npm run mutation` (stryker.config.mjs) hands mocha every test file that exercises policies/:
 * scripts/lib/policy-test-files.cjs derives the list from the imports. Checked on a small fixture
 * tree (each way a test can reach the pack, and each way it does not) and on the repository.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../lib/offline/stack";
import { tempDirs } from "../harness/tmp";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { policyTestFiles } = require("../../scripts/lib/policy-test-files.cjs") as { policyTestFiles(root?: string): string[] };
const tmp = tempDirs("mutation-config-");

describe("mutation testing: the policy test files", () => {
    it("follows imports through test/ and scripts/ into policies/, not through components/ or type-only imports", () => {
        const root = tmp.files({});
        const files: Record<string, string> = {
            "policies/lib/a.ts": "export const a = 1;\n",
            "policies/evaluate.ts": "export const e = 1;\n",
            "components/c.ts": 'import { a } from "../policies/lib/a";\nexport const c = a;\n',
            "scripts/policy.ts": 'import { e } from "../policies/evaluate";\nexport const main = e;\n',
            "test/harness/h.ts": 'export { a } from "../../policies/lib/a";\n',
            "test/harness/plain.ts": "export const p = 1;\n",
            "test/direct.test.ts": 'import { a } from "../policies/lib/a";\n',
            "test/sub/harness.test.ts": 'import { a } from "../harness/h";\n',
            "test/sub/cli.test.ts": 'import { main } from "../../scripts/policy";\n',
            "test/sub/dynamic.test.ts": 'it("x", async () => { await import("../../policies/evaluate"); });\n',
            "test/sub/required.test.ts": 'const { e } = require("../../policies/evaluate");\n',
            "test/sub/component.test.ts": 'import { c } from "../../components/c";\n',
            "test/sub/type-only.test.ts": 'import type { a } from "../../policies/lib/a";\nimport { p } from "../harness/plain";\n',
            "test/sub/path-string.test.ts": 'const f = "policies/evaluate.ts";\n',
            "test/sub/cycle.test.ts": 'import { x } from "../harness/c1";\n',
            "test/harness/c1.ts": 'import { y } from "./c2";\nexport const x = 1;\n',
            "test/harness/c2.ts": 'import { x } from "./c1";\nexport const y = 1;\n',
        };
        for (const [f, text] of Object.entries(files)) {
            fs.mkdirSync(path.join(root, path.dirname(f)), { recursive: true });
            fs.writeFileSync(path.join(root, f), text);
        }
        assert.deepEqual(policyTestFiles(root), ["test/direct.test.ts", "test/sub/cli.test.ts", "test/sub/dynamic.test.ts", "test/sub/harness.test.ts", "test/sub/required.test.ts"]);
    });
    it("on this repository: every test importing policies/ itself, the original four, and a test reaching the pack through a harness", () => {
        const list = policyTestFiles();
        const direct = fs.readdirSync(path.join(REPO_ROOT, "test"), { recursive: true, encoding: "utf8" })
            .filter((f) => f.endsWith(".test.ts"))
            .map((f) => `test/${f.split(path.sep).join("/")}`)
            .filter((f) => /^import (?!type)[^;]*from "(\.\.\/)+policies\//m.test(fs.readFileSync(path.join(REPO_ROOT, f), "utf8")));
        assert.ok(direct.length > 30, String(direct.length));
        assert.deepEqual(direct.filter((f) => !list.includes(f)), []);
        for (const f of ["test/policies/policies.test.ts", "test/policies/cli.test.ts", "test/policies/registry.test.ts", "test/dr/recovery.test.ts", "test/policies/inputs-kubectl.test.ts"]) assert.ok(list.includes(f), f);
        assert.ok(!list.includes("test/aws/rules.test.ts"));
    });
});
