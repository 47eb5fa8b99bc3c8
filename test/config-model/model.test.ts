import { strict as assert } from "assert";
import { modelVersions, productModel, tomcatProtocols, cipherStrength } from "../../products/model";

describe("configuration model", () => {
    it("knows the catalog's version and one newer line per product, and refuses others naming productVersion", () => {
        assert.deepEqual(modelVersions("apim"), ["4.3.0", "4.5.0"]);
        assert.deepEqual(modelVersions("mi"), ["4.3.0", "4.4.0"]);
        assert.deepEqual(modelVersions("is"), ["7.0.0", "7.1.0"]);
        assert.deepEqual(modelVersions("si"), ["4.3.0"]);
        assert.throws(() => productModel("apim", "4.2.0"), /^Error: productVersion: apim "4\.2\.0" is not a version the configuration model knows \(4\.3\.0, 4\.5\.0\)/);
    });

    it("derives the keys each version reads from WSO2's templates and defaults", () => {
        const apim = productModel("apim", "4.3.0").keys;
        assert.ok(apim.has("transport.passthru_https.listener.parameters.HttpsProtocols"));
        assert.ok(apim.has("transport.https.properties.server"), "open map of Tomcat connector attributes");
        assert.ok(apim.has("database.apim_db.url"), "infer.json's any-name databases");
        assert.ok(!apim.has("authenticationendpoint.tomcat.http_header_security_filter.parameters"), "no API-M template reads HSTS there");
        const mi = productModel("mi", "4.3.0").keys;
        assert.ok(mi.has("transport.https.sender.parameter.PreferredCiphers"));
        assert.ok(!mi.has("transport.http.sender.preferred_ciphers"), "read by nothing in MI");
        assert.ok(!mi.has("keystore.tls.file_name"), "MI reads keystore.primary only");
        assert.ok(productModel("is", "7.0.0").keys.namespaces.includes("oauth"), "feature namespace");
    });

    it("names the AWS membership parameters the shipped kernel reads", () => {
        assert.equal(productModel("apim", "4.3.0").awsMembership?.tagKey, "tag-key", "carbon-kernel 4.9.x");
        assert.equal(productModel("is", "7.0.0").awsMembership?.tagKey, "tagKey", "carbon-kernel 4.10.x");
    });

    it("IS 7.0 ships JKS stores, 7.1 PKCS12; MI resolves store paths against its home", () => {
        assert.equal(productModel("is", "7.0.0").shippedStores.type, "JKS");
        assert.equal(productModel("is", "7.1.0").shippedStores.type, "PKCS12");
        assert.equal(productModel("mi", "4.3.0").storePaths.base, "product-home");
        assert.equal(productModel("apim", "4.3.0").storePaths.base, "security-dir");
    });

    it("reads Tomcat protocol lists and grades ciphers", () => {
        assert.deepEqual(tomcatProtocols("+TLSv1,+TLSv1.1,+TLSv1.2"), ["TLSv1", "TLSv1.1", "TLSv1.2"]);
        assert.deepEqual(tomcatProtocols("TLSv1.2+TLSv1.3"), ["TLSv1.2", "TLSv1.3"]);
        assert.deepEqual(tomcatProtocols("all,-TLSv1,-TLSv1.1"), ["SSLv2Hello", "TLSv1.2", "TLSv1.3"]);
        assert.equal(cipherStrength("TLS_RSA_WITH_RC4_128_SHA"), "broken");
        assert.equal(cipherStrength("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"), "weak");
        assert.equal(cipherStrength("TLS_AES_256_GCM_SHA384"), "strong");
    });
});
