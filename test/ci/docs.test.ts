/**
 * The README and docs/ name only things that exist: every `npm run <script>` is a script of
 * package.json, every config key is a key of the schema (stacks/config-schema.ts) or of the AWS
 * provider, every relative link resolves; and docs/configuration.md documents every schema key.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as awsConfig from "@pulumi/aws/config/vars";
import { configKeyPaths } from "../../stacks/config";
import { REPO_ROOT } from "../../lib/offline/stack";

const markdown = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? markdown(path.join(dir, e.name)) : e.name.endsWith(".md") ? [path.join(dir, e.name)] : []));
const DOCS = [path.join(REPO_ROOT, "README.md"), ...markdown(path.join(REPO_ROOT, "docs")), path.join(REPO_ROOT, "test", "data", "README.md"),
    path.join(REPO_ROOT, "packages", "components", "README.md"), path.join(REPO_ROOT, "examples", "service", "README.md")];
const read = (f: string) => fs.readFileSync(f, "utf8");
const rel = (f: string) => path.relative(REPO_ROOT, f);

/** `platform:<path>` config keys in a text (not type tokens such as platform:network:Vpc, not placeholders). */
export function platformKeys(text: string): string[] {
    return [...text.matchAll(/(?<![\w-])platform:([A-Za-z][\w.[\]-]*[\w\]])(?![\w:<*.-])/g)].map((m) => m[1].replace(/\[\d*\]/g, "[]"));
}

describe("README and docs name only what exists", () => {
    const scripts = Object.keys(JSON.parse(read(path.join(REPO_ROOT, "package.json"))).scripts as Record<string, string>);
    const keys = configKeyPaths();
    const awsKeys = Object.keys(awsConfig);

    it("the README links the docs a newcomer needs", () => {
        const readme = read(path.join(REPO_ROOT, "README.md"));
        for (const doc of ["docs/configuration.md", "docs/policy-pack.md", "docs/delivery.md", "docs/backups-and-dr.md", "docs/development.md"]) assert.ok(readme.includes(`](${doc})`), doc);
        assert.match(readme, /npm ci && npm run plan -- prod/);
        assert.match(readme, /scripts\/setup-tools\.sh && npm ci && \(cd policies && npm ci\) && npm test/);
        assert.doesNotMatch(readme, /npm ci --prefix/, "--prefix moves npm's global config file: a CA file, proxy or registry set there is ignored");
    });

    it("every `npm run <script>` is a script of package.json", () => {
        let seen = 0;
        for (const f of DOCS) {
            for (const m of read(f).matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)) {
                assert.ok(scripts.includes(m[1]), `${rel(f)}: npm run ${m[1]} is not a script (${scripts.join(", ")})`);
                seen++;
            }
        }
        assert.ok(seen >= 10, `${seen} npm run commands`);
    });

    it("every platform:* key named is a key (or a group of keys) of the config schema", () => {
        let seen = 0;
        for (const f of DOCS) {
            for (const key of platformKeys(read(f))) {
                assert.ok(keys.some((k) => k === key || k.startsWith(`${key}.`) || k.startsWith(`${key}[]`)), `${rel(f)}: platform:${key} is not a config key`);
                seen++;
            }
        }
        assert.ok(seen >= 100, `${seen} keys named`);
        assert.deepEqual(platformKeys("`platform:dr.failover` platform:network:Vpc platform:<key> platform:eks.nodeGroups[0].minSize platform-secrets:x"), ["dr.failover", "eks.nodeGroups[].minSize"]);
    });

    it("every aws:* config key named is one the AWS provider reads", () => {
        for (const f of DOCS) {
            for (const m of read(f).matchAll(/(?<![\w-])aws:([a-z][A-Za-z0-9]*)(?![\w/:-])/g)) assert.ok(awsKeys.includes(m[1]), `${rel(f)}: aws:${m[1]} is not an AWS provider config key`);
        }
    });

    it("docs/configuration.md documents every key of the schema", () => {
        const documented = new Set(platformKeys(read(path.join(REPO_ROOT, "docs", "configuration.md"))));
        assert.deepEqual(keys.filter((k) => !documented.has(k)), []);
    });

    it("every relative link resolves", () => {
        for (const f of DOCS) {
            for (const m of read(f).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
                if (/^[a-z]+:/.test(m[1])) continue;
                assert.ok(fs.existsSync(path.resolve(path.dirname(f), m[1])), `${rel(f)}: link ${m[1]} does not resolve`);
            }
        }
    });
});
