/**
 * The restore validation function's PostgreSQL client against a real PostgreSQL server (Debian's
 * `postgresql`, which scripts/setup-tools.sh installs; a missing server fails with the package to
 * install): TLS as RDS requires it (`hostssl` only), the certificate verified through
 * NODE_EXTRA_CA_CERTS as the Lambda runtime sets it, SCRAM-SHA-256 and MD5 sign-in, the server's
 * own 28P01 for a wrong password, and the validation query's answer. The probe runs in a child
 * process, as in Lambda, because NODE_EXTRA_CA_CERTS is read at start-up only.
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../lib/offline/stack";

const VALIDATOR = path.join(REPO_ROOT, "components", "backup", "restore-validation", "index.cjs");

/** The directory of PostgreSQL's server programs: on PATH, else the newest /usr/lib/postgresql/<major>/bin (Debian and Ubuntu). */
function postgresBin(): string {
    const onPath = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
    if (onPath) return path.dirname(fs.realpathSync(onPath));
    const root = "/usr/lib/postgresql";
    const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a)) : [];
    if (majors.length === 0) throw new Error("PostgreSQL's initdb is not installed: install the Debian package postgresql (apt-get install -y postgresql); scripts/setup-tools.sh does this");
    return path.join(root, majors[0], "bin");
}

/** PostgreSQL refuses to run as root: as root, run its programs as the package's `postgres` user. */
const asServer = (cmd: string, args: string[]): [string, string[]] => (process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]);

