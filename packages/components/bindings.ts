/**
 * The public components' implementation: each builds the platform component it wraps as its only
 * child, after mapping the public args (named value types, platform.ts) to the platform's own and
 * checking what only the public shape can get wrong. Loaded on first use (platform.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { CanaryApp as PlatformCanaryApp, CanaryAppArgs as PlatformCanaryAppArgs } from "../../components/delivery/canary-app";
import { WorkloadIdentity as PlatformWorkloadIdentity } from "../../components/eks/workload-identity";
import { GuardedNamespace as PlatformNamespace } from "../../components/security/namespace";
import type { PolicyStatement } from "../../components/shared/iam";
import type { CanaryAppArgs } from "./canary-app";
import type { PlatformBindings } from "./platform";
import { IamStatement, PolicyEffect } from "./workload-identity";

/** Problems of the CanaryApp args only the public shape can have (the platform component checks the rest). */
export function publicCanaryProblems(args: CanaryAppArgs): string[] {
    const routing = args.trafficRouting;
    if (routing && (routing.nginx === undefined) === (routing.alb === undefined)) return ["trafficRouting must set exactly one of nginx or alb"];
    return [];
}

/** The platform CanaryApp's args for the public args. */
export function toPlatformCanaryArgs(args: CanaryAppArgs): PlatformCanaryAppArgs {
    const { trafficRouting, ...rest } = args;
    return {
        ...rest,
        trafficRouting: trafficRouting?.nginx ? { nginx: trafficRouting.nginx } : trafficRouting?.alb ? { alb: trafficRouting.alb } : undefined,
        // The CRDs (Argo Rollouts, the Prometheus operator) are the platform stack's, deployed before any service.
        crds: [],
    };
}

const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;

/** What is wrong with a WorkloadIdentity's statements, naming each field. */
export function statementProblems(statements: IamStatement[]): string[] {
    const problems: string[] = [];
    if (statements.length === 0) problems.push("statements is empty: give the workload the permissions it needs, scoped to its own resources");
    statements.forEach((s, i) => {
        if (s.actions.length === 0) problems.push(`statements[${i}].actions is empty`);
        s.actions.forEach((a, j) => {
            if (!ACTION.test(a)) problems.push(`statements[${i}].actions[${j}] "${a}" must be <service>:<Action>, e.g. s3:GetObject`);
        });
        if (s.resources.length === 0) problems.push(`statements[${i}].resources is empty: scope the statement to the workload's own resources`);
    });
    return problems;
}

/** The policy document's statements for the public statements. */
export function toPolicyStatements(statements: IamStatement[]): PolicyStatement[] {
    return statements.map((s) => {
        const condition: NonNullable<PolicyStatement["Condition"]> = {};
        for (const c of s.conditions ?? []) condition[c.test] = { ...condition[c.test], [c.variable]: c.values };
        return {
            ...(s.sid ? { Sid: s.sid } : {}),
            Effect: s.effect ?? PolicyEffect.Allow,
            Action: s.actions,
            Resource: s.resources,
            ...(s.conditions?.length ? { Condition: condition } : {}),
        };
    });
}

function refuse(component: string, name: string, problems: string[]): void {
    if (problems.length > 0) throw new pulumi.RunError(`${component} ${name}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

export const BINDINGS: PlatformBindings = {
    canaryApp(name, args, parent) {
        refuse("CanaryApp", args.name, publicCanaryProblems(args));
        const app = new PlatformCanaryApp(name, toPlatformCanaryArgs(args), { parent });
        return { rolloutName: app.rolloutName, stableService: app.stableService, canaryService: app.canaryService };
    },
    guardedNamespace(name, args, parent) {
        return { namespaceName: new PlatformNamespace(name, args, { parent }).ref.ready };
    },
    workloadIdentity(name, args, parent) {
        refuse("WorkloadIdentity", name, statementProblems(args.statements));
        const identity = new PlatformWorkloadIdentity(name, {
            clusterName: args.clusterName,
            namespace: args.namespace,
            serviceAccount: args.serviceAccount,
            statements: toPolicyStatements(args.statements),
            managedPolicyArns: args.managedPolicyArns,
            tags: args.tags ?? {},
            roles: { permissionsBoundaryArn: args.permissionsBoundaryArn, path: args.rolePath },
        }, { parent });
        return { roleArn: identity.roleArn, roleName: identity.roleName };
    },
};
