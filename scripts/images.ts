/**
 * `npm run images -- lock [--mirror <host[/path]>] [--insecure <host>] [--lock <file>]`: resolves
 * every platform chart image (components/shared/platform-images.ts) to its manifest digest through
 * the registries' API (the pack's OCI client, anonymous pull tokens) and writes images.lock.json.
 * Also checks that the digests pinned in code (components/shared/images.ts) still match their tags.
 * `--mirror` asks a mirror holding `<mirror>/<registry>/<repository>:<tag>` instead (air-gapped
 * setups, tests); the lock still names the upstream reference, since digests are content addresses.
 *
 * `npm run images -- status [--lock <file>]`: prints pinned and unpinned images, offline.
 * Exit codes: 0 ok, 1 some image could not be resolved (nothing invented: it stays null), 2 usage.
 */
import * as fs from "node:fs";
import { ImageLock, LOCK_FILE, readImageLock } from "../components/shared/image-lock";
import { IMAGES } from "../components/shared/images";
import { CHART_IMAGES } from "../components/shared/platform-images";
import { parseImage } from "../policies/supply-chain/images";
import { RegistryClient, RegistryError } from "../policies/supply-chain/registry";

const USAGE = "usage: npm run images -- lock [--mirror <host[/path]>] [--insecure <host>] [--lock <file>] | status [--lock <file>]";

class UsageError extends Error {}

interface Options { command: "lock" | "status"; mirror?: string; insecure: string[]; lock: string }

function parseArgs(argv: string[]): Options {
    const [command, ...rest] = argv;
    if (command !== "lock" && command !== "status") throw new UsageError(`${command ? `unknown command ${command}` : "missing command"}\n${USAGE}`);
    const opts: Options = { command, insecure: [], lock: LOCK_FILE };
    for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        const value = () => {
            const v = rest[++i];
            if (!v || v.startsWith("--")) throw new UsageError(`${a} needs a value\n${USAGE}`);
            return v;
        };
        if (a === "--mirror" && command === "lock") opts.mirror = value().replace(/\/+$/, "");
        else if (a === "--insecure" && command === "lock") opts.insecure.push(value());
        else if (a === "--lock") opts.lock = value();
        else throw new UsageError(`unknown option ${a}\n${USAGE}`);
    }
    return opts;
}

/** Where to ask for an image: upstream, or under the mirror. */
function location(ref: string, mirror: string | undefined): { host: string; repo: string; tag: string } {
    const parsed = parseImage(ref);
    if (!parsed?.tag) throw new UsageError(`${ref} is not a registry/repository:tag reference`);
    if (!mirror) return { host: parsed.registry, repo: parsed.repository, tag: parsed.tag };
    const [host, ...base] = mirror.split("/");
    return { host, repo: [...base, parsed.registry, parsed.repository].join("/"), tag: parsed.tag };
}

export async function main(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let opts: Options;
    try {
        opts = parseArgs(argv);
    } catch (e) {
        if (e instanceof UsageError) return { code: 2, stdout: "", stderr: e.message };
        throw e;
    }
    const refs = [...new Set(CHART_IMAGES.map((i) => i.ref))].sort();
    const previous: ImageLock = fs.existsSync(opts.lock) ? readImageLock(opts.lock) : { version: 1, images: {} };
    const out: string[] = [];
    if (opts.command === "status") {
        const pinned = refs.filter((r) => previous.images[r]?.digest);
        out.push(...refs.map((r) => `${previous.images[r]?.digest ? "pinned  " : "UNPINNED"} ${r}${previous.images[r]?.digest ? `@${previous.images[r].digest}` : ""}`));
        out.push(`${pinned.length} of ${refs.length} chart images pinned in ${opts.lock}; component images pinned in code: ${Object.keys(IMAGES).length}`);
        return { code: 0, stdout: out.join("\n"), stderr: "" };
    }
    const client = new RegistryClient({ insecureHosts: opts.insecure, timeoutMs: 20000 });
    const failures: string[] = [];
    const images: ImageLock["images"] = {};
    const now = new Date().toISOString();
    for (const ref of refs) {
        const at = location(ref, opts.mirror);
        try {
            const m = await client.manifest(at.host, at.repo, at.tag);
            if (!m) throw new RegistryError(`${at.host}/${at.repo}:${at.tag} does not exist`);
            const before = previous.images[ref]?.digest;
            images[ref] = { digest: m.digest, resolvedAt: before === m.digest ? (previous.images[ref].resolvedAt ?? now) : now };
            out.push(`${before && before !== m.digest ? "changed " : "pinned  "} ${ref}@${m.digest}${before && before !== m.digest ? ` (was ${before})` : ""}`);
        } catch (e) {
            if (!(e instanceof RegistryError)) throw e;
            images[ref] = previous.images[ref] ?? { digest: null };
            failures.push(`${ref}: ${e.message}`);
        }
    }
    for (const [name, image] of Object.entries(IMAGES)) {
        const parsed = parseImage(image)!;
        const at = location(`${parsed.registry}/${parsed.repository}:${parsed.tag}`, opts.mirror);
        try {
            const m = await client.manifest(at.host, at.repo, at.tag);
            if (!m) failures.push(`IMAGES.${name}: ${at.host}/${at.repo}:${at.tag} does not exist`);
            else if (m.digest !== parsed.digest) failures.push(`IMAGES.${name}: tag ${parsed.tag} now points at ${m.digest}, the code pins ${parsed.digest}; update components/shared/images.ts after review`);
            else out.push(`code     ${image} matches its tag`);
        } catch (e) {
            if (!(e instanceof RegistryError)) throw e;
            failures.push(`IMAGES.${name}: ${e.message}`);
        }
    }
    const lock: ImageLock = { version: 1, comment: previous.comment, images };
    fs.writeFileSync(opts.lock, JSON.stringify(lock, null, 2) + "\n");
    const pinned = refs.filter((r) => images[r].digest).length;
    out.push(`${pinned} of ${refs.length} chart images pinned; wrote ${opts.lock}`);
    return { code: failures.length > 0 ? 1 : 0, stdout: out.join("\n"), stderr: failures.length ? `could not resolve (left as before, nothing invented):\n${failures.map((f) => `  - ${f}`).join("\n")}` : "" };
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (r) => {
            if (r.stdout) console.log(r.stdout);
            if (r.stderr) console.error(r.stderr);
            process.exit(r.code);
        },
        (e) => {
            console.error(`images failed: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(2);
        },
    );
}
