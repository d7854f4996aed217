/**
 * Wiring of the AWS core components, asserted on the inputs each resource receives.
 */
import * as assert from "node:assert/strict";
import { planSubnets } from "../../components/network/subnets";
import { amiTypeFor } from "../../components/eks/addons";
import { BuiltStack, builtStack, idOf, promiseOf, STACKS } from "../../lib/offline/stack";

async function subnetIds(s: BuiltStack, tier: string): Promise<string[]> {
    return Promise.all(s.ofType("aws:ec2/subnet:Subnet").filter((r) => r.inputs.tags.tier === tier).map(idOf));
}

describe("subnet plan (pure)", () => {
    it("allocates aligned, non-overlapping blocks inside the VPC", () => {
        const plan = planSubnets("10.0.0.0/16", 3, { public: 24, private: 19, isolated: 24 });
        assert.deepEqual(plan.private, ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]);
        assert.deepEqual(plan.public, ["10.0.96.0/24", "10.0.97.0/24", "10.0.98.0/24"]);
        assert.deepEqual(plan.isolated, ["10.0.99.0/24", "10.0.100.0/24", "10.0.101.0/24"]);
    });
    it("refuses a layout that does not fit", () => {
        assert.throws(() => planSubnets("10.0.0.0/20", 3, { public: 24, private: 21, isolated: 24 }), /need 7680 addresses but the VPC 10\.0\.0\.0\/20 has 4096/);
    });
    it("picks ARM AMIs for Graviton instance types only", () => {
        assert.equal(amiTypeFor("m7g.large"), "AL2023_ARM_64_STANDARD");
        assert.equal(amiTypeFor("t4g.medium"), "AL2023_ARM_64_STANDARD");
        assert.equal(amiTypeFor("m7i.large"), "AL2023_x86_64_STANDARD");
        assert.equal(amiTypeFor("r7gd.xlarge"), "AL2023_ARM_64_STANDARD");
    });
});

