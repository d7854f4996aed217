/**
 * Typed IAM policy documents, built as JSON instead of invokes (no `getPolicyDocument` calls).
 */
import * as pulumi from "@pulumi/pulumi";

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource?: pulumi.Input<string> | pulumi.Input<string>[];
    Principal?: Record<string, pulumi.Input<string> | pulumi.Input<string>[]> | "*";
    Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[] | boolean>>;
}

/** A policy document as a JSON string output. */
export function policyDocument(statements: PolicyStatement[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** A trust policy letting an AWS service assume the role. */
export function serviceTrustPolicy(service: string | string[], actions: string[] = ["sts:AssumeRole"]): pulumi.Output<string> {
    return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: actions }]);
}

/** `arn:<partition>:iam::aws:policy/<name>` */
export function managedPolicyArn(partition: string, name: string): string {
    return `arn:${partition}:iam::aws:policy/${name}`;
}
