// @ts-check
/**
 * Restore-testing validation (AWS Lambda, Node.js 22, CommonJS; deployed as index.js, no bundling):
 * EventBridge sends AWS Backup's "Restore Job State Change" event of a completed restore test; the
 * function connects to the restored RDS instance over TLS (certificate verified against the RDS CA
 * bundle the Lambda runtime ships, NODE_EXTRA_CA_CERTS), signs in with the master credential
 * (the secret's current version, then its previous one for recovery points older than the last
 * rotation), runs one query, and reports SUCCESSFUL or FAILED with PutRestoreValidationResult.
 *
 * The PostgreSQL client is the protocol 3.0 subset one check needs: SSLRequest, StartupMessage,
 * SCRAM-SHA-256 (RFC 5802/7677), MD5 or cleartext password over TLS, a simple Query, Terminate.
 * The AWS SDK for JavaScript v3 clients come from the Lambda runtime.
 */
"use strict";
const crypto = require("node:crypto");
const net = require("node:net");
const tls = require("node:tls");

const PROTOCOL_3_0 = 196608;
const SSL_REQUEST = 80877103;
/** The query of the check: the catalog of the restored database answers, and says how many user tables it holds. */
const VALIDATION_QUERY = "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')";

// ---- SCRAM-SHA-256 (RFC 5802, RFC 7677) ----
const hmac = (key, text) => crypto.createHmac("sha256", key).update(text).digest();
const sha256 = (data) => crypto.createHash("sha256").update(data).digest();
const xor = (a, b) => Buffer.from(a.map((x, i) => x ^ b[i]));

/** The attributes of a SCRAM message (`r=...,s=...,i=...`). */
function scramAttributes(message) {
    return Object.fromEntries(message.split(",").map((part) => [part.slice(0, 1), part.slice(2)]));
}

/**
 * The client-final message and the server signature to expect, from the password, the client-first
 * bare message (`n=<user>,r=<nonce>`) and the server-first message (`r=...,s=...,i=...`).
 */
function scramFinal(password, clientFirstBare, serverFirst) {
    const clientNonce = scramAttributes(clientFirstBare).r;
    const { r: nonce, s: salt, i: iterations } = scramAttributes(serverFirst);
    if (!nonce || !nonce.startsWith(clientNonce) || !salt || !/^\d+$/.test(iterations ?? "") || Number(iterations) < 1) throw new Error(`invalid SCRAM server-first message: ${serverFirst}`);
    const salted = crypto.pbkdf2Sync(Buffer.from(password, "utf8"), Buffer.from(salt, "base64"), Number(iterations), 32, "sha256");
    const clientKey = hmac(salted, "Client Key");
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const proof = xor(clientKey, hmac(sha256(clientKey), authMessage));
    const serverSignature = hmac(hmac(salted, "Server Key"), authMessage).toString("base64");
    return { clientFinal: `${withoutProof},p=${proof.toString("base64")}`, serverSignature };
}

// ---- protocol framing ----
function message(type, body) {
    const head = Buffer.alloc(type ? 5 : 4);
    if (type) head.write(type, 0, "latin1");
    head.writeInt32BE(body.length + 4, type ? 1 : 0);
    return Buffer.concat([head, body]);
}
const int32 = (n) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const cstring = (s) => Buffer.from(`${s}\0`, "utf8");

/** Reads whole backend messages from a socket: `next()` resolves with `{ type, body }`. */
function messageReader(socket) {
    let buffer = Buffer.alloc(0);
    const waiting = [];
    let failure;
    const pump = () => {
        while (waiting.length && buffer.length >= 5) {
            const length = buffer.readInt32BE(1);
            if (buffer.length < length + 1) break;
            const msg = { type: String.fromCharCode(buffer[0]), body: buffer.subarray(5, length + 1) };
            buffer = buffer.subarray(length + 1);
            waiting.shift().resolve(msg);
        }
        if (failure) while (waiting.length) waiting.shift().reject(failure);
    };
    socket.on("data", (chunk) => { buffer = Buffer.concat([buffer, chunk]); pump(); });
    const fail = (e) => { failure = failure ?? e; pump(); };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("the server closed the connection")));
    return { next: () => new Promise((resolve, reject) => { waiting.push({ resolve, reject }); pump(); }) };
}

