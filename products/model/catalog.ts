/**
 * The model of WSO2's configuration, per product and version: which keys the product reads, the
 * security-relevant defaults in force when a key is absent, and how relative paths resolve. Facts read from
 * WSO2's public sources (carbon-kernel's config mapper defaults at the kernel each product ships, the
 * products' own defaults and templates, SI's shipped deployment.yaml); the source of each is named beside
 * it. Pure data: nothing here imports Pulumi or a component.
 */
import type { ProductId } from "../index";
import { loadKeys, loadShippedKeys, type KeySet, type ShippedKey } from "./keys";

/** A TLS endpoint of the product and the keys that shape it. */
export interface TlsTransport {
    id: string;
    /** What it is and where it listens, in a sentence. */
    description: string;
    port?: number;
    direction: "inbound" | "outbound";
    /** Key of the protocol list; absent: no key of this version changes it. */
    protocolsKey?: string;
    /** Other spellings the config mapper maps onto `protocolsKey` (key-mappings.json). */
    protocolsAliases?: string[];
    /** How the list is written: a JSSE comma list, a TOML array, or Tomcat's `+X,-Y` syntax. */
    protocolsSyntax: "jsse" | "array" | "tomcat";
    /** In force when the key is absent; `jvm`: the Java runtime's own defaults. */
    protocolsDefault: string[] | "jvm";
    ciphersKey?: string;
    ciphersAliases?: string[];
    ciphersSyntax: "jsse" | "array";
    ciphersDefault: string[] | "jvm";
    /** Key that turns the transport on or off, with its default. */
    enabledKey?: string;
    enabledDefault: boolean;
}

/** A listener that speaks plain text. */
export interface PlaintextTransport {
    id: string;
    description: string;
    port: number;
    /** Key that turns it off; absent: every start of this version opens it. */
    enabledKey?: string;
    /** Value of `enabledKey` that turns it off (`false`, or e.g. `"https"` for a protocol list). */
    offValue?: unknown;
    /** Whether the product opens it when the key is absent. */
    enabledDefault: boolean;
    /** What keeps it from being reached when no key can close it. */
    containedBy: string;
}

/** A value WSO2 publishes (or ships) that must never stay in a production configuration. */
export interface DefaultSecret {
    key: string;
    /** Values that are public; `undefined` in the list: the key's absence keeps the default. */
    publicValues: string[];
    /** Whether the public value is in force when the key is absent. */
    defaultInForce: boolean;
    what: string;
    /** Set when no key can change it: what contains the weakness instead. */
    containedBy?: string;
}

/** A key the guidelines need present. */
export interface RequiredKey {
    key: string;
    guideline: string;
    why: string;
    severity: "error" | "warning";
}

export interface ProductModel {
    product: ProductId;
    version: string;
    /** carbon-kernel tag whose config mapper and templates the version ships (none for SI). */
    kernel?: string;
    format: "toml" | "yaml";
    /** Keys the version reads (derived from its sources), and namespaces read by feature templates. */
    keys: KeySet;
    /**
     * Sections read mostly by feature templates outside the extracted sources (e.g. carbon-apimgt's
     * api-manager template for `[apim]`): a key there the model does not list is only noted.
     */
    partialSections: string[];
    /**
     * Keys read by feature templates the extraction does not enumerate, each confirmed in WSO2's
     * documentation or the product's shipped deployment.toml.
     */
    documentedKeys: string[];
    /**
     * Subtrees the model enumerates completely: a key below one of these that is not listed is ignored by
     * the product (misspelled), whatever a template copies through.
     */
    strict: Record<string, string[]>;
    tls: TlsTransport[];
    plaintext: PlaintextTransport[];
    secrets: DefaultSecret[];
    /** Key that exposes admin service WSDLs, and the value that does. */
    adminWsdl?: { key: string; exposedValue: unknown; default: unknown };
    required: RequiredKey[];
    /** How a keystore or truststore `file_name` resolves. */
    storePaths: { base: "security-dir" | "product-home" | "absolute"; description: string };
    /** Keystore and truststore file names the distribution ships, relative to the product home. */
    shippedStores: { keystore: string; truststore: string; type: "JKS" | "PKCS12" };
    /** Clustering AWS membership scheme: the parameter names of the kernel shipped. */
    awsMembership?: { region: string; tagKey: string; tagValue: string };
    /**
     * Keys of the distribution's shipped deployment.toml that nothing else supplies (no default, a default
     * that refers to them, or a default that differs): derived from the shipped file and the defaults by
     * scripts/model/extract-shipped-keys.mjs. Empty for SI (its shipped file is complete by itself).
     */
    shipped: ShippedKey[];
    /**
     * Shipped keys (or sections, by prefix) that a complete hardened file leaves to the default on purpose,
     * and why; every other `shipped` key must be in a file that replaces the shipped one.
     */
    leftToDefault: { key: string; why: string }[];
}

