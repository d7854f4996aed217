/**
 * scripts/setup-tools.sh as a non-root user, with stand-ins for id, sudo and apt-get on a PATH
 * without the tools (nothing is installed or written outside a temporary directory): sudo is used
 * when it works without a password, else the exact command is printed and the script exits 1; the
 * temporary policy-rc.d is removed on success and on failure.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../lib/offline/stack";
import { tempDirs } from "../harness/tmp";

const SCRIPT = path.join(REPO_ROOT, "scripts", "setup-tools.sh");
const POLICY = "/usr/sbin/policy-rc.d";
const tmp = tempDirs("setup-tools-");

/** Runs the script with a PATH of stand-ins: `sudo` logs its command (and runs nothing), `apt-get` exits with `aptExit`. */
function run(opts: { sudo: "works" | "asks-password" | "absent"; aptExit: number }) {
    const dir = tmp();
    const bin = path.join(dir, "bin");
    const log = path.join(dir, "calls.log");
    fs.mkdirSync(bin);
    for (const tool of ["bash", "mktemp", "rm", "tail", "cat", "head", "sort", "xargs", "dirname"]) {
        const real = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
        fs.symlinkSync(real, path.join(bin, tool));
    }
    const script = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!${path.join(bin, "bash")}\n${body}\n`, { mode: 0o755 });
    script("id", `[ "$1" = "-u" ] && echo 1000 || echo tester`);
    if (opts.sudo !== "absent") {
        script("sudo", [
            `echo "sudo $*" >> ${log}`,
            opts.sudo === "asks-password" ? "exit 1" : "",
            // `sudo -n tee FILE` reads the file's text from stdin; keep it in the log instead of writing it.
            `if [ "$2" = tee ]; then cat >> ${log}; fi`,
            `if [ "$2" = env ]; then shift 3; exec "$@"; fi`,
            "exit 0",
        ].join("\n"));
    }
    script("apt-get", `echo "apt-get $*" >> ${log}\nexit ${opts.aptExit}`);
    const r = spawnSync(path.join(bin, "bash"), [SCRIPT], { encoding: "utf8", env: { PATH: bin, HOME: dir, TMPDIR: dir, PLATFORM_SETUP_PG_ROOT: path.join(dir, "no-postgresql") } });
    return { code: r.status, out: r.stdout, err: r.stderr, calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "" };
}

describe("scripts/setup-tools.sh as a non-root user", () => {
    const ownPolicy = !fs.existsSync(POLICY);

    it("without sudo: prints the exact install command and exits 1", () => {
        const r = run({ sudo: "absent", aptExit: 0 });
        assert.equal(r.code, 1);
        assert.match(r.err, /missing prometheus prometheus-alertmanager docker-registry kubernetes-client postgresql and no root or password-less sudo/);
        assert.match(r.err, /Run as root: {2}apt-get update && apt-get install -y --no-install-recommends prometheus prometheus-alertmanager docker-registry kubernetes-client postgresql/);
        assert.equal(r.calls, "");
    });

    it("with sudo that asks for a password: the same, without trying to install", () => {
        const r = run({ sudo: "asks-password", aptExit: 0 });
        assert.equal(r.code, 1);
        assert.match(r.err, /or with sudo: sudo sh -c 'apt-get update && apt-get install/);
        assert.equal(r.calls.trim(), "sudo -n true");
    });

    it("with password-less sudo: installs through sudo with services held back, and removes the policy file", () => {
        const r = run({ sudo: "works", aptExit: 0 });
        assert.match(r.out, /installing prometheus prometheus-alertmanager docker-registry kubernetes-client postgresql with sudo/);
        assert.match(r.calls, /apt-get -q -o DPkg::Lock::Timeout=300 install -y --no-install-recommends prometheus prometheus-alertmanager docker-registry kubernetes-client postgresql/);
        if (ownPolicy) {
            assert.match(r.calls, /sudo -n tee \/usr\/sbin\/policy-rc\.d\n#!\/bin\/sh\n.*\nexit 101\nsudo -n chmod 755 \/usr\/sbin\/policy-rc\.d/);
            assert.match(r.calls, /sudo -n rm -f \/usr\/sbin\/policy-rc\.d\n$/);
        }
        // The stand-in installs nothing, so the version lines fail: the script exits non-zero after cleaning up.
        assert.notEqual(r.code, 0);
    });

    it("when apt-get fails: refreshes the lists once, reports the failure, exits 1 and still removes the policy file", () => {
        const r = run({ sudo: "works", aptExit: 100 });
        assert.equal(r.code, 1);
        assert.match(r.err, /setup-tools: apt-get update failed/);
        assert.equal((r.calls.match(/^apt-get .* install /gm) ?? []).length, 1);
        assert.equal((r.calls.match(/^apt-get .* update$/gm) ?? []).length, 1);
        if (ownPolicy) assert.match(r.calls, /sudo -n rm -f \/usr\/sbin\/policy-rc\.d\n$/);
    });
});
