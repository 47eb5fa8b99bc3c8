/**
 * What the Kubernetes ConfigMap carries in place of the image's shipped deployment.toml. The seed init
 * container installs the rendered file as the product's whole `deployment.toml` (it merges nothing and
 * relies on no tool in the product image), so every key the configuration model says only the shipped file supplies
 * (products/model `completeFileKeys`: no default, a default that refers to it, or a different default)
 * is written here, with this project's values. Pure: no Pulumi.
 */
import type { ProductSpec } from "../../products";
import { completeFileKeys, productModel, type ProductModel } from "../../products/model";
import { DATABASE_VAULT_ALIAS } from "../host/datasources";

/** Products whose images ship embedded H2 datasources the configuration must name. */
export const EMBEDDED_DATABASE_PRODUCTS: readonly string[] = ["apim", "is"];

/** The password the distribution created its embedded H2 files with (public, and fixed by those files). */
export const EMBEDDED_DATABASE_PASSWORD = "wso2carbon";

/** Embedded H2 databases the images ship pre-created (under `repository/database`, a writable volume in the pod). */
const H2_DATABASES: Record<string, string> = { apim_db: "WSO2AM_DB", shared_db: "WSO2SHARED_DB", identity_db: "WSO2IDENTITY_DB" };

/**
 * The embedded H2 datasource the image ships for `datasource`. Its user and password are fixed by the
 * database file the distribution ships (created with them), so no key can change them; the password still
 * reaches the file through Secure Vault (the secure-vault init step defines the alias), so no literal
 * password is in the ConfigMap. A production deployment names a database.
 */
function h2Datasource(datasource: string): Record<string, unknown> {
    const file = H2_DATABASES[datasource];
    if (!file) throw new Error(`datasource ${datasource}: no embedded H2 database is known for it`);
    const prefix = `database.${datasource}`;
    return {
        [`${prefix}.type`]: "h2",
        [`${prefix}.url`]: `jdbc:h2:./repository/database/${file};DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000`,
        [`${prefix}.username`]: "wso2carbon",
        [`${prefix}.password`]: `$secret{${DATABASE_VAULT_ALIAS}}`,
    };
}

/**
 * API-M's gateway environment: the one all-in-one gateway of the pod. Endpoints the HTTPRoute publishes
 * (the gateway's HTTPS traffic on 443) carry the public host name; the rest stay pod-local, as nothing
 * outside the pod reaches them.
 */
function apimGatewayEnvironment(hostname: string): Record<string, unknown> {
    return {
        name: "Default",
        type: "hybrid",
        gateway_type: "Regular",
        provider: "wso2",
        display_in_api_console: true,
        description: "The gateway of this deployment, for production and sandbox traffic.",
        show_as_token_endpoint_url: true,
        service_url: "https://localhost:${mgt.transport.https.port}/services/",
        username: "${admin.username}",
        password: "${admin.password}",
        https_endpoint: `https://${hostname}`,
        http_endpoint: "http://localhost:${http.nio.port}",
        wss_endpoint: "wss://localhost:8099",
        ws_endpoint: "ws://localhost:9099",
        websub_event_receiver_https_endpoint: "https://localhost:8021",
        websub_event_receiver_http_endpoint: "http://localhost:9021",
    };
}

function apim(model: ProductModel, hostname: string): Record<string, unknown> {
    const keys: Record<string, unknown> = {
        "server.server_role": "default",
        // The kernel's default is the older `database` JDBC store; API-M 4.x ships the unique-id one.
        "user_store.type": "database_unique_id",
        "apim.gateway.environment": [apimGatewayEnvironment(hostname)],
        "apim.sync_runtime_artifacts.gateway.gateway_labels": ["Default"],
        // No analytics cloud and no AI service without their credentials: both off rather than half-configured.
        "apim.analytics.enable": false,
        "apim.analytics.auth_token": "",
        "apim.ai.enable": false,
        "apim.cors.allow_origins": "*",
        "apim.cors.allow_methods": ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"],
        "apim.cors.allow_headers": ["authorization", "Access-Control-Allow-Origin", "Content-Type", "SOAPAction", "apikey", "Internal-Key"],
        "apim.cors.allow_credentials": false,
        // Self-registered users get their role; revoked tokens are announced to the gateways.
        event_handler: [{ name: "userPostSelfRegistration", subscriptions: ["POST_ADD_USER"] }],
        event_listener: [
            {
                id: "token_revocation",
                type: "org.wso2.carbon.identity.core.handler.AbstractIdentityHandler",
                name: "org.wso2.is.notification.ApimOauthEventInterceptor",
                order: 1,
                properties: {
                    notification_endpoint: "https://localhost:${mgt.transport.https.port}/internal/data/v1/notify",
                    username: "${admin.username}",
                    password: "${admin.password}",
                    "header.X-WSO2-KEY-MANAGER": "default",
                },
            },
        ],
        "service_provider.sp_name_regex": "^[\\sa-zA-Z0-9._-]*$",
    };
    if (model.version === "4.3.0") {
        keys["apim.ai.token"] = "";
        keys["apim.ai.endpoint"] = "";
        // API keys are honoured only for subscribed APIs.
        keys["apim.key_manager.enable_apikey_subscription_validation"] = true;
    } else {
        keys["apim.ai.key"] = "";
        keys["apim.gateway_type"] = "Regular,APK,AWS";
        keys["apim.key_manager.enable_lightweight_apikey_generation"] = true;
    }
    return keys;
}

/**
 * Keys the ConfigMap carries in place of the shipped file's, for `spec` at `version`: the image's embedded
 * H2 datasources when no database is given (`databases`, the datasource renderer's keys, are the overlay's
 * otherwise) and the product's other shipped settings. Keys the hardening overlay writes (host name, super
 * admin, node address, app password) are the overlay's and not repeated here.
 */
export function inPlaceOfShipped(spec: ProductSpec, version: string, hostname: string, databases?: Record<string, unknown>): Record<string, unknown> {
    const model = productModel(spec.id, version || spec.defaultVersion);
    const keys: Record<string, unknown> = {};
    const datasources = new Set(completeFileKeys(model).map((s) => /^database\.([^.]+)\./.exec(s.key)?.[1]).filter((d): d is string => d !== undefined));
    if (!databases) for (const d of datasources) Object.assign(keys, h2Datasource(d));
    switch (spec.id) {
        case "apim":
            Object.assign(keys, apim(model, hostname));
            break;
        case "is":
            // IS ships its console's base path on HTTPS and the public host name; the kernel's default does neither.
            keys["server.base_path"] = "https://$ref{server.hostname}:${carbon.management.port}";
            break;
        case "mi":
            // As shipped: the read-only LDAP user store type and the truststore entry of MI's symmetric key.
            keys["user_store.type"] = "read_only_ldap";
            keys["truststore.alias"] = "symmetric.key.value";
            keys["truststore.algorithm"] = "AES";
            break;
        default:
            throw new Error(`product: ${spec.id} has no deployment.toml to render in place of the shipped one`);
    }
    return keys;
}
