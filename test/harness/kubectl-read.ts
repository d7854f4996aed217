/**
 * The reference reader for differential tests: the real kubectl (v1.32+, Debian/Cloud SDK package
 * `kubectl`), run once over a whole batch of files, offline. Each object's metadata.name must start
 * with its file's name and a dash (`f12-...`), so objects map back to files; errors map back by the
 * file name kubectl's message carries ("error parsing <file>", `unable to decode "<file>"`); an error
 * without one (an item kubectl cannot type) is settled by reading the suspect files alone.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { splitJsonStream } from "../../policies/lib/kube-stream";

export type KubectlReading = { objects: Record<string, any>[]; error?: undefined } | { objects?: undefined; error: string };

const LABEL = "kubectl-read-probe";

/**
 * Reads `files` (name -> bytes or text) in `dir` with one kubectl process:
 * - "apply": `kubectl label --local -f dir` (the builder `kubectl apply -f` uses: same decoding, lists flattened);
 * - "typed": `kubectl set resources --local -f dir`, which also decodes each object into its Go type
 *   (so quantities are parsed as the API server parses them, and printed in canonical form).
 */
export function kubectlRead(dir: string, files: Record<string, string | Uint8Array>, mode: "apply" | "typed" = "apply", settle?: (file: string, objects: Record<string, any>[]) => boolean): Map<string, KubectlReading> {
    const { out, unmapped } = runOnce(dir, files, mode);
    if (mode === "typed") {
        // `set resources` stops at the first object it cannot decode: read the files after it again.
        const rest = [...out].filter(([, r]) => r.error === undefined && r.objects.length === 0).map(([name]) => name);
        if (rest.length && rest.length < Object.keys(files).length) {
            const again = kubectlRead(fs.mkdtempSync(path.join(dir, "rest-")), Object.fromEntries(rest.map((n) => [n, files[n]])), mode);
            for (const [name, r] of again) out.set(name, r);
        }
    }
    if (unmapped.length && Object.keys(files).length === 1) out.set(Object.keys(files)[0], { error: unmapped.join("; ") });
    else if (unmapped.length) {
        if (!settle) throw new Error(`kubectl errors of no known file: ${unmapped.join("\n")}`);
        // Errors without a file name (an item kubectl cannot type): the suspect files are read alone.
        for (const [name, reading] of out) {
            if (reading.error !== undefined || !settle(name, reading.objects)) continue;
            out.set(name, kubectlRead(fs.mkdtempSync(path.join(dir, "alone-")), { [name]: files[name] }, mode).get(name)!);
        }
    }
    return out;
}

function runOnce(dir: string, files: Record<string, string | Uint8Array>, mode: "apply" | "typed"): { out: Map<string, KubectlReading>; unmapped: string[] } {
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
    const args = mode === "apply" ? ["label", "--local", "-f", dir, `${LABEL}=1`, "-o", "json"] : ["set", "resources", "--local", "-f", dir, "--limits=ephemeral-storage=1Gi", "-o", "json"];
    const r = spawnSync("kubectl", args, { cwd: dir, encoding: "utf8", maxBuffer: 1 << 30, timeout: 120_000 });
    if (r.error) throw new Error(`kubectl could not run (${(r.error as NodeJS.ErrnoException).code}): install the Debian package kubectl; .ci/run does this`);
    const out = new Map<string, KubectlReading>();
    for (const name of Object.keys(files)) out.set(name, { objects: [] });
    for (const text of r.stdout.trim() ? splitJsonStream(r.stdout) : []) {
        const o = JSON.parse(text) as Record<string, any>;
        if (mode === "apply") {
            delete o.metadata.labels[LABEL];
            if (Object.keys(o.metadata.labels).length === 0) delete o.metadata.labels;
        }
        const file = String(o.metadata?.name).split("-")[0];
        const reading = out.get(Object.keys(files).find((f) => f.split(".")[0] === file) ?? "");
        if (!reading?.objects) throw new Error(`kubectl printed an object of no known file: ${text.slice(0, 200)}`);
        reading.objects.push(o);
    }
    const unmapped: string[] = [];
    for (const line of r.stderr.split("\n").filter((l) => l.trim())) {
        const name = Object.keys(files).find((f) => line.includes(path.join(dir, f)));
        if (name) out.set(name, { error: line });
        else unmapped.push(line);
    }
    return { out, unmapped };
}
