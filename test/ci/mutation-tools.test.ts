/**
 * The tools around a long `npm run mutation`: scripts/mutation-survivors.cjs lists the live mutants
 * from the event recorder's files while the run goes on, and scripts/mutation-resume.cjs turns the
 * events of a run that was stopped into the incremental report Stryker reads to go on from there.
 * Checked on a small events directory: a mutant tested twice (a run and its resumption: the newer
 * result counts), a killed mutant whose killing test is gone (tested again: left out), one not covered.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../lib/offline/stack";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("mutation-tools-");
const SOURCE = path.join(REPO_ROOT, "policies/lib/cidr.ts");
const TESTS = path.join(REPO_ROOT, "test/policies/cidr.test.ts");

function events(): string {
    const dir = tmp();
    const loc = (line: number) => ({ start: { line, column: 5 }, end: { line, column: 9 } });
    const write = (name: string, value: unknown, seconds: number) => {
        fs.writeFileSync(path.join(dir, name), JSON.stringify(value));
        fs.utimesSync(path.join(dir, name), seconds, seconds);
    };
    write("00000-onDryRunCompleted.json", { result: { tests: [{ id: "t1", name: "t1", fileName: TESTS }, { id: "t2", name: "t2", fileName: TESTS }] } }, 1000);
    const a = { fileName: SOURCE, id: "1", location: loc(10), mutatorName: "EqualityOperator", replacement: "a <= b", static: false };
    write("r1-00001-onMutantTested.json", { ...a, status: "Survived", coveredBy: ["t1", "renamed"] }, 1001);
    write("00002-onMutantTested.json", { ...a, status: "Killed", coveredBy: ["t1", "renamed"], killedBy: ["t1"] }, 1002);
    write("00003-onMutantTested.json", { fileName: SOURCE, id: "2", location: loc(11), mutatorName: "BooleanLiteral", replacement: "true", static: false, status: "Killed", coveredBy: ["renamed"], killedBy: ["renamed"] }, 1003);
    write("00004-onMutantTested.json", { fileName: SOURCE, id: "3", location: loc(12), mutatorName: "StringLiteral", replacement: '""', static: false, status: "NoCoverage", coveredBy: [] }, 1004);
    return dir;
}

const run = (script: string, args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", script), ...args], { encoding: "utf8", env: { ...process.env, ...env } });

describe("mutation testing: survivors and resumption", () => {
    it("lists the live mutants, the newest result of each, and counts per file", () => {
        const dir = events();
        const live = run("mutation-survivors.cjs", [], { MUTATION_EVENTS: dir });
        assert.equal(live.status, 0, live.stderr);
        assert.equal(live.stdout, 'policies/lib/cidr.ts:12:5 NoCoverage StringLiteral: "\\"\\""\n');
        const summary = run("mutation-survivors.cjs", ["--summary"], { MUTATION_EVENTS: dir });
        assert.equal(summary.stdout.split("\n")[0], 'policies/lib/cidr.ts                       66.67%  {"Killed":2,"NoCoverage":1}');
    });

    it("writes the incremental report a finished run would have: newest results, sources, tests; a kill by a vanished test is tested again", () => {
        const dir = events();
        const out = path.join(tmp(), "report.json");
        const r = run("mutation-resume.cjs", [dir, out]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /2 tested mutants in 1 files, 2 tests/);
        const report = JSON.parse(fs.readFileSync(out, "utf8"));
        const file = report.files["policies/lib/cidr.ts"];
        assert.equal(file.source, fs.readFileSync(SOURCE, "utf8"));
        assert.deepEqual(file.mutants.map((m: { id: string; status: string; coveredBy: string[]; killedBy?: string[] }) => [m.id, m.status, m.coveredBy, m.killedBy]), [
            ["1", "Killed", ["t1"], ["t1"]],
            ["3", "NoCoverage", [], undefined],
        ]);
        assert.deepEqual(report.testFiles["test/policies/cidr.test.ts"].tests, [{ id: "t1", name: "t1" }, { id: "t2", name: "t2" }]);
        assert.equal(report.testFiles["test/policies/cidr.test.ts"].source, fs.readFileSync(TESTS, "utf8"));
        assert.equal(run("mutation-resume.cjs", [tmp(), out]).status, 2, "no initial test run: nothing to resume");
    });
});
