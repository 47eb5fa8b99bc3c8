/** The datasource keys and database node settings as pure functions: what they write, what they refuse. */
import { strict as assert } from "assert";
import { checkConfig, productModel } from "../../products/model";
import { databaseNodeSettings, datasourceKeys, renderDeploymentToml } from "../../components/host";
import { PRODUCTS } from "../../products";

const BASE = { host: "wso2-prod-db.abcdefghijkl.eu-west-1.rds.amazonaws.com", port: 5432, runtimeUsername: "wso2_runtime" };
const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:";

describe("host: datasources on the shared database", () => {
    it("API-M: apim_db and shared_db, TLS verify-full against the bundle, the runtime user, a vault password", () => {
        const keys = datasourceKeys({ ...BASE, product: "apim", databases: { apim_db: "am", shared_db: "shared" } });
        assert.deepEqual(Object.keys(keys).sort(), [
            "database.apim_db.driver", "database.apim_db.password", "database.apim_db.type", "database.apim_db.url", "database.apim_db.username", "database.apim_db.validationQuery",
            "database.shared_db.driver", "database.shared_db.password", "database.shared_db.type", "database.shared_db.url", "database.shared_db.username", "database.shared_db.validationQuery",
        ]);
        assert.equal(keys["database.apim_db.url"], `jdbc:postgresql://${BASE.host}:5432/am?sslmode=verify-full&amp;sslrootcert=/etc/wso2/database-ca.pem`);
        assert.equal(keys["database.shared_db.password"], "$secret{database_password}");
    });

    it("the rendered deployment.toml passes check-config with no finding on the datasources", () => {
        for (const [product, databases] of [["apim", { apim_db: "a", shared_db: "s" }], ["is", { identity_db: "i", shared_db: "s" }], ["mi", { coordination_db: "c" }]] as const) {
            const spec = PRODUCTS[product];
            const toml = renderDeploymentToml({ product: spec, productVersion: "", hostname: "wso2.example.com", databases: datasourceKeys({ ...BASE, product, databases }) });
            const findings = checkConfig(toml, productModel(product, spec.defaultVersion)).findings.filter((f) => /^(database\.(apim_db|shared_db|identity_db)|datasource)/.test(f.key));
            assert.deepEqual(findings, [], `${product}: ${JSON.stringify(findings)}`);
        }
    });

    it("refuses a missing database name, a bad host and a non-ARN secret, naming the input", () => {
        assert.throws(() => datasourceKeys({ ...BASE, product: "is", databases: { shared_db: "s" } }), /no database name for identity_db/);
        assert.throws(() => datasourceKeys({ ...BASE, host: "db.example.com/evil", product: "apim", databases: { apim_db: "a", shared_db: "s" } }), /database host/);
        const node = { ...BASE, product: "apim" as const, databases: { apim_db: "a", shared_db: "s" }, region: "eu-west-1", driverDir: "repository/components/lib", runtimeSecretArn: `${SECRET}rt-AbCdEf` };
        assert.throws(() => databaseNodeSettings({ ...node, masterSecretArn: "master" }), /masterSecretArn/);
        assert.equal(databaseNodeSettings({ ...node, masterSecretArn: `${SECRET}rds!db-1` }).DB_SCHEMAS, "s=dbscripts/postgresql.sql a=dbscripts/apimgt/postgresql.sql");
    });
});
