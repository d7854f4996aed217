/**
 * scripts/check.cjs (`npm run check`, the type-check and lint half of `npm test`) on a small
 * project laid out like this one, with the repository's own eslint.config.mjs: each kind of
 * problem fails it, the type-aware Pulumi rule sees types through the program handed to ESLint,
 * and a second run with nothing changed makes no program at all.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../lib/offline/stack";
import { tempDirs } from "../harness/tmp";

const CHECK = path.join(REPO_ROOT, "scripts", "check.cjs");
const tmp = tempDirs("check-fixture-");

/** A project with its own tsconfig.json and node_modules/.cache, the repository's packages linked one by one. */
function fixture(): string {
    const dir = tmp();
    const modules = path.join(dir, "node_modules");
    fs.mkdirSync(modules);
    for (const entry of fs.readdirSync(path.join(REPO_ROOT, "node_modules"))) {
        if (entry !== ".cache") fs.symlinkSync(path.join(REPO_ROOT, "node_modules", entry), path.join(modules, entry));
    }
    fs.copyFileSync(path.join(REPO_ROOT, "eslint.config.mjs"), path.join(dir, "eslint.config.mjs"));
    const compilerOptions = { strict: true, noEmit: true, incremental: true, tsBuildInfoFile: "node_modules/.cache/tsc/tsconfig.tsbuildinfo", lib: ["ES2022"], types: [], skipLibCheck: true };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["src/**/*.ts"] }));
    fs.mkdirSync(path.join(dir, "src"));
    // The Pulumi rule reports a template literal holding a value whose type alias is named Output.
    fs.writeFileSync(path.join(dir, "src", "output.ts"), "export type Output<T> = { apply<U>(f: (t: T) => U): Output<U> };\n");
    fs.writeFileSync(path.join(dir, "src", "good.ts"), 'import type { Output } from "./output";\nexport const label = (o: Output<string>) => o.apply((v) => `name-${v}`);\n');
    return dir;
}

function check(root: string) {
    const r = spawnSync(process.execPath, [CHECK, "--root", root], { encoding: "utf8", timeout: 120000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("npm run check (scripts/check.cjs): type-check and lint over one program", function () {
    this.timeout(120000);
    let dir: string;
    before(() => (dir = fixture()));

    it("fails on a type error, a lint error and an Output in a template literal, naming each file and rule", () => {
        fs.writeFileSync(path.join(dir, "src", "type-error.ts"), 'export const port: number = "5432";\n');
        fs.writeFileSync(path.join(dir, "src", "lint-error.ts"), "const unused = 1;\nexport {};\n");
        fs.writeFileSync(path.join(dir, "src", "output-error.ts"), 'import type { Output } from "./output";\nexport const url = (o: Output<string>) => `https://${o}`;\n');
        const r = check(dir);
        assert.equal(r.status, 1, r.out);
        assert.match(r.out, /src\/type-error\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'/);
        assert.match(r.out, /lint-error\.ts\n\s+1:7\s+error\s+'unused' is assigned a value but never used\s+@typescript-eslint\/no-unused-vars/);
        assert.match(r.out, /output-error\.ts\n\s+2:43\s+error\s+pulumi\.Output<T> not permitted in template literals\s+@pulumi\/no-output-in-template-literal/);
        assert.match(r.out, /== typecheck: FAILED .*\(checked\)/);
        assert.match(r.out, /== lint: FAILED .*program: the type-check's\)/);
    });

    it("passes once they are fixed; unchanged, it runs again without making a program", () => {
        for (const f of ["type-error.ts", "lint-error.ts", "output-error.ts"]) fs.rmSync(path.join(dir, "src", f));
        const fixed = check(dir);
        assert.equal(fixed.status, 0, fixed.out);
        assert.match(fixed.out, /== typecheck: ok .*\(checked\)/);
        const again = check(dir);
        assert.equal(again.status, 0, again.out);
        assert.match(again.out, /== typecheck: ok .*\(up to date\)/);
        assert.match(again.out, /== lint: ok .*\(2 files; program: not needed\)/);
    });

    it("refuses an unknown argument with the usage line, exit 2", () => {
        const r = spawnSync(process.execPath, [CHECK, "--fix"], { encoding: "utf8" });
        assert.equal(r.status, 2);
        assert.equal(r.stderr, "check: unknown argument --fix; usage: node scripts/check.cjs [typecheck] [lint] [--root DIR]\n");
    });
});
