/**
 * Checks of the settings that need AWS knowledge (instance memory, the stack's region, AWS's name
 * limits, the certificate path). A stack calls `checkAwsSettings` before creating anything, so a bad
 * value stops it with nothing registered.
 */
import { ConfigError, ConfigProblem, Settings } from "../../config/settings";
import type { ProductSpec } from "../../products";
import { instanceMemoryMiB } from "./instance-types";
import { derivedNames, nameLimitProblems, physicalLength, NAME_LIMITS } from "./names";

/** Where a stack's physical names come from: `namePrefix`, else `wso2-<stack>`. */
export interface StackNaming {
    /** The prefix in use. */
    prefix: string;
    /** The stack's name, for the message when the prefix derives from it. */
    stack: string;
}

/** The default prefix of physical names: `wso2-` and the stack name as S3 and load balancers accept it. */
export function defaultNamePrefix(stack: string): string {
    return `wso2-${stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`;
}

function namingProblems(settings: Settings, product: ProductSpec, naming: StackNaming): ConfigProblem[] {
    const names = derivedNames(naming.prefix, settings, product);
    const problems = nameLimitProblems(names);
    if (problems.length === 0) return [];
    const longest = Math.min(...names.map((n) => NAME_LIMITS[n.type].limit - (physicalLength(n) - naming.prefix.length)));
    const fix = settings.namePrefix
        ? `use a prefix of at most ${longest} characters`
        : `the prefix ${naming.prefix} comes from the stack name ${naming.stack}; set namePrefix to at most ${longest} characters`;
    return [{ key: "namePrefix", value: settings.namePrefix ?? "", problem: `${problems.join("; ")}: ${fix}` }];
}

/** A stack with an edge needs a certificate it can use in this update: an issued one, or one validated in its zone. */
function certificateProblems(settings: Settings, region: string): ConfigProblem[] {
    if (settings.role === "cluster") return [];
    if (settings.certificateArn) {
        const certificateRegion = settings.certificateArn.split(":")[3];
        if (certificateRegion !== region) {
            return [
                {
                    key: "certificateArn",
                    value: settings.certificateArn,
                    problem: `is in ${certificateRegion}; a load balancer in ${region} (aws:region) only uses certificates of its own region`,
                },
            ];
        }
        return [];
    }
    if (!settings.route53ZoneId) {
        return [
            {
                key: "route53ZoneId",
                value: "",
                problem:
                    `is required when certificateArn is empty: the certificate for ${settings.domainName} is validated through a DNS record ` +
                    "created in that Route 53 hosted zone in the same update (or set certificateArn to an issued ACM certificate of this region)",
            },
        ];
    }
    return [];
}

export function checkAwsSettings(settings: Settings, region: string, product: ProductSpec, naming: StackNaming): void {
    const problems: ConfigProblem[] = [];
    try {
        instanceMemoryMiB(settings);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(...e.problems);
    }
    if (settings.backupReplicaRegion && settings.backupReplicaRegion === region) {
        problems.push({
            key: "backupReplicaRegion",
            value: settings.backupReplicaRegion,
            problem: `must differ from the stack's region (aws:region = ${region}): a replica in the same region does not survive its loss`,
        });
    }
    problems.push(...namingProblems(settings, product, naming), ...certificateProblems(settings, region));
    if (problems.length > 0) throw new ConfigError(problems);
}
