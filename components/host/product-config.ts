/**
 * The product's own configuration: `deployment.toml` for API-M, MI and IS, and a `deployment.yaml` overlay
 * for SI. Independent of EC2: the Kubernetes components render the same file with their own clustering.
 * Secrets are never inline: passwords are Secure Vault references (`$secret{alias}`) that the secrets step
 * on the node fills and encrypts with the cipher tool; the admin name comes from the environment.
 */
import { stringify as stringifyToml } from "smol-toml";
import { stringify as stringifyYaml } from "yaml";
import type { ProductSpec } from "../../products";

/** TLS versions every HTTPS listener accepts (PROD-TLS-STRONG). */
export const TLS_PROTOCOLS = ["TLSv1.2", "TLSv1.3"] as const;

/**
 * Forward-secret AEAD suites only (PROD-TLS-STRONG, PROD-WEAK-CIPHERS): no RSA key exchange, CBC, 3DES,
 * RC4, MD5 or SHA-1 MACs; 256-bit first.
 */
export const STRONG_TLS_CIPHERS = [
    "TLS_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
] as const;

/**
 * Tomcat connector attributes (set through `[transport.https.properties]`, which WSO2 copies onto the
 * servlet HTTPS connector) that make Tomcat refuse ambiguous request paths before any filter or webapp
 * sees them: the encoded and backslash path tricks used to slip past edge allowlists into `/carbon` or
 * `/services`. Tomcat ignores, with a warning, an attribute its version does not know.
 */
export const TOMCAT_URI_HARDENING = {
    rejectSuspiciousURIs: true,
    encodedSolidusHandling: "reject",
    encodedReverseSolidusHandling: "reject",
    allowBackslash: false,
} as const;

/** Value of the `Server` response header instead of "WSO2 Carbon Server" (PROD-SERVER-HEADER). */
export const NEUTRAL_SERVER_HEADER = "server";

/** HSTS max-age in seconds: one year. */
export const HSTS_MAX_AGE_SECONDS = 31536000;

/** Secure Vault aliases the rendered configuration refers to; the node's secrets step defines each one. */
export const SECURE_VAULT_ALIASES = {
    adminPassword: "admin_password",
    keystorePassword: "keystore_password",
} as const;

/** Environment variable (set by the unit from the admin secret) holding the super admin's name. */
export const ADMIN_USERNAME_ENV = "WSO2_ADMIN_USERNAME";

/** How members of a cluster find each other. */
export type ClusterMembership =
    /** Hazelcast AWS discovery: running instances with the tag, in the region. */
    | { scheme: "aws"; region: string; tagKey: string; tagValue: string }
    /** Well-known members, `host:port`. */
    | { scheme: "wka"; members: string[] }
    /** Kubernetes API discovery of the pods behind the services. */
    | { scheme: "kubernetes"; namespace: string; services: string[] };

export interface ProductConfigInput {
    product: ProductSpec;
    /** Empty: the catalog's version. */
    productVersion: string;
    /** Public host name (`[server] hostname`, WSDL endpoint prefix, certificate name). */
    hostname: string;
    /** Port clients reach the product on (the load balancer's), written as the connector's proxy port. @default 443 */
    publicPort?: number;
    /** Alias of the node's key in the keystore. @default "wso2node" */
    keyAlias?: string;
    /** Cluster membership; ignored by products without clustering ports. Absent: standalone. */
    clustering?: ClusterMembership;
    /** Outbound HTTP proxy (PROD-PROXY). */
    proxy?: { host: string; port: number };
    /** Whether to enable HSTS on the product's web applications; turn off only in development. @default true */
    hsts?: boolean;
}

export const DEFAULT_KEY_ALIAS = "wso2node";

const secret = (alias: string) => `$secret{${alias}}`;

function keystoreType(file: string): "JKS" | "PKCS12" {
    return /\.(p12|pfx)$/i.test(file) ? "PKCS12" : "JKS";
}

function basename(path: string): string {
    return path.slice(path.lastIndexOf("/") + 1);
}

