/**
 * The product's own configuration: the hardening overlay of `deployment.toml` for API-M, MI and IS, and of
 * `conf/server/deployment.yaml` for SI. The node merges the overlay into the distribution's shipped file
 * (components/host/node/merge-config.py): every section the overlay does not write (datasources, user
 * stores, gateway environments) stays as shipped. Every key written is one the configuration model
 * (products/model) says that product version reads; rendering throws otherwise.
 * Secrets are never inline: passwords are Secure Vault references (`$secret{alias}`, SI `${sec:alias}`) that
 * the secrets step on the node defines and encrypts; names and addresses known only at boot come from the
 * environment the unit sets (`$env{...}`).
 */
import { stringify as stringifyToml } from "smol-toml";
import { stringify as stringifyYaml } from "yaml";
import type { ProductSpec } from "../../products";
import { modelReads, productModel, STRONG_TLS_CIPHERS, TLS_PROTOCOLS, type ProductModel } from "../../products/model";

export { STRONG_TLS_CIPHERS, TLS_PROTOCOLS };

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

/** Secure Vault aliases the rendered configuration refers to; the node's secrets step defines each one. */
export const SECURE_VAULT_ALIASES = {
    adminPassword: "admin_password",
    keystorePassword: "keystore_password",
    /** Symmetric key replacing the published default (`[encryption] key` of IS and MI). */
    encryptionKey: "encryption_key",
    /** IS: the authentication endpoint's app password, replacing the shipped `dashboard`. */
    appPassword: "app_password",
} as const;

/** Environment variable (set by the secrets step) holding the SHA-256 of IS's app password. */
export const APP_PASSWORD_HASH_ENV = "WSO2_APP_PASSWORD_HASH";

/** Environment variable (set by the unit from the admin secret) holding the super admin's name. */
export const ADMIN_USERNAME_ENV = "WSO2_ADMIN_USERNAME";

/** Environment variable (set by the secrets step at boot) holding the node's own private address. */
export const NODE_IP_ENV = "WSO2_NODE_IP";

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
    /** Empty: the catalog's version. Must be a version the configuration model knows. */
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
    /**
     * Address this node advertises to cluster members and as `server.node_ip`: the node's own, never
     * loopback. @default "$env{WSO2_NODE_IP}" (the secrets step writes it from the instance metadata at boot)
     */
    nodeAddress?: string;
    /**
     * Flat `[database.*]` keys to include (the datasource renderer's output); absent: the distribution's
     * shipped datasource sections stay as they are.
     */
    databases?: Record<string, unknown>;
    /**
     * Flat keys a file that replaces the shipped deployment.toml as a whole carries in place of the shipped
     * ones (the Kubernetes ConfigMap: products/model `completeFileKeys`); a key the overlay sets keeps the
     * overlay's value. Absent: an overlay, merged into the shipped file on the node.
     */
    inPlaceOfShipped?: Record<string, unknown>;
}

export const DEFAULT_KEY_ALIAS = "wso2node";

/**
 * Alias of the RSA key in SI's Secure Vault keystore (`layout.secureVault.keystore`): the overlay points
 * the vault at it and the secrets step generates it, replacing the shipped store and its published key.
 */
export const SECURE_VAULT_KEY_ALIAS = "wso2vault";

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
    const address = input.nodeAddress;
    if (address !== undefined && (/^127\.|^localhost$|^::1$|^0\.0\.0\.0$/.test(address) || !/^[A-Za-z0-9.:${}_-]+$/.test(address))) {
        throw new Error(`nodeAddress: ${JSON.stringify(address)} must be the node's own address (not loopback or a wildcard)`);
    }
    if (input.publicPort !== undefined && !(Number.isInteger(input.publicPort) && input.publicPort >= 1 && input.publicPort <= 65535)) {
        throw new Error(`publicPort: ${input.publicPort} must be a port between 1 and 65535`);
    }
}

/** The model of the input's product and version (throws naming productVersion for an unknown version). */
export function configModel(input: Pick<ProductConfigInput, "product" | "productVersion">): ProductModel {
    return productModel(input.product.id, input.productVersion || input.product.defaultVersion);
}

/**
 * Flat keys collected for one file: `put` refuses a key the model says the product version does not read,
 * so nothing is written that the product would silently ignore.
 */
