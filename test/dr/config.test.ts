/**
 * The config rules of issue 22 (stacks/dr-checks.ts): zones pinned for both regions, the DR runner's
 * connection and the break-glass role, the one account the DR provider guards, what a failover
 * needs (STS in the DR region, the pinned cosign key), and the aws: settings the DR provider copies.
 */
import * as assert from "node:assert/strict";
import { parsePlatformConfig } from "../../stacks/config";
import { awsProviderSettings } from "../../stacks/dr-checks";
import { readStackConfig } from "../../lib/offline/stack";
import { configProblems } from "../harness/config-problems";

const problems = configProblems;
const only = (lines: string[], pattern: RegExp) => assert.ok(lines.length === 1 && pattern.test(lines[0]), `expected one problem matching ${pattern}; got:\n${lines.join("\n")}`);

describe("config: zones, DR and failover (issue 22)", () => {
    it("zones are required in both regions, never looked up: the message says why and how to find the current ones", () => {
        only(problems((v) => delete v["platform:network"].availabilityZones, "dev"), /^platform:network\.availabilityZones: required: pin the 2 zones of the subnets \(subnet i is in zone i\)\. Subnets never follow the live "available" list, which shifts when a zone is impaired .*aws ec2 describe-subnets .*aws ec2 describe-availability-zones --region eu-west-1\.$/);
        only(problems((v) => delete v["platform:dr"].availabilityZones), /^platform:dr\.availabilityZones: required: pin the 3 zones .* --region eu-central-1\.$/);
    });

    it("zones: exactly azCount, in their own region, each once", () => {
        only(problems((v) => (v["platform:network"].availabilityZones = ["eu-west-1a", "eu-west-1b"])), /^platform:network\.availabilityZones: lists 2 zones but network\.azCount is 3/);
        only(problems((v) => (v["platform:dr"].availabilityZones = ["eu-central-1a", "eu-west-1b", "eu-central-1c"])), /^platform:dr\.availabilityZones\[1\]: "eu-west-1b" is not in eu-central-1$/);
        only(problems((v) => (v["platform:network"].availabilityZones = ["eu-west-1a", "eu-west-1a", "eu-west-1c"])), /^platform:network\.availabilityZones\[1\]: "eu-west-1a" is listed twice/);
    });

    it("DR needs a runner connection in the DR region, a break-glass role and exactly one allowed account", () => {
        only(problems((v) => delete v["platform:dr"].ciConnectionArn), /^platform:dr\.ciConnectionArn: required when dr\.enabled is true: a CodeConnections connection to GitHub in eu-central-1/);
        only(problems((v) => (v["platform:dr"].ciConnectionArn = "arn:aws:codeconnections:eu-west-1:123456789012:connection/abc")), /^platform:dr\.ciConnectionArn: the connection is in eu-west-1 but dr\.region is eu-central-1/);
        only(problems((v) => delete v["platform:dr"].breakGlassRoleArn), /^platform:dr\.breakGlassRoleArn: required when dr\.enabled is true/);
        only(problems((v) => (v["platform:dr"].breakGlassRoleArn = "platform-break-glass")), /^platform:dr\.breakGlassRoleArn: "platform-break-glass" must be an IAM role ARN/);
        // prod signs images, which needs the account too; staging without signing shows the DR rule alone.
        only(problems((v) => { delete v["aws:allowedAccountIds"]; v["platform:supplyChain"].signing = { enabled: false }; }, "staging"), /^aws:allowedAccountIds: required when platform:dr\.enabled is true: name the one account/);
        const dev = readStackConfig("dev");
        assert.doesNotThrow(() => parsePlatformConfig({ project: "platform", stack: "dev", values: dev }), "dev has no DR: none of these apply");
    });

    it("a failover needs STS in the DR region and the pinned cosign public key, so nothing it reads is in the failed region", () => {
        const lines = problems((v) => (v["platform:dr"].failover = true));
        assert.equal(lines.length, 2, lines.join("\n"));
        assert.match(lines[0], /^aws:stsRegion: \(unset\) while platform:dr\.failover is true; set it to eu-central-1 \(pulumi config set aws:stsRegion eu-central-1\)/);
        assert.match(lines[1], /^platform:supplyChain\.signing\.publicKeyPem: required while platform:dr\.failover is true: the stack output cosignPublicKey/);
        only(problems((v) => { v["platform:dr"].failover = true; v["aws:stsRegion"] = "eu-west-1"; v["platform:supplyChain"].signing = { enabled: false }; }, "staging"), /^aws:stsRegion: "eu-west-1" while platform:dr\.failover is true/);
    });

    it("the aws: settings the DR provider copies: decoded as Pulumi stores them, without region and stsRegion", () => {
        assert.deepEqual(awsProviderSettings({
            "aws:region": "eu-west-1", "aws:stsRegion": "eu-west-1", "aws:allowedAccountIds": "[\"123456789012\"]", "aws:defaultTags": "{\"tags\":{\"team\":\"platform\"}}",
            "aws:skipMetadataApiCheck": "false", "aws:maxRetries": "7", "aws:profile": "ops", "platform:environment": "prod",
        }), { allowedAccountIds: ["123456789012"], defaultTags: { tags: { team: "platform" } }, skipMetadataApiCheck: false, maxRetries: 7, profile: "ops" });
    });
});
