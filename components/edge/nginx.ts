/**
 * nginx as the DMZ reverse proxy, for on-premises deployments without an ALB: the same allowlist, deny
 * rules and 404 default as the ALB edge. nginx matches locations against a decoded, normalised `$uri`
 * but passes the raw request line upstream, so the raw path is checked for the suspicious sequences
 * before any location is chosen, and admin contexts are refused in any case on the normalised path.
 */
import type { ProductSpec } from "../../products";
import { SUSPICIOUS_SEQUENCES, edgeRoutes } from "./paths";

export interface NginxEdgeInput {
    product: ProductSpec;
    /** Extra public prefixes (the `publicPaths` setting). */
    publicPaths: readonly string[];
    /** Public host name (`server_name`). */
    serverName: string;
    /** HTTPS listen address, as nginx's `listen` takes it. @default "443" */
    listen?: string;
    /** HTTP listen address that only redirects to HTTPS; `null` renders no HTTP server. @default "80" */
    redirectListen?: string | null;
    /** PEM certificate chain and key of `serverName`. */
    tls: { certificate: string; certificateKey: string };
    upstream: {
        /** WSO2 nodes (host names or addresses); each port of a public route is proxied to every host. */
        hosts: string[];
        /** Name the nodes' certificate is issued for (verified, and sent as SNI). */
        tlsName: string;
        /** PEM bundle that signs the nodes' certificates. */
        trustedCertificate: string;
        /** WSO2's `[server] offset` on the nodes: each product port is shifted by it. @default 0 */
        portOffset?: number;
    };
    /** @default { pid: "/run/nginx.pid", errorLog: "/var/log/nginx/error.log", accessLog: "/var/log/nginx/access.log" } */
    files?: { pid: string; errorLog: string; accessLog: string };
    /** User the workers run as. @default "www-data" */
    user?: string;
}

/** PCRE (case-insensitive) for the raw path: every raw and encoded form of every suspicious sequence. */
export function nginxSuspiciousPathRegex(): string {
    const forms = SUSPICIOUS_SEQUENCES.flatMap((s) => [...s.raw, ...s.encoded]);
    // `\x5c` rather than `\\`: nginx's own quoting would otherwise eat one backslash.
    return forms.map((f) => f.replace(/\\/g, "\\x5c").replace(/\./g, "\\.")).join("|");
}

/** PCRE (case-insensitive) for the normalised `$uri`: an admin context, then the end, `/` or `;`. */
export function nginxAdminContextRegex(product: ProductSpec): string {
    const contexts = product.adminContexts.map((c) =>
        c
            .split("/")
            .filter((s) => s !== "")
            .map((s) => s.replace(/\./g, "\\."))
            .join("/+"),
    );
    return `^/+(${contexts.join("|")})(/|;|$)`;
}

function checkToken(what: string, value: string, pattern: RegExp): void {
    if (!pattern.test(value)) throw new Error(`renderNginxConfig: ${what} ${JSON.stringify(value)} is not valid here`);
}

