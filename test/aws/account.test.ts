/**
 * Account-wide checks over every stack of the repository (issue 21, findings 2 and 3): one stack
 * per account creates each service-linked role, the first one deployed; quotas are summed over the
 * stacks sharing an account and region and an overrun names the quota, its code and how to raise it.
 * The usage model (lib/aws/account.ts) is compared with the resources of the built stacks.
 */
import * as assert from "node:assert/strict";
import { ACCOUNT_SINGLETON_TYPES, accountReport, QUOTAS, stackUsage, StackEntry, vcpusOf } from "../../lib/aws/account";
import { failoverOf } from "../harness/failover";
import { builtStack, readStackConfig, stackConfigs, STACKS, withPlaceholderSecrets } from "../../lib/offline/stack";
import { parsePlatformConfig, PlatformConfig } from "../../stacks/config";

/** A stack's config from its file, changed by `mutate` (values as in Pulumi.<stack>.yaml). */
function configOf(stack: string, mutate: (v: Record<string, any>) => void = () => {}, name = stack): StackEntry {
    const values = structuredClone(readStackConfig(stack)) as Record<string, any>;
    mutate(values);
    withPlaceholderSecrets(values);
    return { stack: name, config: parsePlatformConfig({ project: "platform", stack: name, values }) };
}
const account = (v: Record<string, any>, patch: Record<string, unknown>) => { v["platform:account"] = { ...(v["platform:account"] ?? {}), ...patch }; };

describe("account-wide checks: the shipped stacks", () => {
    it("every stack's config is valid and names its one account; together they pass (no role created twice, every quota held)", () => {
        const { configs, invalid } = stackConfigs();
        assert.deepEqual(invalid, []);
        assert.deepEqual(configs.map((c) => c.stack).sort(), [...STACKS].sort());
        const report = accountReport(configs, STACKS);
        assert.deepEqual(report.problems, []);
        // staging and prod share an account and region, and are counted together.
        assert.match(report.lines.join("\n"), /account 123456789012 eu-west-1 \(staging, prod\): vpcsPerRegion 3\/5, internetGatewaysPerRegion 3\/5, elasticIpsPerRegion 4\/5/);
    });
});