function validate(input: ProductConfigInput): void {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(input.hostname)) {
        throw new Error(`hostname: ${JSON.stringify(input.hostname)} is not a host name`);
    }
    if (input.proxy && (!/^[A-Za-z0-9.-]+$/.test(input.proxy.host) || !(input.proxy.port >= 1 && input.proxy.port <= 65535))) {
        throw new Error(`proxy: ${JSON.stringify(input.proxy)} needs a host name and a port between 1 and 65535`);
    }
    const alias = input.keyAlias ?? DEFAULT_KEY_ALIAS;
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(alias)) throw new Error(`keyAlias: ${JSON.stringify(alias)} must be lower-case letters, digits, '.', '_' or '-'`);
    if (alias === "wso2carbon") throw new Error(`keyAlias: "wso2carbon" is the public default key's alias`);
}

function clusteringTable(spec: ProductSpec, membership: ClusterMembership): Record<string, unknown> {
    const table: Record<string, unknown> = {
        domain: `wso2.${spec.id}.domain`,
        local_member_port: String(spec.clusteringPorts[0]),
    };
    switch (membership.scheme) {
        case "aws":
            return {
                ...table,
                membership_scheme: "aws",
                // Credentials come from the instance profile; discovery is limited to the cluster's tag.
                properties: { region: membership.region, tagKey: membership.tagKey, tagValue: membership.tagValue },
            };
        case "wka":
            if (membership.members.length === 0) throw new Error("clustering.members: at least one member is needed for wka");
            return { ...table, membership_scheme: "wka", members: membership.members };
        case "kubernetes":
            return {
                ...table,
                membership_scheme: "kubernetes",
                properties: {
                    membershipSchemeClassName: "org.wso2.carbon.membership.scheme.kubernetes.KubernetesMembershipScheme",
                    KUBERNETES_NAMESPACE: membership.namespace,
                    KUBERNETES_SERVICES: membership.services.join(","),
                },
            };
    }
}

/**
 * `deployment.toml` of API-M, MI or IS (PROD-HOSTNAME, PROD-ADMIN-CREDENTIALS, PROD-SECURE-VAULT,
 * PROD-TLS-STRONG, PROD-WEAK-CIPHERS, PROD-SERVER-HEADER, PROD-HSTS, PROD-KEYSTORE, PROD-SESSION-CLEANUP,
 * PROD-PROXY, NET-PROXY-HOSTNAME).
 */
export function renderDeploymentToml(input: ProductConfigInput): string {
    const spec = input.product;
    if (spec.layout.configFormat !== "toml") {
        throw new Error(`product: ${spec.id} is configured with ${basename(spec.layout.configFile)}, not deployment.toml (use renderSiDeploymentYaml)`);
    }
    validate(input);
    const alias = input.keyAlias ?? DEFAULT_KEY_ALIAS;
    const protocols = TLS_PROTOCOLS.join(",");
    const ciphers = STRONG_TLS_CIPHERS.join(",");
    const keystoreFile = basename(spec.layout.keystore);
    const truststoreFile = basename(spec.layout.truststore);
    const keystore = {
        file_name: keystoreFile,
        type: keystoreType(keystoreFile),
        password: secret(SECURE_VAULT_ALIASES.keystorePassword),
        alias,
        key_password: secret(SECURE_VAULT_ALIASES.keystorePassword),
    };
    const doc: Record<string, unknown> = {
        server: { hostname: input.hostname, ...(spec.id === "apim" ? { server_role: "default" } : {}) },
        super_admin: {
            username: `$env{${ADMIN_USERNAME_ENV}}`,
            password: secret(SECURE_VAULT_ALIASES.adminPassword),
            create_admin_account: true,
        },
        keystore: { tls: keystore, primary: keystore, internal: keystore },
        truststore: {
            file_name: truststoreFile,
            type: keystoreType(truststoreFile),
            password: secret(SECURE_VAULT_ALIASES.keystorePassword),
        },
    };

    // [transport.http]: WSDL endpoint prefix and outbound proxy (documented for the PassThrough sender).
    const listener: Record<string, unknown> = { wsdl_epr_prefix: "$ref{server.hostname}" };
    const sender: Record<string, unknown> = {};
    if (input.proxy) Object.assign(sender, { proxy_host: input.proxy.host, proxy_port: input.proxy.port });
    const transport: Record<string, unknown> = {};

    if (spec.id === "mi") {
        // MI's HTTPS listener is the PassThrough transport; its TLS settings live in [transport.http].
        Object.assign(listener, { secured_protocols: protocols, preferred_ciphers: ciphers });
        Object.assign(sender, { secured_protocols: protocols, preferred_ciphers: ciphers });
    } else {
        transport.https = {
            properties: {
                proxyPort: input.publicPort ?? 443,
                server: NEUTRAL_SERVER_HEADER,
                ...TOMCAT_URI_HARDENING,
            },
            sslHostConfig: { properties: { protocols, ciphers, honorCipherOrder: true } },
        };
        if (spec.id === "apim") {
            const passthru = { HttpsProtocols: protocols, PreferredCiphers: ciphers };
            transport.passthru_https = { listener: { parameters: passthru }, sender: { parameters: passthru } };
        }
    }
    transport.http = { listener, ...(Object.keys(sender).length > 0 ? { sender } : {}) };
    doc.transport = transport;

    if (spec.id !== "mi" && input.hsts !== false) {
        // The login and recovery web apps take their security-header filter from deployment.toml.
        const filter = {
            parameters: [
                { name: "hstsEnabled", value: "true" },
                { name: "hstsMaxAgeSeconds", value: String(HSTS_MAX_AGE_SECONDS) },
                { name: "hstsIncludeSubDomains", value: "true" },
            ],
        };
        doc.authenticationendpoint = { tomcat: { http_header_security_filter: filter } };
        doc.accountrecoveryendpoint = { tomcat: { http_header_security_filter: filter } };
    }
    if (spec.sessionCleanup) {
        doc.session_data = { cleanup: { enable_expired_data_cleanup: true, clean_expired_session_data_in_chunks_of: 8192 } };
    }
    if (input.clustering && spec.clusteringPorts.length > 0) {
        doc.clustering = clusteringTable(spec, input.clustering);
    }
    return (
        `# ${spec.name} ${input.productVersion || spec.defaultVersion}: rendered by wso2-hardening. Passwords are Secure Vault\n` +
        `# references; the node's secrets step defines them (encrypted) and the admin name comes from ${ADMIN_USERNAME_ENV}.\n` +
        stringifyToml(doc) +
        "\n"
    );
}