for (const stack of STACKS) {
    describe(`${stack}: core wiring`, () => {
        let s: BuiltStack;
        before(async () => (s = (await builtStack(stack)).primary()));

        it("subnets use the CIDRs of the plan and are tagged for load balancers and discovery", () => {
            const subnets = s.ofType("aws:ec2/subnet:Subnet");
            for (const tier of ["public", "private", "isolated"] as const) {
                const cidrs = subnets.filter((r) => r.inputs.tags.tier === tier).map((r) => r.inputs.cidrBlock);
                assert.deepEqual(cidrs, s.config.subnets[tier]);
            }
            for (const r of subnets) assert.equal(r.inputs.mapPublicIpOnLaunch, false);
            const pub = subnets.filter((r) => r.inputs.tags.tier === "public");
            const priv = subnets.filter((r) => r.inputs.tags.tier === "private");
            for (const r of pub) assert.equal(r.inputs.tags["kubernetes.io/role/elb"], "1");
            for (const r of priv) {
                assert.equal(r.inputs.tags["kubernetes.io/role/internal-elb"], "1");
                assert.equal(r.inputs.tags[`kubernetes.io/cluster/platform-${stack}-eks`], "shared");
            }
            const azs = priv.map((r) => r.inputs.availabilityZone);
            assert.equal(new Set(azs).size, s.config.network.azCount);
        });

        it("isolated subnets have no route out; private subnets route through a NAT in the VPC", async () => {
            const isolatedRt = s.get("aws:ec2/routeTable:RouteTable", "network-isolated-rt");
            assert.deepEqual(isolatedRt.inputs.routes ?? [], []);
            const natIds = await Promise.all(s.ofType("aws:ec2/natGateway:NatGateway").map(idOf));
            const privateRts = s.ofType("aws:ec2/routeTable:RouteTable").filter((r) => r.name.startsWith("network-private-rt"));
            assert.equal(privateRts.length, s.config.network.azCount);
            for (const rt of privateRts) assert.ok(natIds.includes(rt.inputs.routes[0].natGatewayId));
            const isolatedIds = await subnetIds(s, "isolated");
            const assoc = s.ofType("aws:ec2/routeTableAssociation:RouteTableAssociation").filter((a) => isolatedIds.includes(a.inputs.subnetId));
            const isolatedRtId = await idOf(isolatedRt);
            assert.equal(assoc.length, isolatedIds.length);
            for (const a of assoc) assert.equal(a.inputs.routeTableId, isolatedRtId);
        });

        it("VPC flow logs capture all traffic into the encrypted log group", async () => {
            const flow = s.ofType("aws:ec2/flowLog:FlowLog")[0];
            assert.equal(flow.inputs.trafficType, "ALL");
            assert.equal(flow.inputs.logDestination, await promiseOf((s.get("aws:cloudwatch/logGroup:LogGroup", "network-flowlogs").resource as any).arn));
            const defaultSg = s.ofType("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")[0];
            assert.equal(defaultSg.inputs.ingress, undefined);
            assert.equal(defaultSg.inputs.egress, undefined);
        });

        it("the DB subnet group uses only the isolated subnets", async () => {
            const group = s.ofType("aws:rds/subnetGroup:SubnetGroup")[0];
            assert.deepEqual([...group.inputs.subnetIds].sort(), (await subnetIds(s, "isolated")).sort());
            assert.equal(s.ofType("aws:rds/instance:Instance")[0].inputs.dbSubnetGroupName, group.inputs.name);
        });

        it("the DB security group admits 5432 only from the cluster security group", async () => {
            const db = s.ofType("aws:rds/instance:Instance")[0];
            const sg = s.get("aws:ec2/securityGroup:SecurityGroup", "database-sg");
            const sgId = await idOf(sg);
            assert.deepEqual(db.inputs.vpcSecurityGroupIds, [sgId]);
            assert.equal(sg.inputs.ingress, undefined);
            const rules = s.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === sgId);
            assert.equal(rules.length, 1);
            const clusterSg = await promiseOf(s.platform.cluster.clusterSecurityGroupId);
            assert.match(clusterSg, /^sg-/);
            assert.equal(rules[0].inputs.referencedSecurityGroupId, clusterSg);
            assert.equal(rules[0].inputs.cidrIpv4, undefined);
            assert.deepEqual([rules[0].inputs.fromPort, rules[0].inputs.toPort, rules[0].inputs.ipProtocol], [5432, 5432, "tcp"]);
            assert.equal(db.inputs.publiclyAccessible, false);
        });

        it("the database forces TLS, keeps its generated password (a Pulumi secret) in a Secrets Manager secret under its key, and uses IAM auth", async () => {
            const db = s.ofType("aws:rds/instance:Instance")[0];
            assert.equal(db.inputs.manageMasterUserPassword, undefined, "RDS refuses a replica of a source whose password Secrets Manager manages");
            assert.equal(db.inputs.password, "[secret]");
            const secret = s.get("aws:secretsmanager/secret:Secret", "database-master-secret");
            assert.equal(secret.inputs.kmsKeyId, db.inputs.kmsKeyId);
            assert.equal(db.inputs.iamDatabaseAuthenticationEnabled, true);
            assert.equal(db.inputs.storageType, "gp3");
            assert.equal(db.inputs.tags.backup, "aws-backup");
            const params = s.ofType("aws:rds/parameterGroup:ParameterGroup")[0];
            assert.equal(params.inputs.family, "postgres17");
            assert.ok(params.inputs.parameters.some((p: any) => p.name === "rds.force_ssl" && p.value === "1"));
            assert.equal(db.inputs.parameterGroupName, params.inputs.name);
            const exportGroups = s.ofType("aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.startsWith("database-log-")).map((g) => g.inputs.name);
            assert.deepEqual(exportGroups, db.inputs.enabledCloudwatchLogsExports.map((t: string) => `/aws/rds/instance/platform-${stack}-postgres/${t}`));
            assert.match(await promiseOf(s.platform.database.masterSecretArn), /^arn:aws:secretsmanager:/);
        });

        it("every node group sits in the private subnets on a launch template", async () => {
            const privateIds = (await subnetIds(s, "private")).sort();
            const groups = s.ofType("aws:eks/nodeGroup:NodeGroup");
            assert.equal(groups.length, s.config.eks.nodeGroups.length);
            for (const g of groups) {
                assert.deepEqual([...g.inputs.subnetIds].sort(), privateIds);
                assert.equal(g.inputs.diskSize, undefined, "disk size belongs in the launch template");
                assert.match(g.inputs.launchTemplate.id, /^lt-/);
            }
            const cluster = s.ofType("aws:eks/cluster:Cluster")[0];
            assert.deepEqual([...cluster.inputs.vpcConfig.subnetIds].sort(), privateIds);
        });

        it("the control plane encrypts secrets with KMS, logs every type, uses access entries and a supported version", () => {
            const c = s.ofType("aws:eks/cluster:Cluster")[0];
            assert.deepEqual(c.inputs.encryptionConfig.resources, ["secrets"]);
            assert.match(c.inputs.encryptionConfig.provider.keyArn, /^arn:aws:kms:/);
            assert.deepEqual(c.inputs.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
            assert.equal(c.inputs.accessConfig.authenticationMode, "API");
            assert.equal(c.inputs.version, s.config.eks.version);
            assert.ok(c.dependsOn.includes("aws:cloudwatch/logGroup:LogGroup::eks-logs"), "log group must exist before the cluster");
        });

        it("add-ons are pinned, and the CNI and EBS CSI driver get Pod Identity roles instead of node permissions", async () => {
            const addons = s.ofType("aws:eks/addon:Addon");
            assert.deepEqual(addons.map((a) => a.inputs.addonName).sort(), ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
            for (const a of addons) assert.match(a.inputs.addonVersion, /^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
            assert.ok(addons.find((a) => a.inputs.addonName === "kube-proxy")!.inputs.addonVersion.startsWith(`v${s.config.eks.version}.`));
            const cni = addons.find((a) => a.inputs.addonName === "vpc-cni")!;
            assert.equal(cni.inputs.podIdentityAssociations[0].serviceAccount, "aws-node");
            const nodeRole = s.get("aws:iam/role:Role", "eks-node-role");
            const nodePolicies = s.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.parent === nodeRole.parent && a.name.startsWith("eks-node-")).map((a) => a.inputs.policyArn.split("/").pop());
            assert.deepEqual(nodePolicies.sort(), ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonSSMManagedInstanceCore"]);
        });

        it("every Pod Identity role trusts only pods.eks.amazonaws.com, and each association binds one namespace/service account", async () => {
            const identities = s.ofType("platform:eks:WorkloadIdentity");
            assert.ok(identities.length >= 2);
            for (const id of identities) {
                const role = s.childrenOf(id.key).find((c) => c.type === "aws:iam/role:Role")!;
                const trust = JSON.parse(role.inputs.assumeRolePolicy);
                assert.equal(trust.Statement.length, 1);
                assert.deepEqual(trust.Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
                assert.deepEqual(trust.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
                const associations = s.childrenOf(id.key).filter((c) => c.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation");
                const roleArn = await promiseOf((role.resource as any).arn);
                const addonUses = s.ofType("aws:eks/addon:Addon").filter((a) => a.inputs.podIdentityAssociations?.[0]?.roleArn === roleArn);
                assert.equal(associations.length + addonUses.length, 1, `${id.name} must be bound exactly once`);
                for (const a of associations) {
                    assert.equal(a.inputs.roleArn, roleArn);
                    assert.ok(a.inputs.namespace && a.inputs.serviceAccount);
                }
            }
        });
    });
}

describe("Cluster.workloadRole helper", () => {
    it("creates a Pod Identity role with exactly the given statements and one association", async () => {
        const { record } = await import("../../lib/offline/recorder");
        const s = await builtStack("dev");
        const { resources } = await record(() =>
            s.platform.cluster.workloadRole("observability", "loki", [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::logs/*" }]),
        );
        const role = resources.find((r) => r.type === "aws:iam/role:Role")!;
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
        const policy = resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
        assert.deepEqual(JSON.parse(policy.inputs.policy).Statement, [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::logs/*" }]);
        const assoc = resources.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        assert.equal(assoc.length, 1);
        assert.deepEqual([assoc[0].inputs.namespace, assoc[0].inputs.serviceAccount, assoc[0].inputs.clusterName], ["observability", "loki", "platform-dev-eks"]);
        assert.equal(assoc[0].inputs.roleArn, await promiseOf((role.resource as any).arn));
    });
});