describe("account-wide checks: once-per-account resources", () => {
    const staging = () => configOf("staging");
    const prod = (mutate: (v: Record<string, any>) => void = () => {}) => configOf("prod", mutate);

    it("two stacks of one account that both create a service-linked role are refused, naming the key and its values", () => {
        const problems = accountReport([staging(), prod((v) => account(v, { existingServiceLinkedRoles: [] }))], STACKS).problems;
        assert.equal(problems.length, 2, problems.join("\n"));
        assert.match(problems[0], /^platform:account\.existingServiceLinkedRoles: stacks staging and prod each create the autoscaling\.amazonaws\.com service-linked role \(AWSServiceRoleForAutoScaling\) in account 123456789012, which holds one; .*list "autoscaling\.amazonaws\.com" in platform:account\.existingServiceLinkedRoles of the others \(allowed values: autoscaling\.amazonaws\.com, opensearchservice\.amazonaws\.com\)/);
        assert.match(problems[1], /opensearchservice\.amazonaws\.com service-linked role \(AWSServiceRoleForAmazonOpenSearchService\)/);
    });

    it("the stack creating a role must deploy before the stacks listing it as existing", () => {
        const s = configOf("staging", (v) => account(v, { existingServiceLinkedRoles: ["autoscaling.amazonaws.com"] }));
        const p = prod((v) => account(v, { existingServiceLinkedRoles: ["opensearchservice.amazonaws.com"] }));
        assert.match(accountReport([s, p], STACKS).problems.join("\n"), /staging lists the autoscaling\.amazonaws\.com service-linked role \(AWSServiceRoleForAutoScaling\) as existing in account 123456789012, but prod, which creates it, deploys after it \(dev → staging → prod\)/);
    });

    it("stacks in different accounts each create their own; a stack without its account, or with another account's connection, is refused", () => {
        const other = prod((v) => { v["aws:allowedAccountIds"] = ["210987654321"]; account(v, { existingServiceLinkedRoles: [] }); v["platform:ci"].connectionArn = v["platform:ci"].connectionArn.replace("123456789012", "210987654321"); });
        assert.deepEqual(accountReport([staging(), other], STACKS).problems.filter((p) => /existingServiceLinkedRoles/.test(p)), []);
        const dev = configOf("dev", (v) => { delete v["aws:allowedAccountIds"]; });
        assert.match(accountReport([dev], STACKS).problems.join("\n"), /^aws:allowedAccountIds: Pulumi\.dev\.yaml names no account; .*pulumi config set --path 'aws:allowedAccountIds\[0\]' <12-digit id> --stack dev/);
        const wrong = configOf("dev", (v) => { v["platform:ci"].connectionArn = v["platform:ci"].connectionArn.replace("210987654321", "123456789012"); });
        assert.match(accountReport([wrong], STACKS).problems.join("\n"), /platform:ci\.connectionArn: Pulumi\.dev\.yaml's GitHub connection is in account 123456789012 but the stack deploys to 210987654321/);
    });

    it("no stack creates an account-wide singleton other than the service-linked roles it owns", async () => {
        for (const stack of STACKS) {
            const singletons = (await builtStack(stack)).resources.filter((r) => ACCOUNT_SINGLETON_TYPES.includes(r.type) && r.type !== "aws:iam/serviceLinkedRole:ServiceLinkedRole");
            assert.deepEqual(singletons.map((r) => r.key), [], stack);
        }
    });

    it("planning one stack judges its own account only", () => {
        const conflict = [configOf("dev", (v) => { delete v["aws:allowedAccountIds"]; }), staging(), prod()];
        assert.deepEqual(accountReport(conflict, STACKS, "staging").problems, []);
        assert.equal(accountReport(conflict, STACKS, "dev").problems.length, 1);
    });
});

describe("account-wide checks: quotas", () => {
    it("staging and prod at NAT per AZ in one region: 6 Elastic IPs over the default 5, refused with the quota, its code and the request", () => {
        const s = configOf("staging", (v) => { v["platform:network"] = { ...v["platform:network"], natGateways: "perAz" }; });
        const problems = accountReport([s, configOf("prod")], STACKS).problems;
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.ok(problems[0].includes(`account 123456789012, eu-west-1 needs 6 for staging (primary), prod (primary) (one per NAT gateway) but the quota "EC2-VPC Elastic IPs" (ec2 L-0263D0A3) is 5 (AWS's default). Raise it`), problems[0]);
        assert.match(problems[0], /^platform:account\.quotas\.eu-west-1\.elasticIpsPerRegion: .*aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value 6 --region eu-west-1; once granted, state it in platform:account\.quotas\.eu-west-1\.elasticIpsPerRegion of every stack of the account/);
        // Stating the raised quota (in both stacks) clears it; stating different values is refused.
        const raise = (n: number) => (v: Record<string, any>) => { v["platform:network"] = { ...v["platform:network"], natGateways: "perAz" }; account(v, { quotas: { ...v["platform:account"]?.quotas, "eu-west-1": { onDemandStandardVcpus: 96, elasticIpsPerRegion: n } } }); };
        assert.deepEqual(accountReport([configOf("staging", raise(10)), configOf("prod", raise(10))], STACKS).problems, []);
        assert.match(accountReport([configOf("staging", raise(10)), configOf("prod", raise(8))], STACKS).problems.join("\n"), /platform:account\.quotas\.eu-west-1\.elasticIpsPerRegion: stacks of account 123456789012 state 10 and 8 \(prod\)/);
    });

    it("on-demand vCPUs: node groups at maxSize over the default of 5 are refused; the DR region counts its standby at failover", () => {
        const bare = (stack: string) => configOf(stack, (v) => account(v, { quotas: {} }));
        const problems = accountReport([bare("staging"), bare("prod")], STACKS).problems;
        assert.match(problems.join("\n"), /eu-west-1\.onDemandStandardVcpus: account 123456789012, eu-west-1 needs 84 .*"Running On-Demand Standard \(A, C, D, H, I, M, R, T, Z\) instances" \(ec2 L-1216C47A\) is 5/);
        assert.match(problems.join("\n"), /eu-central-1\.elasticIpsPerRegion: account 123456789012, eu-central-1 needs 6 for staging \(DR standby at failover\), prod \(DR standby at failover\)/);
        const spot = configOf("dev", (v) => account(v, { quotas: {} }));
        assert.match(accountReport([spot], STACKS).problems.join("\n"), /spotStandardVcpus: account 210987654321, eu-west-1 needs 8 .*L-34B43A08/);
    });

    it("vCPUs from the instance size, and types the standard quotas do not cover are reported", () => {
        assert.deepEqual(["m7i.large", "m6i.xlarge", "r7i.2xlarge", "c7g.48xlarge", "t3.medium", "m6g.medium", "t3a.small", "m7i.metal-24xl"].map(vcpusOf), [2, 4, 8, 192, 2, 1, 2, undefined]);
        const gpu = configOf("dev", (v) => { v["platform:eks"].nodeGroups[0].instanceTypes = ["g5.xlarge"]; });
        assert.match(stackUsage(gpu.config).uncounted.join(), /g5\.xlarge is not counted/);
        assert.ok(Object.values(QUOTAS).every((q) => /^L-[0-9A-F]{8}$/.test(q.code)));
    });
});

describe("account-wide checks: the usage model matches what the stacks build", () => {
    /** The built resources' counts in one region (primary, or the DR component's). */
    function counted(resources: { type: string; inputs: any }[], cfgUsage: ReturnType<typeof stackUsage>["regions"][number]) {
        const n = (type: string) => resources.filter((r) => r.type === type).length;
        return { vpcsPerRegion: n("aws:ec2/vpc:Vpc"), internetGatewaysPerRegion: n("aws:ec2/internetGateway:InternetGateway"), elasticIpsPerRegion: n("aws:ec2/eip:Eip"), eksClustersPerRegion: n("aws:eks/cluster:Cluster"), model: { ...cfgUsage.usage } };
    }
    const vcpus = (resources: { type: string; inputs: any }[], capacity: string) => resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.inputs.capacityType === capacity)
        .reduce((s, r) => s + r.inputs.scalingConfig.maxSize * Math.max(...r.inputs.instanceTypes.map((t: string) => vcpusOf(t)!)), 0);

    for (const stack of STACKS) {
        it(`${stack}: VPCs, internet gateways, Elastic IPs, clusters and node vCPUs of the primary region`, async () => {
            const built = await builtStack(stack);
            const primary = built.primary().resources;
            const usage = stackUsage(built.config as PlatformConfig).regions[0];
            const c = counted(primary, usage);
            assert.deepEqual([c.vpcsPerRegion, c.internetGatewaysPerRegion, c.elasticIpsPerRegion, c.eksClustersPerRegion], [usage.usage.vpcsPerRegion, usage.usage.internetGatewaysPerRegion, usage.usage.elasticIpsPerRegion, usage.usage.eksClustersPerRegion]);
            assert.equal(vcpus(primary, "ON_DEMAND"), usage.usage.onDemandStandardVcpus);
            assert.equal(vcpus(primary, "SPOT"), usage.usage.spotStandardVcpus);
        });
    }

    it("prod at failover: the DR region's VPC, NAT per AZ and standby cluster are what the model counts", async () => {
        // The failover plan as a failover builds it (stacks/dr-checks.ts), with the primary region down.
        const failed = await failoverOf(await builtStack("prod"));
        const primary = new Set(failed.primary().resources.map((r) => r.key));
        const dr = failed.resources.filter((r) => !primary.has(r.key));
        const usage = stackUsage(failed.config).regions[1];
        assert.equal(usage.region, "eu-central-1");
        const c = counted(dr, usage);
        assert.deepEqual([c.vpcsPerRegion, c.internetGatewaysPerRegion, c.elasticIpsPerRegion, c.eksClustersPerRegion], [usage.usage.vpcsPerRegion, usage.usage.internetGatewaysPerRegion, usage.usage.elasticIpsPerRegion, usage.usage.eksClustersPerRegion]);
        assert.equal(vcpus(dr, "ON_DEMAND"), usage.usage.onDemandStandardVcpus);
    });
});
