/**
 * What each WSO2 product needs from the network and the host: ports by who may reach them, health
 * checks, admin contexts to block at the edge, public paths to allowlist, and its file layout.
 * Values are WSO2's defaults at port offset 0 (WSO2 docs: "Default Product Ports" of API-M 4.3, MI 4.3,
 * IS 7.0 and SI 4.3). Pure data: no Pulumi inside, so host renderers and tests can use it directly.
 */
/** The products the catalog knows. */
export type ProductId = "apim" | "mi" | "is" | "si";

export interface HealthCheck {
    port: number;
    protocol: "HTTP" | "HTTPS";
    path: string;
    /** HTTP codes that mean healthy (ALB matcher syntax). */
    matcher: string;
}

/** A path prefix the edge forwards (the prefix itself and everything below it) to a node port. */
export interface PublicRoute {
    prefix: string;
    port: number;
}

export interface ProductSpec {
    id: ProductId;
    name: string;
    /** Version this catalog entry is written for; used when `productVersion` is empty. */
    defaultVersion: string;
    /** Distribution directory name without version, e.g. `wso2am` -> `/opt/wso2/wso2am-4.3.0`. */
    distribution: string;
    /** Ports the load balancer reaches: traffic ports and the health-check port. */
    servicePorts: number[];
    /** Port the edge forwards API traffic (and `publicPaths`) to. */
    trafficPort: number;
    /** Ports only other members of the same cluster may reach (OS-CLUSTER-PORTS). */
    clusteringPorts: number[];
    /** Ports the product opens that nobody outside the host may reach (plain HTTP, JMX, debug). */
    closedPorts: number[];
    /** Health checks; the first one is the load balancer's and the readiness probe. */
    healthChecks: HealthCheck[];
    /** Liveness check (Kubernetes liveness probe); defaults to the first health check. */
    livenessCheck?: HealthCheck;
    /** Contexts never forwarded from the DMZ (NET-BLOCK-ADMIN-CONTEXTS). */
    adminContexts: string[];
    /** Paths the edge forwards by default; everything else gets the 404 default. */
    publicRoutes: PublicRoute[];
    /** Product layout, relative to the product home. */
    layout: {
        startScript: string;
        configFile: string;
        configFormat: "toml" | "yaml";
        keystore: string;
        truststore: string;
        logDir: string;
        /** Directories the product writes at run time (owned by wso2; everything else read-only). */
        writableDirs: string[];
        /** Deployed artifacts to back up. */
        artifactDirs: string[];
        /**
         * Carbon 5's Secure Vault (SI), which resolves `${sec:alias}`: the JKS keystore whose RSA key
         * decrypts the `cipherText` entries, the entries file and the master key file holding that
         * keystore's passwords. Absent: the product keeps Carbon 4's vault (the `[secrets]` table).
         */
        secureVault?: { keystore: string; secretsFile: string; masterKeysFile: string };
    };
    /** Whether the product has `[session_data.cleanup]` (PROD-SESSION-CLEANUP). */
    sessionCleanup: boolean;
}

const CARBON_ADMIN = ["/services", "/carbon"];

