/**
 * Strict Pulumi mocks: every resource gets realistic computed state (ids, ARNs, endpoints, a
 * kubeconfig-able cluster endpoint and CA), and every invoke the program uses is answered; any
 * other invoke throws `Mock not implemented`, so a new invoke cannot slip in unnoticed.
 */
import * as pulumi from "@pulumi/pulumi";
import { createECDH, createHash, createPublicKey } from "node:crypto";
import { isDeepStrictEqual } from "node:util";

export const MOCK_ACCOUNT_ID = "123456789012";

/** A syntactically valid PEM certificate body, base64-encoded the way EKS returns it. */
const MOCK_CA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\ncm5ldGVzMB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFowFTETMBEGA1UE\n-----END CERTIFICATE-----\n").toString("base64");

function hex(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** Service part of an ARN for a type token such as `aws:rds/instance:Instance`. */
function arnFor(type: string, name: string, region: string, inputs: Record<string, unknown>): string | undefined {
    const [, module, ] = type.split(/[:/]/);
    const physical = String(inputs.name ?? inputs.identifier ?? name);
    switch (type) {
        case "aws:iam/role:Role": return `arn:aws:iam::${MOCK_ACCOUNT_ID}:role${String(inputs.path ?? "/")}${physical}`;
        case "aws:iam/policy:Policy": return `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy${String(inputs.path ?? "/")}${physical}`;
        case "aws:kms/key:Key": return `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/${inputs.multiRegion ? `mrk-${hex(name, 32)}` : uuid(name)}`;
        // A replica key has its primary's key id, in its own region.
        case "aws:kms/replicaKey:ReplicaKey": return `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/${String(inputs.primaryKeyArn ?? "").split("/").pop()}`;
        case "aws:ecr/repository:Repository": return `arn:aws:ecr:${region}:${MOCK_ACCOUNT_ID}:repository/${String(inputs.name ?? physical)}`;
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": return `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${String(inputs.url ?? physical).replace(/^https:\/\//, "")}`;
        case "aws:kms/alias:Alias": return `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:${physical}`;
        case "aws:cloudwatch/logGroup:LogGroup": return `arn:aws:logs:${region}:${MOCK_ACCOUNT_ID}:log-group:${physical}`;
        case "aws:rds/instance:Instance": return `arn:aws:rds:${region}:${MOCK_ACCOUNT_ID}:db:${physical}`;
        case "aws:eks/cluster:Cluster": return `arn:aws:eks:${region}:${MOCK_ACCOUNT_ID}:cluster/${physical}`;
        case "aws:eks/nodeGroup:NodeGroup": return `arn:aws:eks:${region}:${MOCK_ACCOUNT_ID}:nodegroup/${String(inputs.clusterName)}/${String(inputs.nodeGroupName)}/${uuid(name)}`;
        case "aws:cloudwatch/metricAlarm:MetricAlarm": return `arn:aws:cloudwatch:${region}:${MOCK_ACCOUNT_ID}:alarm:${physical}`;
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2": return `arn:aws:s3:::${String(inputs.bucket ?? physical)}`;
        case "aws:sns/topic:Topic": return `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:${physical}`;
        case "aws:opensearch/domain:Domain": return `arn:aws:es:${region}:${MOCK_ACCOUNT_ID}:domain/${String(inputs.domainName)}`;
        case "aws:backup/vault:Vault": return `arn:aws:backup:${region}:${MOCK_ACCOUNT_ID}:backup-vault:${physical}`;
        // Secrets Manager appends six random characters to the name.
        case "aws:secretsmanager/secret:Secret": return `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:${physical}-${hex(name, 6)}`;
        case "aws:lambda/function:Function": return `arn:aws:lambda:${region}:${MOCK_ACCOUNT_ID}:function:${physical}`;
        case "aws:cloudwatch/eventRule:EventRule": return `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:rule/${physical}`;
        case "aws:backup/restoreTestingPlan:RestoreTestingPlan": return `arn:aws:backup:${region}:${MOCK_ACCOUNT_ID}:restore-testing-plan:${physical}-${uuid(name)}`;
        default: return module ? `arn:aws:${module.toLowerCase()}:${region}:${MOCK_ACCOUNT_ID}:${module}/${physical}` : undefined;
    }
}

/** A valid ECDSA P-256 public key (PEM) standing in for a KMS signing key's, derived from the key id (stable across runs, so plan diffs stay quiet). */
export function mockPublicKey(keyId: string): string {
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(createHash("sha256").update(`mock-kms:${keyId}`).digest());
    const point = ecdh.getPublicKey();
    const b64url = (b: Buffer) => b.toString("base64url");
    return createPublicKey({ key: { kty: "EC", crv: "P-256", x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) }, format: "jwk" }).export({ type: "spki", format: "pem" }).toString();
}

