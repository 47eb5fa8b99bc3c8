import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Boot test stand-in for a WSO2 product: what the node's boot steps and the load balancer see of it, not the
 * product. {@code cipher} encrypts the plain {@code [secrets]} of deployment.toml with the primary keystore's
 * certificate, as the product's cipher tool does; {@code serve} reads the keystore password from
 * password-tmp, opens the TLS keystore named by deployment.toml, decrypts every secret (so a wrong password or
 * keystore fails the start) and serves HTTPS on the product's service ports with the protocols and ciphers
 * deployment.toml sets for each transport, answering the product's health paths.
 *
 * usage: StandIn cipher PRODUCT_HOME < password    |    StandIn serve PRODUCT_HOME
 */
public final class StandIn {
    private static final String CIPHER = "RSA/ECB/OAEPwithSHA1andMGF1Padding";

    private StandIn() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            fail("usage: StandIn cipher|serve PRODUCT_HOME");
        }
        Path home = Path.of(args[1]);
        Properties layout = new Properties();
        try (InputStream in = Files.newInputStream(home.resolve("bin/standin.properties"))) {
            layout.load(in);
        }
        Path config = home.resolve(layout.getProperty("configFile"));
        switch (args[0]) {
            case "cipher" -> cipher(home, config);
            case "serve" -> serve(home, config, layout);
            default -> fail("unknown command " + args[0]);
        }
    }

    static void fail(String message) {
        System.err.println("standin: " + message);
        System.exit(1);
    }

    // ---- deployment.toml: tables and their one-line `key = value` entries. The configuration model (with a
    // full TOML parser) has judged the file before; lines this reader does not need (arrays of tables,
    // values spanning lines) are passed over.
    static final Pattern TABLE = Pattern.compile("^\\[([A-Za-z0-9_.\"-]+)]\\s*(#.*)?$");
    static final Pattern ENTRY = Pattern.compile("^([A-Za-z0-9_.\"-]+)\\s*=\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[0-9]+|true|false|\\[.*])\\s*(#.*)?$");

    static Map<String, Map<String, String>> readToml(Path file) throws IOException {
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        String table = "";
        tables.put(table, new LinkedHashMap<>());
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher t = TABLE.matcher(line);
            Matcher e = ENTRY.matcher(line);
            if (t.matches()) {
                table = t.group(1);
                tables.computeIfAbsent(table, k -> new LinkedHashMap<>());
            } else if (e.matches()) {
                String value = e.group(2);
                if (value.startsWith("\"")) {
                    value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
                }
                tables.get(table).put(e.group(1), value);
            } else if (line.startsWith("[[")) {
                table = line.replaceAll("[\\[\\]\\s]", "") + "[]";
                tables.computeIfAbsent(table, k -> new LinkedHashMap<>());
            }
        }
        return tables;
    }

    static String need(Map<String, Map<String, String>> toml, String table, String key) {
        String v = toml.getOrDefault(table, Map.of()).get(key);
        if (v == null) {
            fail("deployment.toml: [" + table + "] " + key + " is missing");
        }
        return v;
    }

    /**
     * A keystore or truststore setting as the product resolves it: the kernel's defaults point every
     * {@code keystore.tls} and {@code keystore.internal} key the file leaves out at {@code keystore.primary}'s,
     * and a store without a {@code type} is JKS (PKCS12 for a .p12 file, as the products that ship one set it).
     */
    static String store(Map<String, Map<String, String>> toml, String table, String key) {
        String v = toml.getOrDefault(table, Map.of()).get(key);
        if (v != null) {
            return v;
        }
        if (table.equals("keystore.tls") || table.equals("keystore.internal")) {
            return store(toml, "keystore.primary", key);
        }
        if (key.equals("type")) {
            String file = store(toml, table, "file_name");
            return file.endsWith(".p12") || file.endsWith(".pfx") ? "PKCS12" : "JKS";
        }
        return need(toml, table, key);
    }

    static KeyStore openStore(Path home, Map<String, Map<String, String>> toml, String table, char[] password) throws Exception {
        Path file = home.resolve("repository/resources/security").resolve(store(toml, table, "file_name"));
        KeyStore ks = KeyStore.getInstance(store(toml, table, "type"));
        try (InputStream in = new FileInputStream(file.toFile())) {
            ks.load(in, password);
        } catch (IOException e) {
            fail("[" + table + "] " + file + " does not open with the keystore password: " + e.getMessage());
        }
        return ks;
    }

    // ---- cipher tool
    static final Pattern PLAIN_SECRET = Pattern.compile("^(\\s*[A-Za-z0-9_.-]+\\s*=\\s*)\"\\[(.*)]\"\\s*$");

    static void cipher(Path home, Path config) throws Exception {
        char[] password = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip().toCharArray();
        Map<String, Map<String, String>> toml = readToml(config);
        KeyStore ks = openStore(home, toml, "keystore.primary", password);
        Certificate cert = ks.getCertificate(store(toml, "keystore.primary", "alias"));
        if (cert == null) {
            fail("[keystore.primary] alias " + store(toml, "keystore.primary", "alias") + " is not in the keystore");
        }
        Cipher rsa = Cipher.getInstance(CIPHER);
        rsa.init(Cipher.ENCRYPT_MODE, cert.getPublicKey());
        List<String> out = new ArrayList<>();
        boolean inSecrets = false;
        int encrypted = 0;
        for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
            Matcher t = TABLE.matcher(line.strip());
            if (t.matches()) {
                inSecrets = t.group(1).equals("secrets");
            }
            Matcher m = PLAIN_SECRET.matcher(line);
            if (inSecrets && m.matches()) {
                byte[] sealed = rsa.doFinal(m.group(2).replace("\\\"", "\"").replace("\\\\", "\\").getBytes(StandardCharsets.UTF_8));
                line = m.group(1) + "\"" + Base64.getEncoder().encodeToString(sealed) + "\"";
                encrypted++;
            }
            out.add(line);
        }
        Files.write(config, out, StandardCharsets.UTF_8);
        System.out.println("standin cipher: encrypted " + encrypted + " secrets");
    }

    // ---- server
    static void serve(Path home, Path config, Properties layout) throws Exception {
        Path passwordFile = home.resolve("password-tmp");
        if (!Files.isReadable(passwordFile)) {
            fail(passwordFile + " is missing: the keystore password was not provided");
        }
        char[] password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
        checkModel(config, layout);
        Map<String, Map<String, String>> toml = readToml(config);
        checkConfig(toml);

        KeyStore tls = openStore(home, toml, "keystore.tls", password);
        String alias = store(toml, "keystore.tls", "alias");
        String keyPassword = store(toml, "keystore.tls", "key_password");
        Key key = tls.getKey(alias, keyPassword.startsWith("$secret{") ? password : keyPassword.toCharArray());
        if (!(key instanceof PrivateKey)) {
            fail("[keystore.tls] alias " + alias + " holds no private key");
        }
        openStore(home, toml, "truststore", password);
        Cipher rsa = Cipher.getInstance(CIPHER);
        rsa.init(Cipher.DECRYPT_MODE, (PrivateKey) openStore(home, toml, "keystore.primary", password)
            .getKey(store(toml, "keystore.primary", "alias"), password));
        Map<String, String> secrets = new LinkedHashMap<>();
        for (Map.Entry<String, String> s : toml.getOrDefault("secrets", Map.of()).entrySet()) {
            try {
                secrets.put(s.getKey(), new String(rsa.doFinal(Base64.getDecoder().decode(s.getValue())), StandardCharsets.UTF_8));
            } catch (Exception e) {
                fail("[secrets] " + s.getKey() + " does not decrypt with the primary keystore: " + e);
            }
        }
        connectDatabases(home, toml, secrets);

        // Only deployment.toml decides the protocols: lift the JDK's own floor so a weak setting shows.
        Security.setProperty("jdk.tls.disabledAlgorithms", "");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore only = KeyStore.getInstance("PKCS12");
        only.load(null, null);
        only.setKeyEntry(alias, key, password, tls.getCertificateChain(alias));
        kmf.init(only, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);

        String[] healthPaths = layout.getProperty("healthPaths").split(",");
        for (String spec : layout.getProperty("ports").split(",")) {
            String[] portTransport = spec.split(":");
            int port = Integer.parseInt(portTransport[0]);
            String[] tlsKeys = layout.getProperty("tls." + portTransport[1]).split(",");
            String table = tlsKeys[0];
            String protocols = need(toml, table, tlsKeys[1]);
            String ciphers = need(toml, table, tlsKeys[2]);
            HttpsServer server = HttpsServer.create(new InetSocketAddress(port), 64);
            server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = ctx.getDefaultSSLParameters();
                    p.setProtocols(protocols.split("\\s*,\\s*"));
                    p.setCipherSuites(ciphers.split("\\s*,\\s*"));
                    p.setUseCipherSuitesOrder(true);
                    params.setSSLParameters(p);
                }
            });
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                boolean health = List.of(healthPaths).contains(path);
                byte[] body = (health ? "{\"status\":\"healthy\"}" : "not found").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(health ? 200 : 404, body.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(body);
                }
            });
            server.start();
            System.out.println("standin: HTTPS on " + port + " (" + table + ": " + protocols + ")");
        }
        // Clustering ports answer with a line, so a probe from outside tells a firewall drop from a listener.
        for (String spec : layout.getProperty("clusterPorts", "").split(",")) {
            if (spec.isBlank()) {
                continue;
            }
            ServerSocket listener = new ServerSocket(Integer.parseInt(spec.strip()));
            Thread t = new Thread(() -> {
                while (true) {
                    try (Socket peer = listener.accept()) {
                        peer.getOutputStream().write("standin-cluster\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        System.err.println("standin: cluster port " + listener.getLocalPort() + ": " + e.getMessage());
                    }
                }
            });
            t.start();
            System.out.println("standin: clustering port " + spec.strip());
        }
    }

    /**
     * The project's configuration model judges the file first (the test serves it on the host, see
     * model-service.ts): the stand-in refuses to start on any error-level finding, printing them.
     */
    static void checkModel(Path config, Properties layout) throws Exception {
        String url = layout.getProperty("modelCheck");
        if (url == null) {
            fail("standin.properties names no modelCheck URL");
        }
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(url).toURL().openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(60_000);
        try (OutputStream os = c.getOutputStream()) {
            os.write(Files.readAllBytes(config));
        }
        String verdict;
        try (InputStream in = c.getInputStream()) {
            verdict = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!verdict.startsWith("ok")) {
            fail("the configuration model refuses " + config + ":\n" + verdict);
        }
        System.out.println("standin: the configuration model accepts " + config);
    }

    /** Connections the stand-in holds open while it runs, as the product's pools do. */
    static final List<java.sql.Connection> POOL = new ArrayList<>();

    /**
     * Every {@code [database.*]} table with a PostgreSQL URL: connected as the product would, with the JDBC
     * driver the boot put in the product's library directory, the table's user and its password resolved
     * from {@code [secrets]}. A datasource that does not connect stops the start, as it stops the product.
     * The product renders the URL into an XML datasource file, where {@code &amp;} reads back as {@code &}.
     */
    static void connectDatabases(Path home, Map<String, Map<String, String>> toml, Map<String, String> secrets) throws Exception {
        java.sql.Driver driver = null;
        for (Map.Entry<String, Map<String, String>> t : toml.entrySet()) {
            String url = t.getValue().get("url");
            if (!t.getKey().startsWith("database.") || url == null || !url.startsWith("jdbc:postgresql:")) {
                continue;
            }
            if (driver == null) {
                driver = loadDriver(home);
            }
            String password = need(toml, t.getKey(), "password");
            Matcher ref = Pattern.compile("^\\$secret\\{([^}]*)}$").matcher(password);
            if (ref.matches()) {
                password = secrets.get(ref.group(1));
            }
            Properties props = new Properties();
            props.setProperty("user", need(toml, t.getKey(), "username"));
            props.setProperty("password", password);
            props.setProperty("ApplicationName", "standin " + t.getKey());
            props.setProperty("connectTimeout", "30");
            // The driver waits 5 s by default for the server's answer to its TLS request; a guest short of CPU
            // (emulated, beside other VMs) misses that while the server answered at once.
            props.setProperty("sslResponseTimeout", "60000");
            // Bounded retries, as a connection pool's start does: three attempts, 10 s apart.
            java.sql.Connection c = null;
            for (int attempt = 1; c == null; attempt++) {
                try {
                    c = driver.connect(url.replace("&amp;", "&"), props);
                } catch (java.sql.SQLException e) {
                    String why = e.getMessage() + (e.getCause() != null ? " (" + e.getCause() + ")" : "");
                    if (attempt == 3) {
                        fail("[" + t.getKey() + "] " + url + " does not connect as " + props.getProperty("user") + ": " + why);
                        return;
                    }
                    System.out.println("standin: [" + t.getKey() + "] attempt " + attempt + " failed: " + why);
                    Thread.sleep(10_000);
                }
            }
            try (java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT current_user, current_database(), ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                rs.next();
                System.out.println("standin: [" + t.getKey() + "] connected as " + rs.getString(1) + " to " + rs.getString(2)
                    + " (ssl " + rs.getBoolean(3) + ", " + rs.getString(4) + ")");
            }
            POOL.add(c);
        }
    }

    /** The PostgreSQL JDBC driver from the jars in the product's library directories. */
    static java.sql.Driver loadDriver(Path home) throws Exception {
        List<java.net.URL> jars = new ArrayList<>();
        for (String dir : List.of("repository/components/lib", "lib")) {
            Path d = home.resolve(dir);
            if (Files.isDirectory(d)) {
                try (var files = Files.list(d)) {
                    for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".jar"))::iterator) {
                        jars.add(f.toUri().toURL());
                    }
                }
            }
        }
        try {
            ClassLoader loader = new java.net.URLClassLoader(jars.toArray(new java.net.URL[0]), StandIn.class.getClassLoader());
            return (java.sql.Driver) Class.forName("org.postgresql.Driver", true, loader).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            fail("no PostgreSQL JDBC driver in " + jars + " (the database client step puts it there)");
            return null;
        }
    }

    /** The configuration the stand-in itself relies on. */
    static void checkConfig(Map<String, Map<String, String>> toml) {
        for (String table : List.of("keystore.tls", "keystore.primary", "keystore.internal", "truststore")) {
            for (String key : List.of("file_name", "type", "password")) {
                store(toml, table, key);
            }
        }
        for (Map.Entry<String, Map<String, String>> t : toml.entrySet()) {
            for (Map.Entry<String, String> e : t.getValue().entrySet()) {
                Matcher ref = Pattern.compile("\\$secret\\{([^}]*)}").matcher(e.getValue());
                while (ref.find()) {
                    if (!toml.getOrDefault("secrets", Map.of()).containsKey(ref.group(1))) {
                        fail("[" + t.getKey() + "] " + e.getKey() + " refers to $secret{" + ref.group(1) + "}, which [secrets] does not define");
                    }
                }
            }
        }
    }
}
