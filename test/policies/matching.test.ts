/** The pure pieces the policies stand on: glob witnesses, literal prefixes, credential detection. */
import * as assert from "assert";
import { attackPaths, globWitness, literalPrefix } from "../../policies/lib/alb";
import { findCredentials } from "../../policies/rules/no-literal-credentials";
import { deniesInsecureTransport } from "../../policies/rules/bucket-tls-only";

describe("policies: ALB path patterns", () => {
    it("finds a path inside a context that a glob matches, exactly where one exists", () => {
        assert.strictEqual(globWitness("/*", "/carbon"), "/carbon");
        assert.strictEqual(globWitness("/car*", "/carbon"), "/carbon");
        assert.strictEqual(globWitness("/carbon/*", "/carbon"), "/carbon/");
        assert.strictEqual(globWitness("/c?rbon/admin/*.jsp", "/carbon"), "/carbon/admin/.jsp");
        assert.strictEqual(globWitness("/*/admin", "/services"), "/services/admin");
        assert.strictEqual(globWitness("/devportal/*", "/carbon"), undefined);
        assert.strictEqual(globWitness("/carbonara*", "/carbon"), undefined);
        assert.strictEqual(globWitness("/services", "/services"), "/services");
    });

    it("reads the literal start of globs and regexes", () => {
        assert.strictEqual(literalPrefix("/api/am/devportal/*", false), "/api/am/devportal/");
        assert.strictEqual(literalPrefix("^/oauth2/.*$", true), "/oauth2/");
        assert.strictEqual(literalPrefix("/api\\/x(/.*)?", true), "/api/x");
    });

    it("builds traversals deep enough to climb out of every forwarded prefix", () => {
        const paths = attackPaths(["/carbon"], [{ rule: {} as any, priority: 1, forwards: true, globs: ["/api/am/devportal/*"], regexes: [], hasPath: true, hasOther: false }]);
        assert.ok(paths.includes("/api/am/devportal/../../../carbon/"));
        assert.ok(paths.includes("/api/am/devportal/..;/..;/..;/carbon/"));
        assert.ok(paths.includes("/carbon"));
        assert.ok(paths.includes("//carbon/"));
    });
});

describe("policies: literal credential detection", () => {
    it("finds defaults and literals without repeating the secret", () => {
        assert.deepStrictEqual(findCredentials('[super_admin]\nusername = "admin"\npassword = "admin"\n'), ['the default value "admin" for password']);
        assert.deepStrictEqual(findCredentials("DB_PASSWORD=S3cr3t-Value\n"), ["a literal value for DB_PASSWORD"]);
        // "default" in the key excuses only the shipped default value, never another literal.
        assert.deepStrictEqual(findCredentials("DEFAULT_PASSWORD=hunter2-prod\n"), ["a literal value for DEFAULT_PASSWORD"]);
        assert.deepStrictEqual(findCredentials("curl -u admin:admin https://localhost:9443/carbon"), ["the default admin/admin credential"]);
        assert.deepStrictEqual(findCredentials("aws_access_key_id = AKIAABCDEFGHIJKLMNOP"), ["an AWS access key id"]);
        assert.deepStrictEqual(findCredentials("-----BEGIN RSA PRIVATE KEY-----\nMIIE"), ["a private key"]);
    });

    it("accepts references to secrets", () => {
        const text = [
            'password = "$secret{admin_password}"',
            'key_password = "$env{KEYSTORE_PASSWORD}"',
            'PASSWORD="$(aws secretsmanager get-secret-value --secret-id x --query SecretString --output text)"',
            'keystore_password: "{{ keystore_password }}"',
            "password:",
            "  from: secrets-manager",
            "TRUSTSTORE_PASSWORD=$TS_PASS",
            "printf 'admin_password = %s\\n' \"$(toml_string \"$admin_password\")\"",
            "export DEFAULT_PASSWORD='wso2carbon'",
        ].join("\n");
        assert.deepStrictEqual(findCredentials(text), []);
    });
});

describe("policies: TLS-only bucket policy statements", () => {
    const deny = { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } };
    it("recognises the deny-insecure-transport statement and nothing weaker", () => {
        assert.ok(deniesInsecureTransport({ Statement: [deny] }));
        assert.ok(deniesInsecureTransport({ Statement: [{ ...deny, Principal: { AWS: "*" }, Condition: { Bool: { "aws:SecureTransport": false } } }] }));
        assert.ok(!deniesInsecureTransport({ Statement: [{ ...deny, Effect: "Allow" }] }));
        assert.ok(!deniesInsecureTransport({ Statement: [{ ...deny, Action: "s3:GetObject" }] }));
        assert.ok(!deniesInsecureTransport({ Statement: [{ ...deny, Principal: { AWS: "arn:aws:iam::1:root" } }] }));
    });
});
