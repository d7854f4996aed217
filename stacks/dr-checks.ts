/**
 * Config rules of zones, DR and failover that need more than one key (issue 22), and the stack's
 * `aws:` provider settings the DR-region provider must carry. Called by config.ts; every problem
 * names its key and the fix.
 */
import type { PlatformSettings } from "./config-schema";
import { CONNECTION_ARN } from "./ci-schema";

const show = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v));

/** Zones pinned in config, azCount of them, all in `region`. */
function zoneProblems(key: string, zones: string[] | undefined, azCount: number, region: string, how: string): string[] {
    if (!zones) {
        return [`${key}: required: pin the ${azCount} zones of the subnets (subnet i is in zone i). Subnets never follow the live "available" list, which shifts when a zone is impaired and would replace subnets during an incident. ${how}`];
    }
    const out: string[] = [];
    if (zones.length !== azCount) out.push(`${key}: lists ${zones.length} zones but network.azCount is ${azCount}; list exactly azCount zones`);
    zones.forEach((az, i) => {
        if (az.slice(0, -1) !== region) out.push(`${key}[${i}]: ${show(az)} is not in ${region}`);
        if (zones.indexOf(az) !== i) out.push(`${key}[${i}]: ${show(az)} is listed twice; each subnet index needs its own zone`);
    });
    return out;
}

const EXISTING = "An existing stack: the zones its subnets have now, in order (aws ec2 describe-subnets --filters Name=tag:Name,Values='<prefix>-private-*' --query 'Subnets[].[Tags[?Key==`Name`].Value|[0],AvailabilityZone]'); a new stack: zones from aws ec2 describe-availability-zones --region";

/** The problems of zones, DR and failover settings. `allowedAccountIds` is `aws:allowedAccountIds` as parsed. */
export function drProblems(cfg: PlatformSettings, region: string, values: Record<string, unknown>, allowedAccountIds: string[]): string[] {
    const { network, dr } = cfg;
    const problems = zoneProblems("platform:network.availabilityZones", network.availabilityZones, network.azCount, region, `${EXISTING} ${region}.`);
    if (!dr.enabled) return problems;
    if (dr.region) problems.push(...zoneProblems("platform:dr.availabilityZones", dr.availabilityZones, network.azCount, dr.region, `${EXISTING} ${dr.region}.`));
    if (!dr.ciConnectionArn) {
        problems.push(`platform:dr.ciConnectionArn: required when dr.enabled is true: a CodeConnections connection to GitHub in ${dr.region ?? "the DR region"} (AVAILABLE, GitHub App installed), for the runner in the DR VPC that performs a failover (docs/backups-and-dr.md)`);
    } else {
        const conn = CONNECTION_ARN.exec(dr.ciConnectionArn);
        if (conn && dr.region && conn[3] !== dr.region) problems.push(`platform:dr.ciConnectionArn: the connection is in ${conn[3]} but dr.region is ${dr.region}; CodeBuild uses a connection of its own region only`);
    }
    if (!dr.breakGlassRoleArn) problems.push(`platform:dr.breakGlassRoleArn: required when dr.enabled is true: an existing IAM role operators assume to administer the standby cluster when CI cannot (e.g. your SSO administrator role)`);
    if (allowedAccountIds.length !== 1) {
        problems.push(`aws:allowedAccountIds: ${allowedAccountIds.length === 0 ? "required" : `lists ${allowedAccountIds.length} accounts`} when platform:dr.enabled is true: name the one account; the DR-region provider carries it, and the stack reads its account id from it (no STS call in a failed region)`);
    }
    if (dr.failover) {
        if (dr.region && values["aws:stsRegion"] !== dr.region) {
            problems.push(`aws:stsRegion: ${show(values["aws:stsRegion"])} while platform:dr.failover is true; set it to ${dr.region} (pulumi config set aws:stsRegion ${dr.region}) so the default provider validates its credentials with STS in the DR region, not in the failed one`);
        }
        if (cfg.supplyChain.signing.enabled && !cfg.supplyChain.signing.publicKeyPem) {
            problems.push(`platform:supplyChain.signing.publicKeyPem: required while platform:dr.failover is true: the stack output cosignPublicKey (pulumi stack output cosignPublicKey), so the failover reads no key from KMS in the failed region`);
        }
    }
    return problems;
}

/** `aws:` settings that are not region-specific: everything the stack sets under `aws:` except these is copied to the DR provider. */
const REGIONAL_KEYS = new Set(["region", "stsRegion"]);
/** Provider settings that are credentials: secrets wherever they are copied. */
export const SECRET_PROVIDER_KEYS = ["accessKey", "secretKey", "token"];

/**
 * The stack's `aws:` config as provider arguments (`aws:allowedAccountIds` -> allowedAccountIds),
 * decoded the way Pulumi stores them (structured values as JSON, booleans and numbers as strings),
 * without the region-specific keys.
 */
export function awsProviderSettings(values: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(values)) {
        if (!key.startsWith("aws:")) continue;
        const name = key.slice(4);
        if (REGIONAL_KEYS.has(name)) continue;
        out[name] = decode(raw);
    }
    return out;
}

function decode(raw: unknown): unknown {
    if (typeof raw !== "string") return raw;
    const t = raw.trim();
    if (t === "true" || t === "false") return t === "true";
    if (/^-?\d+$/.test(t)) return Number(t);
    if (t.startsWith("{") || t.startsWith("[")) {
        try {
            return JSON.parse(t);
        } catch {
            return raw;
        }
    }
    return raw;
}
