/**
 * Values the pack reads as AWS, its provider and the engine read them (policies/lib: aws-values.ts,
 * cidr.ts, tls-deny.ts, config.ts), on the cases mutation testing (`npm run mutation`) found no
 * in-process test for: booleans and integers given as other types or as text whose reading is in
 * doubt, KMS key ARNs given as lists or with trailing lines, IPv6 text forms (embedded IPv4,
 * compressed groups) and unions that start with one address, TLS denies narrowed or widened by their
 * Condition, and the config validator's refusals (each naming the field and the allowed values).
 */
import * as assert from "node:assert/strict";
import { evaluatePack, loadPackConfig, parsePackConfig, PolicyConfigError } from "../../policies/evaluate";
import { awsNumber } from "../../policies/lib/aws-values";
import { coveredFamilies, parseCidr, Range } from "../../policies/lib/cidr";
import { reconcileConfig } from "../../policies/lib/config";
import { deniesInsecureTransport } from "../../policies/lib/tls-deny";
import type { PolicyResource } from "../../policies/lib/types";

const prod = parsePackConfig({ environment: "prod" });
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
let n = 0;
const res = (type: string, props: Record<string, any>): PolicyResource => ({ urn: `urn:${type}::v${++n}`, type, name: `v${n}`, props, protect: true });
const messages = (r: PolicyResource, policy: string) => evaluatePack([r], prod).filter((v) => v.policy === policy).map((v) => v.message);
const rds = (over: Record<string, unknown>) => messages(res("aws:rds/instance:Instance", {
    engine: "postgres", storageEncrypted: true, kmsKeyId: KEY, publiclyAccessible: false, backupRetentionPeriod: 14, iamDatabaseAuthenticationEnabled: true,
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"], deletionProtection: true, multiAz: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "final", ...over,
}), "rds-baseline");
const logGroup = (props: Record<string, unknown>) => messages(res("aws:cloudwatch/logGroup:LogGroup", { kmsKeyId: KEY, retentionInDays: 30, ...props }), "log-group-baseline");
const UNENCRYPTED = "CloudWatch log group must be encrypted with a customer-managed KMS key.";
const NO_RETENTION = "CloudWatch log group must set a retention (retentionInDays) [CloudWatch.16].";

describe("mutation-found cases: AWS values", () => {
    it("a boolean given as a number or an object is no boolean the provider takes: a must-not-be-true rule fails closed", () => {
        assert.deepEqual(rds({}), []);
        for (const v of [1, 0, {}, ["true"]]) assert.deepEqual(rds({ publiclyAccessible: v }), ["RDS instance must not be publicly accessible [RDS.2]."], JSON.stringify(v));
        assert.deepEqual(rds({ publiclyAccessible: "0" }), []);
    });

    it("an integer given as text is read only as a plain decimal integer; text whose reading is in doubt fails closed", () => {
        for (const v of ["+30", "30", 30]) assert.deepEqual(logGroup({ retentionInDays: v }), [], String(v));
        // Leading zeros (octal for the SDK's ParseInt), a fraction, an exponent, hex, spaces: no reading every provider path agrees on.
        for (const v of ["030", "30.0", "30.5", "3e1", "0x1e", " 30", "30 ", "", "-", "+", [30], ["30"]]) assert.deepEqual(logGroup({ retentionInDays: v }), [NO_RETENTION], JSON.stringify(v));
        assert.deepEqual(rds({ backupRetentionPeriod: "014" }), ["RDS instance must keep automated backups for at least 7 days; has 014 [RDS.11]."]);
        assert.deepEqual([awsNumber(undefined), awsNumber(null), awsNumber("-1"), awsNumber("0"), awsNumber(Infinity)], [undefined, undefined, -1, 0, NaN]);
    });

    it("a KMS key is one ARN string: a list holding one, text around it, a key id under aws/ or a non-ARN is refused; an alias merely containing aws/ is a customer key", () => {
        for (const kmsKeyId of [[KEY], `${KEY}\n`, `${KEY}\nx`, ` ${KEY}`, `x${KEY}`, "arn:aws:kms:eu-west-1:123456789012:key/aws/rds", "not-an-arn", 5]) assert.deepEqual(logGroup({ kmsKeyId }), [UNENCRYPTED], JSON.stringify(kmsKeyId));
        for (const kmsKeyId of ["arn:aws:kms:eu-west-1:123456789012:alias/team-aws/logs", "arn:aws-cn:kms:cn-north-1:123456789012:alias/logs", KEY]) assert.deepEqual(logGroup({ kmsKeyId }), [], kmsKeyId);
    });
});

const range = (cidr: string) => {
    const r = parseCidr(cidr);
    return r && [r.family, r.first.toString(16), r.last.toString(16)];
};
const covered = (cidrs: string[]) => coveredFamilies(cidrs.map((c) => parseCidr(c)).filter((r): r is Range => r !== undefined));

