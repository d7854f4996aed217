/**
 * The GitHub set-up has one source of truth (issue 21, finding 8): docs/deploy.md's "GitHub set-up"
 * table names exactly the `vars.X` and `secrets.X` the workflows read; README, delivery.md and
 * supply-chain.md point to it instead of keeping lists of their own; every `pulumi stack init` the
 * docs show names the secrets provider CI can decrypt; and a doc claiming Dependabot keeps something
 * current has its config beside it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../lib/offline/stack";

const read = (...p: string[]) => fs.readFileSync(path.join(REPO_ROOT, ...p), "utf8");
const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");

/** `vars.X` / `secrets.X` in a text. */
export const contextNames = (text: string) => new Set([...text.matchAll(/\b(vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => `${m[1]}.${m[2]}`));

/** The names in the first column of the GitHub set-up table of docs/deploy.md. */
export function documentedNames(deployMd: string): Set<string> {
    const section = /^## GitHub set-up\n([\s\S]*?)(?=^## )/m.exec(deployMd)?.[1] ?? "";
    return new Set([...section.matchAll(/^\| `((?:vars|secrets)\.[A-Za-z_][A-Za-z0-9_]*)` \|/gm)].map((m) => m[1]));
}

describe("GitHub set-up: one source of truth", () => {
    it("every vars.X and secrets.X a workflow reads is in docs/deploy.md's table, and the table names nothing unread", () => {
        const read_ = new Set<string>();
        for (const f of fs.readdirSync(WORKFLOWS).filter((x) => x.endsWith(".yml"))) for (const n of contextNames(fs.readFileSync(path.join(WORKFLOWS, f), "utf8"))) read_.add(n);
        const documented = documentedNames(read("docs", "deploy.md"));
        assert.ok(read_.size >= 6, [...read_].join());
        assert.deepEqual([...read_].filter((n) => !documented.has(n)).sort(), [], "read by a workflow, not documented");
        assert.deepEqual([...documented].filter((n) => !read_.has(n)).sort(), [], "documented, read by no workflow");
    });

    it("the rule sees a variable missing from the table and one the workflows no longer read", () => {
        const doc = "## GitHub set-up\n| name |\n| --- |\n| `vars.AWS_REGION` | x |\n| `secrets.PULUMI_ACCESS_TOKEN` | x |\n## Next\n";
        assert.deepEqual([...documentedNames(doc)], ["vars.AWS_REGION", "secrets.PULUMI_ACCESS_TOKEN"]);
        assert.deepEqual([...contextNames("role: ${{ vars.AWS_DEPLOY_ROLE_ARN }} ${{ secrets.GITHUB_TOKEN }} github.event")], ["vars.AWS_DEPLOY_ROLE_ARN", "secrets.GITHUB_TOKEN"]);
    });

    it("README, delivery.md and supply-chain.md point to it and keep no list of their own", () => {
        for (const f of ["README.md", "docs/delivery.md", "docs/supply-chain.md"]) {
            const text = read(f);
            assert.match(text, /\]\((?:docs\/)?deploy\.md#github-set-up\)/, `${f} links GitHub set-up`);
            for (const n of ["AWS_DEPLOY_ROLE_ARN", "AWS_PREVIEW_ROLE_ARN", "PULUMI_BACKEND_URL", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PREVIEW_STACKS"]) {
                assert.doesNotMatch(text, new RegExp(`\\b${n}\\b`), `${f} names ${n}: the list lives in docs/deploy.md`);
            }
        }
    });

    it("every `pulumi stack init` shown names the secrets provider (or is a Pulumi Cloud stack)", () => {
        const docs = ["README.md", ...fs.readdirSync(path.join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
        let seen = 0;
        for (const f of docs) {
            for (const m of read(f).matchAll(/pulumi stack init ([^\n`]*)/g)) {
                seen++;
                if (f === "docs/deploy.md" && /bootstrap|shared/.test(m[1])) continue;
                assert.ok(/--secrets-provider/.test(m[1]) || /^<org>\//.test(m[1].trim()), `${f}: pulumi stack init ${m[1]}`);
            }
        }
        assert.ok(seen >= 3, `${seen}`);
    });

    it("a doc saying Dependabot keeps something current has .github/dependabot.yml beside it", () => {
        const claims = ["README.md", ...fs.readdirSync(path.join(REPO_ROOT, "docs")).map((f) => `docs/${f}`).filter((f) => f.endsWith(".md"))].filter((f) => /Dependabot/i.test(read(f)));
        if (claims.length > 0) assert.ok(fs.existsSync(path.join(REPO_ROOT, ".github", "dependabot.yml")), `${claims.join(", ")} name Dependabot, which is not configured`);
    });
});
