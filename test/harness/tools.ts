/**
 * Real tools from Debian used by the tests (promtool from `prometheus`, amtool from
 * `prometheus-alertmanager`). `.ci/run` installs them; a missing tool fails the test with the
 * package to install, it is never skipped.
 */
import { spawnSync } from "node:child_process";

export interface ToolResult { code: number; output: string }

export function runTool(tool: string, debianPackage: string, args: string[], cwd: string): ToolResult {
    const r = spawnSync(tool, args, { cwd, encoding: "utf8" });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
        throw new Error(`${tool} is not installed: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage}); .ci/run does this`);
    }
    return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}