describe("mutation-found cases: CIDR blocks and their unions", () => {
    it("IPv6 with an embedded IPv4 address: after ::, after a group, or refused when the address is not one", () => {
        assert.deepEqual(range("::1.2.3.4/128"), ["ipv6", "1020304", "1020304"]);
        assert.deepEqual(range("::ffff:1.2.3.4/128"), ["ipv6", "ffff01020304", "ffff01020304"]);
        assert.deepEqual(range("::ffff:192.168.100.200/128"), ["ipv6", "ffffc0a864c8", "ffffc0a864c8"]);
        assert.deepEqual(range("1:2:3:4:5:6:1.2.3.4/128"), ["ipv6", "10002000300040005000601020304", "10002000300040005000601020304"]);
        for (const bad of ["::ffff:300.1.2.3/128", "::100.1.2.3a/128", "::a1.2.3.4/128", "1.2.3.4::/128", "1:2:3:4:5:6:7:1.2.3.4/128"]) assert.equal(parseCidr(bad), undefined, bad);
    });

    it("compressed IPv6 groups expand in place; :: stands for at least one group", () => {
        assert.deepEqual(range("1::1/128"), ["ipv6", "10000000000000000000000000001", "10000000000000000000000000001"]);
        assert.deepEqual(range("8000::/1"), ["ipv6", "80000000000000000000000000000000", "ffffffffffffffffffffffffffffffff"]);
        assert.equal(parseCidr("1:2:3:4::5:6:7:8/128"), undefined);
        assert.deepEqual(range("1:2:3::4:5:6:7/128"), ["ipv6", "10002000300000004000500060007", "10002000300000004000500060007"]);
    });

    it("a union is all of a family whatever the order of its blocks, including one that starts with a single address", () => {
        assert.deepEqual(covered(["8000::/1", "::/1"]), ["ipv6"]);
        assert.deepEqual(covered(["8000::1/1", "::/1"]), ["ipv6"]);
        assert.deepEqual(covered(["0.0.0.0/1", "0.0.0.0/2", "128.0.0.0/1"]), ["ipv4"], "a block inside one already counted takes nothing back");
        // 0.0.0.0/32, 0.0.0.1/32, 0.0.0.2/31, 0.0.0.4/30 ... 128.0.0.0/1: every IPv4 address, largest block first.
        const steps = Array.from({ length: 32 }, (_, k) => {
            const start = 2 ** k;
            return `${[24, 16, 8, 0].map((s) => Math.floor(start / 2 ** s) % 256).join(".")}/${32 - k}`;
        });
        const blocks = ["0.0.0.0/32", ...steps].reverse();
        assert.deepEqual(covered(blocks), ["ipv4"]);
        assert.deepEqual(covered(blocks.filter((b) => b !== "0.0.0.1/32")), []);
    });

    it("a security group open to all of IPv6 through two halves given high half first is refused", () => {
        const sg = res("aws:ec2/securityGroup:SecurityGroup", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["8000::/1", "::/1"] }] });
        assert.equal(evaluatePack([sg], prod).filter((v) => v.policy === "security-group-baseline").length, 1);
    });
});

describe("mutation-found cases: a bucket policy's TLS deny", () => {
    const statement = (over: Record<string, unknown>) => ({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } }, ...over }] });

    it("only a Condition of exactly Bool aws:SecureTransport false counts: none, a list, another operator or a test that is not an object does not", () => {
        assert.equal(deniesInsecureTransport(statement({}), "b"), true);
        assert.equal(deniesInsecureTransport(statement({ Condition: { BoolIfExists: { "AWS:SecureTransport": ["true", "FALSE"] } } }), "b"), true);
        for (const Condition of [undefined, null, [], "Bool", { StringEquals: { "aws:SecureTransport": "false" } }, { Bool: "aws:SecureTransport" }, { Bool: [{ "aws:SecureTransport": "false" }] }, { Bool: null },
            { "ForAnyValue:Bool": { "aws:SecureTransport": "false" } }, { BoolIfExistsX: { "aws:SecureTransport": "false" } }, "B", 5, true]) {
            assert.equal(deniesInsecureTransport(statement({ Condition }), "b"), false, JSON.stringify(Condition));
        }
    });
});