function uuid(seed: string): string {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const ID_PREFIX: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:fis/experimentTemplate:ExperimentTemplate": "EXT",
};

/** Type-specific computed outputs a real provider returns. */
function computed(type: string, name: string, region: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (type) {
        case "aws:eks/cluster:Cluster": {
            const host = `${hex(name, 32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`;
            return {
                name: inputs.name ?? name,
                endpoint: `https://${host}`,
                certificateAuthority: { data: MOCK_CA },
                vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: `sg-${hex(`${name}-cluster-sg`, 17)}`, vpcId: `vpc-${hex("vpc", 17)}` },
                identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${hex(name, 32).toUpperCase()}` }] }],
                status: "ACTIVE",
            };
        }
        case "aws:rds/instance:Instance": {
            const address = `${inputs.identifier ?? name}.${hex(name, 12)}.${region}.rds.amazonaws.com`;
            return {
                address,
                endpoint: `${address}:5432`,
                port: 5432,
                resourceId: `db-${hex(name, 26).toUpperCase()}`,
                masterUserSecrets: inputs.manageMasterUserPassword
                    ? [{ secretArn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:rds!db-${uuid(name)}-AbCdEf`, kmsKeyId: inputs.masterUserSecretKmsKeyId, secretStatus: "active" }]
                    : [],
            };
        }
        case "aws:kms/key:Key": return { keyId: inputs.multiRegion ? `mrk-${hex(name, 32)}` : uuid(name) };
        case "aws:kms/replicaKey:ReplicaKey": return { keyId: String(inputs.primaryKeyArn ?? "").split("/").pop() };
        case "aws:ecr/repository:Repository": return { repositoryUrl: `${MOCK_ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/${String(inputs.name)}`, registryId: MOCK_ACCOUNT_ID };
        case "aws:opensearch/domain:Domain": return { endpoint: `vpc-${inputs.domainName}-${hex(name, 26)}.${region}.es.amazonaws.com`, domainId: `${MOCK_ACCOUNT_ID}/${inputs.domainName}` };
        case "random:index/randomPassword:RandomPassword": return { result: `mock-${hex(name, 28)}` };
        case "aws:eks/nodeGroup:NodeGroup": return { nodeGroupName: `${inputs.nodeGroupNamePrefix ?? name}${hex(name, 8)}`, status: "ACTIVE" };
        case "aws:ec2/launchTemplate:LaunchTemplate": return { latestVersion: 1, defaultVersion: 1 };
        case "aws:iam/role:Role": return { name: inputs.name ?? `${name}-${hex(name, 7)}`, uniqueId: `AROA${hex(name, 17).toUpperCase()}` };
        case "aws:rds/subnetGroup:SubnetGroup":
        case "aws:rds/parameterGroup:ParameterGroup": return { name: inputs.name ?? name };
        default: return {};
    }
}

/** What the mocked account holds before the program runs (a fresh account by default). */
export interface MockAccount {
    /** EKS cluster names in the region (eks:ListClusters). */
    clusters?: string[];
    /** Tagged resources in the region (tag:GetResources). */
    taggedResources?: { resourceArn: string; tags: Record<string, string> }[];
    /** URLs of the account's IAM OIDC providers; defaults to GitHub's, which bootstrap/ creates. */
    oidcProviderUrls?: string[];
    /** IAM role names that do not exist (iam:GetRole fails for them). */
    missingRoles?: string[];
    /** A regional outage: every invoke, create and update in these regions fails (AWS APIs and the clusters' Kubernetes APIs). */
    unavailableRegions?: string[];
    /** What is deployed (inputs by `type::name`, as a previous build's mocks saw them): registering the same inputs calls no API. */
    deployed?: ReadonlyMap<string, unknown>;
}

