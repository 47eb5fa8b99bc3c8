import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * Offline answers for resources and invokes: deterministic ids, a synthetic `arn` where the resource
 * type has one, and plausible data for the invokes programs commonly make. Nothing here calls a cloud.
 */

export const PLAN_ACCOUNT_ID = "123456789012";

export function shortHash(s: string, len = 17): string {
    return createHash("sha256").update(s).digest("hex").slice(0, len);
}

function uuidFrom(s: string): string {
    const h = shortHash(s, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** `aws:ec2/securityGroup:SecurityGroup` -> { pkg: "aws", module: "ec2", member: "securityGroup", name: "SecurityGroup" } */
export function parseType(type: string): { pkg: string; module: string; member: string; name: string } {
    const [pkg, mid = "", name = ""] = type.split(":");
    const [module, member = ""] = mid.split("/");
    return { pkg, module, member, name };
}

/** Resource-id prefixes EC2 uses, so ids in the plan read like real ones. */
const EC2_ID_PREFIX: Record<string, string> = {
    Vpc: "vpc",
    Subnet: "subnet",
    SecurityGroup: "sg",
    Instance: "i",
    LaunchTemplate: "lt",
    InternetGateway: "igw",
    NatGateway: "nat",
    RouteTable: "rtb",
    Eip: "eipalloc",
    FlowLog: "fl",
    VpcEndpoint: "vpce",
    NetworkAcl: "acl",
    SecurityGroupIngressRule: "sgr",
    SecurityGroupEgressRule: "sgr",
};

/**
 * Which of `arn` and `name` a resource class declares as outputs, read from the provider package's
 * type declarations next to the program (`@pulumi/aws/ec2/securityGroup.d.ts`). Cached per type.
 */
export class OutputCatalog {
    private readonly cache = new Map<string, { arn: boolean; name: boolean }>();
    constructor(private readonly resolveFrom: string) {}

    outputs(type: string): { arn: boolean; name: boolean } {
        let v = this.cache.get(type);
        if (v === undefined) {
            v = this.lookup(type);
            this.cache.set(type, v);
        }
        return v;
    }

    private lookup(type: string): { arn: boolean; name: boolean } {
        const { pkg, module, member } = parseType(type);
        if (!member || pkg === "pulumi") return { arn: false, name: false };
        try {
            const pkgJson = require.resolve(`@pulumi/${pkg}/package.json`, { paths: [this.resolveFrom] });
            const dts = fs.readFileSync(path.join(path.dirname(pkgJson), module === "index" ? "" : module, `${member}.d.ts`), "utf8");
            return { arn: /\breadonly arn: pulumi\.Output</.test(dts), name: /\breadonly name: pulumi\.Output<string>/.test(dts) };
        } catch {
            return { arn: false, name: false };
        }
    }
}

export interface MockContext {
    /** The default provider's region (`aws:region`). */
    region: string;
    /** Region of each explicit AWS provider the program created, by its id (a provider reference is `<urn>::<id>`). */
    providerRegions: Map<string, string>;
    project: string;
    stack: string;
    outputs: OutputCatalog;
    /** Outputs of other stacks, by the names a StackReference may use. */
    stackOutputs: (name: string) => Record<string, unknown> | undefined;
    /** Called when a StackReference names a stack whose outputs are not known yet. */
    onMissingStack: (name: string) => void;
    /**
     * A first preview: nothing is created yet, so ids and every output the provider computes are unknown.
     * Inputs and the names Pulumi gives (auto-names are chosen before create) are known.
     */
    preview: boolean;
}

/** The engine's sentinel for a value that is not known until the resource is created. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** How `plan.json` writes an unknown value (as Pulumi's own display shows it). */
export const UNKNOWN_DISPLAY = "[unknown]";

function syntheticArn(ctx: MockContext, type: string, name: string, id: string): string {
    const { module, name: cls } = parseType(type);
    const acct = PLAN_ACCOUNT_ID;
    const r = ctx.region;
    switch (type.replace(/^aws:alb\//, "aws:lb/")) {
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2":
            return `arn:aws:s3:::${id}`;
        case "aws:kms/key:Key":
            return `arn:aws:kms:${r}:${acct}:key/${id}`;
        case "aws:kms/alias:Alias":
            return `arn:aws:kms:${r}:${acct}:${id}`;
        case "aws:lb/loadBalancer:LoadBalancer":
            return `arn:aws:elasticloadbalancing:${r}:${acct}:loadbalancer/app/${name.slice(0, 32)}/${shortHash(id, 16)}`;
        case "aws:lb/targetGroup:TargetGroup":
            return `arn:aws:elasticloadbalancing:${r}:${acct}:targetgroup/${name.slice(0, 32)}/${shortHash(id, 16)}`;
        case "aws:lb/listener:Listener":
            return `arn:aws:elasticloadbalancing:${r}:${acct}:listener/app/${name.slice(0, 32)}/${shortHash(id, 16)}`;
        case "aws:lb/listenerRule:ListenerRule":
            return `arn:aws:elasticloadbalancing:${r}:${acct}:listener-rule/app/${name.slice(0, 32)}/${shortHash(id, 16)}`;
        case "aws:secretsmanager/secret:Secret":
            return `arn:aws:secretsmanager:${r}:${acct}:secret:${id}`;
        case "aws:cloudwatch/logGroup:LogGroup":
            return `arn:aws:logs:${r}:${acct}:log-group:${id}`;
        default:
            if (module === "iam") return `arn:aws:iam::${acct}:${cls.charAt(0).toLowerCase()}${cls.slice(1)}/${id}`;
            return `arn:aws:${module}:${r}:${acct}:${cls.toLowerCase()}/${id}`;
    }
}

function syntheticId(type: string, name: string, urnKey: string): string {
    const { pkg, module, name: cls } = parseType(type);
    if (pkg === "aws" && module === "ec2" && EC2_ID_PREFIX[cls]) return `${EC2_ID_PREFIX[cls]}-${shortHash(urnKey)}`;
    if (type === "aws:kms/key:Key") return uuidFrom(urnKey);
    if (type === "aws:secretsmanager/secret:Secret") return `${name}-${shortHash(urnKey, 6)}`;
    return `${name}-${shortHash(urnKey, 8)}`;
}

/**
 * The region a resource or invoke acts in, as the AWS provider decides it: the per-resource `region`
 * argument, else the region of the explicit provider it was given (or inherited from its parent), else
 * the default provider's.
 */
export function regionOf(ctx: MockContext, inputs: Record<string, unknown>, provider: string | undefined): string {
    if (typeof inputs.region === "string" && inputs.region !== "") return inputs.region;
    const providerId = provider?.slice(provider.lastIndexOf("::") + 2);
    return (providerId && ctx.providerRegions.get(providerId)) || ctx.region;
}

export interface NewResourceArgs {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    id?: string;
    /** Reference of the provider managing it (`<urn>::<id>`), when not the default one. */
    provider?: string;
    /** Distinguishes two resources with the same type and name under different parents. */
    urnKey: string;
}

/** Computes the id and output state of one resource. */
export function mockResource(programCtx: MockContext, a: NewResourceArgs): { id: string; state: Record<string, unknown> } {
    const inputs = a.inputs ?? {};
    const ctx = { ...programCtx, region: regionOf(programCtx, inputs, a.provider) };
    if (a.type === "pulumi:pulumi:StackReference") {
        const refName = String(inputs.name ?? a.name);
        const outputs = ctx.stackOutputs(refName);
        if (outputs === undefined) ctx.onMissingStack(refName);
        return { id: refName, state: { name: refName, outputs: outputs ?? {}, secretOutputNames: [] } };
    }
    if (ctx.preview && !a.id) return previewResource(ctx, a);
    const state: Record<string, unknown> = { ...inputs };
    let id = a.id || syntheticId(a.type, a.name, a.urnKey);
    switch (a.type) {
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2":
            id = String(inputs.bucket ?? `${a.name}-${shortHash(a.urnKey, 7)}`);
            state.bucket = id;
            state.bucketDomainName = `${id}.s3.amazonaws.com`;
            state.bucketRegionalDomainName = `${id}.s3.${ctx.region}.amazonaws.com`;
            state.region = ctx.region;
            break;
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:alb/loadBalancer:LoadBalancer":
            state.dnsName = `${a.name}-${shortHash(a.urnKey, 10)}.${ctx.region}.elb.amazonaws.com`;
            state.zoneId = "Z35SXDOTRQ7X7K";
            break;
        case "aws:rds/instance:Instance":
            state.address = `${a.name}.${shortHash(a.urnKey, 12)}.${ctx.region}.rds.amazonaws.com`;
            state.endpoint = `${state.address}:${Number(inputs.port ?? 5432)}`;
            // RDS names the secret of a managed master password itself (rds!db-<uuid>).
            if (inputs.manageMasterUserPassword === true) {
                state.masterUserSecrets = [
                    { secretArn: `arn:aws:secretsmanager:${ctx.region}:${PLAN_ACCOUNT_ID}:secret:rds!db-${uuidFrom(a.urnKey)}-${shortHash(a.urnKey, 6)}`, kmsKeyId: inputs.masterUserSecretKmsKeyId, secretStatus: "active" },
                ];
            }
            break;
        case "aws:ec2/launchTemplate:LaunchTemplate":
            state.latestVersion = 1;
            break;
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
            // A stand-in of the requested length; the real value exists only in the deployed stack.
            state.result = `plan-${shortHash(a.urnKey, 64)}`.slice(0, Number(inputs.length ?? 32));
            break;
        case "random:index/randomId:RandomId":
            state.hex = shortHash(a.urnKey, Number(inputs.byteLength ?? 8) * 2);
            state.b64Url = Buffer.from(state.hex as string, "hex").toString("base64url");
            break;
    }
    const declared = ctx.outputs.outputs(a.type);
    // Pulumi auto-names resources that have a name: logical name plus a random suffix (here derived).
    if (declared.name && state.name === undefined) state.name = `${a.name}-${shortHash(a.urnKey, 7)}`;
    state.id = id;
    if (a.type === "pulumi:providers:aws" && typeof inputs.region === "string") programCtx.providerRegions.set(id, inputs.region);
    if (declared.arn && state.arn === undefined) state.arn = syntheticArn(ctx, a.type, a.name, id);
    if (a.type.startsWith("aws:lb/") || a.type.startsWith("aws:alb/")) {
        if (typeof state.arn === "string") state.arnSuffix = state.arn.split(":").pop()!.replace(/^[a-z-]+\//, "");
    }
    return { id, state };
}

/**
 * A resource as a first preview shows it: its inputs and its auto-name; the id (the SDK reads the empty
 * id as unknown) and every computed output (`arn`, and those the mock monitor leaves out) unknown.
 */
function previewResource(ctx: MockContext, a: NewResourceArgs): { id: string; state: Record<string, unknown> } {
    const state: Record<string, unknown> = { ...(a.inputs ?? {}) };
    const declared = ctx.outputs.outputs(a.type);
    if (a.type === "aws:s3/bucket:Bucket" || a.type === "aws:s3/bucketV2:BucketV2") {
        if (state.bucket === undefined && state.bucketPrefix === undefined) state.bucket = `${a.name}-${shortHash(a.urnKey, 7)}`;
    } else if (declared.name && state.name === undefined) state.name = `${a.name}-${shortHash(a.urnKey, 7)}`;
    state.id = UNKNOWN;
    if (declared.arn && state.arn === undefined) state.arn = UNKNOWN;
    return { id: "", state };
}

/** Answers invokes (data sources). Unknown ones echo their arguments with an id. */
export function mockCall(ctx: MockContext, token: string, args: Record<string, unknown>, provider?: string): Record<string, unknown> {
    const r = regionOf(ctx, args, provider);
    switch (token) {
        case "aws:index/getRegion:getRegion":
            return { name: r, region: r, id: r, description: r, endpoint: `ec2.${r}.amazonaws.com` };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: PLAN_ACCOUNT_ID, arn: `arn:aws:iam::${PLAN_ACCOUNT_ID}:user/plan`, userId: "AIDAPLAN", id: PLAN_ACCOUNT_ID };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const names = ["a", "b", "c"].map((z) => `${r}${z}`);
            return { names, zoneIds: names.map((_, i) => `use1-az${i + 1}`), id: r, groupNames: [r] };
        }
        case "aws:ec2/getAmi:getAmi":
            return { ...args, id: `ami-${shortHash(JSON.stringify(args))}`, imageId: `ami-${shortHash(JSON.stringify(args))}`, architecture: "x86_64" };
        case "aws:elb/getServiceAccount:getServiceAccount":
            return { id: "127311923021", arn: "arn:aws:iam::127311923021:root" };
        case "aws:ec2/getVpc:getVpc":
            return { ...args, id: String(args.id ?? `vpc-${shortHash(JSON.stringify(args))}`), cidrBlock: "10.0.0.0/16", state: "available" };
        case "aws:ec2/getSubnet:getSubnet": {
            // A /24 and a zone derived from the subnet id, so existing-VPC stacks render real CIDRs.
            const id = String(args.id ?? `subnet-${shortHash(JSON.stringify(args))}`);
            const n = parseInt(shortHash(id, 4), 16);
            return { ...args, id, cidrBlock: `10.0.${n % 250}.0/24`, availabilityZone: `${r}${"abc"[n % 3]}`, vpcId: args.vpcId ?? "vpc-existing" };
        }
        case "aws:ec2/getPrefixList:getPrefixList": {
            const name = String(args.name ?? "com.amazonaws.region.s3");
            return { ...args, id: `pl-${shortHash(name, 8)}`, name, cidrBlocks: ["52.216.0.0/15", "3.5.0.0/19"] };
        }
        case "aws:iam/getPolicyDocument:getPolicyDocument":
            return { ...args, id: "policy", json: policyDocumentJson(args) };
        default:
            return { ...args, id: shortHash(token + JSON.stringify(args), 12) };
    }
}

type Statement = {
    sid?: string;
    effect?: string;
    actions?: string[];
    notActions?: string[];
    resources?: string[];
    principals?: { type: string; identifiers: string[] }[];
    conditions?: { test: string; variable: string; values: string[] }[];
};

/** The JSON `iam.getPolicyDocument` would return for its statements. */
function policyDocumentJson(args: Record<string, unknown>): string {
    const statements = ((args.statements as Statement[]) ?? []).map((s) => {
        const out: Record<string, unknown> = {};
        if (s.sid) out.Sid = s.sid;
        out.Effect = s.effect ?? "Allow";
        if (s.actions) out.Action = s.actions.length === 1 ? s.actions[0] : s.actions;
        if (s.notActions) out.NotAction = s.notActions;
        if (s.resources) out.Resource = s.resources.length === 1 ? s.resources[0] : s.resources;
        if (s.principals) {
            const p: Record<string, string[] | string> = {};
            for (const pr of s.principals) p[pr.type] = pr.identifiers.length === 1 ? pr.identifiers[0] : pr.identifiers;
            out.Principal = p;
        }
        if (s.conditions) {
            const c: Record<string, Record<string, string[] | string>> = {};
            for (const cd of s.conditions) (c[cd.test] ??= {})[cd.variable] = cd.values.length === 1 ? cd.values[0] : cd.values;
            out.Condition = c;
        }
        return out;
    });
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
