/**
 * Policy check's input readers (policies/lib/kube-yaml.ts, kube-stream.ts, json-strict.ts,
 * inputs.ts) on the cases mutation testing (`npm run mutation`) found no test for: documents after
 * comments and markers, %TAG directives, keys kubectl refuses, JSON streams of values that are not
 * objects, document separators with text, the messages of refused items and files, and reads that
 * fail or must be retried. Where kubectl reads the same YAML, the expected value is what kubectl
 * v1.32 read (`kubectl label --local -f <file> -o json`), run once by hand when these were written.
 */
import * as assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as net from "node:net";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { checkDocumentBounds, INPUT_LIMITS, loadPolicyInputs, parseDocuments, PolicyInputError, readInputBytes, resourcesOf } from "../../policies/lib/inputs";
import { decodeManifestBytes, isJsonStream, splitJsonStream, splitYamlStream } from "../../policies/lib/kube-stream";
import { readYamlDocument } from "../../policies/lib/kube-yaml";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("mutation-inputs-");
/** node:fs itself (an `import * as` binding is read-only): the reader's reads are replaced through it. */
const fs = createRequire(__filename)("node:fs") as typeof import("node:fs");
const HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: t }\n";
const limits = { maxDepth: INPUT_LIMITS.maxDepth, maxMergeKeys: INPUT_LIMITS.maxMergeKeys };
const messageOf = (f: () => unknown): string => {
    try {
        f();
    } catch (e) {
        assert.ok(e instanceof PolicyInputError, String(e));
        return e.message;
    }
    assert.fail("no error");
};

describe("mutation-found cases: YAML documents as kubectl reads them", () => {
    it("a piece of comments alone holds no document; a document ended by ... is read up to there, whatever follows", () => {
        assert.deepStrictEqual(readYamlDocument("# only a comment\n", limits, { mergeKeys: 0 }), { value: undefined, aliases: false });
        assert.deepStrictEqual(parseDocuments(`${HEAD}x: 1\n...\n}{ bad\n`, "t.yaml"), [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "t" }, x: 1 }]);
        // A CR-only line break is no kubectl separator but is a go-yaml one: the document starts at
        // `---` after the comment, and its end at `...` hides the bad text after it.
        assert.deepStrictEqual(parseDocuments(`# c\r--- \r${HEAD}x: 1\n...\n}{ bad\n`, "t.yaml"), [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "t" }, x: 1 }]);
    });

    it("a ... marker before any document is refused, as go-yaml refuses it (js-yaml skips it)", () => {
        const message = "not valid YAML: did not find expected node content (a document end marker ... before any document; go-yaml refuses it)";
        assert.equal(messageOf(() => parseDocuments(`...\n${HEAD}`, "t.yaml")), `t.yaml: ${message}`);
        assert.equal(messageOf(() => parseDocuments(`  # c\n\n... # end\n${HEAD}`, "t.yaml")), `t.yaml: ${message}`);
        assert.equal(messageOf(() => parseDocuments(`${HEAD}---\r\n\r\n...`, "t.yaml")), `t.yaml document 2: ${message}`);
        // After `---` (here behind a CR) a ... ends an empty document: nothing to apply.
        assert.deepStrictEqual(parseDocuments(`%YAML 1.1\r---\r...\r${HEAD}`, "t.yaml"), [null]);
    });

    it("a %TAG directive (behind a CR-only break, so kubectl does not split there) names the prefix of its handle", () => {
        assert.equal((parseDocuments(`%TAG !y! tag:yaml.org,2002:\r--- \r${HEAD}x: !y!int "12"\n`, "t.yaml")[0] as { x: unknown }).x, 12);
        assert.equal((parseDocuments(`%YAML 1.1\r%TAG !e! tag:example.com,2000:app/\r---\r${HEAD}x: !e!foo 12\n`, "t.yaml")[0] as { x: unknown }).x, "12");
    });

    it("an unknown anchor, a list or map key, and a repeated key (also through an alias) are refused with go-yaml's reason", () => {
        const refused = (body: string) => messageOf(() => parseDocuments(`${HEAD}${body}`, "t.yaml"));
        assert.equal(refused("x: *nope\n"), "t.yaml: not valid YAML: unknown anchor 'nope' referenced");
        assert.equal(refused("x: { [a]: 1 }\n"), "t.yaml: not valid YAML: invalid map key: a list (kubectl refuses it)");
        assert.equal(refused("x: { {a: 1}: 1 }\n"), "t.yaml: not valid YAML: invalid map key: a map (kubectl refuses it)");
        assert.equal(refused("y: &k b\nz: { *k : 1, b: 2 }\n"), 't.yaml: not valid YAML: duplicated mapping key "b" (line 5)');
        assert.equal(refused("y: &k b\nz: { b: 1, *k : 2 }\n"), 't.yaml: not valid YAML: duplicated mapping key "b"');
    });
});

