/** The pure edge rules: ALB limits and ordering, allowlist patterns, WAF rule shape, nginx rendering. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PRODUCTS } from "../../products";
import { ConfigError } from "../../config/settings";
import {
    ALB_MAX_VALUE_LENGTH,
    ALB_MAX_VALUES_PER_CONDITION,
    EDGE_PATH_TRANSFORMATIONS,
    albAllowlistRegex,
    albRoutingRules,
    checkAlbLimits,
    edgeWafRules,
    renderNginxConfig,
    type NginxEdgeInput,
} from "../../components/edge";
import { checkAlbRegex, evaluateListener, forwardedTo, type ListenerUnderTest } from "./alb-evaluator";
import { normalizePath, wafBlockingRule } from "./waf-evaluator";
import { NGINX } from "./servers";

const products = Object.values(PRODUCTS);

/** The rule specs as listener inputs, for the evaluator. */
function listenerOf(productId: keyof typeof PRODUCTS, publicPaths: string[] = []): ListenerUnderTest {
    return {
        defaultActions: [{ type: "fixed-response", fixedResponse: { statusCode: "404" } }],
        rules: albRoutingRules(PRODUCTS[productId], publicPaths).map((r) => ({
            name: r.name,
            priority: r.priority,
            conditions: [{ pathPattern: { regexValues: r.pathRegexes } }],
            actions: [r.action.type === "forward" ? { type: "forward", forward: { targetGroups: [{ arn: `tg-${r.action.port}` }] } } : { type: "fixed-response" }],
        })),
    };
}

describe("edge: ALB routing rules", function () {
    for (const product of products) {
        it(`${product.id}: within ALB limits, unique priorities, every deny rule before every forward rule`, function () {
            const rules = albRoutingRules(product, []);
            checkAlbLimits(rules);
            for (const r of rules) {
                assert.ok(r.pathRegexes.length <= ALB_MAX_VALUES_PER_CONDITION);
                for (const v of r.pathRegexes) {
                    assert.ok(v.length <= ALB_MAX_VALUE_LENGTH, v);
                    checkAlbRegex(v);
                }
            }
            const denies = rules.filter((r) => r.kind !== "allow");
            assert.ok(denies.every((d) => d.action.type === "fixed-response" && d.action.statusCode === "404"));
            assert.equal(rules.filter((r) => r.kind === "deny-admin").flatMap((r) => r.pathRegexes).length, product.adminContexts.length);
            const allowed = rules.filter((r) => r.kind === "allow").flatMap((r) => r.pathRegexes);
            assert.deepEqual(allowed, product.publicRoutes.map((r) => albAllowlistRegex(r.prefix)));
        });
    }

    it("refuses rule sets that break ALB limits", function () {
        const rules = albRoutingRules(PRODUCTS.apim, []);
        assert.throws(() => checkAlbLimits([...rules, { ...rules[0], name: "dup" }]), /priority 1 is used twice/);
        assert.throws(() => checkAlbLimits([{ ...rules[0], pathRegexes: ["a", "b", "c", "d"] }]), /4 path values/);
        assert.throws(() => checkAlbLimits([{ ...rules[0], pathRegexes: ["x".repeat(129)] }]), /129 characters/);
        assert.throws(() => checkAlbLimits([{ ...rules[0], priority: 50001 }]), /outside 1\.\.50000/);
        const allow = rules.find((r) => r.kind === "allow")!;
        assert.throws(() => checkAlbLimits([{ ...allow, priority: 1 }, { ...rules[0], priority: 2 }]), /deny rule must come before/);
    });

    it("allowlist patterns take the prefix and what lies below it, never a neighbour, dot-dot or encoded byte", function () {
        const re = new RegExp(albAllowlistRegex("/devportal"));
        for (const ok of ["/devportal", "/devportal/", "/devportal/apis/a.b", "/devportal/.well-known/x", "/devportal/a/./b", "/devportal/x."]) {
            assert.ok(re.test(ok), ok);
        }
        for (const bad of ["/devportalx", "/devportal..", "/devportal/..", "/devportal/../x", "/devportal/a..b", "/devportal/%2e", "/devportal/a;b", "/devportal/a\\b", "/Devportal/", "/x/devportal/"]) {
            assert.ok(!re.test(bad), bad);
        }
    });

    it("an extra public path is forwarded, and an admin context below it stays refused", function () {
        const listener = listenerOf("apim", ["/api"]);
        assert.equal(forwardedTo(evaluateListener(listener, "/api/am/gateway/v2/apis")).length, 1);
        for (const target of ["/api/am/admin/v4/settings", "/API/am/publisher/v4/apis", "/api//am/admin/x"]) {
            assert.deepEqual(forwardedTo(evaluateListener(listener, target)), [], target);
        }
    });

    it("names publicPaths when a prefix is too long for an ALB pattern or is an admin context", function () {
        const long = "/" + "a".repeat(60);
        assert.throws(
            () => albRoutingRules(PRODUCTS.apim, [long]),
            (e: unknown) => e instanceof ConfigError && /wso2-hardening:publicPaths = "\/a+": is too long for an ALB rule/.test(e.message),
        );
        assert.throws(() => albRoutingRules(PRODUCTS.apim, ["/Services"]), (e: unknown) => e instanceof ConfigError && /publicPaths.*admin context/.test(e.message));
    });

    it("products without public routes forward nothing by default", function () {
        for (const id of ["mi", "si"] as const) {
            assert.deepEqual(forwardedTo(evaluateListener(listenerOf(id), "/healthz")), []);
            assert.equal(forwardedTo(evaluateListener(listenerOf(id, ["/orders"]), "/orders/42")).length, 1);
        }
    });
});

