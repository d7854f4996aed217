/**
 * Restore testing that proves something (issue 22 point 4): the restored database lands in the
 * platform's network, and a validation function connects to it. The function's PostgreSQL client
 * is checked against RFC 7677's SCRAM-SHA-256 example and against an in-process server speaking
 * protocol 3.0 (SCRAM and MD5 sign-in, errors, one query); its decisions with fake AWS calls.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as net from "node:net";
import { BuiltStack, builtStack, promiseOf } from "../../lib/offline/stack";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const validator = require("../../components/backup/restore-validation/index.cjs") as {
    scramFinal(password: string, clientFirstBare: string, serverFirst: string): { clientFinal: string; serverSignature: string };
    probe(a: { host: string; port: number; user: string; password: string; database: string; query: string; connect?: (h: string, p: number) => Promise<net.Socket>; timeoutMs?: number }): Promise<(string | null)[][]>;
    validateRestore(event: unknown, deps: Record<string, unknown>): Promise<Record<string, unknown>>;
    VALIDATION_QUERY: string;
};

// ---- a PostgreSQL server for one connection, written from the protocol documentation ----
type Auth = "scram" | "md5" | "reject";
function frame(type: string, body: Buffer): Buffer {
    const head = Buffer.alloc(5);
    head.write(type, 0, "latin1");
    head.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([head, body]);
}
const i32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const auth = (code: number, rest = Buffer.alloc(0)) => frame("R", Buffer.concat([i32(code), rest]));
const error = (code: string, text: string) => frame("E", Buffer.from(`SFATAL\0C${code}\0M${text}\0\0`));
function dataRow(values: string[]): Buffer {
    const cols = values.map((v) => Buffer.concat([i32(Buffer.byteLength(v)), Buffer.from(v)]));
    const n = Buffer.alloc(2);
    n.writeInt16BE(values.length);
    return frame("D", Buffer.concat([n, ...cols]));
}

async function fakeServer(opts: { auth: Auth; password: string; user: string; seen?: string[] }): Promise<{ port: number; close: () => void; terminated: Promise<void> }> {
    let onTerminate: () => void = () => undefined;
    const terminated = new Promise<void>((resolve) => (onTerminate = resolve));
    const salt = crypto.randomBytes(16);
    const iterations = 4096;
    const salted = crypto.pbkdf2Sync(opts.password, salt, iterations, 32, "sha256");
    const h = (k: Buffer, s: string) => crypto.createHmac("sha256", k).update(s).digest();
    const storedKey = crypto.createHash("sha256").update(h(salted, "Client Key")).digest();
    const serverKey = h(salted, "Server Key");
    const server = net.createServer((socket) => {
        let buf = Buffer.alloc(0);
        let started = false;
        let clientFirstBare = "";
        let serverFirst = "";
        const md5Salt = crypto.randomBytes(4);
        socket.on("data", (chunk) => {
            buf = Buffer.concat([buf, chunk]);
            for (;;) {
                if (!started) {
                    if (buf.length < 4 || buf.length < buf.readInt32BE(0)) return;
                    const len = buf.readInt32BE(0);
                    const body = buf.subarray(4, len);
                    buf = buf.subarray(len);
                    started = true;
                    assert.equal(body.readInt32BE(0), 196608, "protocol 3.0");
                    const params = body.toString("utf8", 4).split("\0");
                    opts.seen?.push(`startup user=${params[1]} database=${params[3]}`);
                    if (opts.auth === "md5") socket.write(auth(5, md5Salt));
                    else socket.write(auth(10, Buffer.from("SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0")));
                    continue;
                }
                if (buf.length < 5 || buf.length < buf.readInt32BE(1) + 1) return;
                const type = String.fromCharCode(buf[0]);
                const body = buf.subarray(5, buf.readInt32BE(1) + 1);
                buf = buf.subarray(buf.readInt32BE(1) + 1);
                if (type === "p" && opts.auth === "md5") {
                    const md5 = (s: crypto.BinaryLike) => crypto.createHash("md5").update(s).digest("hex");
                    const expected = `md5${md5(Buffer.concat([Buffer.from(md5(opts.password + opts.user)), md5Salt]))}`;
                    if (body.toString("utf8").replace(/\0$/, "") !== expected) socket.end(error("28P01", "password authentication failed"));
                    else socket.write(Buffer.concat([auth(0), frame("Z", Buffer.from("I"))]));
                } else if (type === "p" && !clientFirstBare) {
                    const mech = body.toString("utf8", 0, body.indexOf(0));
                    assert.equal(mech, "SCRAM-SHA-256");
                    const first = body.toString("utf8", body.indexOf(0) + 5);
                    assert.match(first, /^n,,n=,r=/);
                    clientFirstBare = first.slice(3);
                    serverFirst = `r=${clientFirstBare.split("r=")[1]}srv${crypto.randomBytes(6).toString("hex")},s=${salt.toString("base64")},i=${iterations}`;
                    socket.write(auth(11, Buffer.from(serverFirst)));
                } else if (type === "p") {
                    const final = body.toString("utf8");
                    const withoutProof = final.slice(0, final.lastIndexOf(",p="));
                    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
                    const proof = Buffer.from(final.slice(final.lastIndexOf(",p=") + 3), "base64");
                    const clientKey = Buffer.from(proof.map((b, i) => b ^ h(storedKey, authMessage)[i]));
                    const ok = opts.auth !== "reject" && crypto.createHash("sha256").update(clientKey).digest().equals(storedKey);
                    if (!ok) { socket.end(error("28P01", `password authentication failed for user "${opts.user}"`)); continue; }
                    socket.write(Buffer.concat([auth(12, Buffer.from(`v=${h(serverKey, authMessage).toString("base64")}`)), auth(0), frame("S", Buffer.from("server_version\x0017.6\0")), frame("Z", Buffer.from("I"))]));
                } else if (type === "Q") {
                    opts.seen?.push(`query ${body.toString("utf8").replace(/\0$/, "")}`);
                    socket.write(Buffer.concat([frame("T", Buffer.from([0, 1, 0x63, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 8, 0xff, 0xff, 0xff, 0xff, 0, 0])), dataRow(["12"]), frame("C", Buffer.from("SELECT 1\0")), frame("Z", Buffer.from("I"))]));
                } else if (type === "X") {
                    opts.seen?.push("terminate");
                    socket.end();
                    onTerminate();
                }
            }
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as net.AddressInfo).port, close: () => server.close(), terminated };
}
const plain = (host: string, port: number) => new Promise<net.Socket>((resolve, reject) => { const s = net.connect({ host, port }, () => resolve(s)); s.once("error", reject); });

describe("restore validation: the PostgreSQL check", () => {
    it("SCRAM-SHA-256 gives RFC 7677's client proof and server signature", () => {
        const { clientFinal, serverSignature } = validator.scramFinal("pencil", "n=user,r=rOprNGfwEbeRWgbNEkqO", "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        assert.equal(clientFinal, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assert.equal(serverSignature, "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        assert.throws(() => validator.scramFinal("pencil", "n=user,r=abc", "r=xyz,s=AAAA,i=4096"), /invalid SCRAM server-first message/);
    });

    for (const mode of ["scram", "md5"] as const) {
        it(`signs in with ${mode}, runs the validation query, reads the row and terminates`, async () => {
            const seen: string[] = [];
            const server = await fakeServer({ auth: mode, password: "s3cr3t!#", user: "platform_admin", seen });
            try {
                const rows = await validator.probe({ host: "127.0.0.1", port: server.port, user: "platform_admin", password: "s3cr3t!#", database: "app", query: validator.VALIDATION_QUERY, connect: plain });
                assert.deepEqual(rows, [["12"]]);
                await server.terminated;
                assert.deepEqual(seen, ["startup user=platform_admin database=app", `query ${validator.VALIDATION_QUERY}`, "terminate"]);
            } finally {
                server.close();
            }
        });
    }

    it("a wrong password is the server's 28P01 error; a server that refuses TLS is refused", async () => {
        const server = await fakeServer({ auth: "scram", password: "right", user: "u" });
        try {
            await assert.rejects(validator.probe({ host: "127.0.0.1", port: server.port, user: "u", password: "wrong", database: "app", query: "SELECT 1", connect: plain }), (e: any) => e.code === "28P01" && /password authentication failed/.test(e.message));
        } finally {
            server.close();
        }
        const noTls = net.createServer((s) => s.once("data", () => s.end(Buffer.from("N"))));
        await new Promise<void>((resolve) => noTls.listen(0, "127.0.0.1", resolve));
        try {
            await assert.rejects(validator.probe({ host: "127.0.0.1", port: (noTls.address() as net.AddressInfo).port, user: "u", password: "p", database: "app", query: "SELECT 1", timeoutMs: 2000 }), /refused TLS \(answered "N" to SSLRequest\)/);
        } finally {
            noTls.close();
        }
    });
});

describe("restore validation: the decision reported to AWS Backup", () => {
    const event = (detail: Record<string, unknown> = {}) => ({ "detail-type": "Restore Job State Change", source: "aws.backup", detail: { restoreJobId: "job-1", status: "COMPLETED", resourceType: "RDS", createdResourceArn: "arn:aws:rds:eu-west-1:123456789012:db:awsbackup-restore-test-abc", restoreTestingPlanArn: "arn:aws:backup:eu-west-1:1:restore-testing-plan:p", ...detail } });
    const deps = (over: Record<string, unknown> = {}) => {
        const reported: unknown[][] = [];
        return {
            reported,
            describe: async (id: string) => ({ status: "available", host: `${id}.x.rds.amazonaws.com`, port: 5432, dbName: "app" }),
            credentials: async () => [{ label: "current", username: "platform_admin", password: "new", dbname: "app" }, { label: "previous", username: "platform_admin", password: "old", dbname: "app" }],
            probe: async (a: { password: string }) => { if (a.password !== "new") throw Object.assign(new Error("FATAL 28P01: password authentication failed"), { code: "28P01" }); return [["3"]]; },
            putResult: async (...args: unknown[]) => { reported.push(args); },
            ...over,
        };
    };

    it("SUCCESSFUL when the restored copy answers with the current credential", async () => {
        const d = deps();
        const r = await validator.validateRestore(event(), d);
        assert.deepEqual(d.reported, [["job-1", "SUCCESSFUL", "connected to awsbackup-restore-test-abc over TLS as platform_admin (current master credential); database app answers, 3 user tables"]]);
        assert.equal(r.status, "SUCCESSFUL");
    });

    it("a recovery point older than the last rotation opens with the previous credential", async () => {
        const d = deps({ probe: async (a: { password: string }) => { if (a.password !== "old") throw Object.assign(new Error("FATAL 28P01: password authentication failed"), { code: "28P01" }); return [["3"]]; } });
        await validator.validateRestore(event(), d);
        assert.match(String(d.reported[0][2]), /\(previous master credential\)/);
        assert.equal(d.reported[0][1], "SUCCESSFUL");
    });

    it("FAILED, with the reason, when the copy is not available, no credential opens it, or a call fails; a network error is not retried with another password", async () => {
        const notAvailable = deps({ describe: async () => ({ status: "incompatible-network" }) });
        await validator.validateRestore(event(), notAvailable);
        assert.deepEqual(notAvailable.reported, [["job-1", "FAILED", "restored instance awsbackup-restore-test-abc is incompatible-network, not available"]]);
        const wrong = deps({ probe: async () => { throw Object.assign(new Error("FATAL 28P01: password authentication failed"), { code: "28P01" }); } });
        await validator.validateRestore(event(), wrong);
        assert.equal(wrong.reported[0][1], "FAILED");
        assert.match(String(wrong.reported[0][2]), /current credential: FATAL 28P01.*; previous credential: FATAL 28P01/);
        let attempts = 0;
        const unreachable = deps({ probe: async () => { attempts++; throw new Error("no answer from host:5432 in 15000 ms"); } });
        await validator.validateRestore(event(), unreachable);
        assert.equal(attempts, 1);
        assert.match(String(unreachable.reported[0][2]), /no answer from host:5432/);
        const apiDown = deps({ describe: async () => { throw new Error("AccessDenied"); } });
        await validator.validateRestore(event(), apiDown);
        assert.deepEqual(apiDown.reported, [["job-1", "FAILED", "validation of awsbackup-restore-test-abc failed: AccessDenied"]]);
    });

    it("ignores events that are not a completed RDS restore test (reports nothing)", async () => {
        for (const detail of [{ status: "FAILED" }, { resourceType: "EBS" }, { restoreJobId: undefined }]) {
            const d = deps();
            const r = await validator.validateRestore(event(detail), d);
            assert.deepEqual(d.reported, []);
            assert.match(String(r.skipped), /not a completed RDS restore test/);
        }
    });
});

describe("restore testing in the platform's network (prod)", () => {
    let prod: BuiltStack;
    before(async () => (prod = await builtStack("prod")));

    it("restores into the database's DB subnet group and a security group that admits only the validator", async () => {
        const selection = prod.get("aws:backup/restoreTestingSelection:RestoreTestingSelection", "backup-restore-testing-rds");
        const subnetGroup = prod.get("aws:rds/subnetGroup:SubnetGroup", "database-subnets");
        const restoredSg = await promiseOf((prod.get("aws:ec2/securityGroup:SecurityGroup", "backup-restore-validation-restored-sg").resource as any).id);
        const validatorSg = await promiseOf((prod.get("aws:ec2/securityGroup:SecurityGroup", "backup-restore-validation-sg").resource as any).id);
        assert.deepEqual(selection.inputs.restoreMetadataOverrides, { dbSubnetGroupName: subnetGroup.inputs.name, vpcSecurityGroupIds: JSON.stringify([restoredSg]) });
        const ingress = prod.get("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "backup-restore-validation-from-validator");
        assert.deepEqual([ingress.inputs.securityGroupId, ingress.inputs.referencedSecurityGroupId, ingress.inputs.fromPort], [restoredSg, validatorSg, 5432]);
    });

    it("the validation function: the code above, in the private subnets, least privilege through platformRole, run by the completed-restore event of this plan", async () => {
        const fn = prod.get("aws:lambda/function:Function", "backup-restore-validation-function");
        assert.equal(fn.inputs.runtime, "nodejs22.x");
        assert.equal(fn.inputs.environment.variables.NODE_EXTRA_CA_CERTS, "/var/runtime/ca-cert.pem");
        assert.equal(fn.inputs.environment.variables.MASTER_SECRET_ARN, await promiseOf(prod.platform.database.masterSecretArn));
        assert.deepEqual(fn.inputs.vpcConfig.subnetIds, await promiseOf(prod.platform.vpc.privateSubnetIds as any));
        const role = prod.get("aws:iam/role:Role", "backup-restore-validation-role");
        assert.equal(role.inputs.path, "/platform/");
        assert.match(role.inputs.permissionsBoundary, /:policy\/platform-boundary$/);
        const policy = JSON.parse(prod.get("aws:iam/rolePolicy:RolePolicy", "backup-restore-validation-policy").inputs.policy);
        assert.deepEqual(policy.Statement.map((s: any) => [s.Sid, s.Action]), [
            ["Logs", ["logs:CreateLogStream", "logs:PutLogEvents"]],
            // AWSLambdaVPCAccessExecutionRole v3 (2024-01-05) added ec2:DescribeSubnets to the EC2 actions (main lacked it).
            ["VpcInterfaces", ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]],
            ["DescribeRestoredCopies", "rds:DescribeDBInstances"],
            ["MasterCredential", "secretsmanager:GetSecretValue"],
            ["DecryptMasterCredential", "kms:Decrypt"],
            ["ReportValidation", "backup:PutRestoreValidationResult"],
        ]);
        assert.equal(policy.Statement[3].Resource, await promiseOf(prod.platform.database.masterSecretArn));
        const rule = prod.get("aws:cloudwatch/eventRule:EventRule", "backup-restore-validation-completed");
        const planArn = await promiseOf((prod.get("aws:backup/restoreTestingPlan:RestoreTestingPlan", "backup-restore-testing").resource as any).arn);
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern), { source: ["aws.backup"], "detail-type": ["Restore Job State Change"], detail: { status: ["COMPLETED"], resourceType: ["RDS"], restoreTestingPlanArn: [{ prefix: planArn }] } });
        const target = prod.get("aws:cloudwatch/eventTarget:EventTarget", "backup-restore-validation-target");
        assert.equal(target.inputs.arn, await promiseOf((fn.resource as any).arn));
        const permission = prod.get("aws:lambda/permission:Permission", "backup-restore-validation-invoke");
        assert.deepEqual([permission.inputs.principal, permission.inputs.sourceArn], ["events.amazonaws.com", await promiseOf((rule.resource as any).arn)]);
        assert.ok(target.dependsOn.includes(permission.key));
    });

    it("continuous backup keeps the database's own retention (no perpetual diff on backupRetentionPeriod)", async () => {
        for (const stack of ["staging", "prod"]) {
            const s = await builtStack(stack);
            const continuous = s.ofType("aws:backup/plan:Plan")[0].inputs.rules.find((r: any) => r.enableContinuousBackup);
            assert.equal(continuous.lifecycle.deleteAfter, s.get("aws:rds/instance:Instance", "database-instance").inputs.backupRetentionPeriod, stack);
        }
    });
});
