/**
 * What replaces each AWS resource type the platform creates, mapped from AWS's own marks to the
 * `@pulumi/aws` input names and checked against the Terraform AWS provider Pulumi wraps.
 *
 * - `cfn`: the CloudFormation type. Its replacing properties (createOnlyProperties) are derived into
 *   lib/aws/cfn-replacements.json (`npm run derive -- replacements`); test/aws/replacements.test.ts
 *   fails when one of them is neither in `replaces` nor in `inPlace`, or when an input named here is
 *   not an input of the resource in the pinned @pulumi/aws.
 * - `provider`: the terraform-provider-aws schema (`internal/service/<file>`) whose ForceNew marks
 *   decide what `pulumi up` replaces. Where it differs from CloudFormation, `inPlace` (CloudFormation
 *   replaces, the provider updates) and `providerOnly` (the provider replaces, CloudFormation does not
 *   say so) record it.
 * - `all`: the provider has no update for the type: every input but `tags` replaces it.
 * Every AWS type also replaces on `region` (the provider's per-resource region is ForceNew).
 */

/**
 * The provider schemas read for this table (hashicorp/terraform-provider-aws, the stored version of
 * each file): where CloudFormation and the provider differ most. The other entries' provider marks
 * follow the named files' ForceNew attributes as documented, not re-read here.
 */
export const PROVIDER_FILES_READ: Record<string, string> = {
    "rds/instance.go": "00e4b23838859616dd0ebc9d1fd9364c0f6bff22 (db_subnet_group_name and port not ForceNew; engine, availability_zone, identifier, kms_key_id, username, db_name ForceNew)",
    "eks/cluster.go": "00555dc5b38f92abbfa230badea0ed0754cea81e (vpc_config and encryption_config not ForceNew; name, role_arn, bootstrap_*, kubernetes_network_config.ip_family/service_ipv4_cidr, remote_network_config ForceNew)",
    "eks/node_group.go": "node_role_arn and node_group_name_prefix ForceNew (excerpt)",
    "iam/role.go": "0040ea6911af00bea2cca6dbb14e86829826ad8e (name, name_prefix, path ForceNew; description, max_session_duration, permissions_boundary updated in place)",
    "fis/experiment_template.go": "01f431114674c27cf790fafb67ac274bf8f765e1 and bbb4af8736c1da565708c36f6eceda54a1062731 (tags ForceNew; actions, targets, stop conditions, role, log configuration updated with UpdateExperimentTemplate; a target takes at most 5 resource_arns)",
};

export interface AwsReplacementEntry {
    /** CloudFormation type, when CloudFormation has one (sub-resources such as bucket settings have none). */
    cfn?: string;
    /** terraform-provider-aws schema file under internal/service/. */
    provider: string;
    /** CloudFormation property path -> the Pulumi input path(s) it is; the provider forces new on them too. */
    replaces?: Record<string, string | string[]>;
    /** CloudFormation marks it replacing, but the provider updates it in place or has no such input: why. */
    inPlace?: Record<string, string>;
    /** Pulumi inputs the provider forces new that CloudFormation does not mark as replacing: why. */
    providerOnly?: Record<string, string>;
    /** The provider has no update: every input but tags replaces (CloudFormation paths then need no mapping). */
    all?: string;
}

const NAME_PREFIX = "provider: name_prefix is ForceNew (a new generated name)";
const NO_INPUT = "not an input of @pulumi/aws; the platform cannot set it";

