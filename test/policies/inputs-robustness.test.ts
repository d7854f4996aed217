/**
 * Inputs that attack the reader itself (issue 23 class 8): a symlink to /dev/zero, a FIFO without a
 * writer, an endless standard input, a JSON flood of `-0`. Each runs in a child process with a
 * time limit (and a small heap for the flood), so a reader that hangs or fills its memory fails the
 * test instead of stopping the suite.
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { INPUT_LIMITS, loadPolicyInputs } from "../../policies/lib/inputs";
import { REPO_ROOT } from "../../lib/offline/stack";
import { IN_MUTATION_RUN } from "../harness/mutation-run";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("inputs-robust-");
const INPUTS = JSON.stringify(path.join(REPO_ROOT, "policies", "lib", "inputs"));
const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\n`;

/** Reads each file with loadPolicyInputs in a child process killed after `timeoutMs`; one line per file: its resource count or its refusal. */
function readInChild(files: string[], opts: { timeoutMs: number; heapMb?: number }) {
    const script = `const { loadPolicyInputs } = require(${INPUTS});
for (const f of ${JSON.stringify(files)}) { try { console.log(loadPolicyInputs(f).length + " resources"); } catch (e) { console.log(e.message); } }`;
    const r = spawnSync(process.execPath, [...(opts.heapMb ? [`--max-old-space-size=${opts.heapMb}`] : []), "--import", "tsx", "-e", script], { cwd: REPO_ROOT, encoding: "utf8", timeout: opts.timeoutMs });
    return { code: r.status, signal: r.signal, lines: r.stdout.trim().split("\n"), stderr: r.stderr };
}

describe("policy check input: files that are not files, endless input, floods (bounded, refused or read)", function () {
    this.timeout(120_000);
    it("refuses a symlink to /dev/zero, a FIFO without a writer and a directory before reading them; reads a symlink to a regular file", () => {
        const dir = tmp();
        fs.symlinkSync("/dev/zero", path.join(dir, "zero.yaml"));
        spawnSync("mkfifo", [path.join(dir, "fifo.yaml")]);
        fs.writeFileSync(path.join(dir, "real.yaml"), CM("real"));
        fs.symlinkSync(path.join(dir, "real.yaml"), path.join(dir, "link.yaml"));
        if (!IN_MUTATION_RUN) {
            // In a child (a reader that opens them would hang or fill memory); it sees no mutant.
            const r = readInChild(["zero.yaml", "fifo.yaml"].map((f) => path.join(dir, f)), { timeoutMs: 60_000 });
            assert.deepEqual([r.code, r.signal], [0, null], r.stderr.slice(-500));
            assert.match(r.lines[0], /zero\.yaml: is not a regular file \(a character device\); refused/);
            assert.match(r.lines[1], /fifo\.yaml: is not a regular file \(a FIFO\); refused/);
        }
        assert.throws(() => loadPolicyInputs(dir), /is a directory; refused/);
        assert.equal(loadPolicyInputs(path.join(dir, "link.yaml"))[0].name, "real");
    });
    it("stops reading at the byte cap while reading: a file over it, and standard input that never ends", async () => {
        const big = tmp.file("big.yaml", CM("big") + `data: { k: "${"x".repeat(4096)}" }\n`);
        assert.throws(() => loadPolicyInputs(big, { ...INPUT_LIMITS, maxBytes: 1024 }), /big\.yaml: larger than 0\.0009765625 MiB; refused/);
        assert.equal(loadPolicyInputs(big, { ...INPUT_LIMITS, maxBytes: 8192 }).length, 1);
        if (IN_MUTATION_RUN) return; // the rest runs in a child, which sees no mutant
        // Standard input: a writer that never stops; the reader must stop at 1 MiB and say why.
        const script = `const { loadPolicyInputs, INPUT_LIMITS } = require(${INPUTS});
try { loadPolicyInputs("-", { ...INPUT_LIMITS, maxBytes: 1 << 20 }); console.log("read"); } catch (e) { console.log(e.message); }
process.exit(0);`;
        const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { cwd: REPO_ROOT });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stdin.on("error", () => undefined); // EPIPE once the reader gives up
        const chunk = Buffer.alloc(64 * 1024, "a: b\n");
        let written = 0;
        const pump = () => {
            while (child.stdin.writable && written < 64 * 2 ** 20) {
                written += chunk.length;
                if (!child.stdin.write(chunk)) return void child.stdin.once("drain", pump);
            }
        };
        pump();
        const code = await new Promise<number | null>((resolve) => {
            const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
            child.on("close", (c) => (clearTimeout(timer), resolve(c)));
        });
        assert.equal(code, 0);
        assert.match(out, /\(stdin\): larger than 1 MiB; refused/);
        assert.ok(written < 64 * 2 ** 20, `the writer was not stopped (${written} bytes written)`);
    });
    it("a JSON flood of -0 (4 MB, 1.3 million of them, 100 levels deep) is read within a 256 MB heap", () => {
        const inner = `[${Array(20_000).fill("-0").join(",")}]`;
        const flood = `${"[".repeat(100)}${Array(65).fill(inner).join(",")}${"]".repeat(100)}`;
        const file = tmp.file("flood.json", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"flood"},"data":{"k":${flood}}}`);
        if (!IN_MUTATION_RUN) {
            const r = readInChild([file], { timeoutMs: 90_000, heapMb: 256 }); // sees no mutant
            assert.deepEqual([r.code, r.signal, r.lines], [0, null, ["1 resources"]], r.stderr.slice(-500));
        }
        // Integer -0 is 0 (as Go reads it); a float -0.0 stays negative zero.
        const [cm] = loadPolicyInputs(tmp.file("zeros.json", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"z"},"data":[[-0],{"a":-0,"b":-0.0}]}'));
        assert.ok(Object.is(cm.props.data[0][0], 0) && Object.is(cm.props.data[1].a, 0) && Object.is(cm.props.data[1].b, -0));
    });
});
