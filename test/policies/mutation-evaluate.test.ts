/**
 * The offline evaluator (policies/evaluate.ts) on what the pack's own policies seldom do: a check
 * that throws while reading an unknown value, one that throws on known values, verdicts that carry
 * their own unknowns, a config without the policy, an asynchronous policy under the synchronous
 * evaluator. Policies made here run through the real evaluator; each test asserts the exact
 * violations or error (mutation testing, issue 23).
 */
import * as assert from "node:assert/strict";
import { evaluatePack, evaluatePackAsync, judgeResource, parsePackConfig, plannedPolicies } from "../../policies/evaluate";
import { CONFIG_PROPERTIES, type PolicyResource, type ResourcePolicy, type StackPolicy, type Verdict } from "../../policies/lib/types";
import { UNKNOWN } from "../../policies/lib/unknown";

const TYPE = "test:index:Thing";
const thing = (props: Record<string, any>): PolicyResource => ({ urn: `urn:${TYPE}::t`, type: TYPE, name: "t", props });
const policy = (validate: (r: PolicyResource) => Verdict[] | Promise<Verdict[]>): ResourcePolicy => ({ name: "thing-check", description: "a test check", enforcementLevel: "mandatory", config: [], resourceTypes: [TYPE], validate });
const run = (p: ResourcePolicy, r: PolicyResource) => evaluatePack([r], parsePackConfig({}, [p]), [p]);
const run2 = (p: ResourcePolicy, rs: PolicyResource[]) => evaluatePack(rs, parsePackConfig({}, [p]), [p]);
const LATER = "unknown until the update; decided at `pulumi up`";

