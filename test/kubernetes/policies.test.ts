import { strict as assert } from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { kubernetesPolicyMeta, kubernetesRules } from "../../policies/rules/kubernetes";
import { renderManifests, type Manifest } from "../../components/kubernetes";
import { UNKNOWN } from "../../policies/lib/values";
import { BACKUP, input } from "./fixtures";

interface FakeResource {
    type: string;
    name: string;
    props: Record<string, any>;
}

/** The Pulumi type token of a manifest, as `@pulumi/kubernetes` registers it. */
function typeOf(m: { apiVersion: string; kind: string }): string {
    return `kubernetes:${m.apiVersion.includes("/") ? m.apiVersion : `core/${m.apiVersion}`}:${m.kind}`;
}

const asResource = (m: Manifest): FakeResource => ({ type: typeOf(m), name: `${m.kind.toLowerCase()}-${m.metadata.name}`, props: m });
const urn = (r: FakeResource) => `urn:pulumi:test::wso2::${r.type}::${r.name}`;

function policy(name: string) {
    const rule = kubernetesRules.find((r) => r.meta.name === name);
    assert.ok(rule, name);
    return rule.policy;
}

/** Messages a policy reports on these resources, through fake validation args. */
function run(name: string, resources: FakeResource[], config: Record<string, unknown> = {}): string[] {
    const p = policy(name);
    const messages: string[] = [];
    // Unproven findings come in the object form that carries their own (advisory) enforcement level.
    const report = (message: string | { message: string; enforcementLevel: string }) =>
        messages.push(typeof message === "string" ? message : `${message.message} [${message.enforcementLevel}]`);
    if ("validateResource" in p) {
        for (const r of resources) {
            const validate = (p as ResourceValidationPolicy).validateResource as (args: unknown, report: (m: string) => void) => void;
            validate(
                { type: r.type, name: r.name, urn: urn(r), props: r.props, opts: {}, getConfig: () => config },
                report,
            );
        }
    } else {
        (p as StackValidationPolicy).validateStack!(
            { resources: resources.map((r) => ({ type: r.type, name: r.name, urn: urn(r), props: r.props, propertyDependencies: {} })), getConfig: () => config } as any,
            report,
        );
    }
    return messages;
}

const manifests = () => renderManifests(input(), BACKUP).map((m) => JSON.parse(JSON.stringify(m)) as Manifest);
const find = (ms: Manifest[], kind: string, name: string) => ms.find((m) => m.kind === kind && m.metadata.name === name) as any;

