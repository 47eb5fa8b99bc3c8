/**
 * log4j2 overrides for the Carbon-based products (PROD-LOG-ROTATION, PROD-LOG-FORGING). The product's
 * own `log4j2.properties` stays; the configure step appends this block between markers, and since the
 * last definition of a property wins, these appenders replace the shipped ones: rolling daily and at
 * 100 MB, at most 30 files per day, gzip, deleted after the retention, every line tagged with a UUID and
 * CR/LF in messages encoded.
 */
import type { ProductSpec } from "../../products";

export interface Log4j2Input {
    product: ProductSpec;
    /** Empty or absent: the catalog's version. */
    productVersion?: string;
    /** Days rolled files are kept on the node (CloudWatch keeps the long-term copy). @default 14 */
    retentionDays?: number;
    /** Size that triggers a roll. @default "100MB" */
    maxFileSize?: string;
}

/** Start and end markers of the managed block inside the product's log4j2.properties. */
export const LOG4J2_MARKERS = { begin: "# BEGIN wso2-hardening", end: "# END wso2-hardening" } as const;

/**
 * `%u`: a UUID per event (log forging); `%enc{..}{CRLF}`: a message cannot start a fake line. `%m` is the
 * message; products whose shipped pattern masks sensitive values use their masking converter instead.
 */
export function logPattern(message: "%m" | "%mm"): string {
    return `[%u] TID: [%tenantId] [%d] %5p {%c} - %enc{${message}}{CRLF}%ex%n`;
}

/** The pattern for products without a masking converter. */
export const LOG_PATTERN = logPattern("%m");

/**
 * Products whose shipped log4j2.properties writes messages through the `%mm` masking converter (IS:
 * passwords and tokens in messages are masked by the patterns of wso2-log-masking.properties).
 */
const MASKING_PRODUCTS: readonly string[] = ["is"];

/** Appenders overridden, with their file names. */
const APPENDERS: Record<string, string> = {
    CARBON_LOGFILE: "wso2carbon",
    AUDIT_LOGFILE: "audit",
};

export function renderLog4j2Properties(input: Log4j2Input): string {
    const spec = input.product;
    if (spec.layout.configFormat !== "toml") {
        throw new Error(`product: ${spec.id} logs through log4j2.xml, not log4j2.properties`);
    }
    const days = input.retentionDays ?? 14;
    if (!Number.isInteger(days) || days < 1 || days > 3653) throw new Error(`retentionDays: ${days} must be 1..3653`);
    const size = input.maxFileSize ?? "100MB";
    if (!/^\d{1,5}(KB|MB|GB)$/.test(size)) throw new Error(`maxFileSize: ${JSON.stringify(size)} must look like 100MB`);
    const dir = `\${sys:carbon.home}/${spec.layout.logDir}`;
    const lines = [LOG4J2_MARKERS.begin, "# Rendered by wso2-hardening: rotation, bounded retention, UUID per line."];
    for (const [name, file] of Object.entries(APPENDERS)) {
        const a = `appender.${name}`;
        lines.push(
            `${a}.type = RollingFile`,
            `${a}.name = ${name}`,
            `${a}.fileName = ${dir}/${file}.log`,
            `${a}.filePattern = ${dir}/${file}-%d{yyyy-MM-dd}-%i.log.gz`,
            `${a}.layout.type = PatternLayout`,
            `${a}.layout.pattern = ${logPattern(MASKING_PRODUCTS.includes(spec.id) ? "%mm" : "%m")}`,
            `${a}.policies.type = Policies`,
            `${a}.policies.time.type = TimeBasedTriggeringPolicy`,
            `${a}.policies.time.interval = 1`,
            `${a}.policies.time.modulate = true`,
            `${a}.policies.size.type = SizeBasedTriggeringPolicy`,
            `${a}.policies.size.size = ${size}`,
            `${a}.strategy.type = DefaultRolloverStrategy`,
            `${a}.strategy.max = 30`,
            `${a}.strategy.action.type = Delete`,
            `${a}.strategy.action.basePath = ${dir}`,
            `${a}.strategy.action.maxDepth = 1`,
            `${a}.strategy.action.condition.type = IfFileName`,
            `${a}.strategy.action.condition.glob = ${file}-*.log.gz`,
            `${a}.strategy.action.condition.nested.type = IfLastModified`,
            `${a}.strategy.action.condition.nested.age = ${days}d`,
        );
    }
    lines.push(LOG4J2_MARKERS.end, "");
    return lines.join("\n");
}