describe("mutation-found cases: a bucket policy's TLS deny scope", () => {
    const deny = (over: Record<string, unknown>, bucket = "a.b") => deniesInsecureTransport({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::a.b", "arn:aws:s3:::a.b/*"], Condition: { Bool: { "aws:SecureTransport": false } }, ...over }] }, bucket);

    it("Resource patterns match as IAM matches them: * and ? wildcards, every other character literal (a dot too)", () => {
        assert.equal(deny({}), true);
        assert.equal(deny({}, "axb"), false, "the dot is literal");
        assert.equal(deny({ Resource: ["arn:aws:s3:::a?b", "arn:aws:s3:::a?b/*"] }, "axb"), true);
        assert.equal(deny({ Resource: ["arn:aws:s3:::a?b", "arn:aws:s3:::a?b/*"] }, "axxb"), false);
        assert.equal(deny({ Resource: "arn:aws:s3:::*" }), true, "* spans the slash too");
        assert.equal(deny({ Resource: ["arn:aws:s3:::a.b"] }), false, "the objects are not covered");
        assert.equal(deny({ Resource: ["arn:aws:s3:::(a).b", "arn:aws:s3:::(a).b/*"] }, "(a).b"), true, "regular-expression characters are literal");
    });

    it("every principal, every S3 action, no Not* element: anything narrower does not count", () => {
        for (const over of [{ Principal: { AWS: ["*"] } }, { Principal: { AWS: "*" } }, { Action: ["s3:GetObject", "S3:*"] }, { Action: "*" }]) assert.equal(deny(over), true, JSON.stringify(over));
        for (const over of [{ Principal: { AWS: "*", Service: "s3.amazonaws.com" } }, { Principal: ["*"] }, { Principal: { AWS: "arn:aws:iam::1:root" } }, { Action: "s3:Get*" }, { Action: 5 },
            { NotPrincipal: { AWS: "arn:aws:iam::1:root" } }, { NotAction: "s3:GetObject" }, { NotResource: "arn:aws:s3:::x" }, { Effect: "deny" }]) {
            assert.equal(deny(over), false, JSON.stringify(over));
        }
    });

    it("a policy is read from JSON text or an object; text that is not a JSON object is no policy", () => {
        const doc = { Statement: { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } } };
        assert.equal(deniesInsecureTransport(JSON.stringify(doc), "b"), true);
        assert.equal(deniesInsecureTransport(doc, "b"), true);
        for (const bad of [JSON.stringify([doc]), "{", "null", [doc], null]) assert.equal(deniesInsecureTransport(bad, "b"), false, JSON.stringify(bad));
    });
});

describe("mutation-found cases: the policy pack config validator", () => {
    const refusal = (f: () => unknown) => {
        try {
            f();
        } catch (e) {
            assert.ok(e instanceof PolicyConfigError, String(e));
            return e.message.split("\n");
        }
        assert.fail("accepted");
    };
    const LEVELS = "advisory, mandatory, remediate, disabled";

    it("a document that is not an object, a level that is not one, an entry of another type: each named with what is allowed", () => {
        for (const doc of [[1], 7, "mandatory"]) assert.deepEqual(refusal(() => loadPackConfig(doc)), ["Invalid policy pack config:", '  - (root): must be an object whose keys are policy names (or "all")'], JSON.stringify(doc));
        assert.deepEqual(refusal(() => loadPackConfig({ "rds-baseline": "warn", "s3-baseline": { enforcementLevel: "strict" }, "kms-key-rotation": 5, "dr-targets": null, "log-group-baseline": ["mandatory"] })), [
            "Invalid policy pack config:",
            `  - "rds-baseline": enforcementLevel "warn" is not one of ${LEVELS}`,
            `  - "s3-baseline": enforcementLevel "strict" is not one of ${LEVELS}`,
            `  - "kms-key-rotation": 5 is not valid; must be an enforcement level or an object of the policy's properties`,
            `  - "dr-targets": null is not valid; must be an enforcement level or an object of the policy's properties`,
            `  - "log-group-baseline": ["mandatory"] is not valid; must be an enforcement level or an object of the policy's properties`,
        ]);
    });

    it("a property value outside its schema names the property's path and, for an enum, the allowed values", () => {
        assert.deepEqual(refusal(() => loadPackConfig({ "rds-baseline": { environment: "qa" }, "dr-targets": { drTargets: { database: { rpoMinutes: "5", rtoMinutes: 1, extra: 1 } } } })), [
            "Invalid policy pack config:",
            '  - "rds-baseline".environment: must be equal to one of the allowed values: "dev", "staging", "prod"',
            '  - "dr-targets".drTargets.database: must NOT have additional properties ("extra")',
            '  - "dr-targets".drTargets.database.rpoMinutes: must be number',
        ]);
    });

    it("a required property, a property given to a policy that reads none, a property under all and an unknown policy: each named", () => {
        const policies = [
            { name: "p", enforcementLevel: "mandatory" as const },
            { name: "q", enforcementLevel: "advisory" as const, configSchema: { properties: { a: { type: "string" } }, required: ["a"] } },
        ];
        assert.deepEqual(refusal(() => reconcileConfig({ all: { a: "x", b: 1 }, p: { a: "x" }, r: "disabled" }, policies)), [
            "Invalid policy pack config:",
            '  - "all".a: "all" takes only enforcementLevel; give a to the policies that read it (q)',
            '  - "all".b: "all" takes only enforcementLevel; give b to the policies that read it (no policy of this pack reads it)',
            '  - "r": no policy of that name in this pack; policies: p, q',
            '  - "p".a: not a property of this policy; it takes no properties, only enforcementLevel',
            "  - \"q\".(config): must have required property 'a'",
        ]);
    });

    it("\"all\" without a level leaves every policy's own level", () => {
        assert.deepEqual(reconcileConfig({ all: {} }, [{ name: "p", enforcementLevel: "mandatory" }, { name: "q", enforcementLevel: "advisory" }]), {
            p: { enforcementLevel: "mandatory", properties: {} },
            q: { enforcementLevel: "advisory", properties: {} },
        });
    });
});
