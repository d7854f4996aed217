import { loadPolicyInputs } from "./policies/lib/inputs";
for (const f of process.argv.slice(2)) {
    try { console.log("==", f); for (const r of loadPolicyInputs(f)) { const p = { ...r.props }; delete p.apiVersion; delete p.kind; console.log(JSON.stringify(p)); } }
    catch (e) { console.log("ERR", (e as Error).message); }
}
