/**
 * A small evaluator of IAM policy documents, enough to ask the questions the supply-chain tests
 * ask: may this principal perform this action on a KMS key (key policy), may a token with these
 * claims assume this role (trust policy). Explicit Deny wins; `Principal: {AWS: <account root>}`
 * delegates to the account's IAM policies (modelled by `iamAllows`); supported conditions are the
 * ones the platform writes (String/Arn Equals, NotEquals, Like, NotLike, with IAM's rule that a
 * negated operator matches when the key is absent from the request, and their `ForAnyValue:` form
 * over a multivalued request key such as aws:TagKeys); any other operator throws, so
 * a policy the evaluator cannot read never passes silently. Identity policies may be combined with
 * a permissions boundary (`boundedAllows`): allowed only when both allow and neither denies.
 */
export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Principal?: "*" | Record<string, string | string[]>;
    Condition?: Record<string, Record<string, string | string[]>>;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string, value: string) => new RegExp(`^${pattern.split("*").map((p) => p.split("?").map((q) => q.replace(/[.+^${}()|[\]\\]/g, "\\$&")).join(".")).join(".*")}$`).test(value);

/** Request context: one value per key, or several for a multivalued key (aws:TagKeys). */
export type RequestContext = Record<string, string | string[]>;

function conditionsHold(cond: Statement["Condition"], ctx: RequestContext): boolean {
    for (const [qualified, entries] of Object.entries(cond ?? {})) {
        const anyValue = qualified.startsWith("ForAnyValue:");
        const op = anyValue ? qualified.slice("ForAnyValue:".length) : qualified;
        for (const [key, expected] of Object.entries(entries)) {
            if (anyValue) {
                // True when at least one request value satisfies the operator; false when the key is absent.
                if (!list(ctx[key]).some((v) => conditionsHold({ [op]: { [key]: expected } }, { ...ctx, [key]: v }))) return false;
                continue;
            }
            const raw = ctx[key];
            if (Array.isArray(raw)) throw new Error(`iam-eval: ${key} is multivalued; use a ForAnyValue: operator`);
            const actual = raw;
            const values = list(expected);
            let ok: boolean;
            switch (op) {
                case "StringEquals": case "ArnEquals": ok = actual !== undefined && values.includes(actual); break;
                case "StringLike": case "ArnLike": ok = actual !== undefined && values.some((v) => glob(v, actual)); break;
                case "ArnNotEquals": case "StringNotEquals": ok = actual === undefined || !values.includes(actual); break;
                case "ArnNotLike": case "StringNotLike": ok = actual === undefined || !values.some((v) => glob(v, actual)); break;
                default: throw new Error(`iam-eval: unsupported condition operator ${op}`);
            }
            if (!ok) return false;
        }
    }
    return true;
}

const actionMatches = (s: Statement, action: string) => list(s.Action).some((a) => glob(a, action));

/** A KMS key policy decision for a principal (role/user ARN) in `account`. */
export function keyPolicyAllows(doc: { Statement: Statement[] }, principalArn: string, action: string, opts: { iamAllows: boolean }): boolean {
    const account = principalArn.split(":")[4];
    const ctx = { "aws:PrincipalArn": principalArn };
    const principalMatches = (s: Statement) => {
        if (s.Principal === "*") return true;
        return list(s.Principal?.AWS).some((p) => p === principalArn || (p === `arn:aws:iam::${account}:root` && opts.iamAllows));
    };
    const applies = (s: Statement) => actionMatches(s, action) && principalMatches(s) && conditionsHold(s.Condition, ctx);
    if (doc.Statement.some((s) => s.Effect === "Deny" && applies(s))) return false;
    return doc.Statement.some((s) => s.Effect === "Allow" && applies(s));
}

/** A role trust decision for a web-identity token from `providerArn` with the given claims. */
export function trustAllows(doc: { Statement: Statement[] }, providerArn: string, claims: Record<string, string>): boolean {
    const applies = (s: Statement) => actionMatches(s, "sts:AssumeRoleWithWebIdentity") && list((s.Principal as Record<string, string>)?.Federated).includes(providerArn) && conditionsHold(s.Condition, claims);
    if (doc.Statement.some((s) => s.Effect === "Deny" && applies(s))) return false;
    return doc.Statement.some((s) => s.Effect === "Allow" && applies(s));
}

type IdentityStatement = Statement & { Resource?: string | string[]; NotResource?: string | string[] };
export interface PolicyDoc { Statement: IdentityStatement[] }

const resourceMatches = (s: IdentityStatement, resource: string) =>
    s.NotResource !== undefined ? !list(s.NotResource).some((r) => glob(r, resource)) : list(s.Resource).some((r) => glob(r, resource));

/** Decision of one identity policy (or boundary): "deny" (explicit), "allow", or "none" (implicit deny). */
function decide(doc: PolicyDoc, action: string, resource: string, request: RequestContext): "deny" | "allow" | "none" {
    const applies = (s: IdentityStatement) => actionMatches(s, action) && resourceMatches(s, resource) && conditionsHold(s.Condition, request);
    if (doc.Statement.some((s) => s.Effect === "Deny" && applies(s))) return "deny";
    return doc.Statement.some((s) => s.Effect === "Allow" && applies(s)) ? "allow" : "none";
}

/** An identity-policy decision (role policy) for an action on a resource ARN, with the request's condition keys. */
export function identityAllows(doc: PolicyDoc, action: string, resource: string, request: RequestContext = {}): boolean {
    return decide(doc, action, resource, request) === "allow";
}

/**
 * A principal's decision under its identity policies and a permissions boundary (same account, no
 * resource policy, no SCP): some identity policy allows, the boundary allows, and nothing denies.
 */
export function boundedAllows(identity: PolicyDoc[], boundary: PolicyDoc | undefined, action: string, resource: string, request: RequestContext = {}): boolean {
    const decisions = identity.map((d) => decide(d, action, resource, request));
    if (decisions.includes("deny")) return false;
    if (!decisions.includes("allow")) return false;
    return boundary === undefined || decide(boundary, action, resource, request) === "allow";
}