class FlatConfig {
    readonly values = new Map<string, unknown>();
    constructor(readonly model: ProductModel) {}
    put(key: string, value: unknown): void {
        if (!modelReads(this.model, key)) {
            throw new Error(`${this.model.product} ${this.model.version} reads no ${key}: the renderer must not write it`);
        }
        this.values.set(key, value);
    }
    /** Nested tables as TOML writes them (`a.b.c` -> `[a.b] c`). */
    toDocument(): Record<string, unknown> {
        const doc: Record<string, unknown> = {};
        for (const [key, value] of this.values) {
            const parts = key.split(".");
            let node = doc;
            for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
            node[parts[parts.length - 1]] = value;
        }
        return doc;
    }
}

/**
 * The store type, written only where it differs from the version's default (IS 7.1 defaults to PKCS12):
 * the node's user data is limited to 16 KiB compressed, so the overlay carries no default.
 */
function putStoreType(c: FlatConfig, key: string, file: string): void {
    if (keystoreType(file) !== c.model.shippedStores.type) c.put(key, keystoreType(file));
}

function wsdlPrefix(input: ProductConfigInput): string {
    const port = input.publicPort ?? 443;
    return `https://${input.hostname}${port === 443 ? "" : `:${port}`}`;
}

function putClustering(c: FlatConfig, spec: ProductSpec, model: ProductModel, membership: ClusterMembership, nodeAddress: string): void {
    c.put("clustering.domain", `wso2.${spec.id}.domain`);
    c.put("clustering.local_member_host", nodeAddress);
    c.put("clustering.local_member_port", String(spec.clusteringPorts[0]));
    switch (membership.scheme) {
        case "aws": {
            const names = model.awsMembership;
            if (!names) throw new Error(`clustering: ${spec.id} ${model.version} has no AWS membership scheme`);
            c.put("clustering.membership_scheme", "aws");
            // Credentials come from the instance profile; discovery is limited to the cluster's tag.
            c.put(`clustering.properties.${names.region}`, membership.region);
            c.put(`clustering.properties.${names.tagKey}`, membership.tagKey);
            c.put(`clustering.properties.${names.tagValue}`, membership.tagValue);
            return;
        }
        case "wka":
            if (membership.members.length === 0) throw new Error("clustering.members: at least one member is needed for wka");
            c.put("clustering.membership_scheme", "wka");
            c.put("clustering.members", membership.members);
            return;
        case "kubernetes":
            c.put("clustering.membership_scheme", "kubernetes");
            c.put("clustering.properties.membershipSchemeClassName", "org.wso2.carbon.membership.scheme.kubernetes.KubernetesMembershipScheme");
            c.put("clustering.properties.KUBERNETES_NAMESPACE", membership.namespace);
            c.put("clustering.properties.KUBERNETES_SERVICES", membership.services.join(","));
            return;
    }
}

/** Keys common to the Carbon 4 kernel products (API-M, IS): Tomcat connectors, stores, console headers. */
function putKernel(c: FlatConfig, input: ProductConfigInput, nodeAddress: string): void {
    const protocols = TLS_PROTOCOLS.join(",");
    const ciphers = STRONG_TLS_CIPHERS.join(",");
    const keystoreFile = basename(input.product.layout.keystore);
    const truststoreFile = basename(input.product.layout.truststore);
    c.put("server.node_ip", nodeAddress);
    // The templates prefix repository/resources/security/ to these names.
    c.put("keystore.primary.file_name", keystoreFile);
    putStoreType(c, "keystore.primary.type", keystoreFile);
    c.put("keystore.primary.password", secret(SECURE_VAULT_ALIASES.keystorePassword));
    c.put("keystore.primary.alias", input.keyAlias ?? DEFAULT_KEY_ALIAS);
    c.put("keystore.primary.key_password", secret(SECURE_VAULT_ALIASES.keystorePassword));
    // The TLS keystore is the primary one, said explicitly: API-M ships a [keystore.tls] naming the default
    // key's alias and password, which the merge would keep, leaving the connectors to open the node's
    // keystore with wso2carbon.
    c.put("keystore.tls.file_name", keystoreFile);
    putStoreType(c, "keystore.tls.type", keystoreFile);
    c.put("keystore.tls.password", secret(SECURE_VAULT_ALIASES.keystorePassword));
    c.put("keystore.tls.alias", input.keyAlias ?? DEFAULT_KEY_ALIAS);
    c.put("keystore.tls.key_password", secret(SECURE_VAULT_ALIASES.keystorePassword));
    c.put("truststore.file_name", truststoreFile);
    putStoreType(c, "truststore.type", truststoreFile);
    c.put("truststore.password", secret(SECURE_VAULT_ALIASES.keystorePassword));
    c.put("transport.https.properties.proxyPort", input.publicPort ?? 443);
    c.put("transport.https.properties.server", NEUTRAL_SERVER_HEADER);
    for (const [k, v] of Object.entries(TOMCAT_URI_HARDENING)) c.put(`transport.https.properties.${k}`, v);
    c.put("transport.http.properties.server", NEUTRAL_SERVER_HEADER);
    c.put("transport.https.sslHostConfig.properties.protocols", protocols);
    c.put("transport.https.sslHostConfig.properties.ciphers", ciphers);
    c.put("transport.https.sslHostConfig.properties.honorCipherOrder", true);
    if (input.hsts !== false) c.put("http_header_security_filter.hsts.enabled", true);
    if (input.product.sessionCleanup) {
        c.put("session_data.cleanup.enable_expired_data_cleanup", true);
        c.put("session_data.cleanup.clean_expired_session_data_in_chunks_of", 8192);
    }
}