// ----------------------------------------------------------------------------------------------------------
// Shared facts of the Carbon 4 kernel (API-M, IS): default.json and the Tomcat and Axis2 templates.

/** Tomcat SSLHostConfig attributes (Tomcat 9 configuration reference); WSO2 copies the map verbatim. */
const TOMCAT_SSL_HOST_ATTRIBUTES = [
    "caCertificateFile", "caCertificatePath", "certificateRevocationListFile", "certificateRevocationListPath",
    "certificateVerification", "certificateVerificationDepth", "ciphers", "disableCompression",
    "disableSessionTickets", "honorCipherOrder", "hostName", "insecureRenegotiation", "keyManagerAlgorithm",
    "protocols", "revocationEnabled", "sessionCacheSize", "sessionTimeout", "sslProtocol", "trustManagerClassName",
    "truststoreAlgorithm", "truststoreFile", "truststorePassword", "truststoreProvider", "truststoreType",
    "openSslConf", "openSslContext",
];

const SESSION_CLEANUP_KEYS = ["session_data.cleanup.enable_expired_data_cleanup", "session_data.cleanup.clean_expired_session_data_in_chunks_of"];

const STORE_KEYS = ["file_name", "type", "password", "alias", "key_password"];

/** The servlet (Tomcat) HTTPS connector; kernel default.json: `+TLSv1,+TLSv1.1,+TLSv1.2`, no cipher list. */
function servletHttps(protocolsDefault: string[]): TlsTransport {
    return {
        id: "servlet-https",
        description: "Tomcat HTTPS connector on 9443 (management console, portals, REST APIs)",
        port: 9443,
        direction: "inbound",
        protocolsKey: "transport.https.sslHostConfig.properties.protocols",
        protocolsSyntax: "tomcat",
        protocolsDefault,
        ciphersKey: "transport.https.sslHostConfig.properties.ciphers",
        ciphersSyntax: "jsse",
        ciphersDefault: "jvm",
        enabledDefault: true,
    };
}

/** The servlet HTTP connector: the kernel's catalina template always declares it (port 9763). */
const SERVLET_HTTP: PlaintextTransport = {
    id: "servlet-http",
    description: "Tomcat HTTP connector on 9763",
    port: 9763,
    enabledDefault: true,
    containedBy: "the host firewall (9763 is a closed port) and the connector's proxy redirect to 9443",
};

/**
 * The shipped key is known by its alias and password (the file name alone proves nothing: the keystore step
 * writes the node's own key into the file of that name).
 */
