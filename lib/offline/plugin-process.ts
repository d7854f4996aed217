/**
 * Starting a Pulumi plugin process as the CLI does (a policy pack through run-policy-pack, a component
 * provider through run-plugin): resolve its runner from the plugin's own directory, and wait for the
 * port it prints on stdout. Shared by the component-plugin session and the analyzer test harness.
 */
import { ChildProcess, spawnSync } from "node:child_process";

/** The environment a plugin gets: this process's, without NODE_OPTIONS (the test runner's loader hooks). */
export function pluginEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
    delete env.NODE_OPTIONS;
    return env;
}

/**
 * Resolves a module from a directory as the language host does: a plain `node` run there (not
 * in-process: loader hooks of the test runner would resolve differently).
 */
export function resolveFrom(dir: string, request: string): string {
    const r = spawnSync(process.execPath, ["-e", `process.stdout.write(require.resolve(${JSON.stringify(request)}))`], { cwd: dir, env: pluginEnv(), encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cannot resolve ${request} from ${dir} (npm install in ${dir}?): ${r.stderr.split("\n").find((l) => /Cannot find module/.test(l)) ?? r.stderr}`);
    return r.stdout;
}

/**
 * The port a plugin prints on its first stdout line once it serves; rejects when it exits first or
 * prints none within `timeoutMs`, with what it wrote. `what` names the plugin in the message.
 */
export function waitForPort(child: ChildProcess, what: string, output: { stderr: string }, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
        let stdout = "";
        const timer = setTimeout(() => reject(new Error(`${what} printed no port within ${timeoutMs} ms; stderr:\n${output.stderr}`)), timeoutMs);
        child.stdout!.on("data", (d) => {
            stdout += String(d);
            const m = stdout.match(/^(\d+)\s*$/m);
            if (m) {
                clearTimeout(timer);
                resolve(m[1]);
            }
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`${what} exited with ${code} before serving; stdout/stderr:\n${stdout}\n${output.stderr}`));
        });
    });
}
