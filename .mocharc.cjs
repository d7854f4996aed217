// Mocha settings. Test files run in two worker processes, handed out in the order of `spec`: the
// longest files go first (each starts child processes: the policy pack, the plan, a registry), so
// that both workers finish at about the same time instead of one waiting on a long file at the end.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const FIRST = ["test/policies/engine.test.ts", "test/stacks/plan.test.ts", "test/supply-chain/images.test.ts", "test/components/package.test.ts", "test/stacks/service.test.ts"];

function testFiles(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? testFiles(p) : e.name.endsWith(".test.ts") ? [p] : [];
    });
}

const all = testFiles(path.join(__dirname, "test")).sort();
const first = FIRST.map((f) => path.join(__dirname, f));
for (const f of first) if (!all.includes(f)) throw new Error(`.mocharc.cjs: ${path.relative(__dirname, f)} is listed first but is not a test file`);

// `npx mocha test/x/y.test.ts` runs only the files named on the command line (mocha would add them to `spec`).
const named = process.argv.slice(2).some((a) => a.endsWith(".test.ts"));

module.exports = {
    "node-option": ["import=tsx"],
    spec: named ? [] : [...first, ...all.filter((f) => !first.includes(f))],
    extension: ["ts"],
    timeout: 60000,
    reporter: "dot",
    parallel: true,
    jobs: 2,
};
