import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { GUIDELINES } from "../components/guidelines";
import { policyMeta } from "../policies/pack";
import { FINDING_GUIDELINES, modelVersions, productModel } from "../products/model";
import { REPO, runCli } from "./support/cli";

/** The ids of WSO2's guideline list this project answers for (a contract: users have no copy of it). */
const EXPECTED_IDS = ["PROD-UPDATES", "PROD-KEYSTORE", "PROD-SECURE-VAULT", "PROD-DEFAULT-PORTS", "PROD-READONLY-USERSTORE", "PROD-TLS-EXTERNAL", "PROD-LEAST-PRIV-DATASTORE", "PROD-TLS-STRONG", "PROD-WEAK-CIPHERS", "PROD-SERVER-HEADER", "PROD-HSTS", "PROD-NO-CACHE", "PROD-DH-KEYSIZE", "PROD-NO-RENEGOTIATION", "PROD-HOSTNAME-VERIFICATION", "PROD-JSESSIONID", "PROD-ADMIN-CREDENTIALS", "PROD-SEPARATE-ADMIN", "PROD-CONSOLE-ACCESS", "PROD-LOG-ROTATION", "PROD-LOG-FORGING", "PROD-JVM", "PROD-PUBLISHER-EGRESS", "PROD-CALLBACK-REGEX", "PROD-CLIENT-AUTH", "PROD-HOSTNAME", "PROD-PROXY", "PROD-SESSION-CLEANUP", "PROD-HEALTH-CHECK", "OS-DEDICATED-USER", "OS-MINIMAL-SOFTWARE", "OS-FIREWALL", "OS-CLUSTER-PORTS", "OS-SSH", "OS-UPDATES", "OS-MONITOR-USERS", "OS-BACKUPS", "NET-FAILOVER", "NET-LOGGING", "NET-OPEN-PORTS", "NET-DEVICE-SECURITY", "NET-FIRMWARE", "NET-BLOCK-ADMIN-CONTEXTS", "NET-PROXY-HOSTNAME", "DATA-BACKUP-RDBMS", "DEP-ENVIRONMENTS", "DEP-CONFIG-IN-VCS", "DEP-BLUE-GREEN", "DEP-CANARY", "DEP-PERF-ENVIRONMENT"];