function kernelSecrets(truststore: string): DefaultSecret[] {
    return [
        { key: "super_admin.username", publicValues: ["admin"], defaultInForce: false, what: "the shipped super admin name" },
        { key: "super_admin.password", publicValues: ["admin"], defaultInForce: false, what: "the shipped super admin password" },
        { key: "keystore.primary.password", publicValues: ["wso2carbon"], defaultInForce: true, what: "the shipped keystore password" },
        { key: "keystore.primary.key_password", publicValues: ["wso2carbon"], defaultInForce: true, what: "the shipped private key password" },
        { key: "keystore.primary.alias", publicValues: ["wso2carbon"], defaultInForce: true, what: "the alias of the public default key" },
        // Absent, these follow keystore.primary (the kernel's defaults refer to it); set, they are judged themselves.
        ...["tls", "internal"].flatMap((store): DefaultSecret[] => [
            { key: `keystore.${store}.password`, publicValues: ["wso2carbon"], defaultInForce: false, what: `the shipped ${store} keystore password` },
            { key: `keystore.${store}.key_password`, publicValues: ["wso2carbon"], defaultInForce: false, what: `the shipped ${store} private key password` },
            { key: `keystore.${store}.alias`, publicValues: ["wso2carbon"], defaultInForce: false, what: `the alias of the public default key, as the ${store} key` },
        ]),
        { key: "truststore.password", publicValues: ["wso2carbon"], defaultInForce: true, what: "the shipped truststore password" },
        { key: "truststore.file_name", publicValues: [], defaultInForce: false, what: `the shipped truststore (${truststore})` },
    ];
}

const KERNEL_STRICT: Record<string, string[]> = {
    "transport.https.sslHostConfig.properties": TOMCAT_SSL_HOST_ATTRIBUTES,
    "keystore.primary": STORE_KEYS,
    "keystore.tls": STORE_KEYS,
    "keystore.internal": STORE_KEYS,
    truststore: ["file_name", "type", "password", "algorithm"],
    super_admin: ["username", "password", "admin_role", "create_admin_account"],
};

const KERNEL_REQUIRED: RequiredKey[] = [
    { key: "server.hostname", guideline: "PROD-HOSTNAME", why: "absent, the product calls itself localhost in URLs, WSDLs and tokens", severity: "error" },
    { key: "super_admin.password", guideline: "PROD-ADMIN-CREDENTIALS", why: "the super admin needs its own password", severity: "error" },
    { key: "transport.https.properties.server", guideline: "PROD-SERVER-HEADER", why: "absent, 9443 announces \"WSO2 Carbon Server\"", severity: "warning" },
    { key: "transport.http.properties.server", guideline: "PROD-SERVER-HEADER", why: "absent, 9763 announces \"WSO2 Carbon Server\"", severity: "warning" },
    { key: "http_header_security_filter.hsts.enabled", guideline: "PROD-HSTS", why: "the kernel's default is false: the console sends no HSTS header", severity: "warning" },
];

// ----------------------------------------------------------------------------------------------------------
// API Manager 4.3.0 (kernel 4.9.26) and 4.5.0 (kernel 4.9.28): product-apim default.json.

/** product-apim default.json: binary event receiver (traffic manager) CBC suites. */
const APIM_BINARY_RECEIVER_CIPHERS = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
];

