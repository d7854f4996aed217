import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadPlatformConfig, parsePlatformConfig } from "../../stacks/config";
import { readStackConfig, STACKS, withPlaceholderSecrets } from "../../lib/offline/stack";
import { configProblems } from "../harness/config-problems";
import { Region } from "@pulumi/aws/types/enums";

const OTHER_KEY = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";

/** Parses prod's config with one change and returns the problem lines (fails if it parses). */
const problems = configProblems;

function assertProblem(lines: string[], pattern: RegExp): void {
    assert.ok(lines.some((l) => pattern.test(l)), `no problem matching ${pattern}; got:\n${lines.join("\n")}`);
}

describe("config: every stack file parses", () => {
    for (const stack of STACKS) {
        it(`Pulumi.${stack}.yaml is valid and names its environment`, () => {
            const values = readStackConfig(stack);
            withPlaceholderSecrets(values);
            const cfg = parsePlatformConfig({ project: "platform", stack, values });
            assert.equal(cfg.environment, stack);
            assert.equal(cfg.subnets.private.length, cfg.network.azCount);
        });
    }

    it("no stack file holds secret-looking values (passwords, webhook URLs, private keys, encrypted secure: values)", () => {
        for (const stack of STACKS) {
            const text = JSON.stringify(readStackConfig(stack));
            assert.doesNotMatch(text, /password|hooks\.slack\.com|PRIVATE KEY|routing_key|secure:/i, `Pulumi.${stack}.yaml`);
        }
    });

    it("reads config through the Pulumi runtime the way `pulumi up` does", () => {
        const values = { ...readStackConfig("staging"), "platform-secrets:slackWebhookUrl": "https://example.invalid/hook", "platform-secrets:deadMansSwitchUrl": "https://hc-ping.com/0b1c2d3e" };
        pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));
        const cfg = loadPlatformConfig();
        assert.equal(cfg.environment, "staging");
        assert.equal(cfg.network.natGateways, "single");
        assert.equal(cfg.dr.region, "eu-central-1");
        assert.equal(cfg.secrets.slackWebhookUrl, "https://example.invalid/hook");
    });

    it("refuses a stack without its dead man's switch URL, a URL that is not https, and turning it off while a receiver pages", () => {
        assert.deepEqual(problems((v) => delete v["platform-secrets:deadMansSwitchUrl"]), [
            "platform:alerting.deadMansSwitch.urlSecret: secret platform-secrets:deadMansSwitchUrl is not set: the heartbeat URL Alertmanager posts the Watchdog alert to every minute, which pages you when it stops (a free healthchecks.io check or a self-hosted Healthchecks works: create a check with a 1-minute period and use its ping URL); set it with: pulumi config set --secret platform-secrets:deadMansSwitchUrl <value>; or set platform:alerting.deadMansSwitch.enabled to false where nobody is paged",
        ]);
        assert.deepEqual(problems((v) => (v["platform-secrets:deadMansSwitchUrl"] = "http://hc-ping.com/x")), ["platform:alerting.deadMansSwitch.urlSecret: secret platform-secrets:deadMansSwitchUrl is not an https URL (such as https://hc-ping.com/<uuid>)"]);
        assert.deepEqual(problems((v) => (v["platform:alerting"] = { ...v["platform:alerting"], deadMansSwitch: { enabled: false } })), [
            "platform:alerting.deadMansSwitch.enabled: false is refused while receivers take critical alerts (pagerduty): a dead Prometheus or Alertmanager would page nobody",
        ]);
        assert.deepEqual(problems((v) => (v["platform:alerting"] = { receivers: [{ name: "null", type: "slack", severities: ["warning"], urlSecret: "x" }] }))[0], 'platform:alerting.receivers[0].name: "null" is reserved (the null receiver and the dead man\'s switch)');
    });

    it("refuses a Prometheus retention shorter than the SLO alerts' longest window", () => {
        assert.deepEqual(problems((v) => (v["platform:observability"] = { ...v["platform:observability"], prometheus: { retention: "2d", storageGiB: 200, replicas: 2 } })), [
            "platform:observability.prometheus.retention: 2d is shorter than 3d, the longest window the SLO burn-rate alerts read; keep at least 3d",
        ]);
    });

    it("refuses a receiver whose secret is not set, naming the command that sets it", () => {
        const lines = problems((v) => delete v["platform-secrets:pagerdutyRoutingKey"]);
        assert.deepEqual(lines, ["platform:alerting.receivers[0].urlSecret: secret platform-secrets:pagerdutyRoutingKey is not set; set it with: pulumi config set --secret platform-secrets:pagerdutyRoutingKey <value>"]);
    });

    it("applies secure defaults when a key is absent", () => {
        // platform:ci.repository and connectionArn have no defaults (docs/deploy.md).
        const CI = { repository: "acme-corp/platform", connectionArn: "arn:aws:codeconnections:us-east-1:123456789012:connection/0b1c2d3e" };
        assert.throws(() => parsePlatformConfig({ project: "p", stack: "x", values: { "aws:region": "us-east-1", "platform:environment": "prod", "platform:dr": { region: "us-west-2" } } }), /platform:ci\.repository: is required[\s\S]*platform:ci\.connectionArn: is required/);
        // Zones, the DR runner's connection, the break-glass role and the account have no defaults either (docs/configuration.md).
        const DR = { region: "us-west-2", availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"], ciConnectionArn: "arn:aws:codeconnections:us-west-2:123456789012:connection/0b1c2d3f", breakGlassRoleArn: "arn:aws:iam::123456789012:role/break-glass" };
        // The dead man's switch is on by default, so its heartbeat URL is the one secret a minimal config needs.
        const cfg = parsePlatformConfig({ project: "p", stack: "x", values: { "aws:region": "us-east-1", "aws:allowedAccountIds": ["123456789012"], "platform:environment": "prod", "platform:network": { availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] }, "platform:dr": DR, "platform:ci": CI, "platform-secrets:deadMansSwitchUrl": "https://hc-ping.com/0b1c2d3e" } });
        assert.equal(cfg.alerting.deadMansSwitch.enabled, true);
        assert.equal(cfg.database.multiAz, true);
        assert.equal(cfg.database.deletionProtection, true);
        assert.equal(cfg.network.natGateways, "perAz");
        assert.deepEqual(cfg.eks.publicAccessCidrs, []);
        assert.equal(cfg.backup.vaultLock.enabled, true);
    });
});

