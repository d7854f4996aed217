/**
 * The `drDrill` stack output of every stack: it satisfies the drill's contract, names the resources
 * the stack really registers (the replica's identifier, the template ids), and the drill accepts
 * staging and refuses dev (no DR) and prod (production) from it.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { drDrillSchema, DrDrillOutput } from "../../scripts/dr/contract";
import { refusals } from "../../scripts/dr/decide";
import { builtStack, idOf, promiseOf, STACKS } from "../../lib/offline/stack";

async function drillOutput(stack: string): Promise<DrDrillOutput> {
    const s = await builtStack(stack);
    return drDrillSchema.parse(await promiseOf(s.platform.outputs.drDrill as pulumi.Input<unknown>));
}
const flags = (stack: string) => ({ stack, allowProduction: false, deadlineMinutes: 100 });

describe("drDrill stack output", () => {
    for (const stack of STACKS) {
        it(`${stack}: satisfies the drill's contract and names the stack's own resources`, async () => {
            const s = await builtStack(stack);
            const out = await drillOutput(stack);
            assert.deepEqual([out.stack, out.environment, out.primary.region], [stack, s.config.environment, s.config.region]);
            const primary = s.get("aws:rds/instance:Instance", "database-instance");
            assert.equal(out.primary.database.identifier, primary.inputs.identifier);
            assert.equal(out.primary.database.multiAz, primary.inputs.multiAz);
            assert.equal(out.primary.cluster.name, s.get("aws:eks/cluster:Cluster", "eks-cluster").inputs.name);
            assert.deepEqual(out.targets, s.config.dr.enabled ? s.config.dr.targets : {});
            assert.deepEqual(out.design, s.platform.drReport);
            if (out.dr.enabled) {
                // The replica the drill measures and copies is the one DisasterRecovery registers in the DR region.
                const replica = s.get("aws:rds/instance:Instance", "dr-database-instance");
                assert.ok(out.dr.database.mode === "replica");
                assert.equal(out.dr.database.replica.identifier, replica.inputs.identifier);
                assert.equal(out.dr.region, s.config.dr.region);
                assert.equal(out.dr.cluster.built, s.ofType("aws:eks/cluster:Cluster").length === 2);
                assert.equal(out.dr.database.replicatedBackupsArn, await promiseOf(s.platform.outputs.drReplicatedBackupsArn as string));
                assert.equal(out.dr.database.credentialSecretArn, await promiseOf(s.platform.outputs.drDbMasterSecretArn as string));
                assert.equal(out.dr.runner?.project, s.get("aws:codebuild/project:Project", "dr-ci-runner-project").inputs.name);
            } else {
                assert.equal(s.config.dr.enabled, false);
            }
            const templates = s.ofType("aws:fis/experimentTemplate:ExperimentTemplate");
            if (out.chaos.enabled) {
                const ids = await Promise.all(templates.map(idOf));
                assert.deepEqual(out.chaos.templates.map((t) => t.id).sort(), ids.sort());
                for (const t of out.chaos.templates) assert.equal(t.action, templates.find((r) => r.name === `chaos-${t.key}`)!.inputs.actions[0].actionId);
            } else {
                assert.deepEqual(templates, []);
            }
            assert.doesNotMatch(JSON.stringify(out), /password|BEGIN|secret:rds!/i, "no secret in the output");
        });
    }

    it("the drill accepts staging's outputs and refuses dev's (no DR) and prod's (production)", async () => {
        assert.deepEqual(refusals(await drillOutput("staging"), flags("staging")), []);
        assert.match(refusals(await drillOutput("dev"), flags("dev")).join(), /has no DR/);
        assert.match(refusals(await drillOutput("prod"), flags("prod")).join(), /stack prod is production/);
    });
});
