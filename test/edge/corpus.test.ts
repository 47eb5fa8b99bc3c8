/**
 * The [Edge] issue's proof: a corpus of bypass requests and the product's legitimate paths, sent
 *  1. through an ALB evaluator applied to the listener rules the prod plan produced, every request it
 *     forwards (under any reading AWS leaves open) then sent to a real Tomcat;
 *  2. through the WAF custom rule of the same plan;
 *  3. through real nginx running the rendered configuration in front of that Tomcat;
 * Tomcat's edge-facing connector has Tomcat's defaults: each edge layer has to stop the corpus alone.
 * A second connector carries the product-side hardening attributes, as an extra layer.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { productSpec } from "../../products";
import { edgeRoutes, renderNginxConfig } from "../../components/edge";
import { TOMCAT_URI_HARDENING } from "../../components/host/product-config";
import { evaluateListener, forwardedTo, type ListenerUnderTest } from "./alb-evaluator";
import { wafBlockingRule } from "./waf-evaluator";
import { bypassCorpus, legitimateRequests, type BypassRequest, type LegitimateRequest } from "./corpus";
import { planEdge, type PlannedEdge } from "./plan-edge";
import { contextOf, freePort, makeCertificate, rawGetAll, startNginx, startTomcat, type RawResponse, type RunningNginx, type RunningTomcat } from "./servers";

describe("edge: bypass corpus against the prod plan's rules, real Tomcat and real nginx", function () {
    this.timeout(180_000);

    let plan: PlannedEdge;
    let tmp: string;
    let tomcat: RunningTomcat | undefined;
    let nginx: RunningNginx | undefined;
    let allowlist: string[];
    let adminContexts: string[];
    let corpus: BypassRequest[];
    let legitimate: LegitimateRequest[];
    let direct: Map<string, RawResponse>;

    let deployed: string[];
    const answeredBy = (r: RawResponse) => contextOf(r, deployed);
    const reachesAdmin = (r: RawResponse) => adminContexts.includes(answeredBy(r));

    before(async function () {
        plan = planEdge();
        const product = productSpec(plan.settings.product);
        allowlist = edgeRoutes(product, plan.settings.publicPaths).map((r) => r.prefix);
        adminContexts = product.adminContexts;
        corpus = bypassCorpus(product, allowlist);
        legitimate = legitimateRequests(allowlist);

        deployed = [...new Set([...adminContexts, ...allowlist])];
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "edge-corpus-"));
        fs.chmodSync(tmp, 0o755);
        const tlsMaterial = makeCertificate(tmp);
        const hardening = Object.fromEntries(Object.entries(TOMCAT_URI_HARDENING).map(([k, v]) => [k, String(v)]));
        tomcat = await startTomcat({
            base: path.join(tmp, "tomcat"),
            contexts: deployed,
            tlsMaterial,
            hardening,
        });
        direct = await rawGetAll(tomcat.plainPort, corpus.map((c) => c.target));
    });

    after(async function () {
        await nginx?.stop();
        await tomcat?.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("has at least 30 bypass requests over every technique, from every allowlisted prefix", function () {
        assert.ok(corpus.length >= 30, `corpus has ${corpus.length} requests`);
        for (const prefix of allowlist) {
            assert.ok(corpus.filter((c) => c.target.startsWith(prefix)).length >= 10, `few traversals from ${prefix}`);
        }
        for (const needle of ["..;", "%2e", "%2E", "%3b", "%3B", "%2f", "%5c", "\\", "%25", "//", "jsessionid"]) {
            assert.ok(corpus.some((c) => c.target.includes(needle)), `no request uses ${needle}`);
        }
        assert.ok(corpus.some((c) => /\/[A-Z]/.test(c.target)), "no mixed-case request");
    });

    it("is a live corpus: sent straight to Tomcat, requests from every allowlisted prefix reach an admin context", function () {
        const reaching = corpus.filter((c) => reachesAdmin(direct.get(c.target)!));
        for (const prefix of allowlist) {
            const fromPrefix = reaching.filter((c) => c.target.startsWith(prefix + "/") || c.target.startsWith(prefix + ";"));
            assert.ok(fromPrefix.length > 0, `no request from ${prefix} reaches an admin context without an edge`);
        }
        for (const context of ["/services", "/carbon"]) {
            assert.ok(reaching.some((c) => answeredBy(direct.get(c.target)!) === context), `nothing reaches ${context} directly`);
        }
    });

    it(`ALB (rules of the prod plan): no request any reading forwards reaches an admin context`, async function () {
        const forwarded = corpus.filter((c) => forwardedTo(evaluateListener(plan.listener, c.target)).length > 0);
        const answers = await rawGetAll(tomcat!.plainPort, forwarded.map((c) => c.target));
        const reached = forwarded.filter((c) => reachesAdmin(answers.get(c.target)!));
        assert.deepEqual(reached.map((c) => c.target), []);
        // The rules themselves forward none of the corpus: every bypass ends in a 404 under every reading.
        assert.deepEqual(forwarded.map((c) => c.target), []);
    });

    it("ALB: every legitimate path is forwarded under every reading and reaches its own context", async function () {
        for (const l of legitimate) {
            const outcomes = evaluateListener(plan.listener, l.target);
            for (const o of outcomes) assert.equal(o.action.type, "forward", `${l.target} not forwarded (${JSON.stringify(o.reading)}: ${o.rule})`);
        }
        const answers = await rawGetAll(tomcat!.plainPort, legitimate.map((l) => l.target));
        for (const l of legitimate) assert.equal(answeredBy(answers.get(l.target)!), l.context, l.target);
    });

    it("ALB evaluator and Tomcat catch a naive prefix forward (the setup can fail)", async function () {
        const prefix = allowlist[0];
        const naive: ListenerUnderTest = {
            defaultActions: [{ type: "fixed-response", fixedResponse: { statusCode: "404" } }],
            rules: [
                { name: "deny-services", priority: 1, conditions: [{ pathPattern: { values: ["/services*", "/carbon*"] } }], actions: [{ type: "fixed-response" }] },
                { name: "allow", priority: 2, conditions: [{ pathPattern: { values: [`${prefix}/*`] } }], actions: [{ type: "forward", forward: { targetGroups: [{ arn: "tg" }] } }] },
            ],
        };
        const forwarded = corpus.filter((c) => forwardedTo(evaluateListener(naive, c.target)).length > 0);
        const answers = await rawGetAll(tomcat!.plainPort, forwarded.map((c) => c.target));
        assert.ok(forwarded.some((c) => reachesAdmin(answers.get(c.target)!)), "a naive prefix rule should let a bypass through");
    });

    it("WAF (custom rule of the prod plan): what it lets through reaches no admin context; no legitimate path is blocked", async function () {
        const passed = corpus.filter((c) => wafBlockingRule(plan.webAclRules, c.target) === undefined);
        // As if the listener forwarded everything: the WAF rule alone must hold.
        const answers = await rawGetAll(tomcat!.plainPort, passed.map((c) => c.target));
        const reached = passed.filter((c) => reachesAdmin(answers.get(c.target)!));
        assert.deepEqual(reached.map((c) => c.target), []);
        assert.ok(passed.length < corpus.length / 4, `the WAF rule lets ${passed.length} of ${corpus.length} through`);
        const blocked = legitimate.filter((l) => wafBlockingRule(plan.webAclRules, l.target) !== undefined);
        assert.deepEqual(blocked.map((l) => l.target), []);
    });

    it("nginx (rendered configuration) in front of Tomcat: no corpus request reaches an admin context; legitimate paths reach theirs", async function () {
        const product = productSpec(plan.settings.product);
        const routePorts = [...new Set(edgeRoutes(product, plan.settings.publicPaths).map((r) => r.port))];
        assert.equal(routePorts.length, 1, "the test Tomcat stands for one node port");
        const routePort = routePorts[0];
        const [port, redirectPort] = [await freePort(), await freePort()];
        const prefix = path.join(tmp, "nginx");
        fs.mkdirSync(path.join(prefix, "logs"), { recursive: true });
        fs.chmodSync(prefix, 0o755);
        const cert = path.join(tmp, "localhost.crt");
        const conf = renderNginxConfig({
            product,
            publicPaths: plan.settings.publicPaths,
            serverName: "localhost",
            listen: `127.0.0.1:${port}`,
            redirectListen: `127.0.0.1:${redirectPort}`,
            tls: { certificate: cert, certificateKey: path.join(tmp, "localhost.key") },
            // Every public route of the planned product goes to one port; the offset lands it on Tomcat.
            upstream: { hosts: ["127.0.0.1"], tlsName: "localhost", trustedCertificate: cert, portOffset: tomcat!.plainPort - routePort },
            files: { pid: path.join(prefix, "nginx.pid"), errorLog: path.join(prefix, "logs", "error.log"), accessLog: path.join(prefix, "logs", "access.log") },
        });
        // What runs here differs from the plan's artifact only in site-specific lines.
        const siteSpecific = /^\s*((user|pid|error_log|access_log|listen|server_name|ssl_certificate|ssl_certificate_key|proxy_ssl_trusted_certificate|proxy_ssl_name|return 301) |server \S+:\d+;$)/;
        const rules = (text: string) => text.split("\n").filter((l) => !siteSpecific.test(l));
        assert.deepEqual(rules(conf), rules(plan.nginxConf));
        const confFile = path.join(prefix, "nginx.conf");
        fs.writeFileSync(confFile, conf);
        nginx = await startNginx(confFile, prefix, port);

        const answers = await rawGetAll(port, corpus.map((c) => c.target));
        const reached = corpus.filter((c) => reachesAdmin(answers.get(c.target)!));
        assert.deepEqual(reached.map((c) => `${c.target} -> ${answeredBy(answers.get(c.target)!)}`), []);
        const legit = await rawGetAll(port, legitimate.map((l) => l.target));
        for (const l of legitimate) assert.equal(answeredBy(legit.get(l.target)!), l.context, `${l.target}: ${legit.get(l.target)!.status}`);
    });

    it("product side: the hardened connector refuses with 400 the ';' and '%2e' dot segments that reach an admin context on Tomcat's defaults", async function () {
        const live = corpus.filter((c) => reachesAdmin(direct.get(c.target)!) && /\.;|%2e/i.test(c.target));
        assert.ok(live.length >= allowlist.length, `only ${live.length} such requests`);
        const answers = await rawGetAll(tomcat!.hardenedPort, live.map((c) => c.target));
        for (const c of live) {
            const a = answers.get(c.target)!;
            assert.ok(a.status === 400 && !reachesAdmin(a), `${c.target}: ${a.status} ${answeredBy(a)}`);
        }
    });
});