describe("config: bad input is refused with the key path, the value and what is allowed", () => {
    it("unknown environment", () => {
        assertProblem(problems((v) => (v["platform:environment"] = "qa")), /^platform:environment: "qa" is not allowed; allowed values: "dev", "staging", "prod"$/);
    });
    it("missing environment", () => {
        assertProblem(problems((v) => delete v["platform:environment"]), /^platform:environment: is required/);
    });
    it("invalid CIDR", () => {
        assertProblem(problems((v) => (v["platform:network"].cidr = "10.0.0.0/33")), /^platform:network\.cidr: "10\.0\.0\.0\/33" is not a valid IPv4 CIDR block/);
    });
    it("CIDR that is not a network address", () => {
        assertProblem(problems((v) => (v["platform:network"].cidr = "10.40.1.0/16")), /^platform:network\.cidr: "10\.40\.1\.0\/16" is not a valid IPv4 CIDR block/);
    });
    it("VPC too small for the subnets", () => {
        assertProblem(problems((v) => Object.assign(v["platform:network"], { cidr: "10.40.0.0/20", subnetPrefixes: { private: 22 } })), /^platform:network\.subnetPrefixes: 3 AZs x \(public \/24 \+ private \/22 \+ isolated \/24\) need 4608 addresses but the VPC 10\.40\.0\.0\/20 has 4096/);
    });
    it("subnet tier not smaller than the VPC", () => {
        assertProblem(problems((v) => (v["platform:network"].cidr = "10.40.0.0/22")), /^platform:network\.subnetPrefixes: a \/19 private subnet is not smaller than the \/22 VPC 10\.40\.0\.0\/22/);
    });
    it("azCount out of range", () => {
        assertProblem(problems((v) => (v["platform:network"].azCount = 5)), /^platform:network\.azCount: 5 is out of range: expected number to be <=3/);
    });
    it("node group min > max", () => {
        assertProblem(problems((v) => Object.assign(v["platform:eks"].nodeGroups[0], { minSize: 9, maxSize: 4, desiredSize: 5 })), /^platform:eks\.nodeGroups\[0\]\.minSize: 9 is greater than maxSize 4/);
    });
    it("desired outside [min, max]", () => {
        assertProblem(problems((v) => (v["platform:eks"].nodeGroups[1].desiredSize = 20)), /^platform:eks\.nodeGroups\[1\]\.desiredSize: 20 is outside \[minSize, maxSize\] = \[3, 6\]/);
    });
    it("misspelt key, with a suggestion", () => {
        assertProblem(problems((v) => (v["platform:database"].multiAZ = true)), /^platform:database\.multiAZ: unknown key \(did you mean multiAz\?\); allowed keys: engineVersion, /);
    });
    it("unknown top-level key", () => {
        assertProblem(problems((v) => (v["platform:netwrok"] = { cidr: "10.0.0.0/16" })), /^platform:netwrok: unknown key \(did you mean network\?\)/);
    });
    it("retention out of range", () => {
        assertProblem(problems((v) => (v["platform:database"].backupRetentionDays = 40)), /^platform:database\.backupRetentionDays: 40 is out of range: expected number to be <=35/);
    });
    it("log retention CloudWatch does not offer", () => {
        assertProblem(problems((v) => (v["platform:network"].flowLogRetentionDays = 45)), /^platform:network\.flowLogRetentionDays: 45 is not a CloudWatch Logs retention; allowed values: 1, 3, 5/);
    });
    it("DR region equal to the primary region", () => {
        assertProblem(problems((v) => (v["platform:dr"].region = "eu-west-1")), /^platform:dr\.region: "eu-west-1" equals the primary aws:region/);
    });
    it("DR enabled without a region", () => {
        assertProblem(problems((v) => delete v["platform:dr"].region), /^platform:dr\.region: required when dr\.enabled is true/);
    });
    it("DR VPC overlapping the primary VPC", () => {
        assertProblem(problems((v) => (v["platform:dr"].vpcCidr = "10.40.0.0/16")), /^platform:dr\.vpcCidr: "10\.40\.0\.0\/16" overlaps network\.cidr 10\.40\.0\.0\/16/);
    });
    it("malformed cosign public key", () => {
        assertProblem(problems((v) => (v["platform:supplyChain"].cosignPublicKeys = ["not a key"])), /^platform:supplyChain\.cosignPublicKeys\[0\]: "not a key" is not a PEM public key/);
    });
    it("cosign key of the wrong algorithm", () => {
        assertProblem(problems((v) => (v["platform:supplyChain"].cosignPublicKeys = [OTHER_KEY])), /^platform:supplyChain\.cosignPublicKeys\[0\]: .* is a ed25519 key; cosign keys must be ECDSA P-256/);
    });
    it("unsupported Kubernetes version", () => {
        assertProblem(problems((v) => (v["platform:eks"].version = "1.29")), /^platform:eks\.version: "1\.29" is not allowed; allowed values: "1\.34", "1\.35", "1\.36"$/);
    });
    it("backup retention outside the vault lock range", () => {
        assertProblem(problems((v) => (v["platform:backup"].monthlyRetentionDays = 5000)), /^platform:backup\.monthlyRetentionDays: 5000 is outside the vault lock range \[7, 3650\]/);
    });
    it("missing aws:region", () => {
        assertProblem(problems((v) => delete v["aws:region"]), /^aws:region: is required; set it with: pulumi config set aws:region <region>/);
    });
    it("misspelt regions (aws:region and dr.region) are checked against @pulumi/aws's Region enum, with a suggestion", () => {
        const regions = Object.values(Region);
        assert.ok(regions.length >= 30 && regions.includes("eu-west-1"));
        const primary = problems((v) => (v["aws:region"] = "eu-wst-1"));
        assertProblem(primary, /^aws:region: "eu-wst-1" is not an AWS region \(did you mean eu-west-1\?\); known regions \(@pulumi\/aws\): af-south-1, /);
        assert.ok(primary[0].includes(regions.slice().sort().join(", ")), "lists every region of the enum");
        assertProblem(problems((v) => (v["platform:dr"].region = "eu-centrl-1")), /^platform:dr\.region: "eu-centrl-1" is not an AWS region \(did you mean eu-central-1\?\)/);
        assertProblem(problems((v) => (v["platform:dr"].region = "xx-nowhere-9")), /^platform:dr\.region: "xx-nowhere-9" is not an AWS region; known regions/);
        assertProblem(problems((v) => (v["platform:network"].availabilityZones = ["eu-west-1a", "eu-wst-1b", "eu-west-1c"])), /^platform:network\.availabilityZones\[1\]: "eu-wst-1b" must be an AZ name/);
    });
    it("a DR region in another partition", () => {
        assertProblem(problems((v) => (v["platform:dr"].region = "us-gov-west-1")), /^platform:dr\.region: "us-gov-west-1" is in partition aws-us-gov, aws:region eu-west-1 in aws; /);
    });
    it("a number where a version string is expected says to quote it", () => {
        // `version: 1.30` reads as 1.3: neither "1.3" nor "1.30" is allowed, so the hint must not suggest either.
        const v130 = problems((v) => (v["platform:eks"].version = 1.3));
        assertProblem(v130, /^platform:eks\.version: 1\.3 is not allowed; allowed values: "1\.34", "1\.35", "1\.36"; 1\.3 is a number because YAML reads an unquoted version as a number and drops trailing zeros \(1\.30 becomes 1\.3\), and no allowed value reads as 1\.3: write one of the allowed values, quoted \(e\.g\. "1\.36"\)$/);
        assert.doesNotMatch(v130.join("\n"), /e\.g\. "1\.30?"/);
        assertProblem(problems((v) => (v["platform:eks"].version = 1.35)), /1\.35 is a number .*: quote it, e\.g\. "1\.35"$/);
        assertProblem(problems((v) => (v["platform:database"].engineVersion = 17.6)), /^platform:database\.engineVersion: 17\.6 has the wrong type; expected string; .*quote it, e\.g\. "17\.6" \(or "17\.60" if that is what you wrote\)$/);
        assertProblem(problems((v) => (v["platform:eks"].addonVersions = { "vpc-cni": 1.2 })), /^platform:eks\.addonVersions\.vpc-cni: 1\.2 has the wrong type; expected string; .*quote it/);
    });
    it("every unknown key lists the allowed keys, also in the add-on version map", () => {
        assertProblem(problems((v) => (v["platform:eks"].addonVersions = { "vpc-cin": "v1.21.1-eksbuild.1" })), /^platform:eks\.addonVersions\.vpc-cin: unknown key \(did you mean vpc-cni\?\); allowed keys: vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver, eks-pod-identity-agent$/);
        assertProblem(problems((v) => (v["platform:tags"] = { "bad key!": "x" })), /^platform:tags: key "bad key!" must be a valid AWS tag key$/);
        for (const line of problems((v) => {
            v["platform:eks"].addonVersions = { nope: "v1.0.0-eksbuild.1" };
            v["platform:netwrk"] = {};
            v["platform:dr"].targetz = {};
        })) if (/unknown key/.test(line)) assert.match(line, /; allowed keys: [a-z]/, line);
    });
    it("wrong type", () => {
        assertProblem(problems((v) => (v["platform:database"].multiAz = "yes")), /^platform:database\.multiAz: "yes" has the wrong type; expected boolean/);
    });
    it("RDS instance classes and EC2 instance types are checked against @pulumi/aws's lists, with a suggestion and an explicit way to allow a newer one", () => {
        assertProblem(problems((v) => (v["platform:database"].instanceClass = "db.t4g.mediun")), /^platform:database\.instanceClass: "db\.t4g\.mediun" is not an RDS instance class the pinned @pulumi\/aws knows \(did you mean db\.t4g\.medium\?\); if it is newer than that list, add it to platform:unlistedInstanceTypes$/);
        assertProblem(problems((v) => (v["platform:eks"].nodeGroups[0].instanceTypes = ["t3.lrage"])), /^platform:eks\.nodeGroups\[0\]\.instanceTypes\[0\]: "t3\.lrage" is not an EC2 instance type the pinned @pulumi\/aws knows \(did you mean t3\.large\?\)/);
        assertProblem(problems((v) => (v["platform:database"].instanceClass = "db.c7g.large")), /^platform:database\.instanceClass: "db\.c7g\.large" is not an RDS instance class/);
        // A type newer than the SDK's list is accepted only when the stack names it.
        const values = structuredClone(readStackConfig("prod")) as Record<string, any>;
        withPlaceholderSecrets(values);
        values["platform:database"].instanceClass = "db.r99g.large";
        values["platform:eks"].nodeGroups[0].instanceTypes = ["m99i.large"];
        values["platform:unlistedInstanceTypes"] = ["db.r99g.large", "m99i.large"];
        assert.equal(parsePlatformConfig({ project: "platform", stack: "prod", values }).database.instanceClass, "db.r99g.large");
        assertProblem(problems((v) => (v["platform:unlistedInstanceTypes"] = ["m7i.large"])), /^platform:unlistedInstanceTypes\[0\]: "m7i\.large" is already known; remove it/);
    });
    it("cross-field problems are reported together with schema problems, also inside the same block and list", () => {
        const lines = problems((v) => {
            v["platform:environment"] = "qa";
            v["platform:eks"].nodeGroups[0].minSize = 5;
            v["platform:eks"].nodeGroups[0].maxSize = 4;
            v["platform:eks"].nodeGroups[1] = { ...v["platform:eks"].nodeGroups[0], name: "other", capacityType: "CHEAP" };
            v["platform:database"].instanceClass = "db.t4g.mediun";
            v["platform:database"].multiAz = "yes";
        });
        assertProblem(lines, /^platform:environment: "qa" is not allowed/);
        assertProblem(lines, /^platform:eks\.nodeGroups\[1\]\.capacityType: "CHEAP" is not allowed/);
        assertProblem(lines, /^platform:eks\.nodeGroups\[0\]\.minSize: 5 is greater than maxSize 4/);
        assertProblem(lines, /^platform:eks\.nodeGroups\[1\]\.minSize: 5 is greater than maxSize 4/);
        assertProblem(lines, /^platform:database\.multiAz: "yes" has the wrong type/);
        assertProblem(lines, /^platform:database\.instanceClass: "db\.t4g\.mediun" is not an RDS instance class/);
    });
    it("an invalid value does not cascade into problems that follow from it", () => {
        const lines = problems((v) => (v["platform:dr"].region = "eu-wst-1"));
        assert.deepEqual(lines.filter((l) => l.startsWith("platform:dr.region")).length, 1, lines.join("\n"));
        for (const mutate of [(v: Record<string, any>) => delete v["aws:region"], (v: Record<string, any>) => (v["aws:region"] = "eu-wst-1")]) {
            const lines2 = problems(mutate);
            assert.equal(lines2.length, 1, lines2.join("\n"));
            assert.match(lines2[0], /^aws:region: /);
            assert.doesNotMatch(lines2.join("\n"), /undefined|create the GitHub connection|is not in aws:region/);
        }
    });
    it("a YAML syntax error names the stack file, line and column", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-yaml-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), "config:\n  aws:region: eu-west-1\n  platform:network:\n    cidr: [10.0.0.0/16\n");
            assert.throws(() => readStackConfig("broken", dir), (e: Error) => e instanceof ConfigError && /^Invalid platform config \(Pulumi\.broken\.yaml\):\n  - Pulumi\.broken\.yaml at line \d+, column \d+: not valid YAML: /.test(e.message));
            fs.writeFileSync(path.join(dir, "Pulumi.list.yaml"), "config:\n  - a\n");
            assert.throws(() => readStackConfig("list", dir), /Pulumi\.list\.yaml: config: must be a map of keys/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
    it("reports every problem at once", () => {
        const lines = problems((v) => {
            v["platform:environment"] = "qa";
            v["platform:network"].cidr = "nope";
            v["platform:eks"].version = "1.2";
        });
        assert.equal(lines.length, 3, lines.join("\n"));
    });
});
