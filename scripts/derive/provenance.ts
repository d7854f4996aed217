/**
 * Provenance of derived data: the git blob id of each upstream input file (what `git hash-object`
 * prints), and where the file came from (project, version, upstream path), read from a reference
 * directory's SOURCES.md table when there is one.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** Where a derived file's facts come from, and how to make it again. Stored as `source` in every derived file. */
export interface Source {
    /** The upstream project (repository `owner/name`, or the chart name when only a chart directory was given). */
    project: string;
    /** Chart or application version the facts belong to. */
    version: string;
    /** The upstream file, as a path inside the upstream repository (or the chart directory). */
    file: string;
    /** Git blob id of the input file (`git hash-object <file>`), so anyone can check it is the same file. */
    blob: string;
    /** Upstream commit or tag the file was read from, when known. */
    ref?: string;
    /** The command that regenerates the derived file. */
    regenerate: string;
}

/** `git hash-object` semantics: sha1 over "blob <size>\0" followed by the bytes. */
export function gitBlobId(bytes: Buffer): string {
    return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

export interface ReferenceRow {
    repo: string;
    path: string;
    ref: string;
    commit: string;
    appVersion: string;
    blob: string;
}

/** The table of `<reference>/SOURCES.md` (local file -> upstream repo, path, ref, commit, blob); empty when absent. */
export function readSourcesTable(referenceDir: string): Map<string, ReferenceRow> {
    const rows = new Map<string, ReferenceRow>();
    const file = path.join(referenceDir, "SOURCES.md");
    if (!fs.existsSync(file)) return rows;
    const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.startsWith("|"));
    const header = lines.find((l) => /local file/.test(l));
    if (!header) return rows;
    const cols = header.split("|").map((c) => c.trim());
    const col = (name: RegExp) => cols.findIndex((c) => name.test(c));
    const [iFile, iRepo, iPath, iRef, iCommit, iApp, iBlob] = [/^local file/, /^upstream repo/, /^upstream path/, /^ref$/, /^commit$/, /^app version/, /^git blob/].map(col);
    for (const line of lines) {
        const cells = line.split("|").map((c) => c.trim());
        if (cells.length !== cols.length || !/^[0-9a-f]{40}$/.test(cells[iBlob] ?? "")) continue;
        rows.set(cells[iFile], { repo: cells[iRepo], path: cells[iPath], ref: cells[iRef], commit: cells[iCommit], appVersion: cells[iApp] ?? "", blob: cells[iBlob] });
    }
    return rows;
}

/**
 * The source of one input file: from the reference table when it lists the file (its recorded blob
 * must equal the file's), else from what the caller knows (chart name and version).
 */
export function sourceOf(file: string, fallback: { project: string; version: string; file: string }, regenerate: string, table: Map<string, ReferenceRow>, referenceDir?: string): Source {
    const blob = gitBlobId(fs.readFileSync(file));
    const rel = referenceDir ? path.relative(referenceDir, file).split(path.sep).join("/") : undefined;
    const row = rel ? table.get(rel) : undefined;
    if (row && row.blob !== blob) throw new Error(`${file}: git blob ${blob} differs from the ${row.blob} recorded in SOURCES.md; the reference copy changed`);
    return row
        ? { project: row.repo, version: fallback.version === "unknown" ? row.appVersion : fallback.version, file: row.path, blob, ref: `${row.ref} @ ${row.commit}`, regenerate }
        : { ...fallback, blob, regenerate };
}

/** Writes JSON with a trailing newline; returns the path relative to the repository for the report. */
export function writeJson(file: string, data: unknown): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
}
