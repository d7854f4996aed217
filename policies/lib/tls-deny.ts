/**
 * Does a bucket policy deny every request to a bucket made without TLS [S3.5]? Read as IAM reads a
 * policy (IAM JSON policy reference, "Condition", "Condition operators"):
 * - the statement must be `Effect: Deny` for every principal (`"*"`, `{"AWS": "*"}`), on every S3
 *   action (`s3:*` or `*`; action names are case-insensitive), on resources that cover both the
 *   bucket (`arn:<partition>:s3:::<bucket>`) and its objects (`.../<bucket>/*`): Resource patterns
 *   match with `*` and `?`, case-sensitively. NotPrincipal, NotAction and NotResource narrow it, so
 *   such a statement does not count.
 * - its Condition must be exactly one test: `Bool` (or `BoolIfExists`, which also denies when the
 *   key is absent) on `aws:SecureTransport` with the value false. Condition context key names are
 *   case-insensitive in IAM (`AWS:SecureTransport` is the same key); Bool values are compared
 *   case-insensitively (`"FALSE"`), and a list of values matches when any one does. Any other
 *   condition (another key, another operator) narrows the deny to some insecure requests only, so
 *   the statement does not count.
 * A statement scoped to another bucket, or narrowed by a condition, leaves this bucket open to
 * plain HTTP.
 */

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** IAM resource pattern match: `*` any run of characters, `?` one character, everything else literal and case-sensitive. */
function matchesPattern(pattern: string, value: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]")}$`);
    return re.test(value);
}

const PARTITIONS = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

/** True when the patterns cover the bucket and its objects in one partition. */
function coversBucket(patterns: unknown[], bucket: string): boolean {
    const strings = patterns.filter((p): p is string => typeof p === "string");
    return PARTITIONS.some((part) => [`arn:${part}:s3:::${bucket}`, `arn:${part}:s3:::${bucket}/*`].every((arn) => strings.some((p) => matchesPattern(p, arn))));
}

const everyone = (principal: unknown) => principal === "*" || (!!principal && typeof principal === "object" && !Array.isArray(principal) && Object.keys(principal).length === 1 && list((principal as any).AWS).some((a) => a === "*"));

const everyS3Action = (actions: unknown[]) => actions.some((a) => typeof a === "string" && (a === "*" || a.toLowerCase() === "s3:*"));

/** True when the Condition block denies exactly the requests without TLS (or more, with IfExists). */
function onlyInsecureTransport(condition: unknown): boolean {
    // Object.entries reads a string or a list by index ("0", "1"...), which names no operator and no key.
    const operators = Object.entries(condition ?? {});
    if (operators.length !== 1) return false;
    const [operator, tests] = operators[0];
    if (!/^bool(ifexists)?$/i.test(operator)) return false;
    const keys = Object.entries(tests ?? {});
    if (keys.length !== 1 || keys[0][0].toLowerCase() !== "aws:securetransport") return false;
    return list(keys[0][1]).some((v) => v === false || (typeof v === "string" && v.toLowerCase() === "false"));
}

/** Parses a policy document given as JSON text or as an object; undefined when it is neither. */
export function policyDocument(policy: unknown): Record<string, unknown> | undefined {
    if (typeof policy === "string") {
        try {
            const doc = JSON.parse(policy);
            return doc && typeof doc === "object" && !Array.isArray(doc) ? doc : undefined;
        } catch {
            return undefined;
        }
    }
    return policy && typeof policy === "object" && !Array.isArray(policy) ? (policy as Record<string, unknown>) : undefined;
}

/** True when a statement of the policy denies every request to `bucket` made without TLS. */
export function deniesInsecureTransport(policy: unknown, bucket: string): boolean {
    const doc = policyDocument(policy);
    return list(doc?.Statement).some((s: any) =>
        !!s && typeof s === "object" && s.Effect === "Deny" &&
        s.NotPrincipal === undefined && s.NotAction === undefined && s.NotResource === undefined &&
        everyone(s.Principal) && everyS3Action(list(s.Action)) && coversBucket(list(s.Resource), bucket) &&
        onlyInsecureTransport(s.Condition));
}
