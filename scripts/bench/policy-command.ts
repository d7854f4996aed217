/**
 * The whole-command section of `npm run bench`: `npm run policy -- check <file>` timed end to end,
 * as a user runs it (a fresh npm + node process), on generated manifests (multi-document YAML) of
 * 10k, 50k, 100k and 200k resources (written without anchors, as `helm template` writes them) and
 * on `pulumi stack export` files of the same sizes, each
 * against parsing alone in the same run (a fresh process that only reads the same file with the
 * same reader). Prints wall and CPU time, peak memory, the ratio to parsing and the growth from
 * 50k to 200k resources; returns false (the bench exits 1) when that growth exceeds 4.5x (4x is
 * linear). A script that prints figures, not a timed test.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { dump } from "js-yaml";
import { syntheticManifests } from "./policy";
import { NPM } from "../lib/bench-plan";

const ROOT = path.resolve(__dirname, "..", "..");
const GNU_TIME = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
/** The bench fails when the whole command grows by more than this from 50k to 200k resources. */
export const MAX_GROWTH_50K_TO_200K = 4.5;

interface Run { wall: number; cpu?: number; rssMb?: number; code: number | null; out: string }

/** Runs a command to completion: wall time, and with GNU time the CPU time and peak memory. */
function run(cmd: string, args: string[]): Run {
    const argv = GNU_TIME ? [GNU_TIME, "-f", "\nBENCH %e %U %S %M", cmd, ...args] : [cmd, ...args];
    const t = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 30 });
    const wall = Number(process.hrtime.bigint() - t) / 1e9;
    const m = /\nBENCH ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr ?? "");
    return { wall, cpu: m ? Number(m[2]) + Number(m[3]) : undefined, rssMb: m ? Number(m[4]) / 1024 : undefined, code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

const PARSE_ONLY = `const { loadPolicyInputs } = require(${JSON.stringify(path.join(ROOT, "policies", "lib", "inputs"))});
const n = loadPolicyInputs(process.argv[1]).length; console.log(n + " resources read");`;

/** A stack export of about n resources: the manifests as Pulumi Kubernetes resources, and per 100 of them an S3 bucket with its four settings. */
export function stackExport(n: number): string {
    const objs = syntheticManifests(Math.round(n * 0.95));
    const resources: Record<string, unknown>[] = [{ urn: "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod", type: "pulumi:pulumi:Stack", custom: false }];
    const urn = (type: string, name: string) => `urn:pulumi:prod::platform::${type}::${name}`;
    objs.forEach((o, i) => {
        const type = `kubernetes:${o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;
        resources.push({ urn: urn(type, `${o.metadata.name}-${i}`), type, custom: true, inputs: o, outputs: o });
    });
    const kms = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000";
    for (let b = 0; resources.length < n; b++) {
        const bucket = `data-${b}`;
        const add = (type: string, inputs: Record<string, unknown>) => resources.push({ urn: urn(type, `${bucket}-${type.split(":").pop()}`), type, custom: true, protect: true, inputs, outputs: inputs });
        add("aws:s3/bucketV2:BucketV2", { bucket });
        add("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kms } }] });
        add("aws:s3/bucketVersioningV2:BucketVersioningV2", { bucket, versioningConfiguration: { status: "Enabled" } });
        add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        add("aws:s3/bucketPolicy:BucketPolicy", { bucket, policy: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }) });
    }
    return JSON.stringify({ version: 3, deployment: { manifest: {}, resources } });
}

const fmt = (r: Run) => `${r.wall.toFixed(2).padStart(6)} s${r.cpu !== undefined ? ` (CPU ${r.cpu.toFixed(2)} s)` : ""}${r.rssMb !== undefined ? ` ${Math.round(r.rssMb)} MB` : ""}`;

/** Times both input kinds at each size; false when a series grows by more than MAX_GROWTH_50K_TO_200K. */
export function policyCommandSection(sizes = [10_000, 50_000, 100_000, 200_000]): boolean {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-policy-command-"));
    let ok = true;
    try {
        console.log(`policy check, whole command (\`npm run policy -- check <file>\`, a fresh process each; parse: a fresh process reading the same file with the same reader; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores${GNU_TIME ? "" : "; no /usr/bin/time, so wall time only"}):`);
        for (const [label, ext, make] of [
            ["manifests (multi-document YAML)", "yaml", (n: number) => syntheticManifests(n).map((o) => dump(o, { lineWidth: -1, noRefs: true })).join("---\n")],
            ["stack export (JSON)", "json", stackExport],
        ] as const) {
            const byCheck = new Map<number, number>();
            for (const n of sizes) {
                const file = path.join(dir, `bench-${n}.${ext}`);
                fs.writeFileSync(file, make(n));
                const mb = fs.statSync(file).size / 2 ** 20;
                const parse = run(process.execPath, ["--import", "tsx", "-e", PARSE_ONLY, file]);
                const check = run(NPM, ["run", "-s", "policy", "--", "check", file]);
                if (parse.code !== 0 || check.code === null || check.code > 1) throw new Error(`${label} ${n}: parse exit ${parse.code}, check exit ${check.code}:\n${(check.code === null || check.code > 1 ? check : parse).out.slice(-2000)}`);
                const checked = /^(\d+) resources checked/m.exec(check.out)?.[1];
                byCheck.set(n, check.cpu ?? check.wall);
                const ratio = (check.cpu ?? check.wall) / (parse.cpu ?? parse.wall);
                console.log(`  ${label.padEnd(31)} ${String(n).padStart(7)} resources (${mb.toFixed(1).padStart(5)} MB, ${checked} checked)  check ${fmt(check)}  parse ${fmt(parse)}  check/parse x${ratio.toFixed(2)}`);
                fs.rmSync(file);
            }
            if (byCheck.has(50_000) && byCheck.has(200_000)) {
                const growth = byCheck.get(200_000)! / byCheck.get(50_000)!;
                const pass = growth <= MAX_GROWTH_50K_TO_200K;
                ok &&= pass;
                console.log(`  ${label}: growth 50k -> 200k resources x${growth.toFixed(2)} (x4 is linear; the bench fails above x${MAX_GROWTH_50K_TO_200K}): ${pass ? "ok" : "FAILED"}`);
            }
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    return ok;
}

if (require.main === module && !policyCommandSection()) process.exitCode = 1;
