import { Subject, resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { decodeText, isUnknown } from "../lib/values";

/** Where a resource carries text that ends up on a node or in a rendered file. */
const TEXT_FIELDS: Record<string, { field: string; base64: boolean }[]> = {
    [T.instance]: [{ field: "userData", base64: false }, { field: "userDataBase64", base64: true }],
    [T.launchConfiguration]: [{ field: "userData", base64: false }, { field: "userDataBase64", base64: true }],
    [T.launchTemplate]: [{ field: "userData", base64: true }],
    [T.bucketObject]: [{ field: "content", base64: false }, { field: "contentBase64", base64: true }],
    [T.ssmParameter]: [{ field: "value", base64: false }, { field: "insecureValue", base64: false }],
};

/** Values WSO2 ships as defaults, and common placeholders that are credentials all the same. */
const DEFAULT_SECRETS = new Set(["admin", "wso2carbon", "password", "changeit", "changeme", "secret", "root", "123456"]);

/**
 * A value that points at a secret instead of holding one: Secure Vault `$secret{}`, `$env{}`, shell
 * variables and substitutions, templates, printf conversions.
 */
const REFERENCE = /^(\$[A-Za-z_{(]|\{\{|%\(|%[-+ #0-9.]*[sdqv])/;

const PASSWORD_KEY = "(?:[A-Za-z0-9_.-]*(?:password|passwd|pwd|app_password|secret_key|client_secret))";
/** `key = "value"` (TOML, properties), `key: value` (YAML) and `KEY=value` (shell, env files). */
const ASSIGNMENT = new RegExp(`(?:^|[\\s{,;"'])(${PASSWORD_KEY})["']?[ \\t]*[:=][ \\t]*(?:"([^"\\n]*)"|'([^'\\n]*)'|([^\\s"'#,;}]+))`, "gi");

const PATTERNS: { re: RegExp; what: string }[] = [
    { re: /\badmin[:/]admin\b/i, what: "the default admin/admin credential" },
    { re: /\bAKIA[0-9A-Z]{16}\b/, what: "an AWS access key id" },
    { re: /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+]{40}/i, what: "an AWS secret access key" },
    { re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/, what: "a private key" },
    { re: /\bdocker\s+login\b[^\n]*\s(?:-p|--password)\s+\S+/i, what: "a registry password on a command line" },
];

/** What literal credentials a text holds, described without repeating them. */
export function findCredentials(text: string): string[] {
    const found: string[] = [];
    for (const { re, what } of PATTERNS) if (re.test(text)) found.push(what);
    for (const m of text.matchAll(ASSIGNMENT)) {
        const key = m[1];
        const value = (m[2] ?? m[3] ?? m[4] ?? "").trim();
        if (value === "" || REFERENCE.test(value)) continue;
        const isDefault = DEFAULT_SECRETS.has(value.toLowerCase());
        // A key that says it holds the shipped default (e.g. DEFAULT_PASSWORD, used to open the stock
        // keystore and replace it) names public knowledge, not a credential in use.
        if (isDefault && /default/i.test(key)) continue;
        found.push(isDefault ? `the default value "${value}" for ${key}` : `a literal value for ${key}`);
    }
    return [...new Set(found)];
}

function check(subject: Subject, field: string, text: string, report: { violation(s: Subject, m: string): void }): void {
    const found = findCredentials(text);
    if (found.length) {
        report.violation(subject, `${field} contains ${found.join("; ")}. Keep credentials in Secrets Manager (or Secure Vault \`$secret{...}\`) and read them at boot`);
    }
}

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-no-literal-credentials",
    description: "No default or literal credentials in user data or rendered configuration files.",
    severity: "critical",
    guidelines: ["PROD-ADMIN-CREDENTIALS", "PROD-SECURE-VAULT", "PROD-KEYSTORE"],
    remediation:
        "Generate the super admin and keystore passwords (e.g. @pulumi/random), store them in Secrets Manager with a customer key, " +
        "and let the node read them at boot; reference them from deployment.toml through Secure Vault (`$secret{alias}`). " +
        "User data is readable by anyone with ec2:DescribeInstanceAttribute.",
    checkov: ["CKV_AWS_46"],
    trivy: ["AVD-AWS-0029"],
    types: [...Object.keys(TEXT_FIELDS), T.configMap],
    validate(subject, _config, report) {
        const p = subject.props;
        if (subject.type === T.ssmParameter && p.type === "SecureString") return;
        if (subject.type === T.configMap) {
            for (const [key, value] of Object.entries({ ...(p.data ?? {}) })) {
                if (isUnknown(value)) report.unproven(subject, `data.${key}`);
                else if (typeof value === "string") check(subject, `data.${key}`, value, report);
            }
            return;
        }
        for (const { field, base64 } of TEXT_FIELDS[subject.type] ?? []) {
            const value = p[field];
            if (value === undefined || value === null) continue;
            if (isUnknown(value)) report.unproven(subject, field);
            else if (typeof value === "string") check(subject, field, decodeText(value, base64), report);
        }
    },
});
