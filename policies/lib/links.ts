/**
 * Ties resources to the subject they configure (a bucket's encryption, public access block and
 * policy; a vault's lock; a namespace's LimitRange; a security group's rules), indexed once per
 * stack (linear, not one search per subject).
 *
 * A setting names its subject by a key property (`bucket`, `backupVaultName`, `securityGroupId`,
 * `metadata.namespace`). When the key is known it decides. In the first preview of a new stack it
 * is unknown (it comes from the subject's id); the engine still says which resources the property's
 * value came from (propertyDependencies), and a setting whose key property came from exactly one
 * subject is tied to it. A setting with an unknown key that no dependency ties is "floating": it
 * might belong to any subject, so a subject that lacks the setting is undecided rather than failed.
 * Keys are read quietly: what cannot be tied is reported explicitly (`floating`), not as a read.
 */
import { isUnknown, quietly } from "./unknown";
import type { PolicyResource } from "./types";

export interface Linked {
    /** The settings that belong to the subject. */
    linked: PolicyResource[];
    /** `<setting>.<property>` of settings whose subject is unknown and might be this one. */
    floating: string[];
}

const NONE: string[] = [];

const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
};

const NONE_LINKED: PolicyResource[] = [];

export class Links {
    /** One setting, or several (rare), per key: no list per key for the common single setting. */
    private readonly byKey = new Map<string, PolicyResource | PolicyResource[]>();
    /** Settings with a known key, by the one subject their key property came from (for subjects whose own key is not known). */
    private readonly byUrnKnownKey = new Map<string, PolicyResource[]>();
    /** Settings with an unknown key, by the one subject their key property came from. */
    private readonly byUrnUnknownKey = new Map<string, PolicyResource[]>();
    /** Unknown-key settings tied to several subjects: floating among those. */
    private readonly ambiguous = new Map<string, string[]>();
    private readonly floatingAll: string[] = [];
    /** Known-key settings whose key names no subject with a known key: they may belong to a subject whose key is unknown. */
    private readonly unmatched: { ref: PolicyResource; label: string }[] = [];

    /**
     * @param subjectKey the subject's own key (bucket name, vault name, namespace name, group id)
     * @param refProp the top-level property of a setting that names its subject (and whose propertyDependencies tie it)
     * @param refKey the key a setting names (defaults to its `refProp`)
     */
    constructor(subjects: PolicyResource[], private readonly subjectKey: (s: PolicyResource) => unknown, refs: PolicyResource[], refProp: string, refKey: (r: PolicyResource) => unknown = (r) => r.props?.[refProp]) {
        quietly(() => {
            // Built only when needed: the subjects' URNs when some setting has dependencies, their keys when some subject's key is unknown
            // (looked up only with a setting's non-empty string key, so an unknown, absent or empty subject key matches none).
            let subjectUrns: Set<string> | undefined;
            const known = subjects.some((x) => isUnknown(subjectKey(x))) ? new Set<unknown>(subjects.map(subjectKey)) : undefined;
            for (const ref of refs) {
                const key = refKey(ref);
                const deps = ref.propertyDependencies?.[refProp];
                let ties = NONE;
                if (deps?.length) {
                    subjectUrns ??= new Set(subjects.map((x) => x.urn));
                    ties = [...new Set(deps.filter((u) => subjectUrns!.has(u)))];
                }
                if (typeof key === "string" && key !== "") {
                    const had = this.byKey.get(key);
                    this.byKey.set(key, had === undefined ? ref : Array.isArray(had) ? [...had, ref] : [had, ref]);
                    if (ties.length === 1) push(this.byUrnKnownKey, ties[0], ref);
                    if (known && !known.has(key)) this.unmatched.push({ ref, label: `${ref.name}.${refProp}` });
                } else if (isUnknown(key)) {
                    const label = `${ref.name}.${refProp}`;
                    if (ties.length === 1) push(this.byUrnUnknownKey, ties[0], ref);
                    else if (ties.length > 1) for (const t of ties) push(this.ambiguous, t, label);
                    else this.floatingAll.push(label);
                }
                // An absent, opaque or non-string key names no subject.
            }
        });
    }

    private named(key: string): PolicyResource[] {
        const found = this.byKey.get(key);
        return found === undefined ? NONE_LINKED : Array.isArray(found) ? found : [found];
    }

    /** The settings of a subject, and the unknown-key settings that might be its too. */
    of(subject: PolicyResource): Linked {
        return quietly(() => {
            const key = this.subjectKey(subject);
            // The common case (every key known, nothing tied by dependency only): the settings named by the subject's key.
            if (typeof key === "string" && key !== "" && this.floatingAll.length === 0 && this.byUrnUnknownKey.size === 0 && this.ambiguous.size === 0) return { linked: this.named(key), floating: NONE };
            const linked = new Set<PolicyResource>(this.byUrnUnknownKey.get(subject.urn) ?? []);
            const floating = [...this.floatingAll, ...(this.ambiguous.get(subject.urn) ?? [])];
            if (typeof key === "string" && key !== "") for (const r of this.named(key)) linked.add(r);
            else {
                for (const r of this.byUrnKnownKey.get(subject.urn) ?? []) linked.add(r);
                if (isUnknown(key)) for (const u of this.unmatched) if (!linked.has(u.ref)) floating.push(u.label);
            }
            return { linked: [...linked], floating: [...new Set(floating)].sort() };
        });
    }
}