function apim(version: string, kernel: string): ProductModel {
    const passthru = (side: "listener" | "sender", port?: number): TlsTransport => ({
        id: `passthru-https-${side}`,
        description: side === "listener" ? "gateway PassThrough HTTPS listener on 8243 (API traffic)" : "gateway PassThrough HTTPS sender (calls to backends)",
        port,
        direction: side === "listener" ? "inbound" : "outbound",
        protocolsKey: `transport.passthru_https.${side}.parameters.HttpsProtocols`,
        protocolsSyntax: "jsse",
        protocolsDefault: ["TLSv1", "TLSv1.1", "TLSv1.2"],
        ciphersKey: `transport.passthru_https.${side}.parameters.PreferredCiphers`,
        ciphersSyntax: "jsse",
        ciphersDefault: "jvm",
        enabledKey: `transport.passthru_https.${side}.enable`,
        enabledDefault: true,
    });
    return {
        product: "apim",
        version,
        kernel,
        format: "toml",
        keys: loadKeys(`apim-${version}`),
        // API-M and IS production checklists: [session_data.cleanup] (identity components' template).
        documentedKeys: SESSION_CLEANUP_KEYS,
        // carbon-apimgt's api-manager template reads [apim]; the identity components' template reads [oauth].
        partialSections: ["apim", "oauth"],
                strict: {
            ...KERNEL_STRICT,
            "transport.passthru_https.listener.parameters": [],
            "transport.passthru_https.sender.parameters": [],
        },
        tls: [
            servletHttps(["TLSv1", "TLSv1.1", "TLSv1.2"]),
            passthru("listener", 8243),
            passthru("sender"),
            {
                id: "binary-receiver-ssl",
                description: "binary event receiver SSL port 9711 (throttling events from gateways)",
                port: 9711,
                direction: "inbound",
                protocolsKey: "transport.binary.receiver.sslEnabledProtocols",
                protocolsSyntax: "array",
                protocolsDefault: ["TLSv1", "TLSv1.1", "TLSv1.2"],
                ciphersKey: "transport.binary.receiver.ciphers",
                ciphersSyntax: "array",
                ciphersDefault: APIM_BINARY_RECEIVER_CIPHERS,
                enabledDefault: true,
            },
            {
                id: "secure-websocket",
                description: "secure WebSocket inbound endpoint on 8099",
                port: 8099,
                direction: "inbound",
                protocolsKey: "apim.wss.ssl_enabled_protocols",
                protocolsSyntax: "jsse",
                protocolsDefault: ["TLSv1.1", "TLSv1.2"],
                ciphersKey: "apim.wss.ciphers",
                ciphersSyntax: "jsse",
                ciphersDefault: "jvm",
                enabledDefault: true,
            },
            {
                id: "amqp-ssl",
                description: "traffic manager AMQP SSL connection on 8672",
                port: 8672,
                direction: "inbound",
                protocolsKey: "broker.transport.amqp.ssl_connection.ssl_enabled_protocols",
                protocolsSyntax: "jsse",
                protocolsDefault: ["TLSv1"],
                ciphersKey: "broker.transport.amqp.ssl_connection.ciphers",
                ciphersSyntax: "jsse",
                ciphersDefault: "jvm",
                enabledKey: "broker.transport.amqp.ssl_connection.enabled",
                enabledDefault: true,
            },
        ],
        plaintext: [
            SERVLET_HTTP,
            {
                id: "passthru-http",
                description: "gateway PassThrough HTTP listener on 8280",
                port: 8280,
                enabledKey: "transport.passthru_http.listener.enable",
                offValue: false,
                enabledDefault: true,
                containedBy: "the host firewall (8280 is a closed port)",
            },
            { id: "websocket", description: "WebSocket inbound endpoint on 9099", port: 9099, enabledDefault: true, containedBy: "the host firewall (9099 is a closed port)" },
            { id: "binary-receiver-tcp", description: "binary event receiver TCP port 9611", port: 9611, enabledDefault: true, containedBy: "the host firewall (9611 accepts cluster members only)" },
            {
                id: "amqp",
                description: "traffic manager AMQP default connection on 5672",
                port: 5672,
                enabledKey: "broker.transport.amqp.default_connection.enabled",
                offValue: false,
                enabledDefault: true,
                containedBy: "the host firewall (5672 accepts cluster members only)",
            },
        ],
        secrets: [
            ...kernelSecrets("client-truststore.jks"),
            { key: "database.mb.store_db.password", publicValues: ["wso2carbon"], defaultInForce: true, what: "the embedded H2 message-broker store's password", containedBy: "the file permissions of repository/database (the H2 file is local to the node)" },
            { key: "apim.throttling.traffic_manager.password", publicValues: ["admin"], defaultInForce: false, what: "the traffic manager's credentials" },
        ],
        adminWsdl: { key: "admin_service.wsdl.enable", exposedValue: true, default: false },
        required: [...KERNEL_REQUIRED],
        storePaths: { base: "security-dir", description: "a file name under repository/resources/security/ (the templates prefix it)" },
        shippedStores: { keystore: "repository/resources/security/wso2carbon.jks", truststore: "repository/resources/security/client-truststore.jks", type: "JKS" },
        // carbon-kernel 4.9.x AWSBasedMembershipScheme reads `tag-key` and `tag-value`.
        awsMembership: { region: "region", tagKey: "tag-key", tagValue: "tag-value" },
        shipped: loadShippedKeys(`apim-${version}`),
        leftToDefault: [
            {
                key: "keystore.tls",
                why: "the kernel's default.json refers every keystore.tls key to keystore.primary ($ref), which holds the node's own key; the shipped values name the public wso2carbon key and its password",
            },
        ],
    };
}

