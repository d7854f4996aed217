/**
 * Fixtures of the DR drill tests: a drDrill output like staging's, and AWS API responses in the
 * shapes of the service models. Each response is typed with the SDK's own output type and written
 * with `satisfies`, so a field the model does not have fails the type-check (values follow the
 * examples of the API references: DescribeDBInstances, GetMetricData, GetSecretValue,
 * DescribeCluster, DescribeDBInstanceAutomatedBackups, StartExperiment, GetExperiment).
 */
import type { GetMetricDataOutput } from "@aws-sdk/client-cloudwatch";
import type { DescribeClusterResponse } from "@aws-sdk/client-eks";
import type { GetExperimentResponse, StartExperimentResponse } from "@aws-sdk/client-fis";
import { DBInstance, DBInstanceAutomatedBackupMessage, DBInstanceMessage, DBInstanceNotFoundFault } from "@aws-sdk/client-rds";
import type { GetSecretValueResponse } from "@aws-sdk/client-secrets-manager";
import { DrDrillOutput, drDrillSchema } from "../../scripts/dr/contract";
import type { Clock } from "../../scripts/dr/aws";

export const ACCOUNT = "123456789012";
export const PRIMARY = "platform-staging-postgres";
export const STANDING = "platform-staging-postgres-dr";
export const DRILL = "platform-staging-postgres-drill";
export const SECRET_ARN = `arn:aws:secretsmanager:eu-central-1:${ACCOUNT}:secret:platform-staging-postgres-master-AbCdEf`;
export const BACKUPS_ARN = `arn:aws:rds:eu-central-1:${ACCOUNT}:auto-backup:ab-ruhmu4mqjzv2kixjz4fzgflfxy5h6cpyjvw6cqa`;

