/**
 * Cases the mutation run found unjudged in policies/lib/inputs.ts (resourcesOf: documents to
 * resources): the exact refusal for each malformed shape (a kind that is no Kubernetes kind, items
 * that are not a list, a document that is neither an object, a stack export nor a plan), how list
 * items are typed, and how each resource and error names where it came from.
 */
import * as assert from "node:assert/strict";
import { PolicyInputError, resourcesOf } from "../../policies/lib/inputs";

const cm = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, ...extra });
const read = (docs: unknown[]) => resourcesOf(docs, "f.yaml").map((r) => [r.urn, r.type, r.name]);
const refuses = (docs: unknown[], message: string) => assert.throws(() => resourcesOf(docs, "f.yaml"), (e: unknown) => e instanceof PolicyInputError && e.message === message, message);

describe("mutation-found cases: documents to resources", () => {
    it("a kind must be a Kubernetes kind: letters and digits, starting with a letter", () => {
        for (const kind of ["1abc", "ab-c", "-ab", 5]) refuses([cm("a", { kind })], `f.yaml: kind ${JSON.stringify(kind)} is not a Kubernetes kind`);
        assert.deepEqual(read([cm("a", { kind: "Config2Map" })]), [["f.yaml Config2Map a", "kubernetes:core/v1:Config2Map", "a"]]);
    });

    it("names: the namespace before the name, (unnamed) without one; documents numbered when there are several; empty documents skipped", () => {
        assert.deepEqual(read([cm("a", { metadata: { name: "a", namespace: "ns" } })]), [["f.yaml ConfigMap ns/a", "kubernetes:core/v1:ConfigMap", "a"]]);
        assert.deepEqual(read([null, { apiVersion: "apps/v1", kind: "Deployment" }, undefined]), [["f.yaml#2 Deployment (unnamed)", "kubernetes:apps/v1:Deployment", "(unnamed)"]]);
        refuses([cm("a", { metadata: "a" })], "f.yaml: ConfigMap metadata is not an object");
    });

    it("an object with items is a list: its items applied, typed by the list's kind without List when they have no type of their own", () => {
        assert.deepEqual(read([{ apiVersion: "v1", kind: "ConfigMapList", items: [{ metadata: { name: "a" } }, cm("b")] }]), [
            ["f.yaml.items[0] ConfigMap a", "kubernetes:core/v1:ConfigMap", "a"],
            ["f.yaml.items[1] ConfigMap b", "kubernetes:core/v1:ConfigMap", "b"],
        ]);
        assert.deepEqual(read([{ apiVersion: "example.com/v1", kind: "Widget", items: [{ metadata: { name: "w" } }] }]), [["f.yaml.items[0] Widget w", "kubernetes:example.com/v1:Widget", "w"]]);
        assert.deepEqual(read([{ apiVersion: "v1", kind: "List", items: null }]), [], "items: null applies nothing");
        assert.deepEqual(read([{ apiVersion: "v1", kind: "List", items: [cm("c", { items: "x" })] }]), [["f.yaml.items[0] ConfigMap c", "kubernetes:core/v1:ConfigMap", "c"]], "an item's own items field is data");
        refuses([{ apiVersion: "v1", kind: "List", items: { a: 1 } }], "f.yaml: List has items that are an object: kubectl reads any object with items as a list, and refuses this one");
        refuses([{ apiVersion: "v1", kind: "List", items: "x" }], "f.yaml: List has items of type string: kubectl reads any object with items as a list, and refuses this one");
    });

    it("a top-level list holds objects with apiVersion and kind", () => {
        assert.deepEqual(read([[cm("a")]]), [["f.yaml[0] ConfigMap a", "kubernetes:core/v1:ConfigMap", "a"]]);
        refuses([[{ kind: "ConfigMap" }]], "f.yaml[0] has no apiVersion and kind: a top-level list holds Kubernetes objects only");
        refuses([[{ apiVersion: "v1" }]], "f.yaml[0] has no apiVersion and kind: a top-level list holds Kubernetes objects only");
    });

    it("a document that is no manifest, stack export or plan is refused, naming the document", () => {
        refuses([cm("a"), { stack: "s" }], "f.yaml: document 2 has no apiVersion/kind and is not a stack export (version, deployment.resources) or plan snapshot (stack, resources)");
        refuses([{ resources: [] }], "f.yaml: the document has no apiVersion/kind and is not a stack export (version, deployment.resources) or plan snapshot (stack, resources)");
        refuses([{ kind: "ConfigMap" }], "f.yaml: the document has kind but no apiVersion: not a Kubernetes object, and refused as anything else");
        refuses([{ apiVersion: "v1" }], "f.yaml: the document has apiVersion but no kind: not a Kubernetes object, and refused as anything else");
        refuses([{ version: 3, deployment: { resources: [] }, extra: 1 }], "f.yaml: the document has deployment.resources but also extra: not a pulumi stack export (version, deployment); refused as ambiguous");
        refuses([{ version: 3, deployment: { resources: null } }], "f.yaml: the document: deployment.resources is null, not a list");
        refuses([{ stack: 5, resources: [] }], "f.yaml: the document: a plan snapshot needs stack (a string) and resources (a list)");
        refuses([2], "f.yaml: document 1 is a number, not a Kubernetes object, stack export or plan snapshot");
    });
});