// ----------------------------------------------------------------------------------------------------------
// Identity Server 7.0.0 (kernel 4.10.9) and 7.1.0 (kernel 4.10.42): product-is default.json.

/** product-is default.json `encryption.key`: the same published value in every distribution. */
export const IS_PUBLISHED_ENCRYPTION_KEY = "03BAFEB27A8E871CAD83C5CD4E771DAB";
/** product-is shipped deployment.toml: the authentication endpoint's app password and its SHA-256. */
export const IS_DASHBOARD_APP_PASSWORD = "dashboard";
export const IS_DASHBOARD_APP_PASSWORD_SHA256 = "66cd9688a2ae068244ea01e70f0e230f5623b7fa4cdecb65070a09ec06452262";

function is(version: string, kernel: string, stores: ProductModel["shippedStores"]): ProductModel {
    const truststoreFile = stores.truststore.slice(stores.truststore.lastIndexOf("/") + 1);
    return {
        product: "is",
        version,
        kernel,
        format: "toml",
        keys: loadKeys(`is-${version}`),
        // The shipped deployment.toml carries the app password keys; the checklist documents session cleanup.
        documentedKeys: [...SESSION_CLEANUP_KEYS, "identity.auth_framework.endpoint.app_password", "account_recovery.endpoint.auth.hash"],
        partialSections: [],
                strict: { ...KERNEL_STRICT, encryption: ["key", "type", "algorithm", "alias", "internal_crypto_provider", "enable_key_id"] },
        // product-is default.json overrides the kernel's list with `+TLSv1,+TLSv1.1,+TLSv1.2`.
        tls: [servletHttps(["TLSv1", "TLSv1.1", "TLSv1.2"])],
        plaintext: [SERVLET_HTTP],
        secrets: [
            ...kernelSecrets(truststoreFile),
            { key: "encryption.key", publicValues: [IS_PUBLISHED_ENCRYPTION_KEY], defaultInForce: true, what: "the symmetric encryption key every distribution ships" },
            { key: "identity.auth_framework.endpoint.app_password", publicValues: [IS_DASHBOARD_APP_PASSWORD], defaultInForce: false, what: "the authentication endpoint's shipped app password" },
            { key: "account_recovery.endpoint.auth.hash", publicValues: [IS_DASHBOARD_APP_PASSWORD_SHA256], defaultInForce: false, what: "the SHA-256 of the shipped app password" },
        ],
        adminWsdl: { key: "admin_service.wsdl.enable", exposedValue: true, default: false },
        required: [
            ...KERNEL_REQUIRED,
            // kernel 4.10 default.json: clustering.local_member_host = $ref{server.node_ip}; product-is defines no default.
            { key: "server.node_ip", guideline: "PROD-HOSTNAME", why: "the kernel's defaults refer to it ($ref{server.node_ip}) and IS defines no default: the config mapper aborts", severity: "error" },
            { key: "encryption.key", guideline: "PROD-SECURE-VAULT", why: "absent, IS encrypts with the key every distribution ships", severity: "error" },
        ],
        storePaths: { base: "security-dir", description: "a file name under repository/resources/security/ (the templates prefix it)" },
        shippedStores: stores,
        // carbon-kernel 4.10.x AWSBasedMembershipScheme reads `tagKey` and `tagValue`.
        awsMembership: { region: "region", tagKey: "tagKey", tagValue: "tagValue" },
        shipped: loadShippedKeys(`is-${version}`),
        leftToDefault: [],
    };
}

