/**
 * The GitHub workflows and the policy pack configs they pass are valid.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { validateWorkflow } from "@action-validator/core";
import { readPackConfigFile } from "../../scripts/lib/pack-config";
import { REPO_ROOT, STACKS } from "../../lib/offline/stack";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");

describe("GitHub workflows", () => {
    const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
    it("exist for pull requests, deploys, the reusable up job, the reusable build-sign job and the DR drill", () => {
        assert.deepEqual(files.sort(), ["build-sign.yml", "deploy.yml", "dr-drill.yml", "pull-request.yml", "up.yml"]);
    });
    for (const file of files) {
        it(`${file} passes action-validator's workflow schema`, () => {
            const state = validateWorkflow(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
            assert.deepEqual(state.errors, []);
        });
    }
    it("the validator does fail a broken workflow", () => {
        assert.notDeepEqual(validateWorkflow("name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: 3\n").errors, []);
    });
    it("previews and deploys every stack with the policy pack", () => {
        const pr = yaml.load(fs.readFileSync(path.join(WORKFLOWS, "pull-request.yml"), "utf8")) as any;
        // Every stack by default; vars.PREVIEW_STACKS narrows it while stacks are being bootstrapped.
        const m = /^\$\{\{ fromJSON\(vars\.PREVIEW_STACKS \|\| '(\[.*\])'\) \}\}$/.exec(pr.jobs.preview.strategy.matrix.stack);
        assert.ok(m, String(pr.jobs.preview.strategy.matrix.stack));
        assert.deepEqual(JSON.parse(m[1]), [...STACKS]);
        const preview = pr.jobs.preview.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.equal(preview.with.command, "preview");
        assert.equal(preview.with.policyPacks, "policies");
        const up = yaml.load(fs.readFileSync(path.join(WORKFLOWS, "up.yml"), "utf8")) as any;
        assert.equal(up.jobs.up.environment, "${{ inputs.stack }}");
        assert.equal(up.jobs.up.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@")).with.policyPacks, "policies");
        const deploy = yaml.load(fs.readFileSync(path.join(WORKFLOWS, "deploy.yml"), "utf8")) as any;
        assert.deepEqual(Object.keys(deploy.jobs), ["manual", "dev", "staging", "prod"]);
        assert.equal(deploy.jobs.prod.needs, "staging");
    });
});

describe("policy pack configs passed by the workflows", () => {
    for (const stack of STACKS) {
        it(`policies/config/${stack}.json is valid and names its environment`, () => {
            const config = readPackConfigFile(path.join(REPO_ROOT, "policies", "config", `${stack}.json`));
            for (const policy of ["rds-baseline", "s3-baseline", "backup-vault-baseline"]) assert.equal(config[policy].properties.environment, stack, policy);
        });
    }
});