function putApim(c: FlatConfig, input: ProductConfigInput): void {
    const protocols = TLS_PROTOCOLS.join(",");
    const ciphers = STRONG_TLS_CIPHERS.join(",");
    for (const side of ["listener", "sender"]) {
        c.put(`transport.passthru_https.${side}.parameters.HttpsProtocols`, protocols);
        c.put(`transport.passthru_https.${side}.parameters.PreferredCiphers`, ciphers);
    }
    c.put("transport.http.listener.wsdl_epr_prefix", wsdlPrefix(input));
    c.put("transport.http.listener.secured_wsdl_epr_prefix", wsdlPrefix(input));
    // Throttling events from gateways (9711), secure WebSocket (8099) and the traffic manager's AMQP over TLS.
    c.put("transport.binary.receiver.sslEnabledProtocols", [...TLS_PROTOCOLS]);
    c.put("transport.binary.receiver.ciphers", [...STRONG_TLS_CIPHERS]);
    c.put("apim.wss.ssl_enabled_protocols", protocols);
    c.put("apim.wss.ciphers", ciphers);
    c.put("broker.transport.amqp.ssl_connection.ssl_enabled_protocols", protocols);
    c.put("broker.transport.amqp.ssl_connection.ciphers", ciphers);
    if (input.proxy) {
        c.put("transport.http.sender.proxy_host", input.proxy.host);
        c.put("transport.http.sender.proxy_port", input.proxy.port);
    }
}

function putIs(c: FlatConfig): void {
    // IS encrypts with a symmetric key; the distribution's default is published.
    c.put("encryption.key", secret(SECURE_VAULT_ALIASES.encryptionKey));
    // The shipped app password (`dashboard`) and its hash are public; both come from the node's secrets.
    c.put("identity.auth_framework.endpoint.app_password", secret(SECURE_VAULT_ALIASES.appPassword));
    c.put("account_recovery.endpoint.auth.hash", `$env{${APP_PASSWORD_HASH_ENV}}`);
}

