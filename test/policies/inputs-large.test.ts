/**
 * Inputs far larger than a function call's argument limit are read whole: a stack export of
 * 200,000 resources and a List of 200,000 objects (the bench's 200k-resource stack
 * export ended in "Maximum call stack size exceeded" when the resources were appended with
 * `push(...items)`).
 */
import * as assert from "node:assert/strict";
import { resourcesOf } from "../../policies/lib/inputs";
import { IN_MUTATION_RUN } from "../harness/mutation-run";

/**
 * Well past the about 125,000 arguments a call takes with Node's default stack. The mutation run
 * reads 2,000: no mutation operator writes a spread argument, and 200,000 cost 7 s per mutant.
 */
const N = IN_MUTATION_RUN ? 2_000 : 200_000;

describe("policy input: 200,000 resources in one document", function () {
    this.timeout(60000);
    it("a stack export and a List are read whole", () => {
        const urn = (i: number) => `urn:pulumi:prod::platform::kubernetes:core/v1:ConfigMap::c${i}`;
        const exported = { version: 3, deployment: { resources: Array.from({ length: N }, (_, i) => ({ urn: urn(i), type: "kubernetes:core/v1:ConfigMap", custom: true, inputs: { data: { i } } })) } };
        assert.equal(resourcesOf([exported], "export.json").length, N);
        const list = { apiVersion: "v1", kind: "List", items: Array.from({ length: N }, (_, i) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c${i}` } })) };
        assert.equal(resourcesOf([list], "list.json").length, N);
    });
});
