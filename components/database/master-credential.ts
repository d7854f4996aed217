/**
 * MasterCredential: the database master password as the platform's own secret, not RDS-managed.
 *
 * RDS refuses a read replica of an instance whose master password Secrets Manager manages
 * (`ManageMasterUserPassword`, RDS User Guide, "Password management with Secrets Manager",
 * Limitations), so the cross-region replica needs a self-managed credential: a random password
 * (@pulumi/random, a Pulumi secret in the state), set on the instance, and stored in a Secrets
 * Manager secret encrypted with the database key and replicated to every DR region under a key
 * of that region. The replica and, after a failover, the promoted instance have the same password
 * (PostgreSQL replicates its catalog), so the DR copy of the secret opens the DR database.
 *
 * Rotation is a config change: a new `generation` makes a new password; `pulumi up` sets it on the
 * instance (ModifyDBInstance, applied at once whatever applyImmediately says) and then writes the
 * secret's new version, which Secrets Manager copies to the replica regions. Between the two steps
 * clients holding the old password get authentication errors; use IAM authentication for clients
 * that cannot retry. The secret is not rotated by a Secrets Manager rotation Lambda: the password
 * would then differ from the one in the Pulumi state, and the next password change would undo it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Characters RDS accepts in a master password (printable ASCII except / @ " and space). */
export const PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?";

export interface MasterCredentialArgs {
    /** The instance identifier; the secret is named `<identifier>-master`. */
    identifier: string;
    username: string;
    /** Bump to rotate: a new password replaces the old one. */
    generation: number;
    /** Key of the secret in the primary region (the database key). */
    kmsKeyArn: pulumi.Input<string>;
    /** Regions the secret is replicated to, each with a key of its own region. Defaults to none. */
    replicas?: { region: string; kmsKeyArn: pulumi.Input<string> }[];
    tags: Record<string, string>;
    /** Pulumi `protect` on the secret. */
    protect: boolean;
}

/** What the secret holds: the format of RDS secrets (engine, host, port, username, password, dbname), so tools reading RDS secrets read it. */
export interface DatabaseEndpoint { host: pulumi.Input<string>; port: pulumi.Input<number>; dbname: string; dbInstanceIdentifier: string }

export class MasterCredential extends pulumi.ComponentResource {
    /** The password (a secret): the instance's `password` input. */
    public readonly password: pulumi.Output<string>;
    public readonly secretArn: pulumi.Output<string>;
    public readonly secret: aws.secretsmanager.Secret;
    private readonly username: string;
    private readonly baseName: string;

    constructor(name: string, args: MasterCredentialArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:database:MasterCredential", name, {}, opts);
        this.baseName = name;
        this.username = args.username;
        const generated = new random.RandomPassword(`${name}-password`, {
            length: 40,
            special: true,
            overrideSpecial: PASSWORD_SPECIALS,
            minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2,
            keepers: { generation: String(args.generation) },
        }, { parent: this });
        this.password = pulumi.secret(generated.result);
        this.secret = new aws.secretsmanager.Secret(`${name}-secret`, {
            name: `${args.identifier}-master`,
            description: `${args.identifier} master user (self-managed so that RDS allows the cross-region replica); replicated to the DR region`,
            kmsKeyId: args.kmsKeyArn,
            recoveryWindowInDays: 30,
            replicas: (args.replicas ?? []).map((r) => ({ region: r.region, kmsKeyId: r.kmsKeyArn })),
            forceOverwriteReplicaSecret: false,
            tags: args.tags,
        }, { parent: this, protect: args.protect });
        this.secretArn = this.secret.arn;
        this.registerOutputs({ secretArn: this.secretArn });
    }

    /**
     * The secret's value, written after the instance has the password (pass the instance in
     * `dependsOn`): a rotation changes the database first, then the secret.
     */
    public storeFor(endpoint: DatabaseEndpoint, instance: pulumi.Resource): aws.secretsmanager.SecretVersion {
        return new aws.secretsmanager.SecretVersion(`${this.baseName}-value`, {
            secretId: this.secret.id,
            secretString: pulumi.secret(pulumi.jsonStringify({
                engine: "postgres",
                host: endpoint.host,
                port: endpoint.port,
                username: this.username,
                password: this.password,
                dbname: endpoint.dbname,
                dbInstanceIdentifier: endpoint.dbInstanceIdentifier,
            })),
        }, { parent: this, dependsOn: [instance] });
    }
}

/** The ARN of a secret's replica in another region (same name and suffix, that region). */
export function replicaSecretArn(primaryArn: pulumi.Input<string>, region: string): pulumi.Output<string> {
    return pulumi.output(primaryArn).apply((arn) => arn.replace(/^(arn:[^:]+:secretsmanager:)[^:]+(:)/, `$1${region}$2`));
}