/** Invokes of global services: no region can make them fail. */
const GLOBAL_INVOKES = /^aws:(iam|index\/getPartition)/;

/** A stack's outputs as a StackReference reads them: the values (a plan snapshot masks the secrets' values) and which are secrets. */
export interface StackOutputs {
    outputs: Record<string, unknown>;
    secretOutputNames: string[];
}

/** The outputs of another stack by its fully qualified name (`<org>/<project>/<stack>`), or undefined when unknown. */
export type StackOutputsSource = (name: string) => StackOutputs | undefined;

export interface MockOptions {
    /**
     * The first preview of a new stack: nothing exists yet, so every resource's id and every output
     * it does not take from its inputs (ARNs, generated names, endpoints) is unknown, as the engine
     * reports them in `pulumi preview`. Build with the mock runtime's preview on (buildStack's
     * `firstPreview`). Providers keep known ids, so resources still get their provider's region.
     */
    firstPreview?: boolean;
    /** What the program's StackReferences read (lib/offline/project.ts); none by default. */
    stacks?: StackOutputsSource;
}

export class PlatformMocks implements pulumi.runtime.Mocks {
    /** Region of each explicit AWS provider and of each Kubernetes provider's cluster, by provider id. */
    private readonly providerRegions = new Map<string, string>();
    /** The inputs of every custom resource registered, by `type::name` (a later build's `deployed`). */
    public readonly registered = new Map<string, unknown>();

