/**
 * Builds another Pulumi project of this repository (a service stack such as examples/service) under
 * the mocks, the way `pulumi up` runs it: its Pulumi.yaml names the program, its
 * Pulumi.<stack>.yaml holds the config, and every StackReference it reads is answered with the
 * outputs of the stack it names: for the platform stack, the outputs of its offline plan.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { skipEngineDebugInfo } from "./debug-info";
import { PlatformMocks, StackOutputs, StackOutputsSource } from "./mocks";
import { record, RecordedResource, resolveOutputs } from "./recorder";
import { PROJECT, REPO_ROOT, UnknownStackError } from "./stack";

/** The project's Pulumi.yaml: what the offline build needs of it. */
export interface ProjectFile {
    name: string;
    main: string;
    description?: string;
}

export class ProjectError extends Error {}

export function readProjectFile(dir: string): ProjectFile {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) throw new ProjectError(`${path.relative(process.cwd(), dir) || "."}: no Pulumi.yaml (not a Pulumi project)`);
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as Partial<ProjectFile> & { runtime?: unknown };
    const runtime = typeof doc?.runtime === "string" ? doc.runtime : (doc?.runtime as { name?: string } | undefined)?.name;
    if (!doc?.name || runtime !== "nodejs") throw new ProjectError(`${file}: needs a name and runtime nodejs`);
    return { name: doc.name, main: doc.main ?? "index.ts", description: doc.description };
}

/** The `config:` map of `<dir>/Pulumi.<stack>.yaml`. */
export function readProjectStackConfig(dir: string, stack: string): Record<string, unknown> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs.readdirSync(dir).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => f.split(".")[1]);
        throw new UnknownStackError(`unknown stack "${stack}" of ${path.relative(REPO_ROOT, dir)}: no ${path.basename(file)}; known stacks: ${known.join(", ")}`);
    }
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    return { ...(doc?.config ?? {}) };
}

export interface BuiltProject {
    project: string;
    stack: string;
    config: Record<string, unknown>;
    resources: RecordedResource[];
    /** The program's stack outputs, resolved (secrets masked) with the secret names. */
    outputs: StackOutputs;
    /** The program's stack outputs as it returned them. */
    result: Record<string, unknown>;
    /** The stacks its StackReferences read, by fully qualified name. */
    references: string[];
}

/**
 * Builds `stack` of the project in `dir` under the mocks. `stacks` answers its StackReferences;
 * `values` replaces the stack's config file (tests).
 */
export async function buildProject(dir: string, stack: string, stacks: StackOutputsSource, options: { values?: Record<string, unknown> } = {}): Promise<BuiltProject> {
    const project = readProjectFile(dir);
    const values = structuredClone(options.values ?? readProjectStackConfig(dir, stack)) as Record<string, any>;
    const references: string[] = [];
    const answer: StackOutputsSource = (name) => {
        references.push(name);
        return stacks(name);
    };
    skipEngineDebugInfo();
    await pulumi.runtime.setMocks(new PlatformMocks(String(values["aws:region"] ?? "eu-west-1"), {}, { stacks: answer }), project.name, stack, false);
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const main = require(path.resolve(dir, project.main));
    const program = (typeof main === "function" ? main : main.default) as () => unknown;
    if (typeof program !== "function") throw new ProjectError(`${project.main} of ${project.name} exports no program function (export = async () => {...})`);
    const { result, resources } = await record(program);
    const returned = (result ?? {}) as Record<string, unknown>;
    return { project: project.name, stack, config: values, resources, outputs: await resolveOutputs(returned), result: returned, references };
}

/** `<org>/<project>/<stack>` (or a shorter form) -> project and stack, as the engine reads a StackReference name. */
export function parseStackName(name: string): { organization?: string; project?: string; stack: string } {
    const parts = name.split("/");
    if (parts.length === 3) return { organization: parts[0], project: parts[1], stack: parts[2] };
    if (parts.length === 2) return { organization: parts[0], stack: parts[1] };
    return { stack: parts[0] };
}

/** Whether a StackReference name points at this repository's platform project. */
export function isPlatformStack(name: string): boolean {
    const p = parseStackName(name).project;
    return p === undefined || p === PROJECT;
}
