/**
 * Work counters for "stays linear" tests, so they assert the work done rather than wall-clock time
 * (which fails under load and passes on a fast machine whatever the complexity).
 */

/**
 * A deep view of `root` whose every property read (a key, an index, `length`) and key listing
 * counts one step in `counter.reads`. The same object always gets the same view, so aliases and
 * shared nodes stay shared (identity-based memoisation keeps working).
 */
export function countingView<T>(root: T, counter: { reads: number }): T {
    const views = new WeakMap<object, object>();
    const view = (v: unknown): unknown => {
        if (!v || typeof v !== "object") return v;
        let p = views.get(v);
        if (!p) {
            p = new Proxy(v, {
                get: (t, k, r) => {
                    counter.reads++;
                    return view(Reflect.get(t, k, r));
                },
                ownKeys: (t) => {
                    const keys = Reflect.ownKeys(t);
                    counter.reads += keys.length;
                    return keys;
                },
            });
            views.set(v, p);
        }
        return p;
    };
    return view(root) as T;
}

type Method = (this: any, ...args: any[]) => any;

/**
 * Runs `fn` (synchronously) and returns the characters and elements it examined through the string,
 * regular-expression and array-search primitives a scanner uses: `indexOf` counts the distance it
 * scanned, `RegExp#exec` from `lastIndex` to the end of its match, `slice` the length it copied,
 * `charCodeAt` one, `Array#includes` the array's length, `Set#has`/`add` one.
 */
export function countScanWork(fn: () => void): number {
    let work = 0;
    const patches: [object, string, Method][] = [
        [String.prototype, "indexOf", function (orig) {
            return function (this: string, search: string, from = 0) {
                const at = orig.call(this, search, from);
                work += (at < 0 ? this.length : at + search.length) - Math.max(0, from);
                return at;
            };
        }(String.prototype.indexOf)],
        [String.prototype, "charCodeAt", function (orig) {
            return function (this: string, i: number) {
                work++;
                return orig.call(this, i);
            };
        }(String.prototype.charCodeAt)],
        [String.prototype, "slice", function (orig) {
            return function (this: string, ...args: [number?, number?]) {
                const out = orig.apply(this, args);
                work += out.length;
                return out;
            };
        }(String.prototype.slice)],
        [RegExp.prototype, "exec", function (orig) {
            return function (this: RegExp, s: string) {
                const from = this.global || this.sticky ? this.lastIndex : 0;
                const m = orig.call(this, s);
                work += (m ? m.index + m[0].length : s.length) - from;
                return m;
            };
        }(RegExp.prototype.exec)],
        [Array.prototype, "includes", function (orig) {
            return function (this: unknown[], ...args: [unknown, number?]) {
                work += this.length;
                return orig.apply(this, args);
            };
        }(Array.prototype.includes)],
        [Set.prototype, "has", function (orig) {
            return function (this: Set<unknown>, v: unknown) {
                work++;
                return orig.call(this, v);
            };
        }(Set.prototype.has)],
        [Set.prototype, "add", function (orig) {
            return function (this: Set<unknown>, v: unknown) {
                work++;
                return orig.call(this, v);
            };
        }(Set.prototype.add)],
    ];
    const saved = patches.map(([o, k]) => Object.getOwnPropertyDescriptor(o, k)!);
    try {
        for (const [o, k, f] of patches) Object.defineProperty(o, k, { value: f, writable: true, configurable: true, enumerable: false });
        fn();
    } finally {
        patches.forEach(([o, k], i) => Object.defineProperty(o, k, saved[i]));
    }
    return work;
}