function putMi(c: FlatConfig, input: ProductConfigInput): void {
    const spec = input.product;
    const protocols = TLS_PROTOCOLS.join(",");
    const ciphers = STRONG_TLS_CIPHERS.join(",");
    // MI resolves store paths against its home and reads only [keystore.primary].
    c.put("keystore.primary.file_name", spec.layout.keystore);
    putStoreType(c, "keystore.primary.type", spec.layout.keystore);
    c.put("keystore.primary.password", secret(SECURE_VAULT_ALIASES.keystorePassword));
    c.put("keystore.primary.alias", input.keyAlias ?? DEFAULT_KEY_ALIAS);
    c.put("keystore.primary.key_password", secret(SECURE_VAULT_ALIASES.keystorePassword));
    c.put("truststore.file_name", spec.layout.truststore);
    putStoreType(c, "truststore.type", spec.layout.truststore);
    c.put("truststore.password", secret(SECURE_VAULT_ALIASES.keystorePassword));
    for (const side of ["listener", "sender"]) {
        c.put(`transport.https.${side}.parameter.HttpsProtocols`, protocols);
        c.put(`transport.https.${side}.parameter.PreferredCiphers`, ciphers);
    }
    c.put("transport.http.listener.secured_wsdl_epr_prefix", wsdlPrefix(input));
    c.put("internal_api_ssl_config.parameter.httpsProtocols", protocols);
    c.put("internal_api_ssl_config.parameter.preferredCiphers", ciphers);
    // The management API answers on HTTPS only; 9201 keeps only the readiness and liveness probes.
    c.put("management_api.protocols", "https");
    // The management API's file user store holds the super admin from the secrets, instead of admin/admin.
    c.put("internal_apis.users", [{ user: { name: `$env{${ADMIN_USERNAME_ENV}}`, password: secret(SECURE_VAULT_ALIASES.adminPassword), is_admin: true } }]);
    c.put("encryption.key", secret(SECURE_VAULT_ALIASES.encryptionKey));
    if (input.proxy) {
        c.put("transport.http.sender.proxy_host", input.proxy.host);
        c.put("transport.http.sender.proxy_port", input.proxy.port);
        c.put("transport.http.sender.secured_proxy_host", input.proxy.host);
        c.put("transport.http.sender.secured_proxy_port", input.proxy.port);
    }
}

function buildDeploymentToml(input: ProductConfigInput): FlatConfig {
    const spec = input.product;
    if (spec.layout.configFormat !== "toml") {
        throw new Error(`product: ${spec.id} is configured with ${basename(spec.layout.configFile)}, not deployment.toml (use renderSiDeploymentYaml)`);
    }
    validate(input);
    const model = configModel(input);
    const nodeAddress = input.nodeAddress ?? `$env{${NODE_IP_ENV}}`;
    const c = new FlatConfig(model);
    c.put("server.hostname", input.hostname);
    c.put("super_admin.username", `$env{${ADMIN_USERNAME_ENV}}`);
    c.put("super_admin.password", secret(SECURE_VAULT_ALIASES.adminPassword));
    c.put("super_admin.create_admin_account", true);
    if (spec.id === "mi") {
        putMi(c, input);
    } else {
        putKernel(c, input, nodeAddress);
        if (spec.id === "apim") putApim(c, input);
        else putIs(c);
    }
    if (input.clustering && spec.clusteringPorts.length > 0) putClustering(c, spec, model, input.clustering, nodeAddress);
    for (const [key, value] of Object.entries(input.databases ?? {})) c.put(key, value);
    for (const [key, value] of Object.entries(input.inPlaceOfShipped ?? {})) if (!c.values.has(key)) c.put(key, value);
    return c;
}

/** The flat keys of the overlay, each one the model says the product version reads. */
export function deploymentTomlKeys(input: ProductConfigInput): Map<string, unknown> {
    return buildDeploymentToml(input).values;
}

/**
 * Hardening overlay of `deployment.toml` for API-M, MI or IS (PROD-HOSTNAME, PROD-ADMIN-CREDENTIALS,
 * PROD-SECURE-VAULT, PROD-TLS-STRONG, PROD-WEAK-CIPHERS, PROD-SERVER-HEADER, PROD-HSTS, PROD-KEYSTORE,
 * PROD-SESSION-CLEANUP, PROD-PROXY, NET-PROXY-HOSTNAME). The node merges it into the shipped file.
 */
export function renderDeploymentToml(input: ProductConfigInput): string {
    const config = buildDeploymentToml(input);
    const what = input.inPlaceOfShipped ? "complete file, in place of the shipped one" : "overlay, merged into the shipped file on the node";
    return (
        `# ${input.product.name} ${configModel(input).version}: wso2-hardening ${what}.\n` +
        stringifyToml(config.toDocument()) +
        "\n"
    );
}

/** Listener ids of SI's HTTP sections whose plain listener is kept on loopback. */
const SI_HTTP_SECTIONS = ["wso2.transport.http", "siddhi.stores.query.api"] as const;

