/**
 * Differential test against the real decoder: kubectl (sigs.k8s.io/yaml over go-yaml v2, the
 * decoder the API server uses) reads the same YAML files offline (`kubectl label --local -o json`);
 * what policy check reads must be equal, value for value: YAML 1.1 booleans, Go's number syntax,
 * timestamps as strings, merge keys, anchors; and JSON files (escapes, number forms, Lists). Where
 * kubectl is more lenient (duplicate keys in YAML or JSON, last one wins) policy check refuses, as
 * the API server's strict field validation does. One kubectl process reads the whole corpus.
 */
import * as assert from "node:assert/strict";
import { parseDocuments, PolicyInputError, resourcesOf } from "../../policies/lib/inputs";
import { runTool } from "../harness/tools";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("platform-test-");

const CORPUS: Record<string, string> = {
    "scalars.yaml": `apiVersion: v1
kind: ConfigMap
metadata: { name: scalars }
x:
  bools: [yes, no, on, off, y, n, Y, N, True, TRUE, false, Off, YES]
  nulls: [~, null, Null, NULL, ""]
  ints: [0777, 0x1F, 1_000, +12, -0, 0o17, 0b101, 1:20, 012345, 09, -0x10]
  floats: [1e3, .5, 1.5e-3, 1_000.5, 6.8523015e+5, 190:20:30.15, 1., -.25]
  strings: [2001-12-14, 2001-12-14t21:59:43.10-05:00, "yes", 'on', 0o, 1e, 12x, 0.0.1, "~", 0xZZ, 1__0]
y: key
`,
    "merges.yaml": `apiVersion: v1
kind: ConfigMap
metadata: { name: merges }
base: &b { a: 1, b: 2 }
other: &o { b: 3, c: 4 }
m1: { <<: *b, a: 9 }
m2: { <<: [*b, *o], d: 5 }
m3: { <<: [*o, *b] }
`,
    "workload.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps }
spec:
  template:
    spec:
      <<: { hostNetwork: yes }
      initContainers:
        - &c
          name: init
          image: ghcr.io/org/web:1.20
          resources: { requests: { cpu: 0.009, memory: 64Mi }, limits: { cpu: 9m, memory: 1e3 } }
          securityContext: { privileged: y, runAsNonRoot: on, runAsUser: 0o1750 }
      containers:
        - <<: *c
          name: web
`,
    "escapes.json": JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "escapes", annotations: { "a/b": "x" } }, data: { s: "é😀\t\"{}[]," } }).replace('"x"', '"\\u0078\\/\\\\"'),
    "numbers.json": '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"numbers"},"n":[1.0,1e3,1E-2,-5,-0,-0.0,0.1,12345678901234,-1.5e+2,true,false,null,{},[]]}]}',
};
/** Files kubectl reads by taking the last of duplicate keys; policy check refuses each. */
const DUPLICATES: Record<string, [string, RegExp]> = {
    "dup.yaml": ["apiVersion: v1\nkind: ConfigMap\nmetadata: { name: dup-yaml }\ny: 1\non: 2\n", /duplicated mapping key/],
    "dup.json": ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup-json"},"data":{"k":"first","k":"last"}}', /duplicate key "k" in the object at data/],
    "dup-escaped.json": ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup-escaped","na\\u006de":"other"}}', /duplicate key "name" in the object at metadata/],
};

describe("YAML and JSON read like the real decoder (kubectl, sigs.k8s.io/yaml + go-yaml v2, sigs.k8s.io/json)", () => {
    let theirs: Record<string, Record<string, any>>;
    before(() => {
        const dir = tmp.files({ ...CORPUS, ...Object.fromEntries(Object.entries(DUPLICATES).map(([f, [text]]) => [f, text])) });
        const r = runTool("kubectl", "kubernetes-client", ["label", "--local", "-f", dir, "decoder-test=1", "-o", "json"], dir);
        assert.equal(r.code, 0, r.output);
        // kubectl prints one pretty-printed object per input object; each starts with `{` at a line start.
        const objects = r.output.split(/\n(?=\{)/).map((t) => JSON.parse(t) as Record<string, any>);
        theirs = Object.fromEntries(objects.map((o) => {
            delete o.metadata.labels["decoder-test"];
            if (Object.keys(o.metadata.labels).length === 0) delete o.metadata.labels;
            return [o.metadata.name, o];
        }));
    });
    it("every value of a tricky corpus equals kubectl's reading", () => {
        const ours = Object.entries(CORPUS).flatMap(([f, text]) => resourcesOf(parseDocuments(text, f), f).map((x) => x.props));
        const names = ours.map((o) => o.metadata.name as string);
        assert.deepEqual(names, ["scalars", "merges", "web", "escapes", "numbers"]);
        assert.deepEqual(Object.fromEntries(ours.map((o) => [o.metadata.name, o])), Object.fromEntries(names.map((n) => [n, theirs[n]])));
    });
    it("where kubectl takes the last of duplicate keys (YAML or JSON), policy check refuses the file", () => {
        assert.equal(theirs["dup-yaml"].true, 2);
        assert.equal(theirs["dup-json"].data.k, "last");
        assert.equal(theirs.other.metadata.name, "other");
        for (const [f, [text, message]] of Object.entries(DUPLICATES)) assert.throws(() => parseDocuments(text, f), (e: Error) => e instanceof PolicyInputError && message.test(e.message), f);
    });
});
