/**
 * `npm run package:verify [-- --ref <git ref>] [--keep]`: the component package (packages/components)
 * as `pulumi package add` gets it. A copy of the repository at the ref (default HEAD, as the CLI
 * clones a tag), `npm install` in packages/components only (what the Node.js language host runs for
 * a plugin; nothing is installed at the repository root), then the plugin started as the language
 * host starts it: its schema must equal the one inferred from this checkout, and each public
 * component must construct through the provider protocol. Needs the npm registry; prints timings.
 * Exit 0 when all holds, 1 otherwise, 2 on bad arguments.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { ComponentPluginSession } from "../lib/offline/component-plugin";
import { REPO_ROOT } from "../lib/offline/stack";

const PACKAGE = path.join("packages", "components");
const DIGEST = "ghcr.io/example-org/orders@sha256:" + "b".repeat(64);

function parseArgs(argv: string[]): { ref: string; keep: boolean } {
    const opts = { ref: "HEAD", keep: false };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--ref" && argv[i + 1]) opts.ref = argv[++i];
        else if (argv[i] === "--keep") opts.keep = true;
        else throw new Error(`unknown argument ${argv[i]}; usage: npm run package:verify [-- --ref <git ref>] [--keep]`);
    }
    return opts;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
    let opts: { ref: string; keep: boolean };
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        console.error((e as Error).message);
        return 2;
    }
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), "platform-package-"));
    const dir = path.join(clone, PACKAGE);
    const problems: string[] = [];
    try {
        execFileSync("sh", ["-c", `git -C "${REPO_ROOT}" archive --format=tar "${opts.ref}" | tar -x -C "${clone}"`], { stdio: ["ignore", "inherit", "inherit"] });
        console.log(`copied ${opts.ref} to ${clone}; installing ${PACKAGE}'s dependencies (npm install, as the language host does)`);
        let t = Date.now();
        const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "inherit" });
        if (install.status !== 0) return (console.error(`npm install in ${PACKAGE} failed`), 1);
        console.log(`npm install: ${seconds(t)}; at the repository root: ${fs.existsSync(path.join(clone, "node_modules")) ? "node_modules (unexpected)" : "nothing installed"}`);

        t = Date.now();
        const expected = JSON.parse(await new ComponentProvider({
            components: (await import("../packages/components/index")).COMPONENTS, name: "platform-components", dirname: path.join(REPO_ROOT, PACKAGE),
        }).getSchema());
        console.log(`schema of this checkout (in-process inference): ${seconds(t)}`);

        t = Date.now();
        const session = await ComponentPluginSession.start(dir);
        console.log(`plugin started (run-plugin ${path.join(PACKAGE, "provider.cjs")}): ${session.startupMs} ms`);
        try {
            t = Date.now();
            const schema = await session.getSchema();
            console.log(`GetSchema: ${seconds(t)}; components ${Object.keys(schema.resources).join(", ")}`);
            if (JSON.stringify(schema) !== JSON.stringify(expected)) problems.push("the installed package's schema differs from this checkout's");
            const k8s = "urn:pulumi:dev::service::pulumi:providers:kubernetes::platform::11111111-2222-3333-4444-555555555555";
            const cases: { type: string; providers: Record<string, string>; inputs: Record<string, unknown> }[] = [
                { type: "CanaryApp", providers: { kubernetes: k8s }, inputs: { name: "orders", namespace: "apps", image: DIGEST, port: 8080, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } }, otlpEndpoint: "http://otlp:4317" } },
                { type: "GuardedNamespace", providers: { kubernetes: k8s }, inputs: { name: "orders", quota: { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi" } } },
                { type: "WorkloadIdentity", providers: {}, inputs: { clusterName: "platform-dev-eks", namespace: "apps", serviceAccount: "orders", permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/platform-boundary", rolePath: "/platform/", statements: [{ actions: ["sqs:ReceiveMessage"], resources: ["arn:aws:sqs:eu-west-1:123456789012:orders"] }] } },
            ];
            for (const c of cases) {
                t = Date.now();
                const r = await session.construct({ type: `platform-components:index:${c.type}`, name: `verify-${c.type.toLowerCase()}`, inputs: c.inputs, providers: c.providers });
                const custom = r.registrations.filter((x) => x.custom).map((x) => x.type);
                console.log(`Construct ${c.type}: ${seconds(t)}; ${custom.length} resources (${[...new Set(custom)].join(", ")}); outputs ${JSON.stringify(r.state)}`);
                if (custom.length === 0 || Object.values(r.state).some((v) => v === undefined || v === "")) problems.push(`${c.type}: constructed nothing, or an empty output`);
            }
        } finally {
            await session.stop();
        }
    } catch (e) {
        problems.push(e instanceof Error ? e.message : String(e));
    } finally {
        if (opts.keep) console.log(`kept ${clone}`);
        else fs.rmSync(clone, { recursive: true, force: true });
    }
    for (const p of problems) console.error(`package:verify: ${p}`);
    console.log(problems.length === 0 ? "package:verify: ok" : `package:verify: ${problems.length} problem(s)`);
    return problems.length === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
    console.error(`package:verify failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
