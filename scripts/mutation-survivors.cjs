#!/usr/bin/env node
/**
 * The mutants a running (or finished) `npm run mutation` has let live so far, from the event
 * recorder's files (reports/mutation/events/*-onMutantTested.json, one per tested mutant, written as
 * each finishes): per file and line, the mutator and the replacement, Survived and NoCoverage only.
 * With --summary, the counts per status and file.
 * The directory is $MUTATION_EVENTS when set (as for the run), else reports/mutation/events.
 *   node scripts/mutation-survivors.cjs [--summary] [file-substring]
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const DIR = path.resolve(__dirname, "..", process.env.MUTATION_EVENTS ?? "reports/mutation/events");

/** The tested mutants, one per mutant (file, place, mutator, replacement): the newest event wins. */
function tested() {
    if (!fs.existsSync(DIR)) return [];
    const newest = new Map();
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith("-onMutantTested.json"));
    for (const f of files.map((name) => ({ name, t: fs.statSync(path.join(DIR, name)).mtimeMs })).sort((a, b) => a.t - b.t)) {
        let m;
        try {
            m = JSON.parse(fs.readFileSync(path.join(DIR, f.name), "utf8"));
        } catch {
            continue; // being written
        }
        const { start, end } = m.location;
        newest.set(`${m.fileName}:${start.line}:${start.column}:${end.line}:${end.column}:${m.mutatorName}:${m.replacement}`, m);
    }
    return [...newest.values()];
}

function main(args) {
    const summary = args.includes("--summary");
    const filter = args.find((a) => !a.startsWith("--"));
    const all = tested().filter((m) => !filter || m.fileName.includes(filter));
    const rel = (f) => path.relative(path.resolve(__dirname, ".."), f);
    if (summary) {
        const byFile = new Map();
        for (const m of all) {
            const t = byFile.get(rel(m.fileName)) ?? {};
            t[m.status] = (t[m.status] ?? 0) + 1;
            byFile.set(rel(m.fileName), t);
        }
        for (const [f, t] of [...byFile].sort()) {
            const valid = (t.Killed ?? 0) + (t.Timeout ?? 0) + (t.Survived ?? 0) + (t.NoCoverage ?? 0);
            const score = valid ? ((100 * ((t.Killed ?? 0) + (t.Timeout ?? 0))) / valid).toFixed(2) : "-";
            process.stdout.write(`${f.padEnd(40)} ${score.padStart(7)}%  ${JSON.stringify(t)}\n`);
        }
        process.stdout.write(`${all.length} mutants tested\n`);
        return 0;
    }
    const live = all.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
    live.sort((a, b) => a.fileName.localeCompare(b.fileName) || a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
    for (const m of live) {
        const where = `${rel(m.fileName)}:${m.location.start.line}:${m.location.start.column}`;
        process.stdout.write(`${where} ${m.status} ${m.mutatorName}: ${JSON.stringify(m.replacement).slice(0, 160)}\n`);
    }
    return 0;
}

process.exitCode = main(process.argv.slice(2));
