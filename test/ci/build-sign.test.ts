/**
 * The reusable build-sign workflow application teams call: a workflow_call that outputs the
 * digest, every action pinned by commit SHA, OIDC only, cosign through the KMS key with a
 * CycloneDX attestation of the SBOM syft made, and no caller input spliced into a shell script.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { validateWorkflow } from "@action-validator/core";
import { REPO_ROOT } from "../../lib/offline/stack";

const FILE = path.join(REPO_ROOT, ".github", "workflows", "build-sign.yml");

describe("build-sign.yml (reusable: build, SBOM, sign, attest)", () => {
    const text = fs.readFileSync(FILE, "utf8");
    const wf = yaml.load(text) as any;
    const job = wf.jobs["build-sign"];
    const steps: any[] = job.steps;
    const uses = steps.filter((s) => s.uses).map((s) => String(s.uses));
    const runs = steps.filter((s) => s.run).map((s) => String(s.run)).join("\n");

    it("passes action-validator's schema", () => assert.deepEqual(validateWorkflow(text).errors, []));
    it("is only a workflow_call, with the digest and the pinned image as outputs", () => {
        assert.deepEqual(Object.keys(wf.on), ["workflow_call"]);
        assert.match(wf.on.workflow_call.outputs.digest.value, /jobs\.build-sign\.outputs\.digest/);
        assert.equal(job.outputs.digest, "${{ steps.build.outputs.digest }}");
        assert.deepEqual(Object.keys(wf.on.workflow_call.inputs).filter((k) => wf.on.workflow_call.inputs[k].required).sort(), ["aws-region", "cosign-key", "registry-prefix", "repository", "role-to-assume"]);
    });
    it("pins every action by a full commit SHA", () => {
        assert.ok(uses.length >= 7);
        for (const u of uses) assert.match(u, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, u);
        for (const a of ["actions/checkout", "aws-actions/configure-aws-credentials", "aws-actions/amazon-ecr-login", "docker/setup-buildx-action", "docker/build-push-action", "anchore/sbom-action", "sigstore/cosign-installer"]) {
            assert.ok(uses.some((u) => u.startsWith(`${a}@`)), a);
        }
    });
    it("gets AWS credentials through OIDC only (id-token: write, no secrets)", () => {
        assert.equal(wf.permissions["id-token"], "write");
        assert.equal(wf.permissions.contents, "read");
        assert.doesNotMatch(text, /secrets\./);
        assert.equal(steps.find((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@")).with["role-to-assume"], "${{ inputs.role-to-assume }}");
    });
    it("pushes with Buildx, makes a CycloneDX SBOM of the pushed digest, signs and attests that digest with the KMS key", () => {
        const build = steps.find((s) => String(s.uses).startsWith("docker/build-push-action@"));
        assert.equal(build.with.push, true);
        const sbom = steps.find((s) => String(s.uses).startsWith("anchore/sbom-action@"));
        assert.equal(sbom.with.format, "cyclonedx-json");
        assert.equal(sbom.with.image, "${{ steps.ref.outputs.image }}");
        assert.match(runs, /cosign sign --yes --tlog-upload=false --key "\$COSIGN_KEY" "\$IMAGE"/);
        assert.match(runs, /cosign attest --yes --tlog-upload=false --key "\$COSIGN_KEY" --type cyclonedx --predicate sbom\.cdx\.json "\$IMAGE"/);
        assert.match(runs, /cosign verify-attestation .*--type cyclonedx/);
        const order = ["docker/build-push-action@", "anchore/sbom-action@", "sigstore/cosign-installer@"].map((p) => steps.findIndex((s) => String(s.uses).startsWith(p)));
        assert.deepEqual([...order].sort((a, b) => a - b), order);
    });
    it("never splices expressions into shell scripts (inputs reach run steps through env)", () => {
        for (const s of steps.filter((x) => x.run)) assert.doesNotMatch(String(s.run), /\$\{\{/, s.name ?? s.id);
    });
});