export const PRODUCTS: Record<ProductId, ProductSpec> = {
    apim: {
        id: "apim",
        name: "WSO2 API Manager",
        defaultVersion: "4.3.0",
        distribution: "wso2am",
        // 9443 servlet HTTPS (portals, REST APIs, key manager); 8243 gateway pass-through HTTPS.
        servicePorts: [8243, 9443],
        trafficPort: 8243,
        // 4000 Hazelcast WKA membership; 5672 traffic-manager AMQP; 9611/9711 throttling event receivers.
        clusteringPorts: [4000, 5672, 9611, 9711],
        // 9763/8280 plain HTTP; 9999/11111 JMX RMI; 10389 embedded LDAP; 8099/9099 websocket; 5005 debug.
        closedPorts: [5005, 8099, 8280, 9099, 9763, 9999, 10389, 11111],
        healthChecks: [
            { port: 9443, protocol: "HTTPS", path: "/api/am/gateway/v2/server-startup-healthcheck", matcher: "200" },
            { port: 9443, protocol: "HTTPS", path: "/services/Version", matcher: "200" },
        ],
        adminContexts: [...CARBON_ADMIN, "/admin", "/publisher", "/api/am/admin", "/api/am/publisher", "/fileupload", "/registry"],
        publicRoutes: [
            { prefix: "/devportal", port: 9443 },
            { prefix: "/api/am/devportal", port: 9443 },
            { prefix: "/oauth2", port: 9443 },
            { prefix: "/authenticationendpoint", port: 9443 },
            { prefix: "/commonauth", port: 9443 },
            { prefix: "/logincontext", port: 9443 },
        ],
        layout: {
            startScript: "bin/api-manager.sh",
            configFile: "repository/conf/deployment.toml",
            configFormat: "toml",
            keystore: "repository/resources/security/wso2carbon.jks",
            truststore: "repository/resources/security/client-truststore.jks",
            logDir: "repository/logs",
            writableDirs: ["repository/logs", "tmp", "repository/data", "repository/database", "repository/deployment/server"],
            artifactDirs: ["repository/deployment/server"],
        },
        sessionCleanup: true,
    },
    mi: {
        id: "mi",
        name: "WSO2 Micro Integrator",
        defaultVersion: "4.3.0",
        distribution: "wso2mi",
        // 8253 pass-through HTTPS (APIs, proxy services); 9201 internal API with /healthz and /liveness.
        servicePorts: [8253, 9201],
        trafficPort: 8253,
        // MI coordinates through its database (RDBMS coordination): no clustering port.
        clusteringPorts: [],
        // 8290 plain HTTP; 9164 management API (reached through SSM or the ICP, never the edge).
        closedPorts: [5005, 8290, 9164, 9999, 11111],
        healthChecks: [{ port: 9201, protocol: "HTTP", path: "/healthz", matcher: "200" }],
        livenessCheck: { port: 9201, protocol: "HTTP", path: "/liveness", matcher: "200" },
        adminContexts: [...CARBON_ADMIN, "/management", "/dashboard"],
        publicRoutes: [],
        layout: {
            startScript: "bin/micro-integrator.sh",
            configFile: "conf/deployment.toml",
            configFormat: "toml",
            keystore: "repository/resources/security/wso2carbon.jks",
            truststore: "repository/resources/security/client-truststore.jks",
            logDir: "repository/logs",
            writableDirs: ["repository/logs", "tmp", "registry", "repository/data"],
            artifactDirs: ["repository/deployment/server/carbonapps"],
        },
        sessionCleanup: false,
    },
    is: {
        id: "is",
        name: "WSO2 Identity Server",
        defaultVersion: "7.0.0",
        distribution: "wso2is",
        servicePorts: [9443],
        trafficPort: 9443,
        clusteringPorts: [4000],
        closedPorts: [5005, 9763, 9999, 10389, 11111],
        healthChecks: [{ port: 9443, protocol: "HTTPS", path: "/api/health-check/v1.0/health", matcher: "200" }],
        adminContexts: [...CARBON_ADMIN, "/console", "/api/server", "/scim2", "/fileupload"],
        publicRoutes: [
            { prefix: "/oauth2", port: 9443 },
            { prefix: "/oidc", port: 9443 },
            { prefix: "/authenticationendpoint", port: 9443 },
            { prefix: "/accountrecoveryendpoint", port: 9443 },
            { prefix: "/commonauth", port: 9443 },
            { prefix: "/samlsso", port: 9443 },
            { prefix: "/logincontext", port: 9443 },
            { prefix: "/myaccount", port: 9443 },
        ],
        layout: {
            startScript: "bin/wso2server.sh",
            configFile: "repository/conf/deployment.toml",
            configFormat: "toml",
            // IS 7.0 ships JKS stores (PKCS12 arrives with 7.1, which reads JKS as well when told the type).
            keystore: "repository/resources/security/wso2carbon.jks",
            truststore: "repository/resources/security/client-truststore.jks",
            logDir: "repository/logs",
            writableDirs: ["repository/logs", "tmp", "repository/data", "repository/database"],
            artifactDirs: ["repository/deployment/server"],
        },
        sessionCleanup: true,
    },
    si: {
        id: "si",
        name: "WSO2 Streaming Integrator",
        defaultVersion: "4.3.0",
        distribution: "wso2si",
        // 9443 netty HTTPS (Siddhi REST API, HTTP sources); 9711/7711 binary and thrift SSL event receivers.
        servicePorts: [7711, 9443, 9711],
        trafficPort: 9443,
        // Minimum HA: the active node syncs events to the passive one on the event sync server port.
        clusteringPorts: [9893],
        // 9090 netty HTTP; 7611/9611 non-TLS receivers; JMX; debug.
        closedPorts: [5005, 7611, 9090, 9611, 9999, 11111],
        // The Siddhi apps API answers 401 without credentials once the runtime is up.
        healthChecks: [{ port: 9443, protocol: "HTTPS", path: "/siddhi-apps", matcher: "200,401" }],
        adminContexts: [...CARBON_ADMIN, "/siddhi-apps", "/management"],
        publicRoutes: [],
        layout: {
            startScript: "bin/server.sh",
            configFile: "conf/server/deployment.yaml",
            configFormat: "yaml",
            keystore: "resources/security/wso2carbon.jks",
            truststore: "resources/security/client-truststore.jks",
            logDir: "wso2/server/logs",
            writableDirs: ["wso2/server/logs", "tmp", "wso2/server/database", "wso2/server/deployment/siddhi-files"],
            artifactDirs: ["wso2/server/deployment/siddhi-files"],
            // Where carbon-secvault 5.0.20's feature installs its files and the shipped wso2.securevault
            // section points (runtime `server`); the shipped keystore holds WSO2's published key.
            secureVault: { keystore: "resources/security/securevault.jks", secretsFile: "conf/server/secrets.properties", masterKeysFile: "conf/server/master-keys.yaml" },
        },
        sessionCleanup: false,
    },
};

export function productSpec(id: ProductId): ProductSpec {
    return PRODUCTS[id];
}

/** Product home on a VM node, e.g. `/opt/wso2/wso2am-4.3.0`. */
export function productHome(spec: ProductSpec, version: string): string {
    return `/opt/wso2/${spec.distribution}-${version || spec.defaultVersion}`;
}

/** Public routes of a stack: the product's own plus `publicPaths`, which go to the traffic port. */
export function publicRoutes(spec: ProductSpec, extraPaths: readonly string[]): PublicRoute[] {
    const routes = [...spec.publicRoutes];
    for (const prefix of extraPaths) {
        if (!routes.some((r) => r.prefix === prefix)) routes.push({ prefix, port: spec.trafficPort });
    }
    return routes;
}