    constructor(private readonly region: string, private readonly account: MockAccount = {}, private readonly options: MockOptions = {}) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        if (!args.custom) return { id: undefined, state: {} };
        const inputs = args.inputs as Record<string, any>;
        if (args.type === "pulumi:pulumi:StackReference") return this.stackReference(String(inputs.name ?? args.id ?? args.name));
        if (args.type.startsWith("pulumi:providers:")) {
            const providerId = `provider-${hex(args.name, 12)}`;
            // An AWS provider's region; a Kubernetes provider's cluster region, from its kubeconfig's EKS endpoint.
            const region = args.type === "pulumi:providers:aws" ? String(inputs.region ?? this.region) : /\.([a-z]{2}(?:-[a-z]+)+-\d)\.eks\.amazonaws\.com/.exec(String(inputs.kubeconfig ?? ""))?.[1];
            if (region) this.providerRegions.set(providerId, region);
            return { id: providerId, state: inputs };
        }
        const viaProvider = this.providerRegions.get(args.provider?.split("::").pop() ?? "");
        const region = viaProvider ?? this.region;
        const key = `${args.type}::${args.name}`;
        this.registered.set(key, inputs);
        if (args.type.startsWith("aws:") || viaProvider) this.reachable(viaProvider ?? region, () => {
            const deployed = this.account.deployed?.get(key);
            if (deployed !== undefined && isDeepStrictEqual(deployed, inputs)) return undefined;
            return `${key} would be ${deployed === undefined ? "created" : "updated"} there`;
        });
        if (this.options.firstPreview && !args.type.startsWith("pulumi:providers:")) return { id: undefined, state: inputs };
        return this.resource(args, inputs, region);
    }

    /** Throws as a call into a failed region does, unless `needsCall` says no API call is needed. */
    private reachable(region: string, needsCall: () => string | undefined): void {
        if (!this.account.unavailableRegions?.includes(region)) return;
        const what = needsCall();
        if (what) throw new Error(`${region} is unavailable (regional outage): ${what}`);
    }

    /**
     * A StackReference read as the engine answers it: every output of the referenced stack, the
     * secret ones as secrets, and `secretOutputNames` (the SDK marks each output it hands out as
     * secret by that list). An unknown stack fails, as the engine fails to read a stack that does not exist.
     */
    private stackReference(name: string): { id: string; state: Record<string, any> } {
        const stack = this.options.stacks?.(name);
        if (!stack) throw new Error(`StackReference ${name}: no outputs of that stack are known offline`);
        const secret = new Set(stack.secretOutputNames);
        const outputs = Object.fromEntries(Object.entries(stack.outputs).map(([k, v]) => [k, secret.has(k) ? pulumi.secret(v) : v]));
        return { id: name, state: { name, outputs, secretOutputNames: [...secret] } };
    }

    private resource(args: pulumi.runtime.MockResourceArgs, inputs: Record<string, any>, region: string): { id: string | undefined; state: Record<string, any> } {
        const id = args.type.startsWith("kubernetes:")
            ? `${inputs.metadata?.namespace ? `${inputs.metadata.namespace}/` : ""}${inputs.metadata?.name ?? args.name}`
            : args.type === "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
                ? `arn:aws:rds:${region}:${MOCK_ACCOUNT_ID}:auto-backup:ab-${hex(args.name, 26)}` // its id is the replicated backups' ARN
                : `${ID_PREFIX[args.type] ?? `${args.name}-`}${hex(`${args.type}:${args.name}`, 17)}`;
        const extra = computed(args.type, args.name, region, inputs);
        const arn = args.type.startsWith("aws:") ? arnFor(args.type, args.name, region, { ...inputs, ...extra }) : undefined;
        return { id, state: { ...inputs, ...(arn ? { arn } : {}), ...extra } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        if (!GLOBAL_INVOKES.test(args.token)) {
            const region = this.providerRegions.get(args.provider?.split("::").pop() ?? "") ?? (args.inputs.region as string | undefined) ?? this.region;
            this.reachable(region, () => `invoke ${args.token}`);
        }
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/ci`, userId: "AIDAEXAMPLE", id: MOCK_ACCOUNT_ID };
            case "aws:index/getAvailabilityZones:getAvailabilityZones": {
                const region = (args.inputs.region as string | undefined) ?? this.region;
                const letters = ["a", "b", "c"];
                return { names: letters.map((l) => `${region}${l}`), zoneIds: letters.map((_, i) => `${region.slice(0, 3)}${i + 1}-az${i + 1}`), id: region };
            }
            case "aws:kms/getPublicKey:getPublicKey": {
                // A real P-256 key per key id (made once per process): KMS's own key material cannot be known offline.
                const keyId = String(args.inputs.keyId);
                return { id: keyId, keyId, arn: keyId, customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY", signingAlgorithms: ["ECDSA_SHA_256"], publicKeyPem: mockPublicKey(keyId), publicKey: "" };
            }
            case "aws:eks/getClusters:getClusters":
                return { id: this.region, region: this.region, names: this.account.clusters ?? [] };
            case "aws:resourcegroupstaggingapi/getResources:getResources": {
                // AND of the tag filters, each matching any of its values (the API's semantics).
                const filters = (args.inputs.tagFilters ?? []) as { key: string; values?: string[] }[];
                const matches = (tags: Record<string, string>) => filters.every((f) => f.key in tags && (!f.values?.length || f.values.includes(tags[f.key])));
                return { id: this.region, region: this.region, resourceTagMappingLists: (this.account.taggedResources ?? []).filter((r) => matches(r.tags)).map((r) => ({ ...r, complianceDetails: [] })) };
            }
            case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": {
                // Looked up by url (or arn); IAM keeps the URL without its scheme. A missing provider fails as the data source does.
                const wanted = String(args.inputs.url ?? args.inputs.arn ?? "").replace(/^https:\/\//, "").replace(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\//, "");
                const known = (this.account.oidcProviderUrls ?? ["https://token.actions.githubusercontent.com"]).map((u) => u.replace(/^https:\/\//, ""));
                if (!known.includes(wanted)) throw new Error(`reading IAM OIDC Provider (${wanted}): couldn't find resource (bootstrap/ creates the GitHub provider)`);
                const arn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${wanted}`;
                return { id: arn, arn, url: wanted, clientIdLists: ["sts.amazonaws.com"], thumbprintLists: [], tags: {} };
            }
            case "aws:iam/getRole:getRole": {
                const name = String(args.inputs.name);
                if (this.account.missingRoles?.includes(name)) throw new Error(`reading IAM Role (${name}): couldn't find resource`);
                const arn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${name}`;
                return { id: name, name, arn, uniqueId: `AROA${hex(name, 17).toUpperCase()}`, path: "/", assumeRolePolicy: "{}", tags: {} };
            }
            default:
                throw new Error(`Mock not implemented: ${args.token}`);
        }
    }
}
