/**
 * Differential test against the real decoder: kubectl (sigs.k8s.io/yaml over go-yaml v2, the
 * decoder the API server uses) reads the same YAML files offline (`kubectl label --local -o json`);
 * what policy check reads must be equal, value for value: YAML 1.1 booleans, Go's number syntax,
 * timestamps as strings, merge keys, anchors. Where kubectl is more lenient (duplicate keys, last
 * one wins) policy check refuses, as the API server's strict field validation does.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { parseDocuments, resourcesOf } from "../../policies/lib/inputs";
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
};

describe("YAML read like the real decoder (kubectl, sigs.k8s.io/yaml + go-yaml v2)", () => {
    it("every value of a tricky corpus equals kubectl's reading", () => {
        const dir = tmp.files(CORPUS);
        const theirs = Object.keys(CORPUS).map((f) => {
            const r = runTool("kubectl", "kubernetes-client", ["label", "--local", "-f", path.join(dir, f), "decoder-test=1", "-o", "json"], dir);
            assert.equal(r.code, 0, r.output);
            const o = JSON.parse(r.output) as Record<string, any>;
            delete o.metadata.labels["decoder-test"];
            if (Object.keys(o.metadata.labels).length === 0) delete o.metadata.labels;
            return o;
        });
        const ours = Object.entries(CORPUS).flatMap(([f, text]) => resourcesOf(parseDocuments(text, f), f).map((x) => x.props));
        const byName = (xs: Record<string, any>[]) => Object.fromEntries(xs.map((o) => [o.metadata.name, o]));
        assert.deepEqual(byName(ours), byName(theirs));
        assert.equal(theirs.length, 3);
    });
    it("where kubectl takes the last of duplicate keys, policy check refuses the file", () => {
        const text = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: dup }\ny: 1\non: 2\n";
        const dir = tmp.files({ "dup.yaml": text });
        const r = runTool("kubectl", "kubernetes-client", ["label", "--local", "-f", path.join(dir, "dup.yaml"), "l=v", "-o", "json"], dir);
        assert.equal(JSON.parse(r.output).true, 2, r.output);
        assert.throws(() => parseDocuments(text, "dup.yaml"), /duplicated mapping key/);
    });
});