describe("kubernetes: policies", () => {
    it("exports one metadata entry per policy, named wso2-k8s-*, with guideline ids and remediation", () => {
        assert.equal(kubernetesPolicyMeta.length, kubernetesRules.length);
        for (const m of kubernetesPolicyMeta) {
            assert.match(m.name, /^wso2-k8s-[a-z0-9-]+$/);
            assert.ok(m.guidelines.length > 0 && m.guidelines.every((g) => /^[A-Z]+(-[A-Z0-9]+)+$/.test(g)), m.name);
            assert.ok(m.remediation.length > 40, m.name);
        }
    });

    it("has a firing and a passing case below for every Kubernetes policy, and all of them are in the pack", async () => {
        const covered = ["restricted-pod-security", "network-policy-coverage", "pdb-present", "min-replicas", "route-allowlist", "no-literal-secrets", "image-pinned", "health-probes"];
        assert.deepEqual(kubernetesRules.map((r) => r.meta.name).sort(), covered.map((c) => `wso2-k8s-${c}`).sort());
        const { policyMeta } = await import("../../policies/pack");
        for (const r of kubernetesRules) assert.ok(policyMeta.some((m) => m.name === r.meta.name), r.meta.name);
    });

    it("none fires on the manifests this project renders", () => {
        const resources = manifests().map(asResource);
        for (const r of kubernetesRules) assert.deepEqual(run(r.meta.name, resources), [], r.meta.name);
    });

    describe("wso2-k8s-restricted-pod-security", () => {
        it("fires on privilege escalation, missing seccomp, root, a writable root and a hostPath volume", () => {
            const ms = manifests();
            const sts = find(ms, "StatefulSet", "wso2-apim-blue");
            const c = sts.spec.template.spec.containers[0];
            c.securityContext.allowPrivilegeEscalation = true;
            c.securityContext.readOnlyRootFilesystem = false;
            delete c.securityContext.seccompProfile;
            delete sts.spec.template.spec.securityContext.seccompProfile;
            sts.spec.template.spec.volumes.push({ name: "host", hostPath: { path: "/var/run" } });
            const [msg] = run("wso2-k8s-restricted-pod-security", [asResource(sts)]);
            for (const part of ["allowPrivilegeEscalation", "seccomp", "writable root filesystem", "hostPath"]) assert.match(msg, new RegExp(part));
        });

        it("fires on a bare pod with a service account token and UID 0, and reports unknowns as unproven", () => {
            const pod = {
                type: "kubernetes:core/v1:Pod",
                name: "bare",
                props: { apiVersion: "v1", kind: "Pod", metadata: { name: "bare" }, spec: { securityContext: { runAsUser: 0 }, containers: [{ name: "c", image: "x:1.0.0" }] } },
            };
            const [msg] = run("wso2-k8s-restricted-pod-security", [pod]);
            assert.match(msg, /service account token/);
            assert.match(msg, /runs as UID 0/);
            const unknown = { ...pod, props: { ...pod.props, spec: { containers: [{ name: "c", securityContext: UNKNOWN }], automountServiceAccountToken: false } } };
            assert.match(run("wso2-k8s-restricted-pod-security", [unknown]).join(), /could not be proven/);
        });

        it("passes the restricted pods, and lets config relax the read-only root", () => {
            const sts = find(manifests(), "StatefulSet", "wso2-apim-green");
            assert.deepEqual(run("wso2-k8s-restricted-pod-security", [asResource(sts)]), []);
            sts.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
            assert.deepEqual(run("wso2-k8s-restricted-pod-security", [asResource(sts)], { requireReadOnlyRootFilesystem: false }), []);
        });
    });

    describe("wso2-k8s-network-policy-coverage", () => {
        it("fires when no NetworkPolicy restricts the pods", () => {
            const ms = manifests().filter((m) => m.kind !== "NetworkPolicy");
            const msgs = run("wso2-k8s-network-policy-coverage", ms.map(asResource));
            assert.ok(msgs.some((m) => /statefulset-wso2-apim-blue: no NetworkPolicy restricts ingress or egress/.test(m)), msgs.join("\n"));
        });

        it("fires when a clustering port is opened to a network or to the whole namespace", () => {
            const ms = manifests();
            const clustering = find(ms, "NetworkPolicy", "wso2-apim-blue-clustering");
            clustering.spec.ingress[0].from.push({ ipBlock: { cidr: "10.0.0.0/8" } });
            ms.push({
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "allow-all-in", namespace: "wso2" },
                spec: { podSelector: {}, ingress: [{}], policyTypes: ["Ingress"] },
            } as Manifest);
            const msgs = run("wso2-k8s-network-policy-coverage", ms.map(asResource));
            const blue = msgs.filter((m) => m.startsWith("statefulset-wso2-apim-blue"));
            assert.ok(blue.some((m) => /clustering port 4000 .*10\.0\.0\.0\/8/.test(m) && /allow-all-in admits everyone/.test(m)), msgs.join("\n"));
            assert.ok(msgs.some((m) => /statefulset-wso2-apim-green: clustering port 5672 .*allow-all-in admits everyone/.test(m)));
        });

        it("passes default deny plus members-only clustering", () => {
            assert.deepEqual(run("wso2-k8s-network-policy-coverage", manifests().map(asResource)), []);
        });
    });

    describe("wso2-k8s-pdb-present", () => {
        it("fires without a PodDisruptionBudget and with one that protects nothing", () => {
            const ms = manifests();
            const without = ms.filter((m) => !(m.kind === "PodDisruptionBudget" && m.metadata.name === "wso2-apim-green"));
            assert.deepEqual(run("wso2-k8s-pdb-present", without.map(asResource)), [
                "statefulset-wso2-apim-green: no PodDisruptionBudget selects its pods: a node drain may take all of them at once",
            ]);
            find(ms, "PodDisruptionBudget", "wso2-apim-blue").spec = { maxUnavailable: "100%", selector: find(ms, "PodDisruptionBudget", "wso2-apim-blue").spec.selector };
            assert.match(run("wso2-k8s-pdb-present", ms.map(asResource)).join(), /wso2-apim-blue: its PodDisruptionBudget protects nothing .*100%/);
        });

        it("passes a PDB per color", () => {
            assert.deepEqual(run("wso2-k8s-pdb-present", manifests().map(asResource)), []);
        });
    });

    describe("wso2-k8s-min-replicas", () => {
        it("fires on one replica and on an absent count, and passes two", () => {
            const sts = find(manifests(), "StatefulSet", "wso2-apim-blue");
            sts.spec.replicas = 1;
            assert.match(run("wso2-k8s-min-replicas", [asResource(sts)]).join(), /runs 1 replica; at least 2/);
            delete sts.spec.replicas;
            assert.match(run("wso2-k8s-min-replicas", [asResource(sts)]).join(), /runs 1 replica/);
            sts.spec.replicas = 2;
            assert.deepEqual(run("wso2-k8s-min-replicas", [asResource(sts)]), []);
        });
    });

    describe("wso2-k8s-route-allowlist", () => {
        const route = () => find(manifests(), "HTTPRoute", "wso2-apim");

        it("fires on '/', on a rule without matches, on /services and /carbon, and on a prefix above an admin context", () => {
            for (const [path, why] of [
                ["/", /routes every path/],
                ["/services", /admin context \/services/],
                ["/Carbon/admin", /admin context \/carbon/],
                ["/api/am", /admin context \/api\/am\/admin/],
            ] as const) {
                const r = route();
                r.spec.rules[0].matches.push({ path: { type: "PathPrefix", value: path } });
                assert.match(run("wso2-k8s-route-allowlist", [asResource(r)]).join(), why, path);
            }
            const r = route();
            r.spec.rules.push({ backendRefs: r.spec.rules[0].backendRefs });
            assert.match(run("wso2-k8s-route-allowlist", [asResource(r)]).join(), /has no matches/);
        });

        it("fires on an Ingress with a default backend or a regular expression", () => {
            const ingress = {
                type: "kubernetes:networking.k8s.io/v1:Ingress",
                name: "ing",
                props: {
                    spec: {
                        defaultBackend: { service: { name: "wso2", port: { number: 9443 } } },
                        rules: [{ http: { paths: [{ path: "/o.*", pathType: "ImplementationSpecific", backend: {} }] } }],
                    },
                },
            };
            const [msg] = run("wso2-k8s-route-allowlist", [ingress]);
            assert.match(msg, /default backend/);
            assert.match(msg, /regular expression/);
        });

        it("passes the allowlisted public prefixes", () => {
            assert.deepEqual(run("wso2-k8s-route-allowlist", [asResource(route())]), []);
        });
    });

    describe("wso2-k8s-no-literal-secrets", () => {
        it("fires on a literal password in env, a password flag and a default credential in a Secret", () => {
            const sts = find(manifests(), "StatefulSet", "wso2-apim-blue");
            sts.spec.template.spec.containers[0].env.push({ name: "DB_PASSWORD", value: "hunter22" });
            sts.spec.template.spec.initContainers[0].args = ["-Dpassword=wso2carbon"];
            const [msg] = run("wso2-k8s-no-literal-secrets", [asResource(sts)]);
            assert.match(msg, /sets DB_PASSWORD to a literal value/);
            assert.match(msg, /password on its command line/);
            const secret = { type: "kubernetes:core/v1:Secret", name: "s", props: { data: { password: Buffer.from("admin").toString("base64") } } };
            assert.match(run("wso2-k8s-no-literal-secrets", [secret]).join(), /data.password holds the default value "admin"/);
        });

        it("passes secretKeyRef references and generated values", () => {
            const sts = find(manifests(), "StatefulSet", "wso2-apim-blue");
            sts.spec.template.spec.containers[0].env.push({ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } });
            assert.deepEqual(run("wso2-k8s-no-literal-secrets", [asResource(sts)]), []);
            const secret = { type: "kubernetes:core/v1:Secret", name: "s", props: { stringData: { password: "q7!Kc-9vT2#pLm" } } };
            assert.deepEqual(run("wso2-k8s-no-literal-secrets", [secret]), []);
        });
    });

    describe("wso2-k8s-image-pinned", () => {
        it("fires on latest and untagged images, passes digests and exact tags, and can demand digests", () => {
            const sts = find(manifests(), "StatefulSet", "wso2-apim-blue");
            assert.deepEqual(run("wso2-k8s-image-pinned", [asResource(sts)]), []);
            sts.spec.template.spec.containers[0].image = "wso2/wso2am:latest";
            sts.spec.template.spec.initContainers[0].image = "wso2/wso2am";
            const [msg] = run("wso2-k8s-image-pinned", [asResource(sts)]);
            assert.match(msg, /"wso2\/wso2am:latest"/);
            assert.match(msg, /"wso2\/wso2am"/);
            const tagged = find(manifests(), "StatefulSet", "wso2-apim-blue");
            for (const c of [...tagged.spec.template.spec.initContainers, ...tagged.spec.template.spec.containers]) c.image = "wso2/wso2am:4.3.0";
            assert.deepEqual(run("wso2-k8s-image-pinned", [asResource(tagged)]), []);
            assert.match(run("wso2-k8s-image-pinned", [asResource(tagged)], { requireDigest: true }).join(), /pin by digest/);
        });
    });

    describe("wso2-k8s-health-probes", () => {
        it("fires without readiness or liveness probes and passes with them", () => {
            const sts = find(manifests(), "StatefulSet", "wso2-apim-blue");
            assert.deepEqual(run("wso2-k8s-health-probes", [asResource(sts)]), []);
            delete sts.spec.template.spec.containers[0].livenessProbe;
            assert.deepEqual(run("wso2-k8s-health-probes", [asResource(sts)]), ['container "apim" has no livenessProbe']);
        });
    });
});
