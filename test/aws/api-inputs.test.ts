/**
 * Every input the AWS API constrains, in every stack, fits the service models (lib/aws/facts.json,
 * derived from the SDK clients, botocore and the API reference by scripts/derive-aws-facts.ts).
 */
import * as assert from "node:assert/strict";
import { API_INPUTS, UNCONSTRAINED_TYPES } from "../../lib/aws/api-inputs";
import { valuesAt, violation } from "../../lib/aws/check";
import { awsFacts } from "../../lib/aws/facts";
import { BACKUP_VAULT_EVENTS } from "../../components/backup/aws-backup";
import { builtStack, STACKS } from "../../lib/offline/stack";

describe("AWS API constraints (service models)", () => {
    const facts = awsFacts();
    it("every mapped input has a derived constraint that can reject something", () => {
        for (const e of API_INPUTS) {
            const c = facts.inputs[`${e.type} ${e.input}`];
            assert.ok(c, `no facts for ${e.type} ${e.input}: run npm run -s derive:aws-facts`);
            assert.ok(c.enum || c.min !== undefined || c.max !== undefined || c.pattern, `${e.type} ${e.input}: the facts constrain nothing`);
        }
    });
    it("the checker rejects deprecated and unknown enum values, out-of-range numbers and bad names", () => {
        const events = facts.inputs["aws:backup/vaultNotifications:VaultNotifications backupVaultEvents[]"];
        for (const old of ["BACKUP_JOB_FAILED", "BACKUP_JOB_EXPIRED", "RESTORE_JOB_FAILED"]) assert.match(violation(events, old) ?? "", /deprecated/);
        assert.match(violation(events, "BACKUP_JOB_EXPLODED") ?? "", /not one of/);
        assert.equal(violation(events, "BACKUP_JOB_COMPLETED"), undefined);
        assert.match(violation(facts.inputs["aws:opensearch/domain:Domain domainName"], "platform-production-traces-xy") ?? "", /longer than 28/);
        assert.match(violation(facts.inputs["aws:rds/instance:Instance backupRetentionPeriod"], 36) ?? "", /above the maximum 35/);
        assert.match(violation(facts.inputs["aws:rds/instance:Instance identifier"], "db--x") ?? "", /does not match/);
        assert.match(violation(facts.inputs["aws:backup/selection:Selection name"], "bad name!") ?? "", /does not match/);
    });
    it("the backup vault subscribes only to events AWS still sends", () => {
        const events = facts.inputs["aws:backup/vaultNotifications:VaultNotifications backupVaultEvents[]"];
        assert.deepEqual(BACKUP_VAULT_EVENTS.filter((e) => violation(events, e)), []);
        assert.ok(BACKUP_VAULT_EVENTS.includes("BACKUP_JOB_COMPLETED"), "backup job outcomes (failures included) arrive as BACKUP_JOB_COMPLETED");
    });

    for (const stack of STACKS) {
        it(`${stack}: every constrained input fits the AWS API`, async () => {
            const built = await builtStack(stack);
            const problems: string[] = [];
            let checked = 0;
            for (const e of API_INPUTS) {
                const c = facts.inputs[`${e.type} ${e.input}`];
                for (const r of built.ofType(e.type)) {
                    for (const v of valuesAt(r.inputs, e.input)) {
                        checked++;
                        const why = violation(c, v);
                        if (why) problems.push(`${r.type} ${r.name} ${e.input}: ${why}`);
                    }
                }
            }
            assert.deepEqual(problems, []);
            assert.ok(checked > 100, `only ${checked} values checked`);
        });
        it(`${stack}: every AWS resource type is mapped to its constraints or listed as unconstrained`, async () => {
            const built = await builtStack(stack);
            const known = new Set([...API_INPUTS.map((e) => e.type), ...UNCONSTRAINED_TYPES]);
            const unknown = [...new Set(built.resources.filter((r) => r.custom && r.type.startsWith("aws:") && !r.type.startsWith("pulumi:providers")).map((r) => r.type))].filter((t) => !known.has(t));
            assert.deepEqual(unknown, []);
        });
    }
});
