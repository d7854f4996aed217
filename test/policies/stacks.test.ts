/**
 * The platform's own stacks pass every mandatory policy under their committed policy config
 * (policies/config/<stack>.json, as `--policy-pack-config` gets it), and a copy of each stack with
 * one defect injected per policy is caught by exactly that policy.
 */
import * as assert from "node:assert/strict";
import { evaluatePack } from "../../policies/evaluate";
import { toPolicyResource } from "../../policies/lib/resources";
import { packConfigFile, readPackConfigFile } from "../../scripts/lib/pack-config";
import { builtStack, STACKS } from "../../lib/offline/stack";
import { defectsFor } from "../harness/defects";

describe("the platform obeys its own policies", () => {
    for (const stack of STACKS) {
        it(`${stack} has no violation, and an injected defect per policy is caught`, async () => {
            const s = await builtStack(stack);
            const cfg = readPackConfigFile(packConfigFile(stack));
            const resources = s.resources.map(toPolicyResource);
            assert.deepEqual(evaluatePack(resources, cfg), []);
            for (const { policy, pick, inject } of defectsFor(s.config)) {
                const copy = structuredClone(resources);
                const target = copy.find(pick);
                assert.ok(target, `${stack} has no resource for ${policy}`);
                inject(target);
                assert.deepEqual([...new Set(evaluatePack(copy, cfg).map((v) => v.policy))], [policy]);
            }
        });
    }
});
