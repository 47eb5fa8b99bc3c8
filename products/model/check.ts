/**
 * Judges a product configuration (anyone's deployment.toml, or SI's deployment.yaml) against the model of
 * what that product version reads: keys it ignores, the TLS in force per transport (defaults counted where a
 * key is absent), public default secrets, plaintext transports, exposed admin WSDLs and missing keys.
 * Pure: text in, findings out. `wso2-harden check-config` and the offline plan call it; so can a start script.
 */
import { parse as parseToml } from "smol-toml";
import { parseDocument } from "yaml";
import { completeFileKeys, modelReads, type DefaultSecret, type ProductModel, type TlsTransport } from "./catalog";
import { cipherStrength, jsseList, tomcatProtocols, weakProtocols } from "./tls";

export type FindingId =
    | "unknown-key"
    | "default-credential"
    | "weak-tls-protocol"
    | "weak-cipher"
    | "plaintext-transport"
    | "admin-wsdl-exposed"
    | "missing-key";
export type Severity = "error" | "warning" | "info";

/** Guideline ids (components/guidelines.ts) each finding verifies in a product configuration. */
export const FINDING_GUIDELINES: Record<FindingId, string[]> = {
    "unknown-key": [],
    "default-credential": ["PROD-KEYSTORE", "PROD-SECURE-VAULT", "PROD-ADMIN-CREDENTIALS"],
    "weak-tls-protocol": ["PROD-TLS-STRONG"],
    "weak-cipher": ["PROD-TLS-STRONG", "PROD-WEAK-CIPHERS"],
    "plaintext-transport": ["NET-OPEN-PORTS"],
    "admin-wsdl-exposed": ["PROD-CONSOLE-ACCESS"],
    "missing-key": ["PROD-HOSTNAME", "PROD-SERVER-HEADER", "PROD-HSTS", "PROD-ADMIN-CREDENTIALS", "PROD-SECURE-VAULT"],
};

export interface Finding {
    id: FindingId;
    severity: Severity;
    key: string;
    message: string;
}

export interface EffectiveTls {
    protocols: string[];
    ciphers: string[];
}

export interface CheckResult {
    product: string;
    version: string;
    findings: Finding[];
    effective: { tls: Record<string, EffectiveTls> };
}

/** A file that does not parse, with the 1-based line of the first problem. */
export class ConfigParseError extends Error {
    constructor(
        readonly line: number,
        message: string,
    ) {
        super(`line ${line}: ${message}`);
    }
}

/** Written in place of a list when no key sets it and the Java runtime's defaults apply. */
export const JVM_DEFAULT = "jvm-default";

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** A value resolved at run time (Secure Vault, environment, system property): never a published default. */
function isReference(value: unknown): boolean {
    return typeof value === "string" && /\$(secret|env|sys)\{|\$\{(sec|env|sys):/.test(value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * Flat dotted keys of a TOML document, as the config mapper normalises `[a.b] c` and `[a] b.c` to `a.b.c`.
 * Arrays of tables appear as `a.b` (the array) and `a.b[].c` (their keys).
 */
export function flattenToml(doc: Record<string, unknown>): Map<string, unknown> {
    const out = new Map<string, unknown>();
    const walk = (value: unknown, prefix: string) => {
        if (isPlainObject(value)) {
            if (Object.keys(value).length === 0 && prefix) out.set(prefix, value);
            for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
        } else if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject)) {
            out.set(prefix, value);
            for (const item of value) for (const [k, v] of Object.entries(item)) walk(v, `${prefix}[].${k}`);
        } else {
            out.set(prefix, value);
        }
    };
    walk(doc, "");
    return out;
}

export function parseTomlConfig(text: string): Record<string, unknown> {
    try {
        return parseToml(text) as Record<string, unknown>;
    } catch (e) {
        const err = e as { line?: number; message?: string };
        throw new ConfigParseError(err.line ?? 1, String(err.message ?? e).split("\n")[0]);
    }
}

export function parseYamlConfig(text: string): Record<string, unknown> {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
        const first = doc.errors[0];
        throw new ConfigParseError(first.linePos?.[0]?.line ?? 1, first.message.split("\n")[0]);
    }
    const value = doc.toJS();
    if (value !== null && !isPlainObject(value)) throw new ConfigParseError(1, "the document is not a mapping of sections");
    return (value ?? {}) as Record<string, unknown>;
}

class Findings {
    readonly list: Finding[] = [];
    private readonly seen = new Set<string>();
    add(id: FindingId, severity: Severity, key: string, message: string): void {
        const k = `${id} ${key} ${message}`;
        if (this.seen.has(k)) return;
        this.seen.add(k);
        this.list.push({ id, severity, key, message });
    }
    has(key: string): boolean {
        return this.list.some((f) => f.key === key);
    }
    sorted(): Finding[] {
        return [...this.list].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.key.localeCompare(b.key) || a.id.localeCompare(b.id));
    }
}

