/**
 * Runs `stacks/index.ts` in-process under the Pulumi SDK's mocks with a stack file's configuration and
 * records every registered resource with its resolved inputs, mocked outputs, parent and `protect`.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { drainArtifacts, RecordedArtifact } from "../../components/artifacts";

export const STACKS_DIR = path.resolve(__dirname, "../../stacks");
const PROGRAM = path.join(STACKS_DIR, "index.ts");
export const ACCOUNT = "123456789012";
const RUN_TIMEOUT_MS = 60000;

/** A stack file's `config:` as the strings Pulumi hands the program (objects and arrays as JSON). */
export function stackConfig(stack: string): Record<string, string> {
    const doc = YAML.parse(fs.readFileSync(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc.config ?? {})) config[key] = typeof value === "string" ? value : JSON.stringify(value);
    return config;
}

export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    id: string;
    parent: string;
    protect: boolean;
    inputs: Record<string, any>;
    state: Record<string, any>;
}

export interface StackRun {
    resources: PlannedResource[];
    outputs: Record<string, any>;
    artifacts: RecordedArtifact[];
    /** The program's error, if it threw. */
    error?: Error;
}

/** Strips the SDK's secret wrappers so assertions see plain values. */
function plain(v: any): any {
    if (v === null || typeof v !== "object") return v;
    if (v["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return plain(v.value);
    if (Array.isArray(v)) return v.map(plain);
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, plain(e)]));
}

/** The password every RandomPassword resolves to, so tests can look for it where it must not be. */
export const MOCK_PASSWORD = "Mock-Pa55word_never.in~user+data";

function outputsFor(type: string, name: string, inputs: Record<string, any>, id: string, region: string): Record<string, any> {
    const state: Record<string, any> = { ...inputs };
    const [, mod, cls] = /^aws:([a-z0-9]+)\/([A-Za-z0-9]+):/.exec(type) ?? [];
    const resourceRegion = inputs.region ?? region;
    switch (type) {
        case "aws:s3/bucket:Bucket":
            state.bucket = id;
            state.arn = `arn:aws:s3:::${id}`;
            state.region = resourceRegion;
            break;
        case "aws:ec2/launchTemplate:LaunchTemplate":
            state.latestVersion = 1;
            break;
        case "aws:rds/instance:Instance":
            state.address = `${id}.abcdefghijkl.${resourceRegion}.rds.amazonaws.com`;
            state.endpoint = `${state.address}:${inputs.port ?? 5432}`;
            if (inputs.manageMasterUserPassword === true) {
                state.masterUserSecrets = [{ secretArn: `arn:aws:secretsmanager:${resourceRegion}:${ACCOUNT}:secret:rds!db-${id}-AbCdEf`, kmsKeyId: inputs.masterUserSecretKmsKeyId, secretStatus: "active" }];
            }
            break;
        case "random:index/randomPassword:RandomPassword":
            state.result = MOCK_PASSWORD;
            break;
        case "aws:lb/loadBalancer:LoadBalancer":
            state.dnsName = `${name}.${region}.elb.amazonaws.com`;
            break;
        case "aws:secretsmanager/secret:Secret":
            state.arn = `arn:aws:secretsmanager:${resourceRegion}:${ACCOUNT}:secret:${id}-AbCdEf`;
            break;
        case "aws:cloudwatch/logGroup:LogGroup":
            state.arn = `arn:aws:logs:${resourceRegion}:${ACCOUNT}:log-group:${inputs.name ?? id}`;
            break;
        case "aws:acm/certificate:Certificate":
            // ACM's answer for a DNS-validated name: one CNAME per name.
            state.domainValidationOptions = [
                { domainName: inputs.domainName, resourceRecordName: `_0f1e2d.${inputs.domainName}.`, resourceRecordType: "CNAME", resourceRecordValue: "_9a8b7c.acm-validations.aws." },
            ];
            break;
        case "aws:route53/record:Record":
            state.fqdn = String(inputs.name).replace(/\.$/, "");
            break;
        case "aws:kms/key:Key":
            state.arn = `arn:aws:kms:${resourceRegion}:${ACCOUNT}:key/${id}`;
            break;
    }
    if (mod === "iam") state.arn = `arn:aws:iam::${ACCOUNT}:${cls.toLowerCase()}/${id}`;
    else if (mod && state.arn === undefined) state.arn = `arn:aws:${mod}:${resourceRegion}:${ACCOUNT}:${cls.toLowerCase()}/${id}`;
    if (state.name === undefined && !type.startsWith("wso2-hardening:")) state.name = id;
    return state;
}

