/**
 * Which resource inputs the AWS API constrains, and where each constraint lives: the Pulumi input
 * path (`a.b[].c`, `[]` walks a list) mapped to the API member it becomes (`service:Shape.Member`,
 * `[]` for a list's items) and, for enums, the SDK's enum name. scripts/derive-aws-facts.ts resolves
 * these against the service models into lib/aws/facts.json; test/aws checks every stack against it.
 * Constraints AWS documents only in prose (RDS names) are `doc` entries with the page they come from.
 */
export interface ApiInput {
    /** Pulumi type token. */
    type: string;
    /** Input path: dots, `[]` walks a list, `{}` the keys of a map. */
    input: string;
    /** `service:Shape.Member` in the service model (botocore naming), `[]` when the member is a list. */
    api?: string;
    /** `service:EnumName` in the AWS SDK for JavaScript v3 client (current enum values). */
    sdkEnum?: string;
    /** Key of a documented constraint in scripts/derive-aws-facts.ts (prose-only in the models). */
    doc?: string;
}

export const API_INPUTS: ApiInput[] = [
    // AWS Backup
    { type: "aws:backup/vault:Vault", input: "name", api: "backup:CreateBackupVaultInput.BackupVaultName" },
    { type: "aws:backup/vaultNotifications:VaultNotifications", input: "backupVaultEvents[]", api: "backup:PutBackupVaultNotificationsInput.BackupVaultEvents[]", sdkEnum: "backup:BackupVaultEvent" },
    { type: "aws:backup/vaultLockConfiguration:VaultLockConfiguration", input: "backupVaultName", api: "backup:PutBackupVaultLockConfigurationInput.BackupVaultName" },
    { type: "aws:backup/plan:Plan", input: "rules[].ruleName", api: "backup:BackupRuleInput.RuleName" },
    { type: "aws:backup/plan:Plan", input: "rules[].targetVaultName", api: "backup:BackupRuleInput.TargetBackupVaultName" },
    { type: "aws:backup/selection:Selection", input: "name", api: "backup:BackupSelection.SelectionName" },
    { type: "aws:backup/selection:Selection", input: "selectionTags[].type", api: "backup:Condition.ConditionType", sdkEnum: "backup:ConditionType" },
    { type: "aws:backup/restoreTestingPlan:RestoreTestingPlan", input: "name", doc: "backup.RestoreTestingPlanName" },
    { type: "aws:backup/restoreTestingPlan:RestoreTestingPlan", input: "recoveryPointSelection.algorithm", sdkEnum: "backup:RestoreTestingRecoveryPointSelectionAlgorithm" },
    { type: "aws:backup/restoreTestingPlan:RestoreTestingPlan", input: "recoveryPointSelection.recoveryPointTypes[]", sdkEnum: "backup:RestoreTestingRecoveryPointType" },
    { type: "aws:backup/restoreTestingPlan:RestoreTestingPlan", input: "startWindowHours", doc: "backup.StartWindowHours" },
    { type: "aws:backup/restoreTestingPlan:RestoreTestingPlan", input: "recoveryPointSelection.selectionWindowDays", doc: "backup.SelectionWindowDays" },
    { type: "aws:backup/restoreTestingSelection:RestoreTestingSelection", input: "name", doc: "backup.RestoreTestingSelectionName" },
    { type: "aws:backup/restoreTestingSelection:RestoreTestingSelection", input: "validationWindowHours", doc: "backup.ValidationWindowHours" },
    // CloudWatch Logs and EventBridge
    { type: "aws:cloudwatch/logGroup:LogGroup", input: "name", api: "logs:CreateLogGroupRequest.logGroupName" },
    { type: "aws:cloudwatch/logGroup:LogGroup", input: "retentionInDays", doc: "logs.RetentionInDays" },
    { type: "aws:cloudwatch/eventRule:EventRule", input: "name", api: "events:PutRuleRequest.Name" },
    { type: "aws:cloudwatch/eventRule:EventRule", input: "description", api: "events:PutRuleRequest.Description" },
    { type: "aws:cloudwatch/eventRule:EventRule", input: "eventPattern", api: "events:PutRuleRequest.EventPattern" },
    // EC2 / VPC
    { type: "aws:ec2/flowLog:FlowLog", input: "trafficType", api: "ec2:CreateFlowLogsRequest.TrafficType", sdkEnum: "ec2:TrafficType" },
    { type: "aws:ec2/flowLog:FlowLog", input: "logDestinationType", api: "ec2:CreateFlowLogsRequest.LogDestinationType", sdkEnum: "ec2:LogDestinationType" },
    { type: "aws:ec2/flowLog:FlowLog", input: "maxAggregationInterval", doc: "ec2.MaxAggregationInterval" },
    { type: "aws:ec2/vpcEndpoint:VpcEndpoint", input: "vpcEndpointType", api: "ec2:CreateVpcEndpointRequest.VpcEndpointType", sdkEnum: "ec2:VpcEndpointType" },
    { type: "aws:ec2/launchTemplate:LaunchTemplate", input: "metadataOptions.httpTokens", api: "ec2:LaunchTemplateInstanceMetadataOptionsRequest.HttpTokens", sdkEnum: "ec2:LaunchTemplateHttpTokensState" },
    { type: "aws:ec2/launchTemplate:LaunchTemplate", input: "metadataOptions.httpEndpoint", api: "ec2:LaunchTemplateInstanceMetadataOptionsRequest.HttpEndpoint", sdkEnum: "ec2:LaunchTemplateInstanceMetadataEndpointState" },
    { type: "aws:ec2/launchTemplate:LaunchTemplate", input: "blockDeviceMappings[].ebs.volumeType", api: "ec2:LaunchTemplateEbsBlockDeviceRequest.VolumeType", sdkEnum: "ec2:VolumeType" },
    { type: "aws:ec2/securityGroup:SecurityGroup", input: "description", doc: "ec2.SecurityGroupDescription" },
    { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", input: "description", doc: "ec2.SecurityGroupDescription" },
    // EKS
    { type: "aws:eks/cluster:Cluster", input: "name", api: "eks:CreateClusterRequest.name" },
    { type: "aws:eks/cluster:Cluster", input: "enabledClusterLogTypes[]", api: "eks:LogSetup.types[]", sdkEnum: "eks:LogType" },
    { type: "aws:eks/cluster:Cluster", input: "accessConfig.authenticationMode", sdkEnum: "eks:AuthenticationMode" },
    { type: "aws:eks/cluster:Cluster", input: "upgradePolicy.supportType", sdkEnum: "eks:SupportType" },
    { type: "aws:eks/nodeGroup:NodeGroup", input: "capacityType", api: "eks:CreateNodegroupRequest.capacityType", sdkEnum: "eks:CapacityTypes" },
    { type: "aws:eks/nodeGroup:NodeGroup", input: "amiType", api: "eks:CreateNodegroupRequest.amiType", sdkEnum: "eks:AMITypes" },
    { type: "aws:eks/nodeGroup:NodeGroup", input: "taints[].effect", api: "eks:Taint.effect", sdkEnum: "eks:TaintEffect" },
    { type: "aws:eks/nodeGroup:NodeGroup", input: "taints[].key", api: "eks:Taint.key" },
    { type: "aws:eks/addon:Addon", input: "resolveConflictsOnCreate", api: "eks:CreateAddonRequest.resolveConflicts", sdkEnum: "eks:ResolveConflicts" },
    { type: "aws:eks/addon:Addon", input: "resolveConflictsOnUpdate", sdkEnum: "eks:ResolveConflicts" },
    { type: "aws:eks/accessEntry:AccessEntry", input: "type", doc: "eks.AccessEntryType" },
    { type: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", input: "accessScope.type", sdkEnum: "eks:AccessScopeType" },
    // IAM
    { type: "aws:iam/serviceLinkedRole:ServiceLinkedRole", input: "description", api: "iam:CreateServiceLinkedRoleRequest.Description" },
    { type: "aws:iam/serviceLinkedRole:ServiceLinkedRole", input: "awsServiceName", api: "iam:CreateServiceLinkedRoleRequest.AWSServiceName" },
    { type: "aws:iam/role:Role", input: "name", api: "iam:CreateRoleRequest.RoleName" },
    // KMS
    { type: "aws:kms/key:Key", input: "description", api: "kms:CreateKeyRequest.Description" },
    { type: "aws:kms/key:Key", input: "deletionWindowInDays", doc: "kms.PendingWindowInDays" },
    { type: "aws:kms/key:Key", input: "rotationPeriodInDays", doc: "kms.RotationPeriodInDays" },
    { type: "aws:kms/alias:Alias", input: "name", api: "kms:CreateAliasRequest.AliasName" },
    // OpenSearch
    { type: "aws:opensearch/domain:Domain", input: "domainName", api: "opensearch:CreateDomainRequest.DomainName" },
    { type: "aws:opensearch/domain:Domain", input: "engineVersion", api: "opensearch:CreateDomainRequest.EngineVersion" },
    // The model's OpenSearchPartitionInstanceType enum stopped at the 6th generation (no r7g/m7g, which the service
    // supports), so instance types are checked against the developer guide's list of families instead.
    { type: "aws:opensearch/domain:Domain", input: "clusterConfig.instanceType", doc: "opensearch.InstanceType" },
    { type: "aws:opensearch/domain:Domain", input: "clusterConfig.dedicatedMasterType", doc: "opensearch.InstanceType" },
    { type: "aws:opensearch/domain:Domain", input: "ebsOptions.volumeType", api: "opensearch:EBSOptions.VolumeType", sdkEnum: "opensearch:VolumeType" },
    { type: "aws:opensearch/domain:Domain", input: "domainEndpointOptions.tlsSecurityPolicy", api: "opensearch:DomainEndpointOptions.TLSSecurityPolicy", sdkEnum: "opensearch:TLSSecurityPolicy" },
    { type: "aws:opensearch/domain:Domain", input: "logPublishingOptions[].logType", sdkEnum: "opensearch:LogType" },
    // RDS (the model types most members as plain strings/integers; the limits are in the API reference's prose)
    { type: "aws:rds/instance:Instance", input: "identifier", doc: "rds.DBInstanceIdentifier" },
    { type: "aws:rds/instance:Instance", input: "dbName", doc: "rds.PostgresDBName" },
    { type: "aws:rds/instance:Instance", input: "username", doc: "rds.PostgresMasterUsername" },
    { type: "aws:rds/instance:Instance", input: "storageType", doc: "rds.StorageType" },
    { type: "aws:rds/instance:Instance", input: "backupRetentionPeriod", doc: "rds.BackupRetentionPeriod" },
    { type: "aws:rds/instance:Instance", input: "monitoringInterval", doc: "rds.MonitoringInterval" },
    { type: "aws:rds/instance:Instance", input: "performanceInsightsRetentionPeriod", doc: "rds.PerformanceInsightsRetentionPeriod" },
    { type: "aws:rds/instance:Instance", input: "enabledCloudwatchLogsExports[]", doc: "rds.PostgresLogExports" },
    { type: "aws:rds/instance:Instance", input: "finalSnapshotIdentifier", doc: "rds.DBSnapshotIdentifier" },
    { type: "aws:rds/parameterGroup:ParameterGroup", input: "name", doc: "rds.DBParameterGroupName" },
    { type: "aws:rds/parameterGroup:ParameterGroup", input: "family", doc: "rds.PostgresFamily" },
    { type: "aws:rds/subnetGroup:SubnetGroup", input: "name", doc: "rds.DBSubnetGroupName" },
    { type: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", input: "retentionPeriod", doc: "rds.BackupRetentionPeriodReplicated" },
    // S3
    { type: "aws:s3/bucket:Bucket", input: "bucket", doc: "s3.BucketName" },
    { type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls", input: "rule.objectOwnership", api: "s3:OwnershipControlsRule.ObjectOwnership", sdkEnum: "s3:ObjectOwnership" },
    { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", input: "rules[].applyServerSideEncryptionByDefault.sseAlgorithm", api: "s3:ServerSideEncryptionByDefault.SSEAlgorithm", sdkEnum: "s3:ServerSideEncryption" },
    { type: "aws:s3/bucketVersioning:BucketVersioning", input: "versioningConfiguration.status", api: "s3:VersioningConfiguration.Status", sdkEnum: "s3:BucketVersioningStatus" },
    { type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", input: "rules[].status", api: "s3:LifecycleRule.Status", sdkEnum: "s3:ExpirationStatus" },
    { type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig", input: "rules[].status", api: "s3:ReplicationRule.Status", sdkEnum: "s3:ReplicationRuleStatus" },
    { type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig", input: "rules[].destination.storageClass", api: "s3:Destination.StorageClass", sdkEnum: "s3:StorageClass" },
    { type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig", input: "rules[].destination.replicationTime.status", api: "s3:ReplicationTime.Status", sdkEnum: "s3:ReplicationTimeStatus" },
    { type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig", input: "rules[].destination.metrics.status", api: "s3:Metrics.Status", sdkEnum: "s3:MetricsStatus" },
    // SNS
    { type: "aws:sns/topic:Topic", input: "name", doc: "sns.TopicName" },
];

/**
 * AWS types the stacks register whose inputs have no constraint beyond what the types above cover
 * (ids and ARNs produced by other resources, policy documents checked by the IAM rules, tags).
 */
export const UNCONSTRAINED_TYPES = [
    // Not derived yet (scripts/derive-aws-facts.ts needs python3-botocore to add their limits).
    "aws:secretsmanager/secret:Secret",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:lambda/function:Function",
    "aws:lambda/permission:Permission",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    "aws:cloudwatch/eventTarget:EventTarget",
    // CloudWatch alarms and their delivery (issue 27): names are built within EventBridge's 64 characters by
    // components/observability/cloudwatch/delivery.ts (eventBridgeName, tested); the alarms' fields come from typed specs.
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/eventConnection:EventConnection",
    "aws:cloudwatch/eventApiDestination:EventApiDestination",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/eip:Eip",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/vpc:Vpc",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:codebuild/project:Project",
    "aws:codebuild/webhook:Webhook",
    "aws:codebuild/sourceCredential:SourceCredential",
    // ECR (issue 17): facts.json has no ECR model yet; repository names and tag mutability are validated by
    // platform:supplyChain.signing.repositories (stacks/supply-chain-schema.ts). To do: derive @aws-sdk/client-ecr.
    "aws:ecr/repository:Repository",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    // Chaos experiments (components/resilience): facts.json has no CloudWatch or FIS model yet (deriving needs botocore's
    // cloudwatch and fis models); the FIS actions, targets and parameters are checked against components/resilience/experiments.ts's
    // table from the FIS actions reference (test/resilience). To do: derive @aws-sdk/client-cloudwatch and client-fis.
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:fis/experimentTemplate:ExperimentTemplate",
];