/** Renders a complete `nginx.conf`. Pure; throws on values that would break the configuration's syntax. */
export function renderNginxConfig(input: NginxEdgeInput): string {
    const routes = edgeRoutes(input.product, input.publicPaths);
    const listen = input.listen ?? "443";
    const redirectListen = input.redirectListen === undefined ? "80" : input.redirectListen;
    const files = input.files ?? { pid: "/run/nginx.pid", errorLog: "/var/log/nginx/error.log", accessLog: "/var/log/nginx/access.log" };
    const user = input.user ?? "www-data";
    if (input.upstream.hosts.length === 0) throw new Error("renderNginxConfig: upstream.hosts must name at least one WSO2 node");
    const token = /^[A-Za-z0-9._:\-[\]/]+$/;
    for (const h of input.upstream.hosts) checkToken("upstream host", h, /^[A-Za-z0-9.\-:[\]]+$/);
    checkToken("serverName", input.serverName, /^[A-Za-z0-9.-]+$/);
    checkToken("upstream.tlsName", input.upstream.tlsName, /^[A-Za-z0-9.-]+$/);
    checkToken("listen", listen, token);
    if (redirectListen !== null) checkToken("redirectListen", redirectListen, token);
    for (const [k, v] of Object.entries({ ...files, ...input.tls, trustedCertificate: input.upstream.trustedCertificate })) {
        checkToken(k, v, /^\/[A-Za-z0-9._\-/]+$/);
    }
    checkToken("user", user, /^[a-z_][a-z0-9_-]*$/);

    const offset = input.upstream.portOffset ?? 0;
    const ports = [...new Set(routes.map((r) => r.port))].sort((a, b) => a - b);
    for (const port of ports) {
        if (!Number.isInteger(offset) || port + offset < 1 || port + offset > 65535) {
            throw new Error(`renderNginxConfig: upstream.portOffset ${offset} moves port ${port} outside 1..65535`);
        }
    }
    const upstreams = ports.map((port) =>
        [`    upstream wso2_${port} {`, ...input.upstream.hosts.map((h) => `        server ${h}:${port + offset};`), "        keepalive 16;", "    }"].join("\n"),
    );
    const proxied = (port: number) => `proxy_pass https://wso2_${port};`;
    const allowLocations = routes.flatMap((r) => [
        `        location = ${r.prefix} { ${proxied(r.port)} }`,
        `        location ${r.prefix}/ { ${proxied(r.port)} }`,
    ]);

    const redirectServer =
        redirectListen === null
            ? []
            : [
                  "    # Plain HTTP only redirects.",
                  "    server {",
                  `        listen ${redirectListen};`,
                  `        server_name ${input.serverName};`,
                  `        return 301 https://${input.serverName}$request_uri;`,
                  "    }",
                  "",
              ];

    return [
        `# Rendered by wso2-hardening for ${input.product.name}: DMZ reverse proxy with an allowlist.`,
        `user ${user};`,
        "worker_processes auto;",
        `pid ${files.pid};`,
        `error_log ${files.errorLog} warn;`,
        "",
        "events {",
        "    worker_connections 1024;",
        "}",
        "",
        "http {",
        "    server_tokens off;",
        "    default_type application/octet-stream;",
        `    access_log ${files.accessLog};`,
        "    merge_slashes on;",
        "    ignore_invalid_headers on;",
        "    underscores_in_headers off;",
        "",
        "    # The path as the client sent it (before nginx decodes and normalises it): that is what WSO2's",
        "    # Tomcat receives, and it strips ';parameters' and resolves '%2e%2e' after nginx has matched.",
        '    map $request_uri $wso2_raw_path {',
        '        "~^(?<wso2_path>[^?]*)" $wso2_path;',
        "    }",
        "    map $wso2_raw_path $wso2_suspicious_path {",
        "        default 0;",
        `        "~*(${nginxSuspiciousPathRegex()})" 1;`,
        "    }",
        "",
        ...upstreams,
        "",
        ...redirectServer,
        "    server {",
        `        listen ${listen} ssl;`,
        `        server_name ${input.serverName};`,
        `        ssl_certificate ${input.tls.certificate};`,
        `        ssl_certificate_key ${input.tls.certificateKey};`,
        "        ssl_protocols TLSv1.2 TLSv1.3;",
        "        ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;",
        "        ssl_prefer_server_ciphers on;",
        "        ssl_session_tickets off;",
        '        add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;',
        "",
        "        proxy_http_version 1.1;",
        '        proxy_set_header Connection "";',
        "        proxy_set_header Host $host;",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        proxy_set_header X-Forwarded-Proto https;",
        "        proxy_ssl_protocols TLSv1.2 TLSv1.3;",
        "        proxy_ssl_verify on;",
        "        proxy_ssl_verify_depth 3;",
        `        proxy_ssl_trusted_certificate ${input.upstream.trustedCertificate};`,
        `        proxy_ssl_name ${input.upstream.tlsName};`,
        "        proxy_ssl_server_name on;",
        "",
        "        if ($wso2_suspicious_path) {",
        "            return 404;",
        "        }",
        "",
        "        # Regex locations win over the prefix locations below: admin contexts are refused even under",
        "        # an allowlisted parent prefix.",
        `        location ~* "${nginxAdminContextRegex(input.product)}" {`,
        "            return 404;",
        "        }",
        "",
        "        # Allowlist: each public prefix and everything below it; nothing else.",
        ...allowLocations,
        "",
        "        location / {",
        "            return 404;",
        "        }",
        "    }",
        "}",
        "",
    ].join("\n");
}