// ----------------------------------------------------------------------------------------------------------
// Micro Integrator 4.3.0 and 4.4.0: micro-integrator config-tool default.json and key-mappings.json.

/** MI's default `[encryption] key` (config-tool default.json). */
export const MI_DEFAULT_ENCRYPTION_KEY = "SECRET_KEY";

function mi(version: string): ProductModel {
    return {
        product: "mi",
        version,
        format: "toml",
        keys: loadKeys(`mi-${version}`),
        documentedKeys: [],
        partialSections: [],
                strict: {
            "keystore.primary": STORE_KEYS,
            truststore: ["file_name", "type", "password", "alias", "algorithm"],
            super_admin: ["username", "password", "admin_role", "create_admin_account"],
            internal_api_ssl_config: [],
        },
        tls: [
            {
                id: "passthru-https-listener",
                description: "PassThrough HTTPS listener on 8253 (APIs, proxy services)",
                port: 8253,
                direction: "inbound",
                protocolsKey: "transport.https.listener.parameter.HttpsProtocols",
                protocolsAliases: ["transport.http.listener.secured_protocols"],
                protocolsSyntax: "jsse",
                protocolsDefault: ["TLSv1", "TLSv1.1", "TLSv1.2"],
                ciphersKey: "transport.https.listener.parameter.PreferredCiphers",
                ciphersAliases: ["transport.http.listener.preferred_ciphers"],
                ciphersSyntax: "jsse",
                ciphersDefault: "jvm",
                enabledKey: "transport.http.listener.secured_enable",
                enabledDefault: true,
            },
            {
                id: "passthru-https-sender",
                description: "PassThrough HTTPS sender (calls to backends)",
                direction: "outbound",
                protocolsKey: "transport.https.sender.parameter.HttpsProtocols",
                protocolsAliases: ["transport.http.sender.secured_protocols"],
                protocolsSyntax: "jsse",
                protocolsDefault: "jvm",
                ciphersKey: "transport.https.sender.parameter.PreferredCiphers",
                ciphersSyntax: "jsse",
                ciphersDefault: "jvm",
                enabledKey: "transport.http.sender.secured_enable",
                enabledDefault: true,
            },
            {
                id: "internal-api-https",
                description: "internal API HTTPS listener on 9164 (management API)",
                port: 9164,
                direction: "inbound",
                protocolsKey: "internal_api_ssl_config.parameter.httpsProtocols",
                protocolsSyntax: "jsse",
                protocolsDefault: ["TLSv1", "TLSv1.1", "TLSv1.2"],
                ciphersKey: "internal_api_ssl_config.parameter.preferredCiphers",
                ciphersSyntax: "jsse",
                ciphersDefault: "jvm",
                enabledDefault: true,
            },
        ],
        plaintext: [
            {
                id: "passthru-http",
                description: "PassThrough HTTP listener on 8290",
                port: 8290,
                enabledKey: "transport.http.listener.enable",
                offValue: false,
                enabledDefault: true,
                containedBy: "the host firewall (8290 is a closed port)",
            },
            {
                id: "management-api-http",
                description: "management API over the internal HTTP listener on 9201",
                port: 9201,
                enabledKey: "management_api.protocols",
                offValue: "https",
                enabledDefault: true,
                containedBy: "nothing: 9201 is the load balancer's health-check port",
            },
        ],
        secrets: [
            { key: "super_admin.username", publicValues: ["admin"], defaultInForce: true, what: "the default super admin name" },
            { key: "super_admin.password", publicValues: ["admin"], defaultInForce: true, what: "the default super admin password" },
            { key: "keystore.primary.password", publicValues: ["wso2carbon"], defaultInForce: true, what: "the shipped keystore password" },
            { key: "keystore.primary.key_password", publicValues: ["wso2carbon"], defaultInForce: true, what: "the shipped private key password" },
            { key: "keystore.primary.alias", publicValues: ["wso2carbon"], defaultInForce: true, what: "the alias of the public default key" },
            { key: "truststore.password", publicValues: ["wso2carbon"], defaultInForce: true, what: "the shipped truststore password" },
            { key: "encryption.key", publicValues: [MI_DEFAULT_ENCRYPTION_KEY], defaultInForce: true, what: "MI's default encryption key" },
            { key: "internal_apis.users", publicValues: ["admin"], defaultInForce: true, what: "the management API's file user store (admin/admin) while internal_apis.file_user_store.enable is true" },
        ],
        adminWsdl: { key: "server.hide_admin_service_wsdl", exposedValue: false, default: true },
        required: [
            { key: "server.hostname", guideline: "PROD-HOSTNAME", why: "absent, MI calls itself localhost in WSDLs and the management API", severity: "error" },
            { key: "super_admin.password", guideline: "PROD-ADMIN-CREDENTIALS", why: "absent, MI's default admin/admin is in force", severity: "error" },
        ],
        storePaths: { base: "product-home", description: "a path relative to the MI home (repository/resources/security/<file>) or absolute" },
        shippedStores: { keystore: "repository/resources/security/wso2carbon.jks", truststore: "repository/resources/security/client-truststore.jks", type: "JKS" },
        shipped: loadShippedKeys(`mi-${version}`),
        leftToDefault: [],
    };
}