describe("edge: ALB evaluator semantics", function () {
    const listener: ListenerUnderTest = {
        defaultActions: [{ type: "fixed-response" }],
        rules: [
            { name: "glob", priority: 20, conditions: [{ pathPattern: { values: ["/img/*.png", "/a?c"] } }], actions: [{ type: "forward", forward: { targetGroups: [{ arn: "glob" }] } }] },
            { name: "regex", priority: 10, conditions: [{ pathPattern: { regexValues: ["secret"] } }], actions: [{ type: "fixed-response" }] },
        ],
    };

    it("evaluates in priority order, globs whole-path and case-sensitive, never the query string", function () {
        assert.deepEqual(forwardedTo(evaluateListener(listener, "/img/x/y.png?z")), ["glob"]);
        assert.deepEqual(forwardedTo(evaluateListener(listener, "/abc")), ["glob"]);
        assert.deepEqual(forwardedTo(evaluateListener(listener, "/IMG/y.png")), []);
        assert.deepEqual(forwardedTo(evaluateListener(listener, "/img/y.png/x")), []);
        assert.deepEqual(forwardedTo(evaluateListener(listener, "/img/a.png?secret")), ["glob"]);
    });

    it("keeps the worst case of readings AWS leaves open: unanchored regex and percent-decoding", function () {
        // An unanchored deny only matches under the search reading: the full-match reading forwards.
        assert.deepEqual(forwardedTo(evaluateListener(listener, "/img/secret.png")), ["glob"]);
        const decodedOnly: ListenerUnderTest = {
            defaultActions: [{ type: "fixed-response" }],
            rules: [{ name: "x", priority: 1, conditions: [{ pathPattern: { values: ["/x/*"] } }], actions: [{ type: "forward", forward: { targetGroups: [{ arn: "x" }] } }] }],
        };
        assert.deepEqual(forwardedTo(evaluateListener(decodedOnly, "/%78/y")), ["x"]);
    });

    it("refuses regex features ALB does not support", function () {
        assert.throws(() => checkAlbRegex("^(?!/services)"), /lookaround/);
        assert.throws(() => checkAlbRegex("(a)\\1"), /backreference/);
        assert.throws(() => checkAlbRegex("a++"), /possessive/);
        checkAlbRegex("^[*+]+$");
    });
});