/** A drDrill output as staging's (replica mode, standby cluster not built, chaos templates). */
export function stagingOutputs(change: (o: DrDrillOutput) => void = () => undefined): DrDrillOutput {
    const o: DrDrillOutput = {
        version: 1, project: "platform", stack: "staging", environment: "staging",
        primary: {
            region: "eu-west-1",
            database: { identifier: PRIMARY, arn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:${PRIMARY}`, port: 5432, name: "app", multiAz: true },
            cluster: { name: "platform-staging-eks" },
            backupVaultArn: `arn:aws:backup:eu-west-1:${ACCOUNT}:backup-vault:platform-staging-vault`,
        },
        dr: {
            enabled: true, region: "eu-central-1", failover: false,
            database: { mode: "replica", replica: { identifier: STANDING }, credentialSecretArn: SECRET_ARN },
            cluster: { name: "platform-staging-dr-eks", built: false, workloads: [{ namespace: "kube-system", kind: "Deployment", name: "coredns" }] },
            backupVaultArn: `arn:aws:backup:eu-central-1:${ACCOUNT}:backup-vault:platform-staging-dr-vault`,
        },
        chaos: {
            enabled: true, region: "eu-west-1", logGroupName: "/aws/fis/platform-staging",
            stopAlarmArns: [`arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:platform-staging-chaos-stop-apiserver-slo`],
            templates: [
                { key: "node-zone", id: "EXT1a2b3c4d5e6f7", action: "aws:ec2:terminate-instances" },
                { key: "rds-failover", id: "EXT7g8h9i0j1k2l3", action: "aws:rds:reboot-db-instances" },
            ],
        },
        targets: { database: { rpoMinutes: 30, rtoMinutes: 120 }, clusterState: { rpoMinutes: 60, rtoMinutes: 120 }, objectStorage: { rpoMinutes: 1440, rtoMinutes: 120 } },
        design: [
            { store: "database", mechanism: "cross-region read replica, promoted on failover", rpoMinutes: 1, rtoMinutes: 15, setBy: "platform:dr.enabled, platform:dr.failover" },
            { store: "clusterState", mechanism: "Velero", rpoMinutes: 5, rtoMinutes: 50, setBy: "platform:backup.velero.drIntervalMinutes" },
        ],
    };
    change(o);
    return drDrillSchema.parse(o);
}

/** The pitr variant: replicated automated backups restored into a new instance. */
export function pitrOutputs(): DrDrillOutput {
    return stagingOutputs((o) => {
        if (!o.dr.enabled) return;
        o.dr.database = {
            mode: "pitr", replicatedBackupsArn: BACKUPS_ARN, credentialSecretArn: SECRET_ARN,
            restore: { subnetGroupName: "platform-staging-postgres-dr-isolated", securityGroupIds: ["sg-0a1b2c3d4e5f60718"], parameterGroupName: "platform-staging-postgres-dr-pg17", instanceClass: "db.r7g.large" },
        };
    });
}

const drillTags = (runId: string) => [{ Key: "dr-drill-run", Value: runId }, { Key: "managed-by", Value: "dr-drill" }, { Key: "environment", Value: "staging" }, { Key: "stack", Value: "staging" }];

/** A DB instance as DescribeDBInstances returns it (a subset of the DBInstance members, each from the model). */
function instance(id: string, region: string, extra: Partial<DBInstance>): DBInstance {
    return {
        DBInstanceIdentifier: id,
        DBInstanceClass: "db.r7g.large",
        Engine: "postgres",
        EngineVersion: "17.6",
        DBInstanceStatus: "available",
        MasterUsername: "platform_admin",
        DBName: "app",
        Endpoint: { Address: `${id}.c9akciq32.${region}.rds.amazonaws.com`, Port: 5432, HostedZoneId: "Z1TTGA775OQIYO" },
        AllocatedStorage: 50,
        StorageType: "gp3",
        StorageEncrypted: true,
        KmsKeyId: `arn:aws:kms:${region}:${ACCOUNT}:key/0f7e5d3c-1b2a-4c5d-8e9f-0a1b2c3d4e5f`,
        DBSubnetGroup: { DBSubnetGroupName: `${id}-isolated`, VpcId: "vpc-0123456789abcdef0", SubnetGroupStatus: "Complete" },
        VpcSecurityGroups: [{ VpcSecurityGroupId: "sg-0a1b2c3d4e5f60718", Status: "active" }],
        DBParameterGroups: [{ DBParameterGroupName: `${id}-pg17`, ParameterApplyStatus: "in-sync" }],
        BackupRetentionPeriod: 7,
        MultiAZ: false,
        PubliclyAccessible: false,
        DBInstanceArn: `arn:aws:rds:${region}:${ACCOUNT}:db:${id}`,
        TagList: [],
        ...extra,
    } satisfies DBInstance;
}

export const describe = (i: DBInstance): DBInstanceMessage => ({ DBInstances: [i] }) satisfies DBInstanceMessage;
export const notFound = (id: string) => new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, $metadata: { httpStatusCode: 404 } });

export const primaryInstance = (status = "available") => instance(PRIMARY, "eu-west-1", { DBInstanceStatus: status, MultiAZ: true, ReadReplicaDBInstanceIdentifiers: [`arn:aws:rds:eu-central-1:${ACCOUNT}:db:${STANDING}`] });
export const standingReplica = (extra: Partial<DBInstance> = {}) => instance(STANDING, "eu-central-1", { ReadReplicaSourceDBInstanceIdentifier: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:${PRIMARY}`, ...extra });
export const drillInstance = (runId: string, extra: Partial<DBInstance>) => instance(DRILL, "eu-central-1", { TagList: drillTags(runId), DBSubnetGroup: { DBSubnetGroupName: `${STANDING}-isolated` }, DBParameterGroups: [{ DBParameterGroupName: `${STANDING}-pg17` }], ...extra });

/** GetMetricData of ReplicaLag (one-minute maxima, newest first as CloudWatch returns them). */
export function lagData(values: number[], now: number): GetMetricDataOutput {
    return {
        MetricDataResults: [{ Id: "lag", Label: "ReplicaLag", Timestamps: values.map((_, i) => new Date(now - (i + 1) * 60_000)), Values: values, StatusCode: "Complete" }],
        Messages: [],
    } satisfies GetMetricDataOutput;
}

/** A secret the way RDS and its rotation functions write the master credential. */
export const masterSecret: GetSecretValueResponse = {
    ARN: SECRET_ARN,
    Name: "platform-staging-postgres-master",
    VersionId: "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1",
    SecretString: JSON.stringify({ engine: "postgres", host: `${PRIMARY}.c9akciq32.eu-west-1.rds.amazonaws.com`, username: "platform_admin", password: "EXAMPLE-PASSWORD", dbname: "app", port: 5432 }),
    VersionStages: ["AWSCURRENT"],
    CreatedDate: new Date("2026-11-01T00:00:00Z"),
} satisfies GetSecretValueResponse;

export function automatedBackups(latest: Date): DBInstanceAutomatedBackupMessage {
    return {
        DBInstanceAutomatedBackups: [{
            DBInstanceArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:${PRIMARY}`,
            DbiResourceId: "db-A1B2C3D4E5F6G7H8I9J0K1L2M3",
            Region: "eu-west-1",
            DBInstanceIdentifier: PRIMARY,
            RestoreWindow: { EarliestTime: new Date(latest.getTime() - 7 * 86_400_000), LatestTime: latest },
            Status: "replicating",
            Engine: "postgres",
            DBInstanceAutomatedBackupsArn: BACKUPS_ARN,
            BackupRetentionPeriod: 7,
        }],
    } satisfies DBInstanceAutomatedBackupMessage;
}

/** DescribeCluster of an ACTIVE cluster (CA data is a base64 PEM, as EKS returns it). */
export function activeCluster(name: string, ca: string): DescribeClusterResponse {
    return {
        cluster: {
            name,
            arn: `arn:aws:eks:eu-central-1:${ACCOUNT}:cluster/${name}`,
            version: "1.35",
            endpoint: "https://A95FBC180B680B58A6468EF929D8F7A3.gr7.eu-central-1.eks.amazonaws.com",
            status: "ACTIVE",
            certificateAuthority: { data: Buffer.from(ca).toString("base64") },
            platformVersion: "eks.4",
        },
    } satisfies DescribeClusterResponse;
}

export const experimentStarted = (id: string, templateId: string): StartExperimentResponse => ({
    experiment: { id, experimentTemplateId: templateId, state: { status: "initiating", reason: "Experiment is initiating." }, creationTime: new Date("2026-12-03T04:40:00Z") },
}) satisfies StartExperimentResponse;

export const experimentState = (id: string, status: "running" | "completed" | "stopped" | "failed", reason?: string): GetExperimentResponse => ({
    experiment: { id, state: { status, reason } },
}) satisfies GetExperimentResponse;

/** A clock whose sleep advances time at once: waits of an hour take no real time. */
export function fakeClock(start = Date.parse("2026-12-03T04:17:00Z")): Clock & { slept: number[] } {
    let t = start;
    const slept: number[] = [];
    return { now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; }, slept };
}
