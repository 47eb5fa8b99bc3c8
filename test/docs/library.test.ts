/**
 * docs/library.md against the code: its argument tables are the ones the components' args interfaces
 * generate, every argument is described and every optional one names its default, and each default
 * written as a value is the value the component really fills in.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { DOCUMENTED_ARGS, LIBRARY_DOC, readArgs, withGeneratedTables } from "../../scripts/args-tables";
import { REPO } from "../support/cli";
import { resolveClusterArgs } from "../../components/aws/cluster";
import { resolveNetworkArgs } from "../../components/aws/network";
import { resolveEdgeArgs } from "../../components/aws/edge";
import { resolveBackupStoreArgs } from "../../components/aws/backup";

/** A default written as a value (`"prod"`, `2`, `["0.0.0.0/0"]`, `"" (no proxy)`), or undefined for prose. */
function literalDefault(text: string): { value: unknown } | undefined {
    const literal = text.replace(/\s*\(.*\)$/, "");
    try {
        return { value: JSON.parse(literal) };
    } catch {
        return undefined;
    }
}

/** Compares every literal default of `interfaceName` with what `resolved` holds for an argument left unset. */
function checkDefaults(interfaceName: string, resolved: Record<string, unknown>, given: Record<string, unknown>): number {
    let checked = 0;
    for (const arg of readArgs(interfaceName)) {
        if (!arg.optional || arg.name in given || arg.default === undefined) continue;
        const literal = literalDefault(arg.default);
        if (!literal) continue;
        const actual = resolved[arg.name];
        // An empty string documents an unset optional value.
        const expected = literal.value === "" ? undefined : literal.value;
        assert.deepEqual(actual === "" ? undefined : actual, expected, `${interfaceName}.${arg.name}: documented @default ${arg.default}, the component fills in ${JSON.stringify(actual)}`);
        checked++;
    }
    return checked;
}

describe("docs/library.md", () => {
    const doc = fs.readFileSync(LIBRARY_DOC, "utf8");

    it("has the argument tables the components' args interfaces generate (npm run docs:args)", () => {
        for (const name of Object.keys(DOCUMENTED_ARGS)) assert.ok(doc.includes(`<!-- args:${name} -->`), `no table for ${name}`);
        assert.equal(doc, withGeneratedTables(doc), "docs/library.md is out of date: run npm run docs:args");
    });

    it("describes every argument and names the default of every optional one", () => {
        const missing: string[] = [];
        for (const name of Object.keys(DOCUMENTED_ARGS)) {
            for (const arg of readArgs(name)) {
                if (!arg.description) missing.push(`${name}.${arg.name}: no description`);
                if (arg.optional && arg.default === undefined) missing.push(`${name}.${arg.name}: optional without @default`);
            }
        }
        assert.deepEqual(missing, []);
    });

    it("documents as defaults the values the components fill in", () => {
        const network = { vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", privateSubnetIds: [], publicSubnetIds: [], publicSubnetCidrs: [] };
        const clusterGiven = {
            product: "apim" as const,
            network,
            domainName: "api.example.com",
            backupReplicaRegion: "eu-central-1",
            distribution: { s3Uri: "s3://releases/wso2am-4.3.0.zip", sha256: "3f".repeat(32) },
        };
        const edgeGiven = { product: "apim" as const, domainName: "api.example.com", route53ZoneId: "Z0EXAMPLE", vpcId: "v", publicSubnetIds: [], securityGroupIds: [], targets: [] };
        const backupGiven = { replicaRegion: "eu-central-1" };
        let checked = 0;
        checked += checkDefaults("Wso2ClusterArgs", resolveClusterArgs("acme", clusterGiven) as unknown as Record<string, unknown>, clusterGiven);
        checked += checkDefaults("Wso2NetworkArgs", resolveNetworkArgs("acme", {}) as Record<string, unknown>, {});
        checked += checkDefaults("EdgeLoadBalancerArgs", resolveEdgeArgs("acme", edgeGiven) as unknown as Record<string, unknown>, edgeGiven);
        checked += checkDefaults("BackupStoreArgs", resolveBackupStoreArgs("acme", backupGiven) as Record<string, unknown>, backupGiven);
        assert.ok(checked >= 35, `only ${checked} defaults checked`);
    });

    it("links the complete example program, which exists", () => {
        assert.match(doc, /examples\/library\//);
        assert.ok(fs.existsSync(path.join(REPO, "examples", "library", "index.ts")));
    });
});
