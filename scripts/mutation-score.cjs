#!/usr/bin/env node
/**
 * Mutation score of policies/ per directory and in total, from Stryker's incremental reports
 * (reports/stryker-incremental*.json: one for `npm run mutation`, one per piece when a run was
 * split with --mutate and its own --incrementalFile). A file in several reports counts from the
 * newest. Score = (killed + timed out) / (killed + timed out + survived + no coverage), as Stryker
 * computes it; ignored mutants and run-time or compile errors are left out, and counted apart.
 *   node scripts/mutation-score.cjs [report.json ...]
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");

function reports(args) {
    if (args.length > 0) return args;
    const dir = path.join(ROOT, "reports");
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir).filter((f) => /^stryker-incremental.*\.json$/.test(f)).map((f) => path.join(dir, f));
}

/** Per source file, its mutants from the newest report naming it. */
function mutantsByFile(files) {
    const byFile = new Map();
    for (const file of [...files].sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs)) {
        const report = JSON.parse(fs.readFileSync(file, "utf8"));
        for (const [name, result] of Object.entries(report.files ?? {})) byFile.set(name.split(path.sep).join("/"), result.mutants);
    }
    return byFile;
}

function tally(mutants) {
    const t = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
    for (const m of mutants) {
        if (m.status === "Killed") t.killed++;
        else if (m.status === "Timeout") t.timeout++;
        else if (m.status === "Survived") t.survived++;
        else if (m.status === "NoCoverage") t.noCoverage++;
        else if (m.status === "Ignored") t.ignored++;
        else t.errors++;
    }
    const valid = t.killed + t.timeout + t.survived + t.noCoverage;
    return { ...t, valid, score: valid === 0 ? NaN : (100 * (t.killed + t.timeout)) / valid };
}

function main(args) {
    const files = reports(args);
    if (files.length === 0) {
        process.stderr.write("mutation-score: no reports/stryker-incremental*.json; run `npm run mutation` first\n");
        return 2;
    }
    const byDir = new Map();
    for (const [name, mutants] of mutantsByFile(files)) {
        const dir = path.posix.dirname(name);
        byDir.set(dir, [...(byDir.get(dir) ?? []), ...mutants]);
    }
    const rows = [...byDir.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([dir, m]) => [dir, tally(m)]);
    rows.push(["total", tally([...byDir.values()].flat())]);
    const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(22) : String(c).padStart(9))).join(" ");
    const out = [line(["directory", "score %", "killed", "timeout", "survived", "no cov", "ignored", "errors"])];
    for (const [dir, t] of rows) out.push(line([dir, t.score.toFixed(2), t.killed, t.timeout, t.survived, t.noCoverage, t.ignored, t.errors]));
    process.stdout.write(`${out.join("\n")}\n`);
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
module.exports = { tally, mutantsByFile };
