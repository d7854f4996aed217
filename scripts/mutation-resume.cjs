#!/usr/bin/env node
/**
 * Turns the event recorder's files of a Stryker run that did not finish (killed, machine stopped)
 * into the incremental report Stryker would have written at its end, so the next
 * `npm run mutation -- --incrementalFile <that report>` re-uses every mutant already tested and
 * tests only the rest. The tests come from the run's initial test run (onDryRunCompleted), the
 * mutants from onMutantTested, the sources from the working tree: run it before changing the
 * mutated files or the tests (Stryker then re-tests what changed, as after a finished run).
 *   node scripts/mutation-resume.cjs <events dir> <incremental report to write>
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");

function main([dir, out]) {
    if (!dir || !out) {
        process.stderr.write("usage: node scripts/mutation-resume.cjs <events dir> <incremental report>\n");
        return 2;
    }
    const events = fs.readdirSync(dir).sort();
    const dry = events.filter((f) => f.endsWith("-onDryRunCompleted.json")).pop(); // the newest run's
    if (!dry) {
        process.stderr.write(`mutation-resume: ${dir} has no onDryRunCompleted event: the run ended before its initial test run\n`);
        return 2;
    }
    const rel = (f) => path.relative(ROOT, f).split(path.sep).join("/");
    const tests = JSON.parse(fs.readFileSync(path.join(dir, dry), "utf8")).result.tests;
    const testFiles = {};
    for (const t of tests) {
        const name = t.fileName ? rel(t.fileName) : "";
        testFiles[name] ??= { tests: [], ...(name ? { source: fs.readFileSync(path.join(ROOT, name), "utf8") } : {}) };
        testFiles[name].tests.push({ id: t.id, name: t.name });
    }
    // One result per mutant (a directory may hold the events of a run and of its resumption, as
    // scripts/mutation-survivors.cjs reads them): the newest wins. Tests the initial run did not
    // have (a renamed test) are dropped from coveredBy/killedBy; a killed mutant left without its
    // killer is then tested again.
    const known = new Set(tests.map((t) => t.id));
    const newest = new Map();
    const tested = events.filter((e) => e.endsWith("-onMutantTested.json")).map((name) => ({ name, t: fs.statSync(path.join(dir, name)).mtimeMs }));
    for (const f of tested.sort((a, b) => a.t - b.t)) {
        let m;
        try {
            m = JSON.parse(fs.readFileSync(path.join(dir, f.name), "utf8"));
        } catch {
            continue; // the last one, being written when the run was stopped
        }
        const { start, end } = m.location;
        newest.set(`${m.fileName}:${start.line}:${start.column}:${end.line}:${end.column}:${m.mutatorName}:${m.replacement}`, m);
    }
    const files = {};
    let n = 0;
    for (const m of newest.values()) {
        const { fileName, ...mutant } = m;
        if (mutant.coveredBy) mutant.coveredBy = mutant.coveredBy.filter((id) => known.has(id));
        if (mutant.killedBy) mutant.killedBy = mutant.killedBy.filter((id) => known.has(id));
        if (mutant.status === "Killed" && mutant.killedBy?.length === 0) continue;
        const name = rel(fileName);
        files[name] ??= { language: "typescript", source: fs.readFileSync(path.join(ROOT, name), "utf8"), mutants: [] };
        files[name].mutants.push(mutant);
        n++;
    }
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ schemaVersion: "1.0", thresholds: { high: 90, low: 80 }, files, testFiles, projectRoot: ROOT }));
    process.stdout.write(`${out}: ${n} tested mutants in ${Object.keys(files).length} files, ${tests.length} tests\n`);
    return 0;
}

process.exitCode = main(process.argv.slice(2));
