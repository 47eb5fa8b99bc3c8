/**
 * The node as the project plans it: `wso2-harden plan` of one of the project's own stacks, and what the
 * boot test reads from its output (the node's cloud-config, the firewall's ports, the node role, the
 * secrets, buckets and keys the plan says exist).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");

interface PlanResource {
    urn: string;
    type: string;
    name: string;
    id: string;
    inputs: Record<string, any>;
    outputs: Record<string, any>;
}

export interface NodePlan {
    stack: string;
    region: string;
    clusterName: string;
    /** The node's user data exactly as planned. */
    cloudConfig: string;
    ports: { service: number[]; clustering: number[]; ssh: number | null };
    productHome: string;
    /** Target groups' health checks: the load balancer's view of a node. */
    healthChecks: { port: number; path: string; matcher: string }[];
    role: { name: string; trust: object; policies: { name: string; document: any }[] };
    secrets: { name: string; arn: string; description: string }[];
    kmsKeyIds: string[];
    buckets: { name: string; kmsKeyArn?: string; region?: string }[];
    backupBucket: string;
    backupKeyArn: string;
    instanceTags: Record<string, string>;
    /** Master user name of the planned RDS instance, when the stack has one. */
    databaseMasterUsername?: string;
    /** S3 objects the plan uploads (the steps bundle), base64 content. */
    objects: { bucket: string; key: string; base64: string }[];
}

/** Runs the CLI as a user would; `config` entries are `--config` overrides. */
export function runPlan(stack: string, outDir: string, config: Record<string, string>): void {
    const args = [path.join(REPO, "cli/bin/wso2-harden.js"), "plan", "--stack", stack, "--out", outDir];
    for (const [k, v] of Object.entries(config)) args.push("--config", `${k}=${v}`);
    execFileSync(process.execPath, args, { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
}

export function readNodePlan(stack: string, outDir: string): NodePlan {
    const plan = JSON.parse(fs.readFileSync(path.join(outDir, "plan.json"), "utf8")) as { resources: PlanResource[] };
    const index = JSON.parse(fs.readFileSync(path.join(outDir, "artifacts/index.json"), "utf8")) as any[];
    const of = (type: string) => plan.resources.filter((r) => r.type === type);
    const cc = index.filter((a) => a.kind === "cloud-config");
    if (cc.length !== 1) throw new Error(`stack ${stack}: expected one node cloud-config in the plan's artifacts, found ${cc.length}`);
    const clusterName = cc[0].component as string;
    const fw = index.find((a) => a.kind === "nftables" && a.component === clusterName);
    if (!fw) throw new Error(`stack ${stack}: no nftables artifact for ${clusterName}`);

    const roleRes = of("aws:iam/role:Role").find((r) => r.name === `${clusterName}-node`);
    if (!roleRes) throw new Error(`stack ${stack}: no node role ${clusterName}-node in the plan`);
    const policies = of("aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === roleRes.id || p.inputs.role === roleRes.outputs.name)
        .map((p) => ({ name: p.name, document: JSON.parse(p.inputs.policy) }));
    const encryption = new Map(
        of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").map((e) => [
            e.inputs.bucket as string,
            e.inputs.rules?.[0]?.applyServerSideEncryptionByDefault?.kmsMasterKeyId as string | undefined,
        ]),
    );
    const buckets = of("aws:s3/bucket:Bucket").map((b) => ({ name: b.id, kmsKeyArn: encryption.get(b.id), region: b.inputs.region as string | undefined }));
    const backups = buckets.find((b) => b.name.startsWith(`${clusterName}-backups-`) && !b.name.includes("replica") && !b.name.includes("access-logs"));
    if (!backups?.kmsKeyArn) throw new Error(`stack ${stack}: no KMS-encrypted backups bucket for ${clusterName}`);
    const lt = of("aws:ec2/launchTemplate:LaunchTemplate").find((r) => r.name === `${clusterName}-node`);
    const instanceTags = (lt?.inputs.tagSpecifications ?? []).find((t: any) => t.resourceType === "instance")?.tags ?? {};
    // The region the node's resources live in, as their ARNs name it.
    const region = backups.kmsKeyArn.split(":")[3];
    const targetGroups = of("aws:lb/targetGroup:TargetGroup").filter((t) => t.name.startsWith(`${clusterName}-`));
    const healthChecks = targetGroups.map((t) => ({ port: Number(t.inputs.healthCheck.port), path: t.inputs.healthCheck.path as string, matcher: t.inputs.healthCheck.matcher as string }));

    return {
        stack,
        region,
        clusterName,
        cloudConfig: fs.readFileSync(path.join(outDir, "artifacts", cc[0].path), "utf8"),
        ports: { service: fw.ports.service, clustering: fw.ports.clustering, ssh: fw.ports.ssh ?? null },
        productHome: cc[0].productHome,
        healthChecks,
        role: { name: roleRes.id, trust: JSON.parse(roleRes.inputs.assumeRolePolicy), policies },
        secrets: of("aws:secretsmanager/secret:Secret").map((s) => ({ name: s.id, arn: s.outputs.arn, description: s.inputs.description ?? "" })),
        kmsKeyIds: of("aws:kms/key:Key").map((k) => k.id),
        buckets,
        backupBucket: backups.name,
        backupKeyArn: backups.kmsKeyArn,
        instanceTags,
        databaseMasterUsername: of("aws:rds/instance:Instance")[0]?.inputs.username,
        // Objects the stack itself uploads (the nodes' steps bundle): created in the emulator as planned.
        objects: of("aws:s3/bucketObjectv2:BucketObjectv2").map((o) => ({ bucket: o.inputs.bucket as string, key: o.inputs.key as string, base64: o.inputs.contentBase64 as string })),
    };
}
