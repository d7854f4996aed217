#!/usr/bin/env node
/**
 * The type-check and the lint in one process over one TypeScript program.
 *
 *   node scripts/check.cjs [typecheck] [lint] [--root DIR]
 *
 * Both when neither is named. `--root` checks another project laid out like this one (its
 * tsconfig.json, eslint.config.mjs and node_modules/.cache); the tests use it on a fixture.
 *
 * Both need the whole program (4,000 declaration files, most of them @pulumi/aws and
 * @pulumi/kubernetes): `tsc -b` and typescript-eslint's `parserOptions.project` would each parse
 * and bind it, which is most of their time. Here `tsc -b`'s own solution builder (same tsconfig,
 * same incremental build info) makes it once, and ESLint (eslint.config.mjs, unchanged) is handed
 * that program through `parserOptions.programs`. Nothing is parsed when nothing changed: the build
 * info says the type-check is up to date, ESLint's cache says no file needs linting, and the
 * program is then never made.
 *
 * Exit status: 0 when both pass, 1 when either reports a problem, 2 on a bad argument.
 */
"use strict";
const path = require("node:path");
const ts = require("typescript");
const { ESLint } = require("eslint");

/**
 * JSDoc is parsed only where it can change a type error (JavaScript files), as the `tsc` command
 * line does; the API's default parses every comment of the 35 MB of provider declarations.
 */
const JSDOC_PARSING = ts.JSDocParsingMode.ParseForTypeErrors;

/** The program for `tsconfig.json`, made at most once: by the solution builder when it has to check, else on first use. */
function programSource(tsconfig) {
    let program;
    let how = "not needed";
    return {
        set(p) {
            program = p;
            how = "the type-check's";
        },
        get() {
            if (!program) {
                const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")) });
                const host = ts.createCompilerHost(parsed.options);
                host.jsDocParsingMode = JSDOC_PARSING;
                program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences, host });
                how = "made for the lint";
            }
            return program;
        },
        /** Where the program the lint used came from: the type-check's, made for the lint, or not needed (every file in ESLint's cache). */
        how: () => how,
    };
}

function fail(message) {
    process.stderr.write(`check: ${message}\n`);
    process.exit(2);
}

/** `tsc -b tsconfig.json`: the solution builder with the project's incremental build info. */
function typecheck(root, source) {
    const tsconfig = path.join(root, "tsconfig.json");
    const started = Date.now();
    const diagnostics = [];
    const host = ts.createSolutionBuilderHost(ts.sys, ts.createSemanticDiagnosticsBuilderProgram, (d) => diagnostics.push(d), () => {});
    host.jsDocParsingMode = JSDOC_PARSING;
    const builder = ts.createSolutionBuilder(host, [tsconfig], {});
    let status = "up to date";
    for (let project = builder.getNextInvalidatedProject(); project; project = builder.getNextInvalidatedProject()) {
        if (project.kind === ts.InvalidatedProjectKind.Build) {
            const program = project.getProgram();
            if (program && path.resolve(project.project) === tsconfig) source.set(program);
            status = "checked";
        }
        project.done();
    }
    const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
    const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
    return { name: "typecheck", ok: errors.length === 0, output: diagnostics.length ? ts.formatDiagnostics(diagnostics, formatHost) : "", seconds: (Date.now() - started) / 1000, status };
}

/**
 * A stand-in for the program that makes it on first use. ESLint serialises the config for its cache
 * key (reading `name`, `meta` and `toJSON` of every object in it): those answer without making the
 * program, and the key holds a fixed name instead of the program.
 */
function lazyProgram(source) {
    return new Proxy(
        {},
        {
            get(_, key) {
                if (key === "toJSON") return () => "tsconfig.json";
                if (typeof key === "symbol" || key === "name" || key === "meta" || key === "then") return undefined;
                const program = source.get();
                const value = program[key];
                return typeof value === "function" ? value.bind(program) : value;
            },
        },
    );
}

/**
 * What the lint reads: the files of tsconfig.json's program (the type-check's) and the CommonJS launchers at the top
 * level and in scripts/. Not "." : ESLint reads a directory holding its own eslint.config.* with that config, so a
 * second checkout of the repository inside this one (the pull-request workflow's base/) would be linted as a project
 * of its own, every file a parse error. Listing the files globs the disk only; no program is made.
 */
function lintTargets(root) {
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")) });
    const launchers = (dir) => ts.sys.readDirectory(path.join(root, dir), [".cjs"], undefined, undefined, dir === "." ? 1 : undefined);
    return [...parsed.fileNames, ...launchers("."), ...launchers("scripts")].map((f) => path.resolve(root, f)).sort();
}

async function lint(root, source) {
    const started = Date.now();
    const eslint = new ESLint({
        cwd: root,
        cache: true,
        cacheLocation: path.join(root, "node_modules", ".cache", "eslint", ".eslintcache"),
        cacheStrategy: "content",
        overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parserOptions: { programs: [lazyProgram(source)] } } }],
    });
    const results = await eslint.lintFiles(lintTargets(root));
    const formatter = await eslint.loadFormatter("stylish");
    const errors = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0);
    const warnings = results.reduce((n, r) => n + r.warningCount, 0);
    return { name: "lint", ok: errors === 0 && warnings === 0, output: await formatter.format(results), seconds: (Date.now() - started) / 1000, status: `${results.length} files; program: ${source.how()}` };
}

const USAGE = "usage: node scripts/check.cjs [typecheck] [lint] [--root DIR]";

async function main(argv) {
    let root = path.resolve(__dirname, "..");
    const parts = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--root" && argv[i + 1]) root = path.resolve(argv[++i]);
        else if (argv[i] === "typecheck" || argv[i] === "lint") parts.push(argv[i]);
        else fail(`unknown argument ${argv[i]}; ${USAGE}`);
    }
    if (parts.length === 0) parts.push("typecheck", "lint");
    const source = programSource(path.join(root, "tsconfig.json"));
    const results = [];
    if (parts.includes("typecheck")) results.push(typecheck(root, source));
    if (parts.includes("lint")) results.push(await lint(root, source));
    for (const r of results) {
        if (r.output.trim()) process.stdout.write(`${r.output.trimEnd()}\n`);
        process.stdout.write(`== ${r.name}: ${r.ok ? "ok" : "FAILED"} in ${r.seconds.toFixed(1)} s (${r.status})\n`);
    }
    process.exit(results.every((r) => r.ok) ? 0 : 1);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e) => {
        process.stderr.write(`check: ${e && e.stack ? e.stack : e}\n`);
        process.exit(1);
    });
}

module.exports = { lintTargets };