// ----------------------------------------------------------------------------------------------------------
// Streaming Integrator 4.3.0: its shipped conf/server/deployment.yaml (Carbon 5 configuration).

function si(version: string): ProductModel {
    return {
        product: "si",
        version,
        format: "yaml",
        keys: loadKeys(`si-${version}`),
        // Minimum HA (SI documentation and the shipped file's commented two-node sample).
        documentedKeys: ["deployment.config"],
        partialSections: [],
                strict: {},
        tls: [
            {
                id: "msf4j-https",
                description: "HTTPS listener `msf4j-https` of wso2.transport.http on 9443 (Siddhi REST API)",
                port: 9443,
                direction: "inbound",
                protocolsKey: "wso2.transport.http.listenerConfigurations[msf4j-https].parameters[sslEnabledProtocols]",
                protocolsSyntax: "jsse",
                protocolsDefault: "jvm",
                ciphersKey: "wso2.transport.http.listenerConfigurations[msf4j-https].parameters[ciphers]",
                ciphersSyntax: "jsse",
                ciphersDefault: "jvm",
                enabledDefault: true,
            },
            {
                id: "store-api-https",
                description: "HTTPS listener `msf4j-https` of siddhi.stores.query.api on 7443",
                port: 7443,
                direction: "inbound",
                protocolsKey: "siddhi.stores.query.api.listenerConfigurations[msf4j-https].parameters[sslEnabledProtocols]",
                protocolsSyntax: "jsse",
                protocolsDefault: "jvm",
                ciphersKey: "siddhi.stores.query.api.listenerConfigurations[msf4j-https].parameters[ciphers]",
                ciphersSyntax: "jsse",
                ciphersDefault: "jvm",
                enabledDefault: true,
            },
        ],
        plaintext: [
            { id: "http-default", description: "listener `default` of wso2.transport.http on 9090", port: 9090, enabledDefault: true, containedBy: "binding it to 127.0.0.1 and the host firewall" },
            { id: "store-api-http", description: "listener `default` of siddhi.stores.query.api on 7070", port: 7070, enabledDefault: true, containedBy: "binding it to 127.0.0.1 and the host firewall" },
            { id: "databridge-thrift-tcp", description: "Thrift event receiver's TCP port 7611", port: 7611, enabledDefault: true, containedBy: "the host firewall (7611 is a closed port)" },
            { id: "databridge-binary-tcp", description: "binary event receiver's TCP port 9611", port: 9611, enabledDefault: true, containedBy: "the host firewall (9611 is a closed port)" },
        ],
        secrets: [
            { key: "auth.configs.userManager.userStore.users", publicValues: ["admin"], defaultInForce: true, what: "the local user store's admin/admin" },
            { key: "keyStorePassword", publicValues: ["wso2carbon"], defaultInForce: true, what: "the shipped keystore password" },
            { key: "certPass", publicValues: ["wso2carbon"], defaultInForce: true, what: "the shipped private key password" },
            { key: "trustStorePassword", publicValues: ["wso2carbon"], defaultInForce: true, what: "the shipped truststore password" },
            { key: "service.catalog.configs.password", publicValues: ["admin"], defaultInForce: true, what: "the service catalog client's shipped credentials" },
            { key: "wso2.datasources.dataSources[].definition.configuration.password", publicValues: ["wso2carbon"], defaultInForce: true, what: "the embedded H2 databases' password", containedBy: "the file permissions of wso2/server/database (the H2 files are local to the node)" },
        ],
        required: [],
        storePaths: { base: "absolute", description: "a path; ${carbon.home} and ${sys:carbon.home} expand to the SI home" },
        shippedStores: { keystore: "resources/security/wso2carbon.jks", truststore: "resources/security/client-truststore.jks", type: "JKS" },
        shipped: [],
        leftToDefault: [],
    };
}

