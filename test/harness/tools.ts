/**
 * Real tools from Debian used by the tests (promtool from `prometheus`, amtool from
 * `prometheus-alertmanager`). `.ci/run` installs them; a missing tool fails the test with the
 * package to install, it is never skipped.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface ToolResult { code: number; output: string }

export function runTool(tool: string, debianPackage: string, args: string[], cwd: string): ToolResult {
    const r = spawnSync(tool, args, { cwd, encoding: "utf8" });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
        throw new Error(`${tool} is not installed: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage}); .ci/run does this`);
    }
    return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** A fresh temporary directory with the given files written into it. */
export function tempFiles(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-test-"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}
