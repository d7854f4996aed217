/**
 * Security group ingress open to the world [EC2.18, EC2.19], judged on the union of the CIDR blocks
 * that reach each port: `0.0.0.0/1` and `128.0.0.0/1` admit all of IPv4 as surely as `0.0.0.0/0`,
 * and `::/0` all of IPv6. Ingress comes from a security group's inline `ingress` and from the
 * standalone rule resources `aws:ec2/securityGroupRule` (type ingress) and
 * `aws:vpc/securityGroupIngressRule`; each resource is judged alone (security-group-baseline, before
 * it is created), and a group together with the standalone rules attached to it at stack level
 * (security-group-ingress-union).
 */
import { awsNumber } from "../lib/aws-values";
import { judgeSubject, Verdict } from "../lib/judge";
import { isUnjudgeable, quietly } from "../lib/unknown";
import { Links } from "../lib/links";
import { coveredFamilies, familyText, parseCidr, Range } from "../lib/cidr";
import type { PolicyResource, ResourcePolicy, StackPolicy } from "../lib/types";

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/** One ingress permission: a protocol, a port range (whole protocol when undefined) and its source CIDR blocks. */
interface Ingress {
    protocol: string;
    from?: number;
    to?: number;
    cidrs: unknown[];
}

/** A list property; a value the check cannot judge (its read is recorded) contributes nothing. */
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v.filter((x) => !isUnjudgeable(x)) : v === undefined || v === null || isUnjudgeable(v) ? [] : [v]);

/** "-1"/"all" (every protocol and port), else tcp/udp/icmp/icmpv6 by name or number, else the number. */
function protocolOf(v: unknown): string {
    const p = String(v ?? "").toLowerCase();
    return ({ "-1": "all", all: "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" } as Record<string, string>)[p] ?? p;
}

function ingressOf(protocol: unknown, fromPort: unknown, toPort: unknown, cidrs: unknown[]): Ingress {
    const p = protocolOf(protocol);
    // Stryker disable next-line ConditionalExpression: openIngress reads ports of tcp and udp only, so a range kept for another protocol changes nothing.
    if (p !== "tcp" && p !== "udp") return { protocol: p, cidrs };
    const from = awsNumber(fromPort);
    const to = awsNumber(toPort);
    // A range the provider would refuse is judged as the whole protocol (fail closed).
    // Number.isInteger is false for undefined, so both ends are numbers past it.
    const valid = Number.isInteger(from) && Number.isInteger(to) && from! >= 0 && to! <= 65535 && from! <= to!;
    return valid ? { protocol: p, from, to, cidrs } : { protocol: p, cidrs };
}

/** The ingress permissions a security group, or a standalone rule of either type (RULE, INGRESS_RULE), declares itself. */
export function ingressOfResource(r: PolicyResource): Ingress[] {
    const p = r.props;
    if (r.type === SECURITY_GROUP) return list(p.ingress).map((rule: any) => ingressOf(rule?.protocol, rule?.fromPort, rule?.toPort, [...list(rule?.cidrBlocks), ...list(rule?.ipv6CidrBlocks)]));
    if (r.type === RULE) return p.type === "ingress" ? [ingressOf(p.protocol, p.fromPort, p.toPort, [...list(p.cidrBlocks), ...list(p.ipv6CidrBlocks)])] : [];
    return [ingressOf(p.ipProtocol, p.fromPort, p.toPort, [...list(p.cidrIpv4), ...list(p.cidrIpv6)])];
}

const portText = (protocol: string, from?: number, to?: number) =>
    protocol === "all" ? "all traffic" : from === undefined ? `${protocol} (every port)` : from === to ? `${protocol} port ${from}` : `${protocol} ports ${from}-${to}`;

/**
 * Where the union of the sources admits a whole address family: one line per protocol and port
 * range (adjacent ranges open to the same families are joined), plus the CIDRs that are not CIDR blocks.
 */