/** Subnets of the existing VPC the tests deploy into: `-a`/`-b` in two zones, `-c` beside `-a`. */
export const EXISTING_SUBNETS: Record<string, { cidrBlock: string; availabilityZone: string }> = {
    "subnet-0000000000000000a": { cidrBlock: "10.99.0.0/20", availabilityZone: "eu-west-1a" },
    "subnet-0000000000000000b": { cidrBlock: "10.99.16.0/20", availabilityZone: "eu-west-1b" },
    "subnet-0000000000000000c": { cidrBlock: "10.99.32.0/20", availabilityZone: "eu-west-1a" },
    "subnet-000000000000000a1": { cidrBlock: "10.99.128.0/24", availabilityZone: "eu-west-1a" },
    "subnet-000000000000000b1": { cidrBlock: "10.99.129.0/24", availabilityZone: "eu-west-1b" },
};

function answerInvoke(token: string, args: Record<string, any>, region: string): Record<string, any> {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "AIDATEST", id: ACCOUNT };
        case "aws:index/getRegion:getRegion":
            return { id: region, name: region, region };
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const names = ["a", "b", "c"].map((z) => `${region}${z}`);
            return { id: region, names, zoneIds: names.map((_, i) => `euw1-az${i + 1}`), groupNames: [region] };
        }
        case "aws:ec2/getAmi:getAmi":
            return { ...args, id: "ami-0123456789abcdef0", architecture: "x86_64" };
        case "aws:ec2/getPrefixList:getPrefixList":
            return { id: "pl-6da54004", name: args.name, cidrBlocks: ["52.218.0.0/17"] };
        case "aws:ec2/getVpc:getVpc":
            return { id: args.id, cidrBlock: "10.99.0.0/16" };
        case "aws:ec2/getSubnet:getSubnet": {
            const subnet = EXISTING_SUBNETS[args.id];
            if (!subnet) throw new Error(`test mocks: no subnet ${args.id}`);
            return { id: args.id, vpcId: "vpc-0123456789abcdef0", ...subnet };
        }
        case "aws:elb/getServiceAccount:getServiceAccount":
            return { id: "156460612806", arn: "arn:aws:iam::156460612806:root" };
        default:
            throw new Error(`test mocks: unexpected invoke ${token}`);
    }
}

/** Runs the program for `stack` with `config` (default: the stack file's) and waits for every registration. */
export async function runStack(stack: string, config: Record<string, string> = stackConfig(stack)): Promise<StackRun> {
    const region = config["aws:region"] ?? "eu-west-1";
    const byUrn = new Map<string, PlannedResource>();
    let counter = 0;
    drainArtifacts();
    pulumi.runtime.setAllConfig(config);
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                const id = a.id || `${a.name}-id${++counter}`;
                return { id, state: outputsFor(a.type, a.name, plain(a.inputs), id, region) };
            },
            call: (a) => answerInvoke(a.token, plain(a.inputs), region),
        },
        "wso2-hardening",
        stack,
        false,
    );
    const settingsModule = require("@pulumi/pulumi/runtime/settings");
    const { deserializeProperties } = require("@pulumi/pulumi/runtime/rpc");
    const monitor = settingsModule.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    const record = (req: any, resp: any) => {
        const urn = resp.getUrn();
        byUrn.set(urn, {
            urn,
            type: req.getType(),
            name: req.getName(),
            id: resp.getId(),
            parent: req.getParent(),
            protect: !!req.getProtect(),
            inputs: plain(deserializeProperties(req.getObject())),
            state: plain(deserializeProperties(resp.getObject())),
        });
    };
    monitor.registerResource = (req: any, cb: any) =>
        register(req, (err: any, resp: any) => {
            // The program waits for this callback: always call it, even if recording fails.
            try {
                if (!err && resp) record(req, resp);
            } finally {
                cb(err, resp);
            }
        });

    delete require.cache[require.resolve(PROGRAM)];
    let outputs: Record<string, any> = {};
    let error: Error | undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`runStack(${stack}): the program did not settle within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
    });
    try {
        const exported = require(PROGRAM);
        const settle = async () => {
            await settingsModule.waitForRPCs();
            // Output.promise() rejects when an apply threw; apply() alone would never call back.
            const resolved = await (pulumi.output(exported) as any).promise();
            await settingsModule.waitForRPCs();
            return resolved;
        };
        outputs = plain(await Promise.race([settle(), deadline]));
    } catch (e) {
        error = e as Error;
    } finally {
        clearTimeout(timer);
    }
    return { resources: [...byUrn.values()], outputs, artifacts: drainArtifacts(), error };
}

/** The cloud-config inside base64 (possibly gzip-compressed) user data. */
export function decodeUserData(userData: string): string {
    const bytes = Buffer.from(userData, "base64");
    return (bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
}

/** Finders over a run's resources. */
export class Plan {
    constructor(readonly resources: PlannedResource[]) {}

    ofType(type: string): PlannedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    one(type: string, name?: string): PlannedResource {
        const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
        if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
        return found[0];
    }

    byId(id: string): PlannedResource | undefined {
        return this.resources.find((r) => r.id === id);
    }

    byArn(arn: string): PlannedResource | undefined {
        return this.resources.find((r) => r.state.arn === arn);
    }
}