export const AWS_REPLACEMENTS: Record<string, AwsReplacementEntry> = {
    "aws:backup/plan:Plan": { cfn: "AWS::Backup::BackupPlan", provider: "backup/plan.go", providerOnly: { name: "provider: name is ForceNew" } },
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": { cfn: "AWS::Backup::RestoreTestingPlan", provider: "backup/restore_testing_plan.go", replaces: { RestoreTestingPlanName: "name" } },
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": {
        cfn: "AWS::Backup::RestoreTestingSelection", provider: "backup/restore_testing_selection.go",
        replaces: { ProtectedResourceType: "protectedResourceType", RestoreTestingPlanName: "restoreTestingPlanName", RestoreTestingSelectionName: "name" },
    },
    "aws:backup/selection:Selection": { cfn: "AWS::Backup::BackupSelection", provider: "backup/selection.go", all: "the provider has no update for a selection (CloudFormation: the whole BackupSelection replaces)" },
    "aws:backup/vault:Vault": { cfn: "AWS::Backup::BackupVault", provider: "backup/vault.go", replaces: { BackupVaultName: "name", EncryptionKeyArn: "kmsKeyArn" } },
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": { provider: "backup/vault_lock_configuration.go", all: "the provider has no update (PutBackupVaultLockConfiguration at create only); a compliance-mode lock past its grace time cannot be removed, so the replacement fails" },
    "aws:backup/vaultNotifications:VaultNotifications": { provider: "backup/vault_notifications.go", all: "the provider has no update for vault notifications" },
    "aws:cloudwatch/eventRule:EventRule": { cfn: "AWS::Events::Rule", provider: "events/rule.go", replaces: { EventBusName: "eventBusName", Name: "name" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:cloudwatch/eventTarget:EventTarget": { provider: "events/target.go", providerOnly: { rule: "provider: rule is ForceNew", targetId: "provider: target_id is ForceNew", eventBusName: "provider: event_bus_name is ForceNew" } },
    "aws:cloudwatch/metricAlarm:MetricAlarm": { cfn: "AWS::CloudWatch::Alarm", provider: "cloudwatch/metric_alarm.go", replaces: { AlarmName: "name" } },
    "aws:cloudwatch/eventConnection:EventConnection": { cfn: "AWS::Events::Connection", provider: "events/connection.go", replaces: { Name: "name" } },
    "aws:cloudwatch/eventApiDestination:EventApiDestination": { cfn: "AWS::Events::ApiDestination", provider: "events/api_destination.go", replaces: { Name: "name" } },
    "aws:cloudwatch/logGroup:LogGroup": { cfn: "AWS::Logs::LogGroup", provider: "logs/group.go", replaces: { LogGroupName: "name" }, providerOnly: { namePrefix: NAME_PREFIX, logGroupClass: "provider: log_group_class is ForceNew" } },
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": { cfn: "AWS::Logs::ResourcePolicy", provider: "logs/resource_policy.go", replaces: { PolicyName: "policyName" } },
    "aws:codebuild/project:Project": { cfn: "AWS::CodeBuild::Project", provider: "codebuild/project.go", replaces: { Name: "name" } },
    "aws:codebuild/webhook:Webhook": { provider: "codebuild/webhook.go", providerOnly: { projectName: "provider: project_name is ForceNew" } },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": { provider: "ec2/vpc_default_security_group.go", providerOnly: { vpcId: "provider: vpc_id is ForceNew (the provider adopts another VPC's default group)" } },
    "aws:ec2/eip:Eip": {
        cfn: "AWS::EC2::EIP", provider: "ec2/ec2_eip.go",
        replaces: { Address: "address", Domain: "domain", IpamPoolId: "ipamPoolId", NetworkBorderGroup: "networkBorderGroup" },
        inPlace: { TransferAddress: NO_INPUT },
        providerOnly: { publicIpv4Pool: "provider: public_ipv4_pool is ForceNew", customerOwnedIpv4Pool: "provider: customer_owned_ipv4_pool is ForceNew" },
    },
    "aws:ec2/flowLog:FlowLog": { cfn: "AWS::EC2::FlowLog", provider: "ec2/vpc_flow_log.go", all: "the provider updates only tags: every other input (iamRoleArn, logDestination, trafficType, ...) replaces the flow log" },
    "aws:ec2/internetGateway:InternetGateway": { cfn: "AWS::EC2::InternetGateway", provider: "ec2/vpc_internet_gateway.go" },
    "aws:ec2/launchTemplate:LaunchTemplate": { cfn: "AWS::EC2::LaunchTemplate", provider: "ec2/ec2_launch_template.go", replaces: { LaunchTemplateName: "name" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:ec2/natGateway:NatGateway": {
        cfn: "AWS::EC2::NatGateway", provider: "ec2/vpc_nat_gateway.go",
        replaces: { AllocationId: "allocationId", AvailabilityMode: "availabilityMode", ConnectivityType: "connectivityType", PrivateIpAddress: "privateIp", SubnetId: "subnetId", VpcId: "vpcId" },
    },
    "aws:ec2/routeTable:RouteTable": { cfn: "AWS::EC2::RouteTable", provider: "ec2/vpc_route_table.go", replaces: { VpcId: "vpcId" } },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        cfn: "AWS::EC2::SubnetRouteTableAssociation", provider: "ec2/vpc_route_table_association.go",
        replaces: { SubnetId: "subnetId" },
        inPlace: { RouteTableId: "provider: ReplaceRouteTableAssociation moves the subnet to the new route table in place" },
        providerOnly: { gatewayId: "provider: gateway_id is ForceNew" },
    },
    "aws:ec2/securityGroup:SecurityGroup": { cfn: "AWS::EC2::SecurityGroup", provider: "ec2/vpc_security_group.go", replaces: { GroupDescription: "description", GroupName: "name", VpcId: "vpcId" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:ec2/subnet:Subnet": {
        cfn: "AWS::EC2::Subnet", provider: "ec2/vpc_subnet.go",
        replaces: {
            AvailabilityZone: "availabilityZone", AvailabilityZoneId: "availabilityZoneId", CidrBlock: "cidrBlock", Ipv4IpamPoolId: "ipv4IpamPoolId", Ipv4NetmaskLength: "ipv4NetmaskLength",
            Ipv6IpamPoolId: "ipv6IpamPoolId", Ipv6Native: "ipv6Native", Ipv6NetmaskLength: "ipv6NetmaskLength", OutpostArn: "outpostArn", VpcId: "vpcId",
        },
    },
    "aws:ec2/vpc:Vpc": {
        cfn: "AWS::EC2::VPC", provider: "ec2/vpc_.go",
        replaces: { CidrBlock: "cidrBlock", Ipv4IpamPoolId: "ipv4IpamPoolId", Ipv4NetmaskLength: "ipv4NetmaskLength" },
        inPlace: { VpcEncryptionControl: NO_INPUT },
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        cfn: "AWS::EC2::VPCEndpoint", provider: "ec2/vpc_endpoint.go",
        replaces: { ResourceConfigurationArn: "resourceConfigurationArn", ServiceName: "serviceName", ServiceNetworkArn: "serviceNetworkArn", ServiceRegion: "serviceRegion", VpcEndpointType: "vpcEndpointType", VpcId: "vpcId" },
        inPlace: { "DnsOptions.PrivateDnsPreference": "provider: dns_options is updated with ModifyVpcEndpoint", "DnsOptions.PrivateDnsSpecifiedDomains": "provider: dns_options is updated with ModifyVpcEndpoint" },
    },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": { provider: "ecr/lifecycle_policy.go", providerOnly: { repository: "provider: repository is ForceNew" } },
    "aws:ecr/repository:Repository": { cfn: "AWS::ECR::Repository", provider: "ecr/repository.go", replaces: { EncryptionConfiguration: "encryptionConfigurations", RepositoryName: "name" } },
    "aws:ecr/repositoryPolicy:RepositoryPolicy": { provider: "ecr/repository_policy.go", providerOnly: { repository: "provider: repository is ForceNew" } },
    "aws:eks/accessEntry:AccessEntry": { cfn: "AWS::EKS::AccessEntry", provider: "eks/access_entry.go", replaces: { ClusterName: "clusterName", PrincipalArn: "principalArn", Type: "type" } },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": { provider: "eks/access_policy_association.go", all: "the provider has no update: a new policy, principal or access scope is a new association" },
    "aws:eks/addon:Addon": { cfn: "AWS::EKS::Addon", provider: "eks/addon.go", replaces: { AddonName: "addonName", ClusterName: "clusterName", NamespaceConfig: "namespaceConfig" } },
    "aws:eks/cluster:Cluster": {
        cfn: "AWS::EKS::Cluster", provider: "eks/cluster.go",
        replaces: {
            "AccessConfig.BootstrapClusterCreatorAdminPermissions": "accessConfig.bootstrapClusterCreatorAdminPermissions",
            BootstrapSelfManagedAddons: "bootstrapSelfManagedAddons",
            KubernetesNetworkConfig: ["kubernetesNetworkConfig.ipFamily", "kubernetesNetworkConfig.serviceIpv4Cidr"],
            Name: "name",
            OutpostConfig: ["outpostConfig.controlPlaneInstanceType", "outpostConfig.controlPlanePlacement.groupName"],
            RoleArn: "roleArn",
        },
        inPlace: {
            EncryptionConfig: "provider: not ForceNew; adding it calls AssociateEncryptionConfig, and EKS refuses to change or remove it afterwards (the update fails)",
            "ResourcesVpcConfig.SecurityGroupIds": "provider: vpc_config is updated with UpdateClusterConfig",
            "ResourcesVpcConfig.SubnetIds": "provider: vpc_config is updated with UpdateClusterConfig",
        },
        providerOnly: { remoteNetworkConfig: "provider: remote_network_config is ForceNew", "computeConfig.nodeRoleArn": "provider: CustomizeDiff forces new when an existing node role changes" },
    },
    "aws:eks/nodeGroup:NodeGroup": {
        cfn: "AWS::EKS::Nodegroup", provider: "eks/node_group.go",
        replaces: {
            AmiType: "amiType", CapacityType: "capacityType", ClusterName: "clusterName", DiskSize: "diskSize", InstanceTypes: "instanceTypes", NodeRole: "nodeRoleArn",
            NodegroupName: "nodeGroupName", RemoteAccess: "remoteAccess", Subnets: "subnetIds",
        },
        providerOnly: { nodeGroupNamePrefix: NAME_PREFIX, "launchTemplate.id": "provider: launch_template.id is ForceNew (a new version updates in place)", "launchTemplate.name": "provider: launch_template.name is ForceNew" },
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": { cfn: "AWS::EKS::PodIdentityAssociation", provider: "eks/pod_identity_association.go", replaces: { ClusterName: "clusterName", Namespace: "namespace", ServiceAccount: "serviceAccount" } },
    "aws:fis/experimentTemplate:ExperimentTemplate": {
        cfn: "AWS::FIS::ExperimentTemplate", provider: "fis/experiment_template.go",
        // CloudFormation and the provider agree: the template's tags are ForceNew (tftags.TagsSchemaForceNew in fis/experiment_template.go), unlike most types.
        replaces: { "ExperimentOptions.AccountTargeting": "experimentOptions.accountTargeting", Tags: "tags" },
    },
    "aws:iam/role:Role": { cfn: "AWS::IAM::Role", provider: "iam/role.go", replaces: { Path: "path", RoleName: "name" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:iam/policy:Policy": { cfn: "AWS::IAM::ManagedPolicy", provider: "iam/policy.go", replaces: { Description: "description", ManagedPolicyName: "name", Path: "path" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:iam/rolePolicy:RolePolicy": { cfn: "AWS::IAM::RolePolicy", provider: "iam/role_policy.go", replaces: { PolicyName: "name", RoleName: "role" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { provider: "iam/role_policy_attachment.go", all: "the provider has no update: role and policyArn are ForceNew" },
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": { cfn: "AWS::IAM::ServiceLinkedRole", provider: "iam/service_linked_role.go", replaces: { AWSServiceName: "awsServiceName", CustomSuffix: "customSuffix" } },
    "aws:kms/alias:Alias": { cfn: "AWS::KMS::Alias", provider: "kms/alias.go", replaces: { AliasName: "name" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:kms/key:Key": {
        cfn: "AWS::KMS::Key", provider: "kms/key.go",
        providerOnly: {
            keyUsage: "provider: key_usage is ForceNew (CloudFormation replaces the key for it too, without marking it create-only)",
            customerMasterKeySpec: "provider: customer_master_key_spec is ForceNew", multiRegion: "provider: multi_region is ForceNew",
            customKeyStoreId: "provider: custom_key_store_id is ForceNew", xksKeyId: "provider: xks_key_id is ForceNew",
        },
    },
    "aws:opensearch/domain:Domain": {
        cfn: "AWS::OpenSearchService::Domain", provider: "opensearch/domain.go",
        replaces: { DomainName: "domainName" },
        inPlace: { EngineMode: NO_INPUT },
        providerOnly: { "encryptAtRest.kmsKeyId": "provider: encrypt_at_rest.kms_key_id is ForceNew", "encryptAtRest.enabled": "provider: turning encryption at rest off replaces the domain (CustomizeDiff)" },
    },
    "aws:rds/instance:Instance": {
        cfn: "AWS::RDS::DBInstance", provider: "rds/instance.go",
        replaces: {
            BackupTarget: "backupTarget", CharacterSetName: "characterSetName", CustomIAMInstanceProfile: "customIamInstanceProfile", DBInstanceIdentifier: "identifier", DBName: "dbName",
            KmsKeyId: "kmsKeyId", MasterUsername: "username", NcharCharacterSetName: "ncharCharacterSetName", StorageEncrypted: "storageEncrypted", Timezone: "timezone",
        },
        inPlace: {
            DBSubnetGroupName: "provider: db_subnet_group_name is not ForceNew; ModifyDBInstance moves the instance to the new subnet group (AWS allows this to move it to another VPC)",
            Port: "provider: port is not ForceNew; ModifyDBInstance changes DBPortNumber (the instance restarts)",
            DBClusterIdentifier: "Aurora only; not an input of aws.rds.Instance",
            DBSystemId: "RDS Custom for Oracle only; not an input",
            SourceRegion: "not an input (the provider derives it from replicateSourceDb's ARN)",
        },
        providerOnly: {
            engine: "provider: engine is ForceNew (CloudFormation: may replace)",
            availabilityZone: "provider: availability_zone is ForceNew (CloudFormation: may replace)",
            snapshotIdentifier: "provider: restoring from another snapshot creates a new instance",
            restoreToPointInTime: "provider: point-in-time restore creates a new instance",
            identifierPrefix: NAME_PREFIX,
            s3Import: "provider: s3_import is ForceNew",
        },
    },
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": { provider: "rds/instance_automated_backups_replication.go", all: "the provider has no update: a new source, key or retention starts a new replication" },
    "aws:rds/parameterGroup:ParameterGroup": { cfn: "AWS::RDS::DBParameterGroup", provider: "rds/parameter_group.go", replaces: { DBParameterGroupName: "name", Description: "description", Family: "family" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:rds/subnetGroup:SubnetGroup": { cfn: "AWS::RDS::DBSubnetGroup", provider: "rds/subnet_group.go", replaces: { DBSubnetGroupName: "name" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:s3/bucket:Bucket": {
        cfn: "AWS::S3::Bucket", provider: "s3/bucket.go",
        replaces: { BucketName: "bucket", BucketNamePrefix: "bucketPrefix", BucketNamespace: "bucketNamespace", ObjectLockEnabled: "objectLockEnabled" },
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": { provider: "s3/bucket_lifecycle_configuration.go", providerOnly: { bucket: "provider: bucket is ForceNew", expectedBucketOwner: "provider: expected_bucket_owner is ForceNew" } },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { provider: "s3/bucket_ownership_controls.go", providerOnly: { bucket: "provider: bucket is ForceNew" } },
    "aws:s3/bucketPolicy:BucketPolicy": { cfn: "AWS::S3::BucketPolicy", provider: "s3/bucket_policy.go", replaces: { Bucket: "bucket" } },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { provider: "s3/bucket_public_access_block.go", providerOnly: { bucket: "provider: bucket is ForceNew" } },
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": { provider: "s3/bucket_replication_configuration.go", providerOnly: { bucket: "provider: bucket is ForceNew" } },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": { provider: "s3/bucket_server_side_encryption_configuration.go", providerOnly: { bucket: "provider: bucket is ForceNew", expectedBucketOwner: "provider: expected_bucket_owner is ForceNew" } },
    "aws:s3/bucketVersioning:BucketVersioning": { provider: "s3/bucket_versioning.go", providerOnly: { bucket: "provider: bucket is ForceNew", expectedBucketOwner: "provider: expected_bucket_owner is ForceNew" } },
    "aws:lambda/function:Function": { cfn: "AWS::Lambda::Function", provider: "lambda/function.go", replaces: { FunctionName: "name", PackageType: "packageType" }, inPlace: { TenancyConfig: NO_INPUT } },
    "aws:lambda/permission:Permission": { cfn: "AWS::Lambda::Permission", provider: "lambda/permission.go", all: "the provider has no update for a permission (every argument is ForceNew)" },
    "aws:secretsmanager/secret:Secret": { cfn: "AWS::SecretsManager::Secret", provider: "secretsmanager/secret.go", replaces: { Name: "name" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:secretsmanager/secretVersion:SecretVersion": {
        provider: "secretsmanager/secret_version.go",
        providerOnly: { secretId: "provider: secret_id is ForceNew", secretString: "provider: secret_string is ForceNew (a new version becomes AWSCURRENT; the old one keeps AWSPREVIOUS)", secretBinary: "provider: secret_binary is ForceNew" },
    },
    "aws:sns/topic:Topic": { cfn: "AWS::SNS::Topic", provider: "sns/topic.go", replaces: { FifoTopic: "fifoTopic", TopicName: "name" }, providerOnly: { namePrefix: NAME_PREFIX } },
    "aws:sns/topicSubscription:TopicSubscription": { cfn: "AWS::SNS::Subscription", provider: "sns/topic_subscription.go", replaces: { Endpoint: "endpoint", Protocol: "protocol", TopicArn: "topic" } },
    "aws:sns/topicPolicy:TopicPolicy": { cfn: "AWS::SNS::TopicPolicy", provider: "sns/topic_policy.go", providerOnly: { arn: "provider: arn is ForceNew" } },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
        cfn: "AWS::EC2::SecurityGroupEgress", provider: "ec2/vpc_security_group_egress_rule.go",
        replaces: { GroupId: "securityGroupId" },
        inPlace: Object.fromEntries(["CidrIp", "CidrIpv6", "FromPort", "IpProtocol", "DestinationPrefixListId", "DestinationSecurityGroupId", "ToPort"].map((p) => [p, "provider: the rule is updated in place with ModifySecurityGroupRules"])),
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        cfn: "AWS::EC2::SecurityGroupIngress", provider: "ec2/vpc_security_group_ingress_rule.go",
        replaces: { GroupId: "securityGroupId" },
        inPlace: Object.fromEntries(["CidrIp", "CidrIpv6", "FromPort", "IpProtocol", "SourcePrefixListId", "SourceSecurityGroupId", "ToPort"].map((p) => [p, "provider: the rule is updated in place with ModifySecurityGroupRules"])
            .concat(["GroupName", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId"].map((p) => [p, NO_INPUT]))),
    },
};

/** Non-AWS providers the platform uses, with the same shape. */
export const OTHER_REPLACEMENTS: Record<string, AwsReplacementEntry> = {
    "random:index/randomPassword:RandomPassword": { provider: "terraform-provider-random internal/provider/resource_password.go", all: "every argument of random_password requires replacement: a new password is generated" },
};
