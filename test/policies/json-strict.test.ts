/**
 * JSON input with duplicate keys is refused like the API server's strict decoding refuses it
 * (sigs.k8s.io/json reports a duplicate field), naming the key and where it is; JSON.parse alone
 * would keep the last value. Keys are compared unescaped and case-sensitively.
 */
import * as assert from "node:assert/strict";
import { checkDuplicateKeys, DuplicateKeyError, parseStrictJson } from "../../policies/lib/json-strict";
import { main } from "../../scripts/policy";
import { tempDirs } from "../harness/tmp";
import { countScanWork } from "../harness/work";

const tmp = tempDirs("policy-json-");

const refused = (text: string) => {
    try {
        parseStrictJson(text);
    } catch (e) {
        if (e instanceof DuplicateKeyError) return `${e.key} @ ${e.path || "(top)"} ${e.line}:${e.column}`;
        throw e;
    }
    return undefined;
};

describe("JSON duplicate keys", () => {
    it("refuses a repeated key at any depth, naming the key, the object's path and the position", () => {
        assert.equal(refused('{"a":1,"a":2}'), "a @ (top) 1:8");
        assert.equal(refused('{"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","image":"y"}]}}}}'), "image @ spec.template.spec.containers[1] 1:81");
        assert.equal(refused('[{"k":1},\n {"k":1,\n  "k":2}]'), "k @ [1] 3:3");
        assert.equal(refused('{"metadata":{"annotations":{"a/b":"1","a/b":"2"}}}'), "a/b @ metadata.annotations 1:39");
        assert.equal(refused('{"data":{"x.y":{"k":1,"k":1}}}'), 'k @ data["x.y"] 1:23');
        // Past 16 keys an object's keys move to a set: the first and the last key still count.
        const many = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(",");
        for (const k of ["k0", "k16", "k39"]) assert.equal(refused(`{"o":{${many},"${k}":1}}`), `${k} @ o 1:${many.length + 8}`);
        assert.equal(refused(`{"o":{${many}}}`), undefined);
    });
    it("compares keys unescaped: \\u006d is m, an escaped quote is part of the key", () => {
        assert.equal(refused('{"name":"a","na\\u006de":"b"}'), "name @ (top) 1:13");
        assert.equal(refused('{"a\\"b":1,"a\\u0022b":2}'), 'a"b @ (top) 1:11');
        assert.equal(refused('{"a\\\\":1,"a\\\\":2}'), "a\\ @ (top) 1:10");
    });
    it("accepts what is not a duplicate: same key in sibling or nested objects, case differences, keys inside strings", () => {
        for (const ok of ['{"a":{"b":1},"c":{"b":1},"A":1,"b":{"b":{"b":1}}}', '{"s":"{\\"a\\":1,\\"a\\":2}","t":"\\\\","a":1}', '[{"a":1},{"a":1}]', '{"a":[1,{"a":2},[{"a":3}]]}', '{}', "[]", '"a"', "1"]) {
            assert.equal(refused(ok), undefined, ok);
            assert.deepEqual(parseStrictJson(ok), JSON.parse(ok));
        }
    });
    it("reads an integer -0 as 0 and -0.0 as negative zero, as Go's decoder does (int64 and float64)", () => {
        const v = parseStrictJson('{"a":[-0,-0.0,{"b":-0},-0e1],"c":-0}') as any;
        assert.ok(Object.is(v.a[0], 0) && Object.is(v.a[1], -0) && Object.is(v.a[2].b, 0) && Object.is(v.a[3], -0) && Object.is(v.c, 0));
        assert.ok(Object.is(parseStrictJson(" -0 "), 0));
    });
    describe("is linear: the characters it examines grow with the text, whatever its shape", () => {
        // Counted work, not time: each shape at n and 4n; a quadratic scan would grow 16x.
        const shapes: [string, (n: number) => string][] = [
            ["a stack-export-like document", (n) => JSON.stringify({ version: 3, deployment: { resources: Array.from({ length: n }, (_, i) => ({ urn: `u${i}`, type: "kubernetes:core/v1:ConfigMap", inputs: { metadata: { name: `c${i}`, labels: { a: "x", b: "y" } }, data: { s: "\\\"{}[],:".repeat(20), k: "v".repeat(300) } } })) } })],
            ["one object with many keys", (n) => JSON.stringify(Object.fromEntries(Array.from({ length: n * 10 }, (_, i) => [`key-${i}`, i])))],
            ["escaped keys and runs of backslashes", (n) => JSON.stringify(Object.fromEntries(Array.from({ length: n * 5 }, (_, i) => [`k\\"${i}`, "\\".repeat(50) + '"'])))],
            ["many -0 tokens in nested lists", (n) => `[${Array.from({ length: n * 5 }, () => "[-0,{\"a\":-0}]").join(",")}]`],
        ];
        for (const [name, make] of shapes) {
            it(name, () => {
                const work = (n: number) => {
                    const text = make(n);
                    const parsed = JSON.parse(text);
                    return { chars: text.length, work: countScanWork(() => checkDuplicateKeys(text, parsed)) };
                };
                const small = work(500);
                const large = work(2000);
                const msg = `${small.chars} chars: ${small.work} steps; ${large.chars} chars: ${large.work} steps`;
                assert.ok(large.work <= 3 * large.chars, `more than 3 steps a character: ${msg}`);
                assert.ok(large.work / small.work <= 1.25 * (large.chars / small.chars), `grows faster than the text: ${msg}`);
            });
        }
    });
    it("policy check: exit 2 and one line naming the key and its path", async () => {
        const digest = "sha256:" + "e".repeat(64);
        const text = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "apps" }, spec: { containers: [{ name: "c", image: `ghcr.io/org/c@${digest}`, securityContext: { privileged: false } }] } }).replace('"privileged":false', '"privileged":true,"privileged":false');
        const file = tmp.file("dup.json", text);
        const r = await main(["check", file]);
        assert.equal(r.code, 2);
        assert.equal(r.stderr.trim(), `policy check: ${file}: not valid JSON: duplicate key "privileged" in the object at spec.containers[0].securityContext (line 1, column ${text.indexOf('"privileged":false') + 1}); the API server refuses duplicate fields`);
    });
});