describe("mutation-found cases: the YAML composer", () => {
    const read = (text: string, maxMergeKeys = 1000) => readYamlDocument(text, { maxDepth: 8, maxMergeKeys }, { mergeKeys: 0 });
    it("says whether a document used aliases; a BOM and NEL line breaks are read as go-yaml reads them", () => {
        assert.deepStrictEqual(read("a: 1\n"), { value: { a: 1 }, aliases: false });
        assert.deepStrictEqual(read("a: &x 1\nb: *x\n"), { value: { a: 1, b: 1 }, aliases: true });
        assert.deepStrictEqual(read("\ufeffa: 1\n"), { value: { a: 1 }, aliases: false });
        assert.deepStrictEqual(read("x: a\u0085  b\nz: 1\u0085w: 2\n").value, { x: "a b", z: 1, w: 2 });
    });
    it("an anchor at the very start of the text names its node; a recursive alias is refused", () => {
        assert.deepStrictEqual(read("&m a: 1\nb: *m\n").value, { a: 1, b: "a" });
        assert.deepStrictEqual(read("!!str 12\n").value, "12");
        assert.throws(() => read("a: &a [*a]\n"), /a recursive alias makes the document infinite/);
        assert.throws(() => read("a: &a {b: *a}\n"), /a recursive alias makes the document infinite/);
    });
    it("the parser's nesting bound applies, also to the part before a ... marker", () => {
        assert.throws(() => read("a: [[[[[[[[[1]]]]]]]]]\n"), /nesting exceeded maxDepth \(8\)/);
        assert.throws(() => read("a: [[[[[[[[[1]]]]]]]]]\n...\n}{\n"), /nesting exceeded maxDepth \(8\)/);
    });
    it("a __proto__ key is an ordinary key of its map, merged like any other", () => {
        const value = read("a: { __proto__: {b: 1} }\nm: { <<: {__proto__: 2} }\n").value as Record<string, Record<string, unknown>>;
        assert.equal(JSON.stringify(value), '{"a":{"__proto__":{"b":1}},"m":{"__proto__":2}}');
        assert.equal(Object.getPrototypeOf(value.a), Object.prototype);
    });
    it("a percent-encoded local tag stays local: its text is a string, as go-yaml reads it", () => {
        assert.deepStrictEqual(read('x: !tag:yaml.org%2C2002:int "12"\n').value, { x: "12" });
    });
    it("a merge takes a map, an alias of one, or a list of maps; anything else is refused as go-yaml refuses it", () => {
        for (const text of ["x: { <<: ~ }\n", "x: { <<: 5 }\n", "x: { <<: [{a: 1}, 5] }\n", "s: &s [{a: 1}]\nx: { <<: *s }\n"]) {
            assert.throws(() => read(text), (e: Error) => e.message === "map merge requires a map or a list of maps as the value", text);
        }
        assert.deepStrictEqual(read("m: &m {a: 1}\nx: { <<: [*m, {b: 2}] }\n").value, { m: { a: 1 }, x: { a: 1, b: 2 } });
    });
    it("merges count the keys they copy (and one per map) against the file's budget", () => {
        assert.deepStrictEqual(read("x: { <<: {a: 1, b: 2} }\n", 3).value, { x: { a: 1, b: 2 } });
        assert.throws(() => read("x: { <<: {a: 1, b: 2, c: 3} }\n", 3), (e: Error) => e.message === "merges copy more than 3 keys; refused");
        const budget = { mergeKeys: 0 };
        readYamlDocument("x: { <<: [{a: 1}, {b: 2, c: 3}] }\n", { maxDepth: 8, maxMergeKeys: 100 }, budget);
        assert.equal(budget.mergeKeys, 5);
    });
});

