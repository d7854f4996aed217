/**
 * README and docs claim only what the product does: the Node/npm warnings a user sees on Node 20
 * (recomputed from package-lock.json: every package whose engines.node excludes 20.20.2, and every
 * package with an install script), and image pinning as it stands (stacks with
 * platformImages.requirePinned: false cannot be described as refusing unpinned images).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackConfig, REPO_ROOT, STACKS } from "../../lib/offline/stack";

const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8")) as { name: string; packages: Record<string, { name?: string; version?: string; engines?: unknown; hasInstallScript?: boolean; optional?: boolean }> };

/** Whether a version satisfies an npm engines range (`>=22.13`, `^20.19.0 || >=24`, `20 || >=22`). */
export function satisfies(version: string, range: string): boolean {
    const v = version.split(".").map(Number);
    const cmp = (a: number[], b: number[]) => a[0] - b[0] || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0);
    return range.replace(/(>=|<=|>|<|\^|~|=)\s+/g, "$1").split("||").some((alt) => alt.trim().split(/\s+/).filter(Boolean).every((c) => {
        if (c === "*" || c === "x") return true;
        const m = /^(>=|<=|>|<|\^|~|=)?v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?(?:-[\w.]+)?$/.exec(c);
        if (!m) throw new Error(`unsupported range ${c}`);
        const parts = [m[2], m[3], m[4]].filter((x) => x !== undefined && x !== "x" && x !== "*").map(Number);
        const w = [parts[0], parts[1] ?? 0, parts[2] ?? 0];
        switch (m[1]) {
            case ">=": return cmp(v, w) >= 0;
            case ">": return cmp(v, w) > 0;
            case "<=": return cmp(v, w) <= 0;
            case "<": return cmp(v, w) < 0;
            case "^": return v[0] === w[0] && cmp(v, w) >= 0;
            case "~": return v[0] === w[0] && v[1] === w[1] && cmp(v, w) >= 0;
            default: return parts.every((p, i) => v[i] === p);
        }
    }));
}

const nameOf = (key: string) => (key === "" ? lock.name : key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length));

describe("README and docs claim what the product does", () => {
    it("the engines check is read correctly", () => {
        assert.equal(satisfies("20.20.2", ">=22"), false);
        assert.equal(satisfies("20.20.2", "^20.19.0 || ^22.13.0 || >=24"), true);
        assert.equal(satisfies("20.20.2", "18 || 20 || >=22"), true);
        assert.equal(satisfies("22.13.0", ">=22.13"), true);
    });

    it("README names exactly the packages npm ci reports EBADENGINE for on Node 20.20.2", () => {
        const bad = Object.entries(lock.packages)
            .filter(([, p]) => typeof (p.engines as { node?: unknown } | undefined)?.node === "string" && !satisfies("20.20.2", (p.engines as { node: string }).node))
            .map(([key]) => nameOf(key)).sort();
        assert.equal(bad.length, 6, bad.join(", "));
        const paragraph = README.slice(README.indexOf("On Node 20"), README.indexOf("## Using it for real"));
        assert.match(paragraph, new RegExp(`EBADENGINE\` for ${["zero", "one", "two", "three", "four", "five", "six", "seven"][bad.length]} packages`));
        for (const name of bad.filter((n) => n !== lock.name)) assert.ok(paragraph.includes(`\`${name}\``), `README does not name ${name}`);
        const engines = paragraph.slice(0, paragraph.indexOf("npm 11"));
        const named = [...engines.matchAll(/`((?:@[\w-]+\/)?[\w.-]+)`/g)].map((m) => m[1]).filter((n) => Object.keys(lock.packages).some((k) => k.endsWith(`node_modules/${n}`)));
        assert.deepEqual(named.filter((n) => !bad.includes(n)), [], "README names a package that prints no EBADENGINE");
    });

    it("README explains every package whose install script npm does not run", () => {
        const scripts = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript && !p.optional).map(([key]) => nameOf(key)).sort();
        assert.deepEqual(scripts, ["@pulumi/kubernetes", "esbuild", "protobufjs"]);
        assert.match(README, new RegExp(`npm warn install-scripts ${scripts.length} packages have install scripts`));
        for (const name of scripts) assert.ok(README.includes(`\`${name}\`'s`), `README does not explain ${name}'s install script`);
    });

    it("image pinning is described as it stands: no refusal of unpinned images while requirePinned is false", () => {
        const unpinned = STACKS.filter((s) => {
            const sc = readStackConfig(s)["platform:supplyChain"] as { platformImages?: { requirePinned?: boolean } } | undefined;
            return sc?.platformImages?.requirePinned !== true;
        });
        assert.ok(unpinned.length > 0, "every stack requires pinned images: the README may say so");
        assert.doesNotMatch(README, /refuses[^.]*unpinned images/);
        assert.match(README, /npm run images -- lock/);
        assert.match(README, /requirePinned: false/);
        assert.match(README, /`requirePinned: true` makes the build refuse any chart image\s+without a digest/);
    });
});
