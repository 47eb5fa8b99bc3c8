/**
 * Checks shared by the stack configuration (`settings.ts`, naming config keys) and the components'
 * arguments (naming the argument): what AWS or WSO2 would refuse, found before anything is registered.
 */
import { isIpv4Cidr, isIpv6Cidr } from "./cidr";

export interface ArgProblem {
    /** The argument, e.g. `nodeCount` or `existingVpc.privateSubnetIds`. */
    arg: string;
    value: unknown;
    problem: string;
}

/** Thrown by a component's constructor, before it registers anything; names every bad argument. */
export class ArgsError extends Error {
    constructor(
        readonly component: string,
        readonly problems: ArgProblem[],
    ) {
        super(`${component}: invalid arguments:\n` + problems.map((p) => `  ${p.arg} = ${JSON.stringify(p.value)}: ${p.problem}`).join("\n"));
        this.name = "ArgsError";
    }
}

/** Collects problems and throws them together. */
export class ArgChecker {
    readonly problems: ArgProblem[] = [];

    constructor(private readonly component: string) {}

    bad(arg: string, value: unknown, problem: string): void {
        this.problems.push({ arg, value, problem });
    }

    /** Throws an `ArgsError` when any problem was found. */
    done(): void {
        if (this.problems.length > 0) throw new ArgsError(this.component, this.problems);
    }
}

/**
 * Why `name` cannot prefix AWS physical names (load balancers, target groups, S3 buckets, log groups),
 * or undefined when it can: lowercase letters, digits and '-', starting with a letter, not ending with
 * '-'. The lengths of the names derived from it are AWS's per type (components/aws/names.ts).
 */
export function physicalNameProblem(name: string): string | undefined {
    if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(name)) {
        return "must be lowercase letters, digits and '-', start with a letter and end with a letter or digit (S3 bucket and load balancer names)";
    }
    return undefined;
}

/** Why `cidr` is not an IPv4 or IPv6 CIDR block, or undefined. */
export function cidrProblem(cidr: string): string | undefined {
    return isIpv4Cidr(cidr) || isIpv6Cidr(cidr) ? undefined : "is not a CIDR block such as 10.0.0.0/16 or 2001:db8::/32";
}

/** Why `cidr` cannot be a VPC's block (AWS: IPv4, /16 to /28; here to /24 so each subnet keeps room), or undefined. */
export function vpcCidrProblem(cidr: string): string | undefined {
    return isIpv4Cidr(cidr) && /\/(1[6-9]|2[0-4])$/.test(cidr) ? undefined : "must be an IPv4 CIDR block from /16 to /24";
}

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export function logRetentionProblem(days: number): string | undefined {
    return (LOG_RETENTION_DAYS as readonly number[]).includes(days) ? undefined : `must be one of ${LOG_RETENTION_DAYS.join(", ")}`;
}

/** Contexts of the Carbon admin surface no public path may expose. */
const ADMIN_CONTEXTS = ["/services", "/carbon", "/console", "/fileupload", "/management"];
const DEFAULT_ADMIN_NAMES = ["admin", "administrator", "root", "wso2admin"];

export function adminUsernameProblem(name: string): string | undefined {
    if (DEFAULT_ADMIN_NAMES.includes(name.toLowerCase())) return `must not be a default or guessable name (${DEFAULT_ADMIN_NAMES.join(", ")})`;
    if (!/^[A-Za-z][A-Za-z0-9._-]{3,62}$/.test(name)) return "must be 4..63 letters, digits, '.', '_' or '-', starting with a letter";
    return undefined;
}

export function publicPathProblem(p: string): string | undefined {
    if (!/^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9_~\-]$/.test(p) || p.includes("..") || p.includes("//")) {
        return "must be an absolute path prefix of letters, digits, '.', '_', '~', '-' and '/', without '..' or '//', not '/'";
    }
    if (ADMIN_CONTEXTS.some((a) => p.toLowerCase() === a || p.toLowerCase().startsWith(a + "/"))) {
        return `must not expose an admin context (${ADMIN_CONTEXTS.join(", ")})`;
    }
    return undefined;
}

export function hostNameProblem(name: string): string | undefined {
    return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(name) ? undefined : "must be a fully qualified host name such as api.example.com";
}

/** Schedules the nodes' systemd timers take. */
export function onCalendarProblem(expression: string): string | undefined {
    return /^[A-Za-z0-9*,.:/~\- ]{1,80}$/.test(expression) ? undefined : "must be a systemd OnCalendar expression such as 'daily' or 'Wed *-*-* 03:00'";
}

export function regionProblem(region: string): string | undefined {
    return /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region) ? undefined : "must be an AWS region such as eu-west-1";
}
