/**
 * Judging one subject of a stack policy (a bucket, a vault, a namespace, a release) with its own
 * reads: a finding depends on the unknown values read while judging that subject, not on every
 * unknown the policy met elsewhere in the stack, and an opaque value read for it fails it closed.
 */
import { isEmpty, opaqueSentence, withReads } from "./unknown";
import type { PolicyResource, StackFinding } from "./types";

/** A problem found; `undecided` adds unknowns it depends on that were not read (a setting whose target is unknown). */
export type Verdict = string | { message: string; undecided: string[] };

/** Runs `check` for `resource` in its own read scope and turns its verdicts and reads into findings. */
export function judgeSubject(resource: PolicyResource | undefined, check: () => Verdict[]): StackFinding[] {
    let failure: { error: unknown } | undefined;
    const { value, reads } = withReads(() => {
        try {
            return check();
        } catch (error) {
            failure = { error };
            return [];
        }
    });
    // A check that fails on a value it could not judge (reading into an unknown list) has decided nothing; any other failure is a bug.
    if (failure && isEmpty(reads)) throw failure.error;
    const read = [...reads.unknown];
    const out: StackFinding[] = value.map((v) => {
        const message = typeof v === "string" ? v : v.message;
        const undecided = [...new Set([...read, ...(typeof v === "string" ? [] : v.undecided)])].sort();
        return undecided.length ? { resource, message, undecided } : { resource, message };
    });
    if (value.length === 0 && read.length) out.push({ resource, message: "", undecided: read.sort() });
    if (reads.opaque.size) out.push({ resource, message: opaqueSentence(reads.opaque) });
    return out;
}