/**
 * Overlay merged into SI's `conf/server/deployment.yaml` (maps merge key by key; listener and receiver
 * lists merge by `id` or receiver type; other lists are replaced): TLS 1.2+ with strong ciphers on every
 * HTTPS listener and event receiver, the node's keystore with its password from Secure Vault
 * (`${sec:alias}`, defined in secrets.properties by the secrets step; the vault's keystore, key alias and
 * files named after `layout.secureVault`), plain HTTP listeners on loopback, the
 * admin user from the environment and Secure Vault instead of admin/admin, and minimum-HA clustering.
 */
export function renderSiDeploymentYaml(input: ProductConfigInput): string {
    const spec = input.product;
    if (spec.layout.configFormat !== "yaml") throw new Error(`product: ${spec.id} is configured with deployment.toml (use renderDeploymentToml)`);
    validate(input);
    const model = configModel(input);
    const sec = (a: string) => `\${sec:${a}}`;
    const keystorePath = `\${carbon.home}/${spec.layout.keystore}`;
    const tlsParams = [
        { name: "sslEnabledProtocols", value: TLS_PROTOCOLS.join(",") },
        { name: "ciphers", value: STRONG_TLS_CIPHERS.join(",") },
    ];
    const httpsListener = (port: number) => ({
        id: "msf4j-https",
        host: "0.0.0.0",
        port,
        scheme: "https",
        keyStoreFile: keystorePath,
        keyStorePassword: sec(SECURE_VAULT_ALIASES.keystorePassword),
        certPass: sec(SECURE_VAULT_ALIASES.keystorePassword),
        parameters: tlsParams,
    });
    const httpsPorts: Record<(typeof SI_HTTP_SECTIONS)[number], number> = { "wso2.transport.http": spec.trafficPort, "siddhi.stores.query.api": 7443 };
    const doc: Record<string, unknown> = {};
    for (const section of SI_HTTP_SECTIONS) {
        // The plain `default` listener stays for local tools only.
        doc[section] = { listenerConfigurations: [{ id: "default", host: "127.0.0.1" }, httpsListener(httpsPorts[section])] };
    }
    const receiverTls = { sslEnabledProtocols: TLS_PROTOCOLS.join(","), ciphers: STRONG_TLS_CIPHERS.join(",") };
    doc["databridge.config"] = {
        keyStoreLocation: `\${sys:carbon.home}/${spec.layout.keystore}`,
        keyStorePassword: sec(SECURE_VAULT_ALIASES.keystorePassword),
        dataReceivers: ["Thrift", "Binary"].map((type) => ({ dataReceiver: { type, properties: receiverTls } })),
    };
    doc["auth.configs"] = {
        type: "local",
        userManager: {
            adminRole: "admin",
            userStore: {
                // SI's local store keeps the password base64-encoded: the secret entry holds that encoding.
                users: [{ user: { username: `\${env:${ADMIN_USERNAME_ENV}}`, password: sec(SECURE_VAULT_ALIASES.adminPassword), roles: 1 } }],
                roles: [{ role: { id: 1, displayName: "admin" } }],
            },
        },
    };
    const vault = spec.layout.secureVault;
    if (vault) {
        // The vault's own keystore, key and files, as the secrets step writes them (repository and reader
        // types stay as shipped).
        const home = (p: string) => `\${sys:carbon.home}/${p}`;
        doc["wso2.securevault"] = {
            secretRepository: { parameters: { privateKeyAlias: SECURE_VAULT_KEY_ALIAS, keystoreLocation: home(vault.keystore), secretPropertiesFile: home(vault.secretsFile) } },
            masterKeyReader: { parameters: { masterKeyReaderFile: home(vault.masterKeysFile) } },
        };
    }
    if (input.clustering && spec.clusteringPorts.length > 0) {
        // Minimum HA: two nodes coordinate through the database; the active one syncs events to the passive.
        doc["cluster.config"] = {
            enabled: true,
            groupId: `wso2-${spec.id}`,
            coordinationStrategyClass: "org.wso2.carbon.cluster.coordinator.rdbms.RDBMSCoordinationStrategy",
        };
        doc["deployment.config"] = {
            type: "ha",
            eventSyncServer: { host: "0.0.0.0", port: spec.clusteringPorts[0], advertisedHost: input.nodeAddress ?? `\${env:${NODE_IP_ENV}}`, advertisedPort: spec.clusteringPorts[0] },
        };
    }
    return `# ${spec.name} ${model.version}: overlay merged into conf/server/deployment.yaml on the node, rendered by wso2-hardening.\n` + stringifyYaml(doc);
}