/**
 * Overlay merged into SI's `conf/server/deployment.yaml` (maps merge key by key; listener lists merge by
 * `id`): TLS 1.2+ with strong ciphers on the HTTPS listener, the node's keystore, its password from Secure
 * Vault (`${sec:alias}`), and minimum-HA clustering when configured. SI has no outbound-proxy setting here.
 */
export function renderSiDeploymentYaml(input: ProductConfigInput): string {
    const spec = input.product;
    if (spec.layout.configFormat !== "yaml") throw new Error(`product: ${spec.id} is configured with deployment.toml (use renderDeploymentToml)`);
    validate(input);
    const sec = (a: string) => `\${sec:${a}}`;
    const keystorePath = `\${carbon.home}/${spec.layout.keystore}`;
    const doc: Record<string, unknown> = {
        "wso2.transport.http": {
            listenerConfigurations: [
                {
                    id: "msf4j-https",
                    host: "0.0.0.0",
                    port: spec.trafficPort,
                    scheme: "https",
                    keyStoreFile: keystorePath,
                    keyStorePassword: sec(SECURE_VAULT_ALIASES.keystorePassword),
                    certPass: sec(SECURE_VAULT_ALIASES.keystorePassword),
                    parameters: [
                        { name: "sslEnabledProtocols", value: TLS_PROTOCOLS.join(",") },
                        { name: "ciphers", value: STRONG_TLS_CIPHERS.join(",") },
                    ],
                },
            ],
        },
    };
    if (input.clustering && spec.clusteringPorts.length > 0) {
        // Minimum HA: two nodes coordinate through the database; the active one syncs events to the passive.
        doc["cluster.config"] = {
            enabled: true,
            groupId: `wso2-${spec.id}`,
            coordinationStrategyClass: "org.wso2.carbon.cluster.coordinator.rdbms.RDBMSCoordinationStrategy",
        };
        doc["deployment.config"] = { type: "ha", eventSyncServer: { host: "0.0.0.0", port: spec.clusteringPorts[0] } };
    }
    return `# ${spec.name}: overlay for conf/server/deployment.yaml, rendered by wso2-hardening.\n` + stringifyYaml(doc);
}
