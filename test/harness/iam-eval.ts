/**
 * A small evaluator of IAM policy documents, enough to ask the questions the supply-chain tests
 * ask: may this principal perform this action on a KMS key (key policy), may a token with these
 * claims assume this role (trust policy). Explicit Deny wins; `Principal: {AWS: <account root>}`
 * delegates to the account's IAM policies (modelled by `iamAllows`); supported conditions are the
 * ones the platform writes (StringEquals, StringLike, ArnNotEquals, ArnEquals); any other operator
 * throws, so a policy the evaluator cannot read never passes silently.
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

function conditionsHold(cond: Statement["Condition"], ctx: Record<string, string>): boolean {
    for (const [op, entries] of Object.entries(cond ?? {})) {
        for (const [key, expected] of Object.entries(entries)) {
            const actual = ctx[key];
            const values = list(expected);
            let ok: boolean;
            switch (op) {
                case "StringEquals": case "ArnEquals": ok = actual !== undefined && values.includes(actual); break;
                case "StringLike": case "ArnLike": ok = actual !== undefined && values.some((v) => glob(v, actual)); break;
                case "ArnNotEquals": case "StringNotEquals": ok = actual === undefined || !values.includes(actual); break;
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

/** An identity-policy decision (role policy) for an action on a resource ARN. */
export function identityAllows(doc: { Statement: (Statement & { Resource?: string | string[] })[] }, action: string, resource: string): boolean {
    const applies = (s: Statement & { Resource?: string | string[] }) => actionMatches(s, action) && list(s.Resource).some((r) => glob(r, resource));
    if (doc.Statement.some((s) => s.Effect === "Deny" && applies(s))) return false;
    return doc.Statement.some((s) => s.Effect === "Allow" && applies(s));
}