/** Judges one TLS transport's protocol and cipher lists; returns what is in force. */
function judgeTls(
    t: TlsTransport,
    lookup: (key: string) => { key: string; value: unknown } | undefined,
    findings: Findings,
    where: string,
): EffectiveTls {
    const protocolsHit = t.protocolsKey ? [t.protocolsKey, ...(t.protocolsAliases ?? [])].map(lookup).find(Boolean) : undefined;
    const pKey = protocolsHit?.key ?? t.protocolsKey ?? t.id;
    let protocols: string[];
    if (protocolsHit && !isReference(protocolsHit.value)) {
        protocols = t.protocolsSyntax === "tomcat" ? tomcatProtocols(String(protocolsHit.value)) : jsseList(protocolsHit.value as string | string[]);
        const weak = weakProtocols(protocols);
        if (weak.length > 0) findings.add("weak-tls-protocol", "error", pKey, `${t.description} accepts ${weak.join(", ")}; set ${pKey} to TLSv1.2,TLSv1.3`);
    } else if (!t.protocolsKey) {
        protocols = t.protocolsDefault === "jvm" ? [JVM_DEFAULT] : t.protocolsDefault;
        if (t.protocolsDefault === "jvm" || weakProtocols(t.protocolsDefault).length > 0) {
            findings.add("weak-tls-protocol", "warning", t.id, `${t.description}: no key of ${where} sets its protocols (${protocols.join(", ")} in force); the host firewall limits who can reach it`);
        }
    } else if (t.protocolsDefault === "jvm") {
        protocols = [JVM_DEFAULT];
        findings.add("weak-tls-protocol", "warning", pKey, `${pKey} is absent: ${t.description} uses the Java runtime's default protocols; set TLSv1.2,TLSv1.3`);
    } else {
        protocols = t.protocolsDefault;
        const weak = weakProtocols(protocols);
        if (weak.length > 0) {
            findings.add("weak-tls-protocol", "error", pKey, `${pKey} is absent: ${where}'s default ${protocols.join(",")} is in force on ${t.description}; set TLSv1.2,TLSv1.3`);
        }
    }

    const ciphersHit = t.ciphersKey ? [t.ciphersKey, ...(t.ciphersAliases ?? [])].map(lookup).find(Boolean) : undefined;
    const cKey = ciphersHit?.key ?? t.ciphersKey ?? t.id;
    let ciphers: string[];
    const judge = (list: string[], origin: string) => {
        const broken = list.filter((c) => cipherStrength(c) === "broken");
        const weak = list.filter((c) => cipherStrength(c) === "weak");
        if (broken.length > 0) findings.add("weak-cipher", "error", cKey, `${t.description} ${origin} broken suites: ${broken.join(", ")}`);
        if (weak.length > 0) findings.add("weak-cipher", "warning", cKey, `${t.description} ${origin} suites without forward secrecy or AEAD: ${weak.join(", ")}`);
    };
    if (ciphersHit && !isReference(ciphersHit.value)) {
        ciphers = jsseList(ciphersHit.value as string | string[]);
        judge(ciphers, "offers");
    } else if (t.ciphersDefault === "jvm") {
        ciphers = [JVM_DEFAULT];
        findings.add("weak-cipher", "warning", cKey, `${cKey} is absent: ${t.description} offers the Java runtime's default suites, CBC and RSA key exchange included`);
    } else {
        ciphers = t.ciphersDefault;
        judge(ciphers, `(${cKey} absent, ${where}'s default in force) offers`);
    }
    return { protocols, ciphers };
}

