/**
 * The reusable build-sign workflow application teams call: a workflow_call that outputs the
 * digest; every action pinned to the commit of a release that runs on today's hosted runners (no
 * Node 20); QEMU before a multi-arch build; one SBOM per platform attested where verifiers look;
 * the one pinned cosign, in the layout and with the key reference the verifiers use; the signer's
 * repository bound into the signature. Its shell steps run here in bash, as the runner runs them,
 * with stand-ins for docker, syft and cosign that record what they were asked.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { validateWorkflow } from "@action-validator/core";
import { REPO_ROOT } from "../../lib/offline/stack";
import { COSIGN_SIGN_FLAGS, COSIGN_VERIFY_FLAGS, COSIGN_VERSION, KMS_KEY_ARN_REF, SIGNER_REPOSITORY_ANNOTATION } from "../../components/supply-chain/cosign";
import { tempDirs } from "../harness/tmp";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const FILE = path.join(WORKFLOWS, "build-sign.yml");
const ACTIONS = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "data", "github", "actions.json"), "utf8")).actions as Record<string, { sha: string; version: string; using: string }>;

describe("build-sign.yml (reusable: build, SBOM, sign, attest)", () => {
    const text = fs.readFileSync(FILE, "utf8");
    const wf = yaml.load(text) as any;
    const job = wf.jobs["build-sign"];
    const steps: any[] = job.steps;
    const index = (prefix: string) => steps.findIndex((s) => String(s.uses ?? "").startsWith(prefix));
    const step = (name: string) => steps.find((s) => s.name === name);

    it("passes action-validator's schema", () => assert.deepEqual(validateWorkflow(text).errors, []));
    it("is only a workflow_call, with the digest and the pinned image as outputs", () => {
        assert.deepEqual(Object.keys(wf.on), ["workflow_call"]);
        assert.match(wf.on.workflow_call.outputs.digest.value, /jobs\.build-sign\.outputs\.digest/);
        assert.equal(job.outputs.digest, "${{ steps.build.outputs.digest }}");
        assert.deepEqual(Object.keys(wf.on.workflow_call.inputs).filter((k) => wf.on.workflow_call.inputs[k].required).sort(), ["aws-region", "cosign-key", "registry-prefix", "repository", "role-to-assume"]);
    });
    it("gets AWS credentials through OIDC only (id-token: write, no secrets), and a fresh session before signing", () => {
        assert.equal(wf.permissions["id-token"], "write");
        assert.equal(wf.permissions.contents, "read");
        assert.doesNotMatch(text, /secrets\./);
        const creds = steps.filter((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"));
        assert.equal(creds.length, 2);
        for (const c of creds) assert.equal(c.with["role-to-assume"], "${{ inputs.role-to-assume }}");
        assert.ok(steps.indexOf(creds[1]) > index("docker/build-push-action@") && steps.indexOf(creds[1]) < steps.indexOf(step("Sign the index digest and attest every platform's SBOM through the KMS key")));
    });
    it("registers QEMU for the requested platforms before Buildx builds them (the default builds linux/arm64 on x86-64 runners)", () => {
        assert.equal(wf.on.workflow_call.inputs.platforms.default, "linux/amd64,linux/arm64");
        const qemu = index("docker/setup-qemu-action@");
        assert.ok(qemu >= 0, "docker/setup-qemu-action is missing");
        assert.equal(steps[qemu].with.platforms, "${{ inputs.platforms }}");
        assert.ok(qemu < index("docker/setup-buildx-action@") && qemu < index("docker/build-push-action@"));
        assert.equal(steps[index("docker/build-push-action@")].with.platforms, "${{ inputs.platforms }}");
    });
    it("never splices expressions into shell scripts (inputs reach run steps through env)", () => {
        for (const s of steps.filter((x) => x.run)) assert.doesNotMatch(String(s.run), /\$\{\{/, s.name ?? s.id);
    });

    describe("every action of every workflow is pinned to a release commit that runs on current hosted runners", () => {
        const all = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).flatMap((f) => {
            const w = yaml.load(fs.readFileSync(path.join(WORKFLOWS, f), "utf8")) as any;
            return Object.values(w.jobs ?? {}).flatMap((j: any) => (j.steps ?? []).filter((s: any) => s.uses).map((s: any) => ({ file: f, uses: String(s.uses) })));
        });
        it("each is <action>@<40-hex commit> of the release the facts table names, whose action.yml runs node24 or composite", () => {
            assert.ok(all.length >= 20);
            for (const { file, uses: u } of all.filter((x) => !x.uses.startsWith("./"))) {
                const [action, sha] = u.split("@");
                const fact = ACTIONS[action];
                assert.ok(fact, `${file}: ${action} is not in test/data/github/actions.json (record its release, commit and runtime)`);
                assert.equal(sha, fact.sha, `${file}: ${action} is pinned to ${sha}, not ${fact.version} (${fact.sha})`);
                assert.ok(["node24", "composite"].includes(fact.using), `${action} ${fact.version} runs ${fact.using}`);
            }
        });
        it("the version comment beside each pin names the recorded release", () => {
            for (const f of fs.readdirSync(WORKFLOWS).filter((x) => /\.ya?ml$/.test(x))) {
                for (const m of fs.readFileSync(path.join(WORKFLOWS, f), "utf8").matchAll(/uses: ([\w.\/-]+)@([0-9a-f]{40}) # (\S+)/g)) assert.equal(m[3], ACTIONS[m[1]]?.version, `${f}: ${m[1]}`);
            }
        });
        it("Dependabot watches the actions and both npm projects (root and policies/)", () => {
            const d = yaml.load(fs.readFileSync(path.join(REPO_ROOT, ".github", "dependabot.yml"), "utf8")) as any;
            assert.equal(d.version, 2);
            const has = (eco: string, dir: string) => d.updates.some((u: any) => u["package-ecosystem"] === eco && u.directory === dir && u.schedule?.interval);
            assert.ok(has("github-actions", "/"));
            assert.ok(has("npm", "/"));
            assert.ok(has("npm", "/policies"));
            for (const dir of ["", "policies"]) for (const f of ["package.json", "package-lock.json"]) assert.ok(fs.existsSync(path.join(REPO_ROOT, dir, f)), `${dir}/${f}`);
        });
    });

    describe("one cosign, one layout and one key reference for signer and verifiers", () => {
        it(`installs cosign ${COSIGN_VERSION} (the cosign Kyverno 1.19.0 links), not the installer's default`, () => {
            assert.equal(wf.env.COSIGN_RELEASE, COSIGN_VERSION);
            assert.equal(steps[index("sigstore/cosign-installer@")].with["cosign-release"], "${{ env.COSIGN_RELEASE }}");
        });
        it("every sign/attest writes the legacy tag layout without the public log, and every verify reads that layout", () => {
            const scripts = steps.filter((s) => s.run).map((s) => String(s.run).replace(/\\\n\s*/g, " "));
            const calls = scripts.flatMap((s) => [...s.matchAll(/cosign (sign|attest|verify|verify-attestation) ([^\n]*)/g)].map((m) => ({ verb: m[1], args: m[2] })));
            assert.deepEqual([...new Set(calls.map((c) => c.verb))].sort(), ["attest", "sign", "verify", "verify-attestation"]);
            for (const c of calls) {
                const flags = c.verb.startsWith("verify") ? COSIGN_VERIFY_FLAGS : COSIGN_SIGN_FLAGS;
                for (const f of flags) assert.ok(c.args.includes(f), `cosign ${c.verb} lacks ${f}`);
                assert.match(c.args, /--key "\$COSIGN_KEY"/, `cosign ${c.verb} uses the key input`);
            }
        });
        it("refuses a key reference that is not a key ARN (the verifiers pin the key, never the alias)", () => {
            const guard = step("Refuse a key reference that is not a key ARN");
            assert.equal(steps.indexOf(guard), 0);
            assert.equal(guard.env.COSIGN_KEY, "${{ inputs.cosign-key }}");
            const run = (key: string) => spawnSync("bash", ["-c", String(guard.run)], { env: { PATH: process.env.PATH, COSIGN_KEY: key }, encoding: "utf8" }).status;
            const keyRef = "awskms:///arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051";
            assert.ok(KMS_KEY_ARN_REF.test(keyRef));
            assert.equal(run(keyRef), 0);
            for (const bad of ["awskms:///arn:aws:kms:eu-west-1:123456789012:alias/platform-prod-cosign", "awskms:///alias/platform-prod-cosign", "cosign.key"]) {
                assert.equal(run(bad), 1, bad);
                assert.equal(KMS_KEY_ARN_REF.test(bad), false, bad);
            }
        });
    });

    describe("the shell steps, run in bash with recording stand-ins for docker, syft and cosign", () => {
        const tmp = tempDirs("build-sign-");
        const NAME = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-prod/shop/api";
        const hex = (c: string) => c.repeat(64);
        const INDEX = `sha256:${hex("1")}`;
        const AMD = `sha256:${hex("a")}`;
        const ARM = `sha256:${hex("b")}`;
        let dir: string;
        let log: string;
        const runStep = (s: any, env: Record<string, string>) => {
            const r = spawnSync("bash", ["-e", "-c", String(s.run)], { cwd: dir, env: { PATH: `${dir}/bin:${process.env.PATH}`, LOG: log, GITHUB_STEP_SUMMARY: `${dir}/summary`, GITHUB_OUTPUT: `${dir}/output`, GITHUB_REPOSITORY: "example-org/shop", GITHUB_REF: "refs/heads/main", GITHUB_SHA: hex("c").slice(0, 40), GITHUB_RUN_ID: "42", ...env }, encoding: "utf8" });
            assert.equal(r.status, 0, `${s.name}: ${r.stderr}`);
            return r;
        };
        before(() => {
            dir = tmp();
            log = path.join(dir, "calls.log");
            fs.mkdirSync(path.join(dir, "bin"));
            const index = { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [
                { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: AMD, size: 1, platform: { os: "linux", architecture: "amd64" } },
                { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: ARM, size: 1, platform: { os: "linux", architecture: "arm64" } },
                { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${hex("d")}`, size: 1, platform: { os: "unknown", architecture: "unknown" } },
            ] };
            const stub = (name: string, body: string) => fs.writeFileSync(path.join(dir, "bin", name), `#!/usr/bin/env bash\necho "${name} $*" >> "$LOG"\n${body}\n`, { mode: 0o755 });
            stub("docker", `[[ "$1 $2 $3 $4" == "buildx imagetools inspect --raw" ]] && echo '${JSON.stringify(index)}'`);
            stub("syft", `out="\${@: -1}"; echo '{"bomFormat":"CycloneDX"}' > "\${out#cyclonedx-json=}"`);
            stub("cosign", "true");
        });

        it("writes one SBOM per platform of the index (not of the runner's image), attests each on the index and on its platform's manifest, and signs the index once with the signer's repository annotated", () => {
            runStep(step("One CycloneDX SBOM per platform of the pushed index"), { NAME, IMAGE: `${NAME}@${INDEX}`, SYFT: `${dir}/bin/syft` });
            const listed = fs.readFileSync(path.join(dir, "sboms", "index.txt"), "utf8").trim().split("\n");
            assert.deepEqual(listed, [`${AMD} sboms/linux-amd64.cdx.json`, `${ARM} sboms/linux-arm64.cdx.json`]);
            for (const f of ["linux-amd64", "linux-arm64"]) assert.ok(fs.existsSync(path.join(dir, "sboms", `${f}.cdx.json`)));
            const scans = fs.readFileSync(log, "utf8").split("\n").filter((l) => l.startsWith("syft "));
            assert.deepEqual(scans.map((l) => l.split(" ")[2]), [`registry:${NAME}@${AMD}`, `registry:${NAME}@${ARM}`]);

            runStep(step("Sign the index digest and attest every platform's SBOM through the KMS key"), { NAME, IMAGE: `${NAME}@${INDEX}`, COSIGN_KEY: "awskms:///arn:aws:kms:eu-west-1:123456789012:key/x" });
            const cosign = fs.readFileSync(log, "utf8").split("\n").filter((l) => l.startsWith("cosign "));
            const signs = cosign.filter((l) => l.startsWith("cosign sign "));
            assert.equal(signs.length, 1);
            assert.ok(signs[0].endsWith(` ${NAME}@${INDEX}`));
            assert.ok(signs[0].includes(`-a ${SIGNER_REPOSITORY_ANNOTATION}=example-org/shop`), signs[0]);
            const attests = cosign.filter((l) => l.startsWith("cosign attest ")).map((l) => [l.match(/--predicate (\S+)/)![1], l.split(" ").pop()]);
            assert.deepEqual(attests, [
                ["sboms/linux-amd64.cdx.json", `${NAME}@${INDEX}`], ["sboms/linux-amd64.cdx.json", `${NAME}@${AMD}`],
                ["sboms/linux-arm64.cdx.json", `${NAME}@${INDEX}`], ["sboms/linux-arm64.cdx.json", `${NAME}@${ARM}`],
            ]);
        });

        it("verifies with the same key, layout and signer annotation admission requires", () => {
            fs.writeFileSync(log, "");
            runStep(step("Verify what admission will verify"), { IMAGE: `${NAME}@${INDEX}`, COSIGN_KEY: "awskms:///arn:aws:kms:eu-west-1:123456789012:key/x" });
            const calls = fs.readFileSync(log, "utf8").trim().split("\n");
            assert.equal(calls.length, 2);
            assert.ok(calls[0].startsWith("cosign verify ") && calls[0].includes(`-a ${SIGNER_REPOSITORY_ANNOTATION}=example-org/shop`), calls[0]);
            assert.ok(calls[1].startsWith("cosign verify-attestation ") && calls[1].includes("--type cyclonedx"));
        });
    });
});