export function openIngress(rules: Ingress[]): string[] {
    const out: string[] = [];
    const ranges = (rs: Ingress[]) => rs.flatMap((r) => r.cidrs.map(parseCidr).filter((x): x is Range => x !== undefined));
    for (const r of rules) for (const c of r.cidrs) if (parseCidr(c) === undefined) out.push(`source ${JSON.stringify(c)} is not a CIDR block AWS reads`);
    const all = rules.filter((r) => r.protocol === "all");
    const everywhere = coveredFamilies(ranges(all));
    if (everywhere.length) out.push(`${portText("all")} from ${everywhere.map(familyText).join(" and ")}`);
    // Stryker disable next-line MethodExpression,ConditionalExpression: "all" in the loop below would find only what everywhere holds, which it filters out.
    const protocols = [...new Set(rules.map((r) => r.protocol))].filter((p) => p !== "all");
    for (const protocol of protocols.sort()) {
        const own = rules.filter((r) => r.protocol === protocol);
        if (protocol !== "tcp" && protocol !== "udp") {
            const fams = coveredFamilies(ranges([...all, ...own])).filter((f) => !everywhere.includes(f));
            if (fams.length) out.push(`${portText(protocol)} from ${fams.map(familyText).join(" and ")}`);
            continue;
        }
        // Sweep the port line: between consecutive boundaries the same rules apply.
        const bounds = [...new Set([0, 65536, ...own.flatMap((r) => (r.from === undefined ? [] : [r.from, r.to! + 1]))])].sort((a, b) => a - b);
        let open: { from: number; to: number; fams: string } | undefined;
        const flush = () => {
            if (open) out.push(`${portText(protocol, open.from, open.to)} from ${open.fams}`);
            open = undefined;
        };
        for (let i = 0; i + 1 < bounds.length; i++) {
            const [from, to] = [bounds[i], bounds[i + 1] - 1];
            const applying = own.filter((r) => r.from === undefined || (r.from <= from && to <= r.to!));
            const fams = coveredFamilies(ranges([...all, ...applying])).filter((f) => !everywhere.includes(f)).map(familyText).join(" and ");
            if (!fams) flush();
            // Segments are consecutive (a segment without open families flushes), so an open range ends right before this one.
            else if (open && open.fams === fams) open.to = to;
            else {
                flush();
                open = { from, to, fams };
            }
        }
        flush();
    }
    return out;
}

export const securityGroupBaseline: ResourcePolicy = {
    name: "security-group-baseline",
    description: "Checks whether a security group, or a standalone ingress rule (aws:ec2/securityGroupRule, aws:vpc/securityGroupIngressRule), admits all of IPv4 or IPv6 on any port, judging the union of its CIDR blocks per port (0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0) [EC2.18, EC2.19].",
    enforcementLevel: "mandatory",
    config: [],
    resourceTypes: [SECURITY_GROUP, RULE, INGRESS_RULE],
    validate(r) {
        const what = r.type === SECURITY_GROUP ? "Security group" : "Security group rule";
        return openIngress(ingressOfResource(r)).map((o) => `${what} must not admit ingress open to the world: ${o} [EC2.18].`);
    },
};

export const securityGroupIngressUnion: StackPolicy = {
    name: "security-group-ingress-union",
    description: "Checks whether a security group together with the standalone ingress rules attached to it (by securityGroupId, or by the property dependency while ids are unknown) admits all of IPv4 or IPv6 on any port, when no single one of them does [EC2.18, EC2.19].",
    enforcementLevel: "mandatory",
    config: [],
    validateStack(resources) {
        const groups = resources.filter((r) => r.type === SECURITY_GROUP);
        if (groups.length === 0) return [];
        const rules = resources.filter((r) => r.type === RULE || r.type === INGRESS_RULE);
        const links = new Links(groups, (g) => g.id, rules, "securityGroupId");
        return groups.flatMap((g) => {
            const { linked } = links.of(g);
            if (linked.length === 0) return [];
            const label = quietly(() => String(g.props.name ?? g.name));
            return judgeSubject(g, (): Verdict[] => {
                const members = [g, ...linked];
                // A member open on its own is reported by security-group-baseline.
                if (members.some((m) => openIngress(ingressOfResource(m)).length > 0)) return [];
                return openIngress(members.flatMap(ingressOfResource)).map((o) => `Security group ${label} with its rules ${linked.map((l) => l.name).join(", ")} admits ingress open to the world: ${o} [EC2.18].`);
            });
        });
    },
};