function isEnabled(value: unknown, offValue: unknown, byDefault: boolean): boolean {
    if (value === undefined) return byDefault;
    if (typeof offValue === "string") return String(value).trim() !== offValue;
    return String(value) !== String(offValue ?? false);
}

function secretFinding(s: DefaultSecret, findings: Findings, message: string): void {
    if (s.containedBy) findings.add("default-credential", "warning", s.key, `${message}; no key changes it safely here: ${s.containedBy} contains it`);
    else findings.add("default-credential", "error", s.key, message);
}

// ----------------------------------------------------------------------------------------------------------

export interface CheckOptions {
    /**
     * The file replaces the distribution's shipped deployment.toml as a whole (a Kubernetes ConfigMap, a
     * Helm chart's file) rather than being merged into it: every key the model says only the shipped file
     * supplies must be present (`missing-key`). Off: the file is an overlay and the shipped keys survive.
     */
    complete?: boolean;
}

/**
 * `missing-key` findings of a file that replaces the shipped one: an error when the product cannot start
 * without the key (a default refers to it, or it is a datasource field), else a warning (the product starts
 * without the shipped setting, with something else in force).
 */
function checkComplete(flat: Map<string, unknown>, model: ProductModel, findings: Findings): void {
    const where = `${model.product} ${model.version}`;
    for (const s of completeFileKeys(model)) {
        if (flat.has(s.key) || findings.has(s.key)) continue;
        // An element key of an array of tables the file leaves out entirely is reported once, on the array.
        const array = s.key.includes("[]") ? s.key.slice(0, s.key.indexOf("[]")) : undefined;
        if (array !== undefined && !flat.has(array)) continue;
        if (s.class === "ref") {
            findings.add("missing-key", "error", s.key, `${s.key} is absent from a complete file: ${where}'s defaults refer to it ($ref{${s.key}}) and none defines it, so the config mapper stops the start; the shipped deployment.toml sets it`);
        } else if (s.class === "unset" && /^database\.[^.]+\.(url|username|password|type)$/.test(s.key)) {
            findings.add("missing-key", "error", s.key, `${s.key} is absent from a complete file: no default defines it, so the ${s.key.split(".")[1]} datasource cannot connect; the shipped deployment.toml sets it`);
        } else if (s.class === "differs") {
            findings.add("missing-key", "warning", s.key, `${s.key} is absent from a complete file: ${where}'s default, not the shipped setting, is in force`);
        } else {
            findings.add("missing-key", "warning", s.key, `${s.key} is absent from a complete file: no default defines it, so what the shipped deployment.toml sets there is lost`);
        }
    }
}