describe("guideline traceability", () => {
    it("says which guidelines check-config verifies, as the configuration model maps its findings", () => {
        for (const g of GUIDELINES) {
            for (const id of g.configChecks ?? []) {
                assert.ok(id in FINDING_GUIDELINES, `${g.id}: ${id} is not a check-config finding`);
                assert.ok(FINDING_GUIDELINES[id as keyof typeof FINDING_GUIDELINES].includes(g.id), `${g.id}: ${id} does not verify it`);
            }
        }
        for (const [finding, ids] of Object.entries(FINDING_GUIDELINES)) {
            for (const id of ids) assert.ok(GUIDELINES.find((g) => g.id === id)?.configChecks?.includes(finding), `${id} should list ${finding}`);
        }
        // Every key the model requires carries a guideline that missing-key verifies.
        for (const product of ["apim", "mi", "is", "si"] as const) {
            for (const v of modelVersions(product)) {
                for (const r of productModel(product, v).required) assert.ok(FINDING_GUIDELINES["missing-key"].includes(r.guideline), `${product} ${v} ${r.key}: ${r.guideline}`);
            }
        }
    });

    it("catalogs every guideline id exactly once", () => {
        assert.deepEqual(GUIDELINES.map((g) => g.id), EXPECTED_IDS);
    });

    for (const g of GUIDELINES) {
        it(`${g.id} (${g.status}) is true to the code`, () => {
            for (const f of [...g.components, ...g.tests]) assert.ok(fs.existsSync(path.join(REPO, f)), `${g.id}: ${f} does not exist`);
            for (const t of g.tests) assert.match(t, /^test\/.*\.test\.ts$/, `${g.id}: ${t} is not a test file`);
            for (const p of g.policies) {
                const m = policyMeta.find((x) => x.name === p);
                assert.ok(m, `${g.id}: policy ${p} is not in the pack`);
                assert.ok(m.guidelines.includes(g.id), `${g.id}: policy ${p} does not declare ${g.id}`);
            }
            switch (g.status) {
                case "enforced":
                    assert.ok(g.policies.length > 0, "enforced needs a policy");
                    assert.ok(g.tests.length > 0, "enforced needs a test");
                    break;
                case "implemented":
                    assert.equal(g.policies.length, 0, "a guideline a policy checks is enforced, not implemented");
                    assert.ok(g.components.length > 0 && g.tests.length > 0, "implemented needs components and tests");
                    break;
                case "out-of-scope":
                case "planned":
                    assert.ok((g.reason ?? "").length >= 10, "needs a reason");
                    break;
            }
        });
    }

    it("an enforced guideline's every policy is exercised by one of its listed tests", () => {
        for (const g of GUIDELINES.filter((x) => x.status === "enforced")) {
            const sources = g.tests.map((t) => fs.readFileSync(path.join(REPO, t), "utf8"));
            for (const p of g.policies) assert.ok(sources.some((src) => src.includes(p)), `${g.id}: no listed test exercises ${p}`);
        }
    });

    // Claims an audit found false: the policy judges something else than the guideline asks for.
    const NOT_EVIDENCE: [id: string, policy: string, why: string][] = [
        ["PROD-HSTS", "wso2-lb-http-redirect-only", "redirecting plain HTTP is not the Strict-Transport-Security header browsers keep"],
        ["PROD-UPDATES", "wso2-k8s-image-pinned", "a pinned image is the build that was tested, whether or not it carries the updates"],
        ["OS-MONITOR-USERS", "wso2-log-retention", "keeping log groups does not show that user activity is recorded"],
    ];
    for (const [id, policy, why] of NOT_EVIDENCE) {
        it(`${id} is not claimed through ${policy}: ${why}`, () => {
            const g = GUIDELINES.find((x) => x.id === id)!;
            assert.ok(!g.policies.includes(policy), `${id} lists ${policy}`);
            assert.ok(!policyMeta.find((m) => m.name === policy)!.guidelines.includes(id), `${policy} declares ${id}`);
            if (g.policies.length === 0) assert.notEqual(g.status, "enforced");
        });
    }

    it("PROD-HSTS is implemented where the header is set: the edge listener, the product and nginx", () => {
        const g = GUIDELINES.find((x) => x.id === "PROD-HSTS")!;
        assert.equal(g.status, "implemented");
        const edgeTest = fs.readFileSync(path.join(REPO, "test/edge/edge-lb.test.ts"), "utf8");
        assert.ok(g.tests.includes("test/edge/edge-lb.test.ts") && edgeTest.includes("routingHttpResponseStrictTransportSecurityHeaderValue"));
    });

    it("lists every guideline a pack policy declares", () => {
        for (const m of policyMeta) {
            for (const id of m.guidelines) {
                const g = GUIDELINES.find((x) => x.id === id);
                assert.ok(g, `${m.name} declares unknown guideline ${id}`);
                assert.ok(g.policies.includes(m.name), `${id} does not list policy ${m.name}`);
            }
        }
    });

    it("wso2-harden guidelines --json prints the catalog", () => {
        const r = runCli(["guidelines", "--json"]);
        assert.equal(r.code, 0, r.stderr);
        const rows = JSON.parse(r.stdout);
        assert.equal(rows.length, GUIDELINES.length);
        for (const row of rows) {
            assert.deepEqual(Object.keys(row), ["id", "title", "status", "reason", "components", "policies", "tests"]);
            assert.ok(["enforced", "implemented", "out-of-scope", "planned"].includes(row.status));
        }
    });

    it("wso2-harden guidelines prints one line per id with its status", () => {
        const r = runCli(["guidelines"]);
        assert.equal(r.code, 0, r.stderr);
        for (const g of GUIDELINES) assert.match(r.stdout, new RegExp(`^${g.id}\\s+${g.status}\\s`, "m"));
    });
});