describe("mutation-found cases: JSON streams and YAML separators", () => {
    const obj = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t"}}';
    it("a JSON stream holds any JSON values one after the other: strings, lists, numbers, literals", () => {
        assert.deepStrictEqual(parseDocuments(`${obj} "a \\"b\\"" [1, {"c": [2]}] -1.5e2 true null`, "t.json"), [JSON.parse(obj), 'a "b"', [1, { c: [2] }], -150, true, null]);
    });
    it("text between JSON values, an unclosed string and text after --- are refused with their place", () => {
        assert.equal(messageOf(() => parseDocuments(`${obj} x`, "t.json")), `t.json: not valid JSON: invalid character "x" looking for the beginning of a JSON value (offset ${obj.length + 1})`);
        assert.equal(messageOf(() => parseDocuments(`${obj} "abc`, "t.json")), "t.json: not valid JSON: unexpected end of JSON input (a string is not closed)");
        const long = "x".repeat(50);
        assert.equal(messageOf(() => parseDocuments(`${HEAD}---   ${long} \n${HEAD}`, "t.yaml")), `t.yaml: not valid YAML: invalid YAML document separator: ${JSON.stringify(long.slice(0, 40))} (only a comment may follow ---)`);
    });
    it("a --- on the last line, without a line break, ends the stream", () => {
        assert.deepStrictEqual(parseDocuments(`${HEAD}---`, "t.yaml"), [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "t" } }]);
    });
});

