/**
 * policies/aws/baseline.ts on the cases mutation testing (`npm run mutation`) found no test for:
 * invalid boolean strings (RDS.3 on replicas, RDS.13), a replica without a key of its own, log
 * exports by engine (postgres, other engines, a replica whose engine is inherited), what makes an
 * instance a replica, an EKS encryption config without a provider, endpoint CIDR entries that are
 * not CIDRs (unknown ones excepted), the exact EKS.1/EKS.2 texts, and a launch template without
 * metadata options.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import type { PolicyResource } from "../../policies/lib/types";
import { UNKNOWN } from "../../policies/lib/unknown";

const VERSIONS = ["1.34", "1.35"];
const prod = parsePackConfig({ environment: "prod", supportedEksVersions: VERSIONS });
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
let n = 0;
const res = (type: string, props: Record<string, any>): PolicyResource => ({ urn: `urn:${type}::m${++n}`, type, name: `m${n}`, props, protect: true });
const messages = (r: PolicyResource, policy: string) => evaluatePack([r], prod).filter((v) => v.policy === policy).map((v) => v.message);
const RDS = "aws:rds/instance:Instance";
const primary = (over: Record<string, unknown> = {}) => res(RDS, {
    engine: "postgres", storageEncrypted: true, kmsKeyId: KEY, publiclyAccessible: false, backupRetentionPeriod: 14, iamDatabaseAuthenticationEnabled: true,
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"], deletionProtection: true, multiAz: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "final", ...over,
});
const replica = (over: Record<string, unknown> = {}) => primary({ engine: undefined, replicateSourceDb: "arn:aws:rds:eu-west-1:123456789012:db:p", multiAz: false, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined, ...over });
const rds = (r: PolicyResource) => messages(r, "rds-baseline");

describe("mutation-found cases: AWS baseline", () => {
    it("RDS: the compliant primary and replica pass; invalid boolean strings fail RDS.3 (replica) and RDS.13", () => {
        assert.deepEqual(rds(primary()), []);
        assert.deepEqual(rds(replica()), []);
        assert.deepEqual(rds(replica({ kmsKeyId: undefined })), [], "a replica naming no key keeps its source's encryption");
        assert.match(rds(replica({ storageEncrypted: "maybe" })).join(), /RDS read replica must keep storage encrypted.*\[RDS\.3\]/);
        assert.deepEqual(rds(primary({ autoMinorVersionUpgrade: false })), ["RDS instance must enable automatic minor version upgrades [RDS.13]."]);
        assert.deepEqual(rds(primary({ autoMinorVersionUpgrade: "maybe" })), ["RDS instance must enable automatic minor version upgrades [RDS.13]."]);
        assert.deepEqual(rds(primary({ autoMinorVersionUpgrade: "true" })), []);
    });
    it("RDS.9: postgres (and a replica of inherited engine) must export postgresql and upgrade; other engines any log type", () => {
        assert.deepEqual(rds(primary({ enabledCloudwatchLogsExports: [] })), ["RDS instance must export its logs to CloudWatch; missing postgresql, upgrade [RDS.9]."]);
        assert.deepEqual(rds(replica({ enabledCloudwatchLogsExports: ["upgrade"] })), ["RDS read replica must export its logs to CloudWatch; missing postgresql [RDS.9]."]);
        assert.deepEqual(rds(replica({ enabledCloudwatchLogsExports: [] })), ["RDS read replica must export its logs to CloudWatch; missing postgresql, upgrade [RDS.9]."]);
        assert.deepEqual(rds(replica({ engine: "mysql", enabledCloudwatchLogsExports: ["error"] })), []);
        assert.deepEqual(rds(primary({ engine: "mysql", enabledCloudwatchLogsExports: ["error"] })), []);
        assert.deepEqual(rds(primary({ engine: undefined, enabledCloudwatchLogsExports: ["error"] })), [], "a primary of unknown engine: any log type");
        assert.deepEqual(rds(primary({ engine: "mysql", enabledCloudwatchLogsExports: undefined })), ["RDS instance must export its logs to CloudWatch; missing any log type [RDS.9]."]);
    });
    it("RDS: a null or empty replicateSourceDb is a primary (Multi-AZ and final snapshot apply); any other value a replica", () => {
        const standalone = ["RDS instance in prod must be Multi-AZ [RDS.5].", "RDS instance in prod must take a final snapshot on deletion."];
        assert.deepEqual(rds(replica({ replicateSourceDb: null, engine: "postgres" })), standalone);
        assert.deepEqual(rds(replica({ replicateSourceDb: "", engine: "postgres" })), standalone);
        assert.deepEqual(rds(replica({ replicateSourceDb: "Stryker was here!" })), []);
    });
    it("EKS: an encryption config without a provider fails EKS.3; entries that are not CIDRs are named, unknown ones are not; exact EKS.1 and EKS.2 texts", () => {
        const cluster = (over: Record<string, unknown>) => res("aws:eks/cluster:Cluster", {
            encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY } }, vpcConfig: { endpointPublicAccess: false },
            enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"], version: VERSIONS[0], ...over,
        });
        const eks = (over: Record<string, unknown>) => messages(cluster(over), "eks-baseline");
        assert.deepEqual(eks({}), []);
        assert.deepEqual(eks({ encryptionConfig: { resources: ["secrets"] } }), ["EKS cluster must encrypt Kubernetes secrets with a customer-managed KMS key [EKS.3]."]);
        assert.deepEqual(eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["10.0.0.0/8", "not-a-cidr"] } }), ['EKS cluster publicAccessCidrs entry "not-a-cidr" is not a CIDR block [EKS.1].']);
        // An unknown entry is not named as "not a CIDR" (the verdict waits for the update instead).
        const withUnknown = eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["10.0.0.0/8", "not-a-cidr", UNKNOWN] } });
        assert.equal(withUnknown.length, 1);
        assert.match(withUnknown[0], /entry "not-a-cidr" is not a CIDR block \[EKS\.1\]\.$/);
        const open = eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0", "::/0"] } });
        assert.equal(open.length, 1);
        assert.match(open[0], /^EKS cluster endpoint must be private or restricted to specific CIDRs; publicAccessCidrs together admit \S.* and \S.* \[EKS\.1\]\.$/);
        assert.deepEqual(eks({ version: "1.0" }), [`EKS cluster must run a supported Kubernetes version (1.34, 1.35); has 1.0 [EKS.2].`]);
    });
    it("a launch template without metadata options fails both IMDS checks", () => {
        assert.deepEqual(messages(res("aws:ec2/launchTemplate:LaunchTemplate", {}), "launch-template-baseline"), [
            "Launch template must require IMDSv2 (metadataOptions.httpTokens = required) [EC2.170].",
            "Launch template must set the IMDS hop limit to 1 so pods cannot reach node credentials.",
        ]);
    });
});
