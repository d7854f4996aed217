/**
 * Cases the mutation run found unjudged in policies/lib/resources.ts replacedAt (how the offline
 * plan masks secret inputs by the recorder's paths): a path replaces exactly the value it names and
 * nothing else; a path through a missing, null or primitive value, to an inherited property or to
 * nothing at all changes nothing and does not fail.
 */
import * as assert from "node:assert/strict";
import { replacedAt } from "../../policies/lib/resources";

const X = () => "X";

describe("mutation-found cases: masking secret paths", () => {
    it("replaces the value a path names: nested keys, list indexes, three levels deep", () => {
        assert.deepEqual(replacedAt({ a: { b: 1, c: 2 } }, ["a.b"], X), { a: { b: "X", c: 2 } });
        assert.deepEqual(replacedAt({ list: [1, 2], m: [{ k: 1 }] }, ["list[1]", "m[0].k"], X), { list: [1, "X"], m: [{ k: "X" }] });
        assert.deepEqual(replacedAt({ a: { b: { c: 1 } } }, ["a.b.c"], X), { a: { b: { c: "X" } } });
    });

    it("a path to nothing changes nothing: missing, null or primitive on the way, an inherited property, an empty path", () => {
        const props = { a: { b: null, s: "text", o: {} }, undefined: 1 };
        assert.deepEqual(replacedAt(props, ["x.y", "x.y.z", "a.b.c", "a.s.length", "a.o.toString", "a.o.constructor", ""], X), props);
    });

    it("does not touch the props it was given", () => {
        const props = { a: { b: 1 } };
        replacedAt(props, ["a.b"], X);
        assert.deepEqual(props, { a: { b: 1 } });
    });
});