/** `S`everity, `C`ode and `M`essage of an ErrorResponse, as an Error with `code`. */
function serverError(body) {
    const fields = {};
    for (let at = 0; at < body.length && body[at] !== 0;) {
        const end = body.indexOf(0, at + 1);
        fields[String.fromCharCode(body[at])] = body.toString("utf8", at + 1, end);
        at = end + 1;
    }
    return Object.assign(new Error(`${fields.S ?? "ERROR"} ${fields.C ?? ""}: ${fields.M ?? "(no message)"}`), { code: fields.C });
}

/** TCP, then SSLRequest; a server that refuses TLS is refused. Resolves with the TLS socket (certificate and host name verified). */
function connectTls(host, port, timeoutMs) {
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host, port });
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from ${host}:${port} in ${timeoutMs} ms`)));
        socket.once("error", reject);
        socket.once("connect", () => socket.write(message("", Buffer.concat([int32(SSL_REQUEST)]))));
        socket.once("data", (answer) => {
            if (answer[0] !== 0x53) return socket.destroy(new Error(`${host}:${port} refused TLS (answered ${JSON.stringify(String.fromCharCode(answer[0]))} to SSLRequest)`));
            const secure = tls.connect({ socket, servername: host, rejectUnauthorized: true });
            secure.once("secureConnect", () => resolve(secure));
            secure.once("error", reject);
        });
    });
}

/**
 * Signs in and runs `query`; resolves with the rows (text values). `connect(host, port)` gives the
 * transport (default: TLS as above; tests pass a plain socket).
 */
async function probe({ host, port, user, password, database, query, connect = connectTls, timeoutMs = 15000 }) {
    const socket = await connect(host, port, timeoutMs);
    const reader = messageReader(socket);
    const timer = setTimeout(() => socket.destroy(new Error(`the check took over ${timeoutMs} ms`)), timeoutMs);
    const send = (buf) => socket.write(buf);
    try {
        send(message("", Buffer.concat([int32(PROTOCOL_3_0), cstring("user"), cstring(user), cstring("database"), cstring(database), Buffer.from([0])])));
        let scram;
        let queried = false;
        const rows = [];
        for (;;) {
            const { type, body } = await reader.next();
            if (type === "E") throw serverError(body);
            if (type === "R") {
                const code = body.readInt32BE(0);
                if (code === 0) continue;
                if (code === 10) {
                    const mechanisms = body.toString("utf8", 4).split("\0").filter(Boolean);
                    if (!mechanisms.includes("SCRAM-SHA-256")) throw new Error(`no supported SASL mechanism among ${mechanisms.join(", ")}`);
                    const clientFirstBare = `n=,r=${crypto.randomBytes(18).toString("base64")}`;
                    const first = Buffer.from(`n,,${clientFirstBare}`, "utf8");
                    scram = { clientFirstBare };
                    send(message("p", Buffer.concat([cstring("SCRAM-SHA-256"), int32(first.length), first])));
                } else if (code === 11) {
                    Object.assign(scram, scramFinal(password, scram.clientFirstBare, body.toString("utf8", 4)));
                    send(message("p", Buffer.from(scram.clientFinal, "utf8")));
                } else if (code === 12) {
                    if (scramAttributes(body.toString("utf8", 4)).v !== scram.serverSignature) throw new Error("the server's SCRAM signature is wrong: it does not know the password");
                } else if (code === 5) {
                    const md5 = (s) => crypto.createHash("md5").update(s).digest("hex");
                    send(message("p", cstring(`md5${md5(Buffer.concat([Buffer.from(md5(password + user)), body.subarray(4, 8)]))}`)));
                } else if (code === 3) {
                    send(message("p", cstring(password)));
                } else {
                    throw new Error(`unsupported authentication request ${code}`);
                }
            } else if (type === "D") {
                const row = [];
                for (let i = 0, at = 2; i < body.readInt16BE(0); i++) {
                    const len = body.readInt32BE(at);
                    row.push(len < 0 ? null : body.toString("utf8", at + 4, at + 4 + len));
                    at += 4 + Math.max(len, 0);
                }
                rows.push(row);
            } else if (type === "Z") {
                if (queried) break;
                queried = true;
                send(message("Q", cstring(query)));
            }
            // ParameterStatus, BackendKeyData, NoticeResponse, RowDescription, CommandComplete: nothing to do.
        }
        send(message("X", Buffer.alloc(0)));
        return rows;
    } finally {
        clearTimeout(timer);
        socket.end();
    }
}

/**
 * Validates one restore test. `deps`: describe(identifier) -> { status, host, port, dbName },
 * credentials() -> [{ label, username, password, dbname }], putResult(jobId, status, message),
 * probe (defaults to the one above). Returns what it reported.
 */
async function validateRestore(event, deps) {
    const d = (event && event.detail) || {};
    if (d.status !== "COMPLETED" || d.resourceType !== "RDS" || !d.restoreJobId || !d.createdResourceArn) return { skipped: `not a completed RDS restore test: ${JSON.stringify({ status: d.status, resourceType: d.resourceType })}` };
    const identifier = String(d.createdResourceArn).split(":").pop();
    let status = "FAILED";
    let text;
    try {
        const db = await deps.describe(identifier);
        if (db.status !== "available") {
            text = `restored instance ${identifier} is ${db.status}, not available`;
        } else {
            const failures = [];
            for (const c of await deps.credentials()) {
                try {
                    const rows = await (deps.probe ?? probe)({ host: db.host, port: db.port, user: c.username, password: c.password, database: c.dbname || db.dbName || "postgres", query: VALIDATION_QUERY });
                    status = "SUCCESSFUL";
                    text = `connected to ${identifier} over TLS as ${c.username} (${c.label} master credential); database ${c.dbname || db.dbName} answers, ${rows[0] ? rows[0][0] : "?"} user tables`;
                    break;
                } catch (e) {
                    failures.push(`${c.label} credential: ${e.message}`);
                    if (e.code !== "28P01") break; // only a wrong password is worth the next credential
                }
            }
            if (status !== "SUCCESSFUL") text = `could not query ${identifier}: ${failures.join("; ")}`;
        }
    } catch (e) {
        text = `validation of ${identifier} failed: ${e.message}`;
    }
    const statusMessage = text.slice(0, 1000);
    await deps.putResult(d.restoreJobId, status, statusMessage);
    return { restoreJobId: d.restoreJobId, status, message: statusMessage };
}

/** The AWS side, with the SDK clients the Lambda runtime provides. */
function awsDeps(env) {
    const { RDSClient, DescribeDBInstancesCommand } = require("@aws-sdk/client-rds");
    const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");
    const { BackupClient, PutRestoreValidationResultCommand } = require("@aws-sdk/client-backup");
    if (typeof PutRestoreValidationResultCommand !== "function") throw new Error("the runtime's @aws-sdk/client-backup has no PutRestoreValidationResult: use a newer Node.js runtime");
    const rds = new RDSClient({});
    const secrets = new SecretsManagerClient({});
    const backup = new BackupClient({});
    return {
        async describe(identifier) {
            const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
            const db = (out.DBInstances || [])[0] || {};
            return { status: db.DBInstanceStatus, host: db.Endpoint && db.Endpoint.Address, port: db.Endpoint && db.Endpoint.Port, dbName: db.DBName };
        },
        async credentials() {
            const out = [];
            for (const stage of ["AWSCURRENT", "AWSPREVIOUS"]) {
                try {
                    const value = JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: env.MASTER_SECRET_ARN, VersionStage: stage }))).SecretString || "{}");
                    out.push({ label: stage === "AWSCURRENT" ? "current" : "previous", username: value.username, password: value.password, dbname: value.dbname });
                } catch (e) {
                    if (stage === "AWSCURRENT" || e.name !== "ResourceNotFoundException") throw e; // no previous version yet
                }
            }
            return out;
        },
        async putResult(jobId, status, statusMessage) {
            await backup.send(new PutRestoreValidationResultCommand({ RestoreJobId: jobId, ValidationStatus: status, ValidationStatusMessage: statusMessage }));
        },
    };
}

exports.handler = async (event) => {
    const result = await validateRestore(event, awsDeps(process.env));
    console.log(JSON.stringify(result));
    return result;
};
exports.validateRestore = validateRestore;
exports.probe = probe;
exports.scramFinal = scramFinal;
exports.VALIDATION_QUERY = VALIDATION_QUERY;