function checkToml(doc: Record<string, unknown>, model: ProductModel, options: CheckOptions = {}): CheckResult {
    const where = `${model.product} ${model.version}`;
    const flat = flattenToml(doc);
    const findings = new Findings();
    const lookup = (key: string) => (flat.has(key) ? { key, value: flat.get(key) } : undefined);
    const modelKeys = new Set<string>();
    for (const t of model.tls) for (const k of [t.protocolsKey, t.ciphersKey, t.enabledKey, ...(t.protocolsAliases ?? []), ...(t.ciphersAliases ?? [])]) if (k) modelKeys.add(k);
    for (const p of model.plaintext) if (p.enabledKey) modelKeys.add(p.enabledKey);
    for (const s of model.secrets) modelKeys.add(s.key);
    for (const r of model.required) modelKeys.add(r.key);
    if (model.adminWsdl) modelKeys.add(model.adminWsdl.key);

    // Keys the product ignores.
    for (const key of flat.keys()) {
        const strict = Object.keys(model.strict).find((p) => key.startsWith(`${p}.`));
        if (strict) {
            const rest = key.slice(strict.length + 1);
            if (!model.strict[strict].includes(rest) && !modelKeys.has(key)) {
                findings.add("unknown-key", "error", key, `${where} ignores ${key}: ${strict} takes ${model.strict[strict].join(", ")}`);
            }
            continue;
        }
        if (modelKeys.has(key) || modelReads(model, key)) continue;
        const top = key.split(/[.[]/)[0];
        if (model.keys.namespaces.includes(top)) continue;
        if (!model.keys.roots.has(top)) {
            findings.add("unknown-key", "error", key, `${where} reads no [${top}] section: ${key} is ignored`);
        } else if (model.partialSections.includes(top)) {
            findings.add("unknown-key", "info", key, `${key} is in [${top}], which ${where} reads mostly through feature templates the model does not enumerate: not verified`);
        } else {
            // Known section, unlisted key: a feature template or the product's code may read it.
            findings.add("unknown-key", "warning", key, `no template of ${where} the model derives keys from reads ${key}; unless a feature or the product's code reads it, it is ignored`);
        }
    }

    const effective: Record<string, EffectiveTls> = {};
    for (const t of model.tls) {
        const enabled = isEnabled(t.enabledKey ? flat.get(t.enabledKey) : undefined, false, t.enabledDefault);
        if (!enabled) continue;
        effective[t.id] = judgeTls(t, lookup, findings, where);
    }

    for (const p of model.plaintext) {
        const value = p.enabledKey ? flat.get(p.enabledKey) : undefined;
        if (!isEnabled(value, p.offValue, p.enabledDefault)) continue;
        const key = p.enabledKey ?? p.id;
        const reachable = p.containedBy.startsWith("nothing");
        const how = p.enabledKey ? `${p.enabledKey} ${value === undefined ? "is absent (on by default)" : `= ${JSON.stringify(value)}`}` : `every start of ${where} opens it and no key closes it`;
        findings.add("plaintext-transport", reachable ? "error" : "warning", key, `${p.description} speaks plain text: ${how}; ${reachable ? `${p.containedBy}; set ${p.enabledKey} = ${JSON.stringify(p.offValue)}` : `contained by ${p.containedBy}`}`);
    }

    for (const s of model.secrets) {
        if (s.key === "internal_apis.users") {
            const storeOn = isEnabled(flat.get("internal_apis.file_user_store.enable"), false, true);
            const users = flat.get("internal_apis.users");
            const list = Array.isArray(users) ? (users as Record<string, unknown>[]) : undefined;
            const defaultUser = list === undefined || list.some((u) => s.publicValues.includes(String(u["user.name"] ?? (u.user as any)?.name)) || s.publicValues.includes(String(u["user.password"] ?? (u.user as any)?.password)));
            if (storeOn && defaultUser) secretFinding(s, findings, `${s.what}; set internal_apis.file_user_store.enable = false`);
            continue;
        }
        const value = flat.get(s.key);
        if (value === undefined) {
            if (s.defaultInForce) secretFinding(s, findings, `${s.key} is absent: ${s.what} is in force (${s.publicValues[0]})`);
        } else if (!isReference(value) && s.publicValues.includes(String(value))) {
            secretFinding(s, findings, `${s.key} holds ${s.what}`);
        }
    }
    // Datasource passwords: the shipped one on an embedded H2 file is contained; anywhere else it is public.
    for (const [key, value] of flat) {
        const m = /^database\.([^.]+)\.password$/.exec(key);
        if (!m || value !== "wso2carbon") continue;
        const url = String(flat.get(`database.${m[1]}.url`) ?? "");
        const type = String(flat.get(`database.${m[1]}.type`) ?? "");
        if (type === "h2" || url.startsWith("jdbc:h2:")) {
            findings.add("default-credential", "warning", key, `${key} is the shipped password of an embedded H2 database: contained by the file permissions of the node's database directory; use a real database in production`);
        } else {
            findings.add("default-credential", "error", key, `${key} holds the shipped password wso2carbon for ${url || "a database"}`);
        }
    }

    if (model.adminWsdl) {
        const v = flat.get(model.adminWsdl.key) ?? model.adminWsdl.default;
        if (String(v) === String(model.adminWsdl.exposedValue)) {
            findings.add("admin-wsdl-exposed", "error", model.adminWsdl.key, `${model.adminWsdl.key} = ${JSON.stringify(v)}: admin service WSDLs are served`);
        }
    }

    for (const r of model.required) {
        if (!flat.has(r.key) && !findings.has(r.key)) findings.add("missing-key", r.severity, r.key, `${r.key} is absent (${r.guideline}): ${r.why}`);
    }
    if (options.complete) checkComplete(flat, model, findings);

    // Path rules: where a keystore or truststore file name resolves.
    for (const key of ["keystore.primary.file_name", "keystore.tls.file_name", "keystore.internal.file_name", "truststore.file_name"]) {
        const v = flat.get(key);
        if (typeof v !== "string" || isReference(v)) continue;
        if (model.storePaths.base === "security-dir" && v.includes("/")) {
            findings.add("missing-key", "error", key, `${key} = ${JSON.stringify(v)}: ${where} takes ${model.storePaths.description}, so this path does not exist`);
        }
        if (model.storePaths.base === "product-home" && !v.includes("/")) {
            findings.add("missing-key", "error", key, `${key} = ${JSON.stringify(v)} resolves to <product home>/${v}, which does not exist: ${where} takes ${model.storePaths.description}`);
        }
    }
    return { product: model.product, version: model.version, findings: findings.sorted(), effective: { tls: effective } };
}

// ----------------------------------------------------------------------------------------------------------
// Streaming Integrator: deployment.yaml (Carbon 5). Listeners are list entries identified by `id`.

const SI_HTTP_SECTIONS = ["wso2.transport.http", "siddhi.stores.query.api"];
const SI_PUBLIC_ADMIN_PASSWORD_BASE64 = Buffer.from("admin").toString("base64");

function siParams(listener: Record<string, unknown>): Map<string, unknown> {
    const out = new Map<string, unknown>();
    const params = listener.parameters;
    if (Array.isArray(params)) for (const p of params) if (isPlainObject(p) && typeof p.name === "string") out.set(p.name, p.value);
    return out;
}

function checkYaml(doc: Record<string, unknown>, model: ProductModel): CheckResult {
    const where = `${model.product} ${model.version}`;
    const findings = new Findings();
    const effective: Record<string, EffectiveTls> = {};
    const tops = new Set(model.keys.patterns.map((p) => p.split(/\[\]/)[0]));
    for (const top of Object.keys(doc)) {
        if (![...tops].some((t) => t === top || t.startsWith(`${top}.`)) && !model.documentedKeys.includes(top)) {
            findings.add("unknown-key", "error", top, `${where} reads no ${top} section: it is ignored`);
        }
    }

    for (const section of SI_HTTP_SECTIONS) {
        const listeners = (doc[section] as any)?.listenerConfigurations;
        if (!Array.isArray(listeners)) continue;
        for (const l of listeners) {
            if (!isPlainObject(l)) continue;
            const id = String(l.id ?? "?");
            const key = `${section}.listenerConfigurations[${id}]`;
            const host = String(l.host ?? "0.0.0.0");
            if (l.scheme === "https") {
                const params = siParams(l);
                const t = model.tls.find((x) => x.protocolsKey?.startsWith(key)) ?? {
                    ...model.tls[0],
                    id: `${section}:${id}`,
                    description: `HTTPS listener ${id} of ${section}`,
                    protocolsKey: `${key}.parameters[sslEnabledProtocols]`,
                    ciphersKey: `${key}.parameters[ciphers]`,
                };
                const lookup = (k: string) => {
                    const name = /\[([^\]]+)\]$/.exec(k)?.[1] ?? "";
                    return params.has(name) ? { key: k, value: params.get(name) } : undefined;
                };
                effective[t.id] = judgeTls(t, lookup, findings, where);
                for (const field of ["keyStorePassword", "certPass", "trustStorePassword"]) {
                    if (l[field] === "wso2carbon") findings.add("default-credential", "error", `${key}.${field}`, `${key}.${field} holds the shipped password wso2carbon`);
                }
            } else if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
                findings.add("plaintext-transport", "warning", `${key}.host`, `listener ${id} of ${section} (port ${String(l.port)}) speaks plain HTTP on ${host}: bind it to 127.0.0.1; contained by the host firewall`);
            }
        }
    }

    const receivers = (doc["databridge.config"] as any)?.dataReceivers;
    if (Array.isArray(receivers)) {
        for (const r of receivers) {
            const receiver = (r as any)?.dataReceiver;
            if (!isPlainObject(receiver)) continue;
            const type = String(receiver.type ?? "?");
            const props = isPlainObject(receiver.properties) ? receiver.properties : {};
            const key = `databridge.config.dataReceivers[${type}].dataReceiver.properties`;
            const t: TlsTransport = {
                id: `databridge-${type.toLowerCase()}-ssl`,
                description: `${type} event receiver SSL port ${String(props.sslPort ?? "")}`,
                direction: "inbound",
                protocolsKey: `${key}.sslEnabledProtocols`,
                protocolsSyntax: "jsse",
                protocolsDefault: "jvm",
                ciphersKey: `${key}.ciphers`,
                ciphersSyntax: "jsse",
                ciphersDefault: "jvm",
                enabledDefault: true,
            };
            const lookup = (k: string) => {
                const name = k.slice(k.lastIndexOf(".") + 1);
                return props[name] !== undefined ? { key: k, value: props[name] } : undefined;
            };
            effective[t.id] = judgeTls(t, lookup, findings, where);
            findings.add("plaintext-transport", "warning", `${key}.tcpPort`, `${type} event receiver TCP port ${String(props.tcpPort ?? "")} speaks plain text and no key closes it; contained by the host firewall`);
        }
    }
    if (isPlainObject(doc["databridge.config"]) && (doc["databridge.config"] as any).keyStorePassword === "wso2carbon") {
        findings.add("default-credential", "error", "databridge.config.keyStorePassword", "databridge.config.keyStorePassword holds the shipped password wso2carbon");
    }

    const users = (doc["auth.configs"] as any)?.userManager?.userStore?.users;
    if (Array.isArray(users)) {
        for (const u of users) {
            const user = (u as any)?.user ?? {};
            if (user.username === "admin" || user.password === SI_PUBLIC_ADMIN_PASSWORD_BASE64) {
                findings.add("default-credential", "error", "auth.configs.userManager.userStore.users", "the local user store holds the shipped admin/admin");
            }
        }
    } else if (!isPlainObject(doc["auth.configs"])) {
        findings.add("missing-key", "error", "auth.configs", "auth.configs is absent: SI's built-in admin/admin user store is in force");
    }
    const catalog = doc["service.catalog.configs"] as any;
    if (isPlainObject(catalog) && (catalog.password === "admin" || catalog.username === "admin")) {
        findings.add("default-credential", catalog.enabled === true ? "error" : "warning", "service.catalog.configs.password", `service.catalog.configs holds the shipped admin/admin${catalog.enabled === true ? "" : " (the service catalog client is disabled)"}`);
    }
    const dataSources = (doc["wso2.datasources"] as any)?.dataSources;
    if (Array.isArray(dataSources)) {
        for (const ds of dataSources) {
            const conf = (ds as any)?.definition?.configuration ?? {};
            if (conf.password !== "wso2carbon") continue;
            const key = `wso2.datasources.dataSources[${String((ds as any).name)}].definition.configuration.password`;
            if (String(conf.jdbcUrl ?? "").startsWith("jdbc:h2:")) {
                findings.add("default-credential", "warning", key, `${key} is the shipped password of an embedded H2 database: contained by the file permissions of the node's database directory`);
            } else {
                findings.add("default-credential", "error", key, `${key} holds the shipped password wso2carbon`);
            }
        }
    }
    const uses = JSON.stringify(doc).includes("${sec:");
    if (uses && !isPlainObject(doc["wso2.securevault"])) {
        findings.add("missing-key", "error", "wso2.securevault", "values refer to ${sec:...} but wso2.securevault is absent: nothing resolves them");
    }
    return { product: model.product, version: model.version, findings: findings.sorted(), effective: { tls: effective } };
}

/**
 * Judges configuration text against the model of one product version. Throws ConfigParseError.
 * `complete` (deployment.toml only): the file replaces the shipped one, so it must hold what only that supplies.
 */
export function checkConfig(text: string, model: ProductModel, options: CheckOptions = {}): CheckResult {
    if (model.format === "yaml") return checkYaml(parseYamlConfig(text), model);
    return checkToml(parseTomlConfig(text), model, options);
}

/** Judges an already-parsed TOML document (the renderers' output before it is written). */
export function checkTomlDocument(doc: Record<string, unknown>, model: ProductModel, options: CheckOptions = {}): CheckResult {
    return checkToml(doc, model, options);
}
