/**
 * Temporary directories of one test file (or one `describe`), removed when its tests end. Call
 * `tempDirs(prefix)` where mocha collects tests (the top of the file or a describe body, not inside
 * a test): it registers an `after` hook that removes everything it made. Every directory is made
 * lazily under one `<tmpdir>/<prefix>XXXXXX`, so a run that is killed leaves at most one per file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface TempDirs {
    /** A new empty directory. */
    (): string;
    /** A new directory holding `files` (name -> text); returns the directory. */
    files(files: Record<string, string>): string;
    /** A new directory holding one file; returns the file's path. */
    file(name: string, text: string): string;
}

export function tempDirs(prefix: string): TempDirs {
    let root: string | undefined;
    after(() => {
        if (root) fs.rmSync(root, { recursive: true, force: true });
        root = undefined;
    });
    const dir = () => {
        root ??= fs.mkdtempSync(path.join(os.tmpdir(), prefix));
        return fs.mkdtempSync(path.join(root, "d"));
    };
    const files = (entries: Record<string, string>) => {
        const d = dir();
        for (const [name, text] of Object.entries(entries)) fs.writeFileSync(path.join(d, name), text);
        return d;
    };
    return Object.assign(dir, { files, file: (name: string, text: string) => path.join(files({ [name]: text }), name) });
}