describe("edge: WAF rules", function () {
    const rules = edgeWafRules({ metricPrefix: "t", product: PRODUCTS.apim });

    it("puts the path rule first, with URL_DECODE, NORMALIZE_PATH, LOWERCASE in that order", function () {
        assert.equal(rules[0].priority, 0);
        assert.deepEqual(EDGE_PATH_TRANSFORMATIONS.map((t) => t.type), ["URL_DECODE", "NORMALIZE_PATH", "LOWERCASE"]);
        const statements = (rules[0].statement as { orStatement: { statements: { regexMatchStatement: { fieldToMatch: object; textTransformations: unknown } }[] } }).orStatement.statements;
        for (const s of statements) {
            assert.deepEqual(s.regexMatchStatement.fieldToMatch, { uriPath: {} });
            assert.deepEqual(s.regexMatchStatement.textTransformations, EDGE_PATH_TRANSFORMATIONS);
        }
    });

    it("has AWS's Common, KnownBadInputs and IP reputation groups and a per-IP rate limit", function () {
        const names = rules.map((r) => r.name);
        for (const g of ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList", "rate-limit-per-client"]) {
            assert.ok(names.includes(g), g);
        }
        assert.equal(new Set(rules.map((r) => r.priority)).size, rules.length);
    });

    it("NORMALIZE_PATH as documented: slashes merged, self and back references resolved except at the start", function () {
        assert.equal(normalizePath("//a/./b/../c/"), "/a/c/");
        assert.equal(normalizePath("/../a"), "/../a");
        assert.equal(normalizePath("/a/..;/b"), "/a/..;/b");
    });

    it("blocks admin contexts after decoding and normalising, and what is left of a bypass", function () {
        const asInputs = rules as unknown as Parameters<typeof wafBlockingRule>[0];
        for (const target of ["/Services/x", "//carbon", "/devportal/%2e%2e/publisher/x", "/a/..;/b", "/a/%255c", "/%2e%2e/x"]) {
            assert.ok(wafBlockingRule(asInputs, target), target);
        }
        for (const target of ["/devportal/apis", "/oauth2/token/.well-known/openid-configuration", "/servicesx", "/api/am/devportal/v3/apis"]) {
            assert.equal(wafBlockingRule(asInputs, target), undefined, target);
        }
    });
});

describe("edge: nginx configuration", function () {
    const base: NginxEdgeInput = {
        product: PRODUCTS.is,
        publicPaths: ["/t"],
        serverName: "id.example.com",
        tls: { certificate: "/etc/nginx/tls/id.crt", certificateKey: "/etc/nginx/tls/id.key" },
        upstream: { hosts: ["10.0.1.10", "10.0.2.10"], tlsName: "id.example.com", trustedCertificate: "/etc/nginx/tls/ca.pem" },
    };

    it("allowlists exactly the public routes, proxies over verified TLS to every node, redirects HTTP", function () {
        const conf = renderNginxConfig(base);
        for (const r of [...PRODUCTS.is.publicRoutes.map((x) => x.prefix), "/t"]) {
            assert.ok(conf.includes(`location = ${r} { proxy_pass https://wso2_9443; }`), r);
            assert.ok(conf.includes(`location ${r}/ { proxy_pass https://wso2_9443; }`), r);
        }
        assert.match(conf, /server 10\.0\.1\.10:9443;\n\s+server 10\.0\.2\.10:9443;/);
        assert.match(conf, /proxy_ssl_verify on;/);
        assert.match(conf, /return 301 https:\/\/id\.example\.com\$request_uri;/);
        assert.match(conf, /location \/ \{\n\s+return 404;/);
        assert.match(conf, /server_tokens off;/);
        assert.match(conf, /add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;/);
        assert.match(conf, /ssl_protocols TLSv1\.2 TLSv1\.3;/);
    });

    it("refuses values that would break the configuration", function () {
        assert.throws(() => renderNginxConfig({ ...base, serverName: "a; b" }), /serverName/);
        assert.throws(() => renderNginxConfig({ ...base, upstream: { ...base.upstream, hosts: [] } }), /at least one/);
        assert.throws(() => renderNginxConfig({ ...base, upstream: { ...base.upstream, portOffset: 60000 } }), /portOffset/);
        assert.throws(() => renderNginxConfig({ ...base, tls: { ...base.tls, certificate: "relative.crt" } }), /certificate/);
    });

    it("is accepted by nginx -t for every product", function () {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "edge-nginx-t-"));
        try {
            const r0 = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t",
                "-keyout", path.join(tmp, "k.pem"), "-out", path.join(tmp, "c.pem")], { encoding: "utf8", timeout: 30_000 });
            assert.equal(r0.status, 0, r0.stderr);
            for (const product of products) {
                const conf = path.join(tmp, `${product.id}.conf`);
                fs.writeFileSync(
                    conf,
                    renderNginxConfig({
                        ...base,
                        product,
                        publicPaths: ["/extra"],
                        listen: "127.0.0.1:1",
                        redirectListen: "127.0.0.1:2",
                        tls: { certificate: path.join(tmp, "c.pem"), certificateKey: path.join(tmp, "k.pem") },
                        upstream: { ...base.upstream, trustedCertificate: path.join(tmp, "c.pem") },
                        files: { pid: path.join(tmp, "pid"), errorLog: path.join(tmp, "e.log"), accessLog: path.join(tmp, "a.log") },
                    }),
                );
                const r = spawnSync(NGINX, ["-t", "-q", "-c", conf, "-p", tmp], { encoding: "utf8", timeout: 30_000 });
                assert.equal(r.status, 0, `${product.id}: ${r.error?.message ?? r.stderr}`);
            }
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
