import { resourceRule } from "../../lib/define";
import { isUnknown } from "../../lib/values";
import { K, WORKLOAD_TYPES, containersOf, podTemplate } from "./pods";

/** Environment variable names that hold credentials. */
const SECRET_NAME = /(PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
/** Values WSO2 and common images ship as defaults. */
const DEFAULT_VALUES = new Set(["admin", "wso2carbon", "password", "changeit", "changeme", "secret", "root", "123456"]);
/** Secure Vault, `$env{}` and shell references name a secret without holding it. */
const REFERENCE = /^(\$[A-Za-z_{(]|\{\{)/;
/** Command-line flags followed by a literal password (a `$` reference is fine). */
const PASSWORD_FLAG = /(?:-Dpassword=|--password[= ]|-storepass[= ]|-keypass[= ])(?!\$)\S/i;

function decode(value: string): string {
    return Buffer.from(value, "base64").toString("utf8");
}

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-k8s-no-literal-secrets",
    description:
        "No credentials written into pod specs (literal environment values or command-line passwords), and no default " +
        "credentials such as admin or wso2carbon in Secrets.",
    severity: "critical",
    guidelines: ["PROD-ADMIN-CREDENTIALS", "PROD-SECURE-VAULT"],
    remediation:
        "Generate the passwords (e.g. @pulumi/random), keep them in a Secret and reference them with env.valueFrom.secretKeyRef " +
        "or a read-only secret volume; in deployment.toml refer to them through Secure Vault ($secret{alias}).",
    checkov: ["CKV_K8S_35"],
    types: [...WORKLOAD_TYPES, K.secret],
    validate(subject, _config, report) {
        if (subject.type === K.secret) {
            const found: string[] = [];
            for (const field of ["stringData", "data"]) {
                const entries = subject.props[field];
                if (!entries || typeof entries !== "object") continue;
                for (const [key, value] of Object.entries(entries)) {
                    if (typeof value !== "string" || isUnknown(value)) continue;
                    const plain = field === "data" ? decode(value) : value;
                    if (DEFAULT_VALUES.has(plain.trim().toLowerCase())) found.push(`${field}.${key} holds the default value "${plain.trim()}"`);
                }
            }
            if (found.length) report.violation(subject, `${found.join("; ")}: generate the credential instead`);
            return;
        }
        const template = podTemplate(subject.type, subject.props);
        if (!template) {
            report.unproven(subject, "the pod spec");
            return;
        }
        const found: string[] = [];
        for (const c of containersOf(template.spec)) {
            for (const e of Array.isArray(c.env) ? c.env : []) {
                if (!e || typeof e.name !== "string" || !SECRET_NAME.test(e.name)) continue;
                if (isUnknown(e.value)) report.unproven(subject, `container "${c.name}" env ${e.name}`);
                else if (typeof e.value === "string" && e.value !== "" && !REFERENCE.test(e.value)) {
                    found.push(`container "${c.name}" sets ${e.name} to a literal value`);
                }
            }
            const words = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].filter((w) => typeof w === "string");
            if (words.some((w) => PASSWORD_FLAG.test(w))) {
                found.push(`container "${c.name}" passes a password on its command line`);
            }
        }
        if (found.length) report.violation(subject, `${found.join("; ")}: reference a Secret (valueFrom.secretKeyRef or a secret volume) instead`);
    },
});