describe("mutation-found cases: objects, bounds and files refused with their reason", () => {
    it("a document with shared nodes nested deeper than the limit is refused", () => {
        const shared = { b: { c: 1 } };
        const doc = { x: { y: shared }, z: shared };
        assert.equal(messageOf(() => checkDocumentBounds(doc, { ...INPUT_LIMITS, maxDepth: 3 })), "nested deeper than 3 levels");
        checkDocumentBounds(doc, { ...INPUT_LIMITS, maxDepth: 4 });
    });
    it("a document that is a scalar or null has nothing to bound; an .inf inside one is refused", () => {
        assert.deepStrictEqual(parseDocuments("~\n", "t.yaml"), [null]);
        assert.deepStrictEqual(parseDocuments("a: &a 1\nb: *a\n---\n12\n", "t.yaml"), [{ a: 1, b: 1 }, 12]);
        assert.equal(messageOf(() => parseDocuments("a: [1, .inf]\n", "t.yaml")), "t.yaml: the number Infinity (YAML .inf/.nan) has no JSON form; the API server refuses it; refused");
        assert.equal(messageOf(() => parseDocuments("a: &a [1, -.inf]\nb: *a\n", "t.yaml")), "t.yaml: the number -Infinity (YAML .inf/.nan) has no JSON form; the API server refuses it; refused");
    });
    it("levels reached through shared nodes count as checkDepth counts the expanded tree, down to an empty object", () => {
        const shared = { b: {} };
        const doc = { a: shared, x: { y: { z: shared } } }; // doc, x, y, z, b: five levels
        const expanded = JSON.parse(JSON.stringify(doc));
        for (const [maxDepth, fits] of [[4, false], [5, true]] as const) {
            const limits = { ...INPUT_LIMITS, maxDepth };
            if (fits) {
                checkDocumentBounds(doc, limits);
                checkDocumentBounds(expanded, limits, { aliases: false });
            } else {
                assert.equal(messageOf(() => checkDocumentBounds(doc, limits)), "nested deeper than 4 levels (through aliases)");
                assert.equal(messageOf(() => checkDocumentBounds(expanded, limits, { aliases: false })), "nested deeper than 4 levels");
            }
        }
    });
    it("a cyclic object (what a recursive alias would make) is refused", () => {
        const doc: Record<string, unknown> = { a: 1 };
        doc.self = { doc };
        assert.throws(() => checkDocumentBounds(doc), (e: Error) => e instanceof PolicyInputError && e.message === "a recursive alias makes the document infinite");
    });
    it("items that kubectl cannot apply, top-level lists of non-objects and metadata that is no object are refused with what they are", () => {
        const m = (doc: unknown) => messageOf(() => resourcesOf([doc], "t.yaml"));
        const list = { apiVersion: "v1", kind: "List" };
        assert.equal(m({ ...list, items: 5 }), "t.yaml: List has items of type number: kubectl reads any object with items as a list, and refuses this one");
        assert.equal(m({ ...list, items: {} }), "t.yaml: List has items that are an object: kubectl reads any object with items as a list, and refuses this one");
        assert.equal(m({ ...list, items: [[]] }), "t.yaml.items[0] is a list, not a Kubernetes object");
        assert.equal(m({ ...list, items: ["x"] }), "t.yaml.items[0] is string, not a Kubernetes object");
        assert.equal(m({ ...list, items: [{ kind: "Pod", apiVersion: "v1", items: [] }] }), "t.yaml.items[0] is itself a list (it has items): kubectl does not apply lists inside lists; refused");
        assert.equal(m({ apiVersion: "v1", kind: "Pod", metadata: "x" }), "t.yaml: Pod metadata is not an object");
        assert.equal(m([5]), "t.yaml[0] is number, not a Kubernetes object");
        assert.equal(m([null]), "t.yaml[0] is null, not a Kubernetes object");
    });
    it("a ConfigGroup whose inline objects are a stack document is refused", () => {
        const inner = { version: 3, deployment: { resources: [{ urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b", type: "aws:s3/bucket:Bucket", custom: true, inputs: {} }] } };
        const stack = { version: 3, deployment: { resources: [{ urn: "urn:pulumi:dev::p::kubernetes:yaml/v2:ConfigGroup::apps", type: "kubernetes:yaml/v2:ConfigGroup", custom: false, inputs: { yaml: JSON.stringify(inner) } }] } };
        assert.equal(messageOf(() => resourcesOf([stack], "s.json")), "urn:pulumi:dev::p::kubernetes:yaml/v2:ConfigGroup::apps yaml: holds a stack document, not Kubernetes objects");
    });

    it("only regular files are read: a directory, a FIFO and a character device are refused as what they are; a socket cannot even be opened", async () => {
        const dir = tmp();
        assert.equal(messageOf(() => readInputBytes(dir, 100)), `${dir}: is a directory; refused`);
        assert.equal(messageOf(() => readInputBytes("/dev/null", 100)), "/dev/null: is not a regular file (a character device); refused");
        const fifo = path.join(dir, "fifo");
        assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
        assert.equal(messageOf(() => readInputBytes(fifo, 100)), `${fifo}: is not a regular file (a FIFO); refused`);
        const sock = path.join(dir, "sock");
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(sock, resolve));
        try {
            // A socket cannot be opened like a file: the open fails with its code.
            assert.equal(messageOf(() => readInputBytes(sock, 100)), `${sock}: cannot read: ENXIO`);
        } finally {
            server.close();
        }
    });

    describe("reads that fail or must wait", () => {
        const realRead = fs.readSync;
        afterEach(() => {
            fs.readSync = realRead;
        });
        /** Replaces fs.readSync (standard input or a failing disk): `script` answers each call in turn. */
        const reads = (script: ((buffer: Buffer) => number)[]) => {
            let call = 0;
            fs.readSync = ((_fd: number, buffer: Buffer) => script[Math.min(call++, script.length - 1)](buffer)) as typeof fs.readSync;
        };
        const fail = (code: string | undefined) => () => {
            throw Object.assign(new Error(`failed ${code}`), code ? { code } : {});
        };
        const give = (text: string) => (buffer: Buffer) => buffer.write(text);
        it("standard input that is not ready (EAGAIN) is read again; its name is (stdin)", () => {
            reads([fail("EAGAIN"), give("abc"), () => 0]);
            assert.equal(readInputBytes("-", 100).toString(), "abc");
            reads([give("abcdef")]);
            assert.equal(messageOf(() => readInputBytes("-", 4)), "(stdin): larger than 0.000003814697265625 MiB; refused");
            reads([(b) => Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0x0a]).copy(b), () => 0]);
            assert.equal(messageOf(() => loadPolicyInputs("-")), "(stdin): invalid UTF-8 after a UTF-8 BOM (kubectl passes such bytes on unchanged, and its YAML decoder refuses them); refused");
        });
        it("a read that fails is refused with its error code, or its message when it has none", () => {
            const file = tmp.file("a.yaml", HEAD);
            reads([fail("EIO")]);
            assert.equal(messageOf(() => readInputBytes(file, 100)), `${file}: cannot read: EIO`);
            reads([fail(undefined)]);
            assert.equal(messageOf(() => readInputBytes(file, 100)), `${file}: cannot read: failed undefined`);
        });
    });
});

describe("mutation-found cases: bytes, JSON sniffing and stream splitting as kubectl does them", () => {
    it("only the three bytes EF BB BF are a UTF-8 BOM; after one, invalid UTF-8 is read in a JSON stream", () => {
        assert.equal(decodeManifestBytes(Buffer.from([0x41, 0x42, 0xbf])), "AB\ufffd");
        assert.equal(decodeManifestBytes(Buffer.from([0xef, 0x41, 0xbf])), "\ufffdA\ufffd");
        assert.equal(decodeManifestBytes(Buffer.from([0xef, 0xbb, 0x41])), "\ufffdA");
        assert.equal(decodeManifestBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}')])), '{"a":"\ufffd"}');
    });
    it("a UTF-16 BOM in either byte order decodes the file as UTF-16; a second BOM stays a character", () => {
        assert.equal(decodeManifestBytes(Buffer.from([0xff, 0xfe, 0x61, 0x00, 0x62, 0x00])), "ab");
        assert.equal(decodeManifestBytes(Buffer.from([0xfe, 0xff, 0x00, 0x61, 0x00, 0x62])), "ab");
        assert.equal(decodeManifestBytes(Buffer.from([0xff, 0xfe, 0xff, 0xfe, 0x61, 0x00])), "\ufeffa");
        assert.equal(decodeManifestBytes(Buffer.from([0xfe, 0xff, 0xfe, 0xff, 0x00, 0x61])), "\ufeffa");
        assert.equal(decodeManifestBytes(Buffer.from([0xfe, 0xff, 0x00, 0x61, 0x41])), "a\ufffd");
    });
    it("a stream is JSON when a { follows less than 4,096 bytes of white space", () => {
        assert.equal(isJsonStream(`${" ".repeat(4095)}{}`), true);
        assert.equal(isJsonStream(`${" ".repeat(4096)}{}`), false);
        assert.equal(isJsonStream(`${"\u3000".repeat(1365)}{}`), true); // 4,095 bytes
        assert.equal(isJsonStream(`${"\u3000".repeat(1366)}{}`), false); // 4,098 bytes
    });
    it("JSON values are split at their end, whatever brackets and escaped quotes their strings hold, with any JSON white space between", () => {
        const parts = splitJsonStream('{"a":"}"}\t{"b":"q\\"}"}\r\n{"c":"x\\\\"}\n["]", {"d": "\\\\\\""}] 1');
        assert.deepStrictEqual(parts, ['{"a":"}"}', '{"b":"q\\"}"}', '{"c":"x\\\\"}', '["]", {"d": "\\\\\\""}]', "1"]);
        assert.equal(messageOf(() => parseDocuments('{"a": 1', "t.json")), "t.json: not valid JSON: unexpected end of JSON input (an object or list is not closed)");
    });
    it("YAML pieces: a --- at the start or after an empty first line, several in a row, one on the last line with text after it", () => {
        const doc = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\n`;
        assert.deepStrictEqual(splitYamlStream(`---\n${doc("a")}---\n---\n${doc("b")}`), [doc("a"), doc("b")]);
        assert.deepStrictEqual(splitYamlStream(`\n---\n${doc("a")}`), ["\n", doc("a")]);
        assert.deepStrictEqual(splitYamlStream(`${doc("a")}---\r\n${doc("b").replace(/\n/g, "\r\n")}`), [doc("a"), doc("b")]);
        assert.equal(messageOf(() => parseDocuments(`${doc("a")}--- x`, "t.yaml")), 't.yaml: not valid YAML: invalid YAML document separator: "x" (only a comment may follow ---)');
    });
});
