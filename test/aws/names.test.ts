/**
 * AWS's name limits, checked at validation: a long stack name (or namePrefix) is refused naming
 * `namePrefix` with nothing registered, and at the longest accepted prefix every name the program
 * registers fits its limit (so the check cannot fall behind the components).
 */
import { strict as assert } from "assert";
import { CONFIG_NAMESPACE } from "../../config/schema";
import { ConfigError, parseSettings } from "../../config/settings";
import { productSpec } from "../../products";
import { checkAwsSettings, defaultNamePrefix } from "../../components/aws/preflight";
import { AUTONAME_SUFFIX_LENGTH, NAME_LIMITS } from "../../components/aws/names";
import { PlannedResource, runStack, stackConfig } from "./harness";

const NS = CONFIG_NAMESPACE;

/** The physical name AWS receives: the one the program sets, else the logical name plus Pulumi's suffix. */
function physicalLength(r: PlannedResource): number {
    const explicit = r.type === "aws:s3/bucket:Bucket" ? r.inputs.bucket : r.type === "aws:rds/instance:Instance" ? r.inputs.identifier : r.inputs.name;
    return typeof explicit === "string" ? explicit.length : r.name.length + AUTONAME_SUFFIX_LENGTH;
}

/** The longest namePrefix the validation accepts for a stack's configuration. */
function longestAcceptedPrefix(stack: string, config: Record<string, string>): string {
    let accepted = "";
    for (let length = 2; length <= 80; length++) {
        const prefix = `w${"x".repeat(length - 1)}`;
        const settings = parseSettings((key) => (key === "namePrefix" ? prefix : config[`${NS}:${key}`]));
        try {
            checkAwsSettings(settings, config["aws:region"], productSpec(settings.product), { prefix, stack });
            accepted = prefix;
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            return accepted;
        }
    }
    throw new Error(`${stack}: no name limit binds below 80 characters`);
}

describe("aws: physical names against AWS's limits", function () {
    this.timeout(120000);

    it("a long stack name is refused at validation, naming namePrefix and the limit, with nothing registered", async () => {
        const run = await runStack("production-eu-west", stackConfig("prod"));
        assert.ok(run.error, "the program fails");
        assert.equal(run.error.name, "ConfigError");
        assert.match(run.error.message, /wso2-hardening:namePrefix = "": the target-group name wso2-production-eu-west-8243-xxxxxxx has 36 characters, AWS allows 32/);
        assert.match(run.error.message, /the prefix wso2-production-eu-west comes from the stack name production-eu-west; set namePrefix to at most 19 characters/);
        assert.deepEqual(run.resources, []);
    });

    it("the same stack with a shorter namePrefix plans, its names built on that prefix", async () => {
        const run = await runStack("production-eu-west", { ...stackConfig("prod"), [`${NS}:namePrefix`]: "wso2-prod-euw" });
        if (run.error) throw run.error;
        const groups = run.resources.filter((r) => r.type === "aws:lb/targetGroup:TargetGroup").map((r) => r.name);
        assert.deepEqual(groups.sort(), ["wso2-prod-euw-8243", "wso2-prod-euw-9443"]);
    });

    it("an edge-only stack is bound by the load balancer's 32 characters", () => {
        const prefix = "w".repeat(25);
        const settings = parseSettings((key) => (key === "namePrefix" ? prefix : stackConfig("prod-edge")[`${NS}:${key}`]));
        assert.throws(
            () => checkAwsSettings(settings, "eu-west-1", productSpec("apim"), { prefix, stack: "prod-edge" }),
            /namePrefix = "w{25}": the load-balancer name w{25}-xxxxxxx has 33 characters, AWS allows 32: use a prefix of at most 24 characters/,
        );
    });

    const cases: [string, Record<string, string>][] = [
        ["prod", stackConfig("prod")],
        ["dev", stackConfig("dev")],
        // prod-blue's role in prod's network (its own stack file names an existing VPC the mocks do not know).
        ["prod-blue", { ...stackConfig("prod"), [`${NS}:role`]: "cluster", [`${NS}:color`]: "blue" }],
    ];
    for (const [stack, config] of cases) {
        it(`${stack}: at the longest accepted prefix every registered name fits AWS's limit`, async () => {
            const prefix = longestAcceptedPrefix(stack, config);
            const run = await runStack(stack, { ...config, [`${NS}:namePrefix`]: prefix });
            if (run.error) throw run.error;
            const limited = run.resources.filter((r) => NAME_LIMITS[r.type]);
            assert.ok(limited.some((r) => r.name.startsWith(prefix)), "names derive from the prefix");
            for (const r of limited) {
                assert.ok(physicalLength(r) <= NAME_LIMITS[r.type].limit, `${r.type} ${r.name}: ${physicalLength(r)} > ${NAME_LIMITS[r.type].limit}`);
            }
        });
    }

    it("the default prefix is wso2- and the stack name as S3 accepts it", () => {
        assert.equal(defaultNamePrefix("Prod_EU.1"), "wso2-prod-eu-1");
    });
});