function run(cmd: string, args: string[]): string {
    const [c, a] = asServer(cmd, args);
    const r = spawnSync(c, a, { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    return r.stdout;
}

const freePort = () => new Promise<number>((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });

/** Runs the validator's probe in a fresh Node process with `env`; resolves with its rows or its error (message and code). */
function probe(args: Record<string, unknown>, env: Record<string, string>): { rows?: unknown; error?: { message: string; code?: string } } {
    const script = `require(${JSON.stringify(VALIDATOR)}).probe(${JSON.stringify(args)}).then((rows) => console.log(JSON.stringify({ rows })), (e) => console.log(JSON.stringify({ error: { message: e.message, code: e.code } })));`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000, env: { PATH: process.env.PATH!, ...env } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

describe("restore validation against a real PostgreSQL server (TLS only, SCRAM and MD5)", function () {
    this.timeout(120_000);
    const ADMIN = { user: "platform_admin", password: "s3cr3t!#$%&*()-_=+[]{}<>:?x" };
    const LEGACY = { user: "legacy_md5", password: "md5-pass!word" };
    let dir: string;
    let port: number;
    let server: ChildProcess | undefined;
    let version: string;

    before(async () => {
        const bin = postgresBin();
        version = spawnSync(path.join(bin, "postgres"), ["--version"], { encoding: "utf8" }).stdout.trim();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "restore-validation-pg-"));
        fs.chmodSync(dir, 0o755);
        const data = path.join(dir, "data");
        // A CA and a server certificate for "localhost", as RDS's endpoint certificate chains to the RDS CA.
        const ssl = (...a: string[]) => { const r = spawnSync("openssl", a, { cwd: dir, encoding: "utf8" }); assert.equal(r.status, 0, r.stderr); };
        ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test RDS CA", "-keyout", "ca.key", "-out", "ca.pem");
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
        fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=DNS:localhost\n");
        ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.crt");
        fs.writeFileSync(path.join(dir, "pw"), `${ADMIN.password}\n`);
        if (process.getuid?.() === 0) spawnSync("chown", ["-R", "postgres", dir]);
        fs.chmodSync(path.join(dir, "server.key"), 0o600);
        run(path.join(bin, "initdb"), ["-D", data, "-U", ADMIN.user, "--pwfile", path.join(dir, "pw"), "--auth", "scram-sha-256", "-E", "UTF8", "--no-sync"]);
        // TLS only, as RDS with rds.force_ssl (the platform's parameter group): a plain connection is rejected.
        fs.writeFileSync(path.join(data, "pg_hba.conf"), [
            "hostssl all legacy_md5 127.0.0.1/32 md5",
            "hostssl all all 127.0.0.1/32 scram-sha-256",
            "host all all 127.0.0.1/32 reject",
            "local all all trust",
        ].join("\n") + "\n");
        port = await freePort();
        const [c, a] = asServer(path.join(bin, "postgres"), ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "ssl=on",
            "-c", `ssl_cert_file=${path.join(dir, "server.crt")}`, "-c", `ssl_key_file=${path.join(dir, "server.key")}`, "-c", "fsync=off"]);
        server = spawn(c, a, { stdio: ["ignore", "ignore", "pipe"] });
        let log = "";
        server.stderr!.on("data", (d) => (log += d));
        for (let i = 0; ; i++) {
            if (/ready to accept connections/.test(log)) break;
            if (server.exitCode !== null || i > 300) throw new Error(`PostgreSQL did not start:\n${log}`);
            await new Promise((r) => setTimeout(r, 100));
        }
        // Set-up through the server's own socket (trusted: it lives in this test's directory).
        run(path.join(bin, "psql"), ["-h", dir, "-p", String(port), "-U", ADMIN.user, "-d", "postgres", "-v", "ON_ERROR_STOP=1",
            "-c", "CREATE DATABASE app", "-c", "SET password_encryption = 'md5'", "-c", `CREATE ROLE ${LEGACY.user} LOGIN PASSWORD '${LEGACY.password}'`]);
    });

    after(() => {
        server?.kill("SIGINT");
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const tlsEnv = () => ({ NODE_EXTRA_CA_CERTS: path.join(dir, "ca.pem") });
    const query = (q = "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')") => q;

    it("signs in with SCRAM-SHA-256 over TLS and reads the validation query's answer", () => {
        const out = probe({ host: "localhost", port, user: ADMIN.user, password: ADMIN.password, database: "app", query: query() }, tlsEnv());
        assert.deepEqual(out, { rows: [["0"]] }, `${version}: ${JSON.stringify(out)}`);
        const two = probe({ host: "localhost", port, user: ADMIN.user, password: ADMIN.password, database: "app", query: "SELECT 1, NULL::text, 'é'" }, tlsEnv());
        assert.deepEqual(two, { rows: [["1", null, "é"]] });
    });

    it("signs in with MD5 over TLS (a role whose password was set before SCRAM)", () => {
        assert.deepEqual(probe({ host: "localhost", port, user: LEGACY.user, password: LEGACY.password, database: "app", query: "SELECT current_user" }, tlsEnv()), { rows: [[LEGACY.user]] });
    });

    it("a wrong password is the server's 28P01 (the code the validator tries the previous credential on)", () => {
        const out = probe({ host: "localhost", port, user: ADMIN.user, password: "wrong", database: "app", query: query() }, tlsEnv());
        assert.equal(out.error?.code, "28P01", JSON.stringify(out));
        assert.match(out.error!.message, /password authentication failed/);
    });

    it("a certificate the runtime does not trust, or a host name the certificate does not name, is refused", () => {
        const untrusted = probe({ host: "localhost", port, user: ADMIN.user, password: ADMIN.password, database: "app", query: query() }, {});
        assert.match(untrusted.error?.message ?? "", /self[- ]signed|unable to (get|verify)/i, JSON.stringify(untrusted));
        const otherName = probe({ host: "127.0.0.1", port, user: ADMIN.user, password: ADMIN.password, database: "app", query: query() }, tlsEnv());
        assert.match(otherName.error?.message ?? "", /IP: 127\.0\.0\.1 is not in the cert's list|altnames/i, JSON.stringify(otherName));
    });

    it("a database that does not exist is the server's error, not a pass", () => {
        const out = probe({ host: "localhost", port, user: ADMIN.user, password: ADMIN.password, database: "missing", query: query() }, tlsEnv());
        assert.equal(out.error?.code, "3D000", JSON.stringify(out));
    });
});
