/**
 * One default list of allowed registries: the pack's own default (policies/lib/types.ts, what the
 * engine fills in when `--policy-pack-config` leaves it out) is the stack config's default
 * (platform:supplyChain.allowedRegistries), which the generated policies/config/*.json carry. It
 * includes reg.kyverno.io, where the Kyverno chart the platform installs pulls its images.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { CONFIG_PROPERTIES } from "../../policies/lib/types";
import { supplyChainSchema } from "../../stacks/config-schema";
import { REPO_ROOT } from "../../lib/offline/stack";

const DIGEST = "sha256:" + "c".repeat(64);

describe("allowed registries: one default for the pack and the stack config", () => {
    it("the stack config's default is the pack's default", () => {
        assert.deepEqual(supplyChainSchema.parse({}).allowedRegistries, [...CONFIG_PROPERTIES.allowedRegistries.default]);
    });
    it("a stack that leaves the key out generates the pack's default", () => {
        for (const dir of ["policies/config", "policies/config/service"]) {
            for (const f of fs.readdirSync(path.join(REPO_ROOT, dir)).filter((x) => x.endsWith(".json"))) {
                if (fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${f.replace(/\.json$/, "")}.yaml`), "utf8").includes("allowedRegistries")) continue;
                const cfg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, dir, f), "utf8"));
                assert.deepEqual(cfg["image-digest-and-registry"].allowedRegistries, [...CONFIG_PROPERTIES.allowedRegistries.default], `${dir}/${f}`);
            }
        }
    });
    it("with the pack's defaults, a Kyverno image from reg.kyverno.io is allowed; another registry is not", () => {
        const pod = (image: string) => ({ urn: "p", type: "kubernetes:core/v1:Pod", name: "p", props: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "kyverno" }, spec: { containers: [{ name: "c", image }] } } });
        const registry = (image: string) => evaluatePack([pod(image)], parsePackConfig({})).filter((v) => v.policy === "image-digest-and-registry").map((v) => v.message);
        assert.deepEqual(registry(`reg.kyverno.io/kyverno/kyverno@${DIGEST}`), []);
        assert.equal(registry(`registry.example.com/kyverno/kyverno@${DIGEST}`).length, 1);
    });
});