const JKS_STORES = { keystore: "repository/resources/security/wso2carbon.jks", truststore: "repository/resources/security/client-truststore.jks", type: "JKS" as const };
const PKCS12_STORES = { keystore: "repository/resources/security/wso2carbon.p12", truststore: "repository/resources/security/client-truststore.p12", type: "PKCS12" as const };

/** Every product version the model knows, newest last; the first of each product is the catalog's. */
const BUILDERS: Record<ProductId, Record<string, () => ProductModel>> = {
    apim: { "4.3.0": () => apim("4.3.0", "4.9.26"), "4.5.0": () => apim("4.5.0", "4.9.28") },
    mi: { "4.3.0": () => mi("4.3.0"), "4.4.0": () => mi("4.4.0") },
    is: { "7.0.0": () => is("7.0.0", "4.10.9", JKS_STORES), "7.1.0": () => is("7.1.0", "4.10.42", PKCS12_STORES) },
    si: { "4.3.0": () => si("4.3.0") },
};

const built = new Map<string, ProductModel>();

/** Whether the version reads `key` (enumerated from its sources, documented, or set by its shipped file). */
export function modelReads(model: ProductModel, key: string): boolean {
    return model.keys.has(key) || model.documentedKeys.includes(key) || model.shipped.some((s) => s.key === key);
}

const under = (key: string, prefix: string) => key === prefix || key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[]`);

/**
 * The keys a deployment.toml must hold when it replaces the shipped file as a whole (a Kubernetes
 * ConfigMap, a complete file handed to check-config): every shipped key nothing else supplies, except those
 * the model leaves to the default on purpose.
 */
export function completeFileKeys(model: ProductModel): ShippedKey[] {
    return model.shipped.filter((s) => !model.leftToDefault.some((l) => under(s.key, l.key)));
}

/** Versions of a product the model knows. */
export function modelVersions(product: ProductId): string[] {
    return Object.keys(BUILDERS[product] ?? {});
}

/** The model of one product version; throws naming `productVersion` when the model does not know it. */
export function productModel(product: ProductId, version: string): ProductModel {
    const builders = BUILDERS[product];
    if (!builders) throw new Error(`product: ${JSON.stringify(product)} is not one of ${Object.keys(BUILDERS).join(", ")}`);
    const build = builders[version];
    if (!build) {
        throw new Error(`productVersion: ${product} ${JSON.stringify(version)} is not a version the configuration model knows (${Object.keys(builders).join(", ")})`);
    }
    const id = `${product}-${version}`;
    let model = built.get(id);
    if (!model) built.set(id, (model = build()));
    return model;
}