describe("evaluator: checks that fail, verdicts that carry unknowns", () => {
    const listCheck = policy((r) => (r.props.items as string[]).map((i) => `item ${i} is not allowed`));

    it("a check that fails on an unknown list it read has decided nothing: advisory, naming the unknown", () => {
        assert.deepEqual(run(listCheck, thing({ items: UNKNOWN })), [{ resource: `urn:${TYPE}::t`, type: TYPE, policy: "thing-check", enforcementLevel: "advisory", message: `cannot decide during preview: items ${LATER}.`, undecided: ["items"] }]);
        assert.deepEqual(run(listCheck, thing({ items: ["a"] })).map((v) => [v.enforcementLevel, v.message]), [["mandatory", "item a is not allowed"]]);
    });

    it("the same under the asynchronous evaluator, when the check's promise rejects", async () => {
        const p = policy(async (r) => (r.props.items as string[]).map((i) => `item ${i}`));
        assert.deepEqual(await evaluatePackAsync([thing({ items: UNKNOWN })], parsePackConfig({}, [p]), [p]), [{ resource: `urn:${TYPE}::t`, type: TYPE, policy: "thing-check", enforcementLevel: "advisory", message: `cannot decide during preview: items ${LATER}.`, undecided: ["items"] }]);
    });

    it("a check that fails on known values is a bug in the check: its error reaches the caller, also when other props are unknown", () => {
        const broken = policy((r) => [String((r.props.missing as { x: string }).x)]);
        assert.throws(() => run(broken, thing({ other: UNKNOWN })), TypeError);
        assert.throws(() => run(broken, thing({})), TypeError);
    });

    it("verdicts that name their own unknowns are advisory and say so, beside plain ones, on known props", () => {
        const p = policy(() => [{ message: "the key may be another account's", undecided: ["kmsKeyId"] }, "plain finding", { message: "", undecided: ["arn"] }]);
        assert.deepEqual(run(p, thing({ name: "x" })).map((v) => [v.enforcementLevel, v.message, v.undecided]), [
            ["advisory", `undecided during preview (kmsKeyId ${LATER}): the key may be another account's`, ["kmsKeyId"]],
            ["mandatory", "plain finding", undefined],
            ["advisory", `cannot decide during preview: arn ${LATER}.`, ["arn"]],
        ]);
    });

    it("one resource judged on its own (as CrossGuard calls it, outside an evaluation pass) tracks its unknowns too", () => {
        const p = policy((r) => (r.props.items as string[]).map((i) => `item ${i}`));
        const r = thing({ items: UNKNOWN });
        assert.deepEqual(judgeResource(p, r, parsePackConfig({}, [p])), [{ resource: r, undecided: ["items"], message: `cannot decide during preview: items ${LATER}.` }]);
        const known = thing({ items: ["a"] });
        assert.deepEqual(judgeResource(p, known, parsePackConfig({}, [p])), [{ resource: known, message: "item a" }]);
    });

    it("resources without an object of props beside ones with unknowns are judged, not a crash", () => {
        const p = policy((r) => (r.props?.items === UNKNOWN ? [] : [`props ${JSON.stringify(r.props)}`]));
        const cfg = parsePackConfig({}, [p]);
        const rs = [thing({ items: UNKNOWN }), { ...thing({}), props: null as unknown as Record<string, any> }, { ...thing({}), props: "x" as unknown as Record<string, any> }];
        assert.deepEqual(evaluatePack(rs, cfg, [p]).map((v) => [v.enforcementLevel, v.message]), [
            ["advisory", `cannot decide during preview: items ${LATER}.`],
            ["mandatory", "props null"],
            ["mandatory", 'props "x"'],
        ]);
    });

    it("a stack check that fails on known values throws; one that fails on an unknown it read is undecided", () => {
        const stack: StackPolicy = { name: "stack-check", description: "a test stack check", enforcementLevel: "mandatory", config: [], validateStack: (rs) => rs.flatMap((r) => (r.props.items as string[]).map((i) => ({ message: `item ${i}`, resource: r }))) };
        const cfg = parsePackConfig({}, [stack]);
        assert.throws(() => evaluatePack([thing({ other: UNKNOWN })], cfg, [stack]), TypeError);
        assert.deepEqual(evaluatePack([thing({ items: UNKNOWN })], cfg, [stack]).map((v) => [v.resource, v.enforcementLevel, v.message]), [["(stack)", "advisory", `cannot decide during preview: t.items ${LATER}.`]]);
        assert.deepEqual(evaluatePack([thing({ items: ["a"] })], cfg, [stack]).map((v) => [v.resource, v.enforcementLevel, v.message]), [[`urn:${TYPE}::t`, "mandatory", "item a"]]);
    });

    it("a resource judged on inputs and live outputs: shared findings once, outputs-only ones marked, inputs ones all kept", () => {
        const tail = (c: string) => c.repeat(" (in the live outputs)".length);
        const p = policy((r) => (r.props.m as string[]).map((m) => `finding ${m}`));
        const inputs = thing({ m: [`x-${tail("a")}`, `x-${tail("b")}`, "shared"] });
        const outputs = { ...thing({ m: ["shared", "live only", "live only"] }), view: "outputs" as const };
        assert.deepEqual(run2(p, [inputs, outputs]).map((v) => [v.message, v.view]), [
            [`finding x-${tail("a")}`, undefined],
            [`finding x-${tail("b")}`, undefined],
            ["finding shared", undefined],
            ["finding live only (in the live outputs)", "outputs"],
        ]);
    });

    it("the plan names each policy left out and why: disabled, or a stack policy over loose manifests", () => {
        const p = policy(() => []);
        const stack: StackPolicy = { name: "stack-check", description: "d", enforcementLevel: "mandatory", config: [], validateStack: () => [] };
        const cfg = parsePackConfig({ enforcement: { "thing-check": "disabled" } }, [p, stack]);
        assert.deepEqual(plannedPolicies(cfg, { wholeStack: false }, [p, stack]), { run: [], skipped: [
            { policy: "thing-check", reason: "disabled by its enforcementLevel in the policy config" },
            { policy: "stack-check", reason: "stack policy: judges a whole stack, so it runs on a plan snapshot or `pulumi stack export`, not on loose manifests" },
        ] });
        assert.deepEqual(plannedPolicies(cfg, {}, [p, stack]).run, [stack]);
        // A stack policy that resolves within any input still runs over loose manifests.
        const within: StackPolicy = { ...stack, name: "within-check", withinInput: true, validateStack: (rs) => rs.map((r) => ({ message: `seen ${r.name}`, resource: r })) };
        assert.deepEqual(evaluatePack([thing({})], parsePackConfig({}, [within]), [within], { wholeStack: false }).map((v) => v.message), ["seen t"]);
    });

    it("resources from stack files are judged stack by stack; loose ones beside them only by within-input stack policies", () => {
        const count: StackPolicy = { name: "count-check", description: "d", enforcementLevel: "mandatory", config: [], validateStack: (rs) => [{ message: `${rs.map((r) => r.name).join("+")}` }] };
        const within: StackPolicy = { ...count, name: "within-check", withinInput: true };
        const at = (name: string, stack?: string): PolicyResource => ({ ...thing({}), urn: `urn:${name}`, name, stack });
        const rs = [at("a1", "a.json"), at("loose"), at("b1", "b.json"), at("a2", "a.json")];
        assert.deepEqual(evaluatePack(rs, parsePackConfig({}, [count, within]), [count, within]).map((v) => `${v.policy}: ${v.message}`), [
            "count-check: a1+a2", "count-check: b1",
            "within-check: a1+a2", "within-check: loose", "within-check: b1",
        ]);
    });

    it("undecided values are listed once each, sorted, in the finding and its message", () => {
        const p = policy(() => [{ message: "m", undecided: ["zone", "arn", "zone"] }]);
        assert.deepEqual(run(p, thing({})).map((v) => [v.message, v.undecided]), [[`undecided during preview (arn, zone ${LATER}): m`, ["arn", "zone"]]]);
    });

    it("a flat config with unknown keys or policy names is refused, listing each and what is allowed", () => {
        const p = policy(() => []);
        const q = { ...policy(() => []), name: "other-check" };
        const allowed = Object.keys(CONFIG_PROPERTIES).join(", ");
        assert.throws(() => parsePackConfig({ colour: 1, size: 2 }, [p]), { message: `Invalid policy pack config:\n  - colour: unknown key; allowed keys: ${allowed}\n  - size: unknown key; allowed keys: ${allowed}` });
        assert.throws(() => parsePackConfig({ enforcement: { nope: "advisory", nada: "mandatory" } }, [p, q]), { message: 'Invalid policy pack config:\n  - enforcement: unknown policy "nope", "nada"; known policies: thing-check, other-check' });
    });

    it("a config without the policy is refused, naming the policy and how to build one", () => {
        const p = policy(() => []);
        assert.throws(() => evaluatePack([thing({})], parsePackConfig({}), [p]), { message: "no configuration for policy thing-check; build the config with loadPackConfig or parsePackConfig" });
    });

    it("an asynchronous check under the synchronous evaluator is refused with a pointer to evaluatePackAsync", () => {
        const p = policy(async () => []);
        assert.throws(() => run(p, thing({})), { message: "policy thing-check is asynchronous here (registry lookups); use evaluatePackAsync" });
    });
});
