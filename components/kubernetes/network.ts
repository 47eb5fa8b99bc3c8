/**
 * Who reaches the pods: ClusterIP Services (one per color, one for the active color), a Gateway API
 * HTTPRoute that forwards only allowlisted path prefixes (NET-BLOCK-ADMIN-CONTEXTS) with weighted backends
 * (DEP-BLUE-GREEN, DEP-CANARY), and NetworkPolicies that deny everything else (OS-FIREWALL,
 * OS-CLUSTER-PORTS, NET-OPEN-PORTS, PROD-PUBLISHER-EGRESS).
 */
import type { Color } from "../../config/settings";
import { publicRoutes, type ProductSpec } from "../../products";
import {
    COLORS,
    COLOR_LABEL,
    allServersSelector,
    colorName,
    commonLabels,
    isClustered,
    membersServiceName,
    serverSelector,
} from "./workload";
import type { KubernetesInput, Manifest } from "./types";

export const GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";

/** Label the API server sets on every namespace; NetworkPolicies select namespaces by it. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Contexts no route may forward, whatever the product (NET-BLOCK-ADMIN-CONTEXTS). */
export const ALWAYS_BLOCKED_CONTEXTS = ["/services", "/carbon"];

function servicePorts(spec: ProductSpec) {
    return spec.servicePorts.map((p) => ({ name: `https-${p}`, port: p, targetPort: p, protocol: "TCP", appProtocol: "https" }));
}

/** The Service of one color: what the route's weighted backends point at. */
export function colorServiceManifest(input: KubernetesInput, color: Color): Manifest {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: colorName(input.name, color), namespace: input.namespace, labels: { ...commonLabels(input), [COLOR_LABEL]: color } },
        spec: { type: "ClusterIP", selector: serverSelector(input.name, color), ports: servicePorts(input.product) },
    };
}

/** The Service in-cluster clients use: its selector names the active color, so switching is one field. */
export function activeServiceManifest(input: KubernetesInput): Manifest {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: input.name, namespace: input.namespace, labels: commonLabels(input) },
        spec: { type: "ClusterIP", selector: serverSelector(input.name, input.activeColor), ports: servicePorts(input.product) },
    };
}

/** Headless Service giving each member of a color a stable DNS name for well-known-address membership. */
export function membersServiceManifest(input: KubernetesInput, color: Color): Manifest {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: membersServiceName(input.name, color), namespace: input.namespace, labels: { ...commonLabels(input), [COLOR_LABEL]: color } },
        spec: {
            clusterIP: "None",
            // Members must find each other before they are ready: readiness waits for the cluster.
            publishNotReadyAddresses: true,
            selector: serverSelector(input.name, color),
            ports: input.product.clusteringPorts.map((p) => ({ name: `cluster-${p}`, port: p, targetPort: p, protocol: "TCP" })),
        },
    };
}

/** Routed path prefixes: the product's public routes and `publicPaths`, refusing `/` and admin contexts. */
export function routedPrefixes(spec: ProductSpec, extraPaths: readonly string[]): { prefix: string; port: number }[] {
    const blocked = [...new Set([...ALWAYS_BLOCKED_CONTEXTS, ...spec.adminContexts])];
    const routes = publicRoutes(spec, extraPaths);
    for (const r of routes) {
        const p = r.prefix.toLowerCase().replace(/\/+$/, "");
        if (p === "") throw new Error(`publicPaths: "${r.prefix}" would route everything; list the public prefixes instead`);
        const admin = blocked.find((a) => p === a || p.startsWith(a + "/") || a.startsWith(p + "/"));
        if (admin) throw new Error(`publicPaths: "${r.prefix}" would expose the admin context ${admin}`);
    }
    return routes;
}

/** Weights of the two colors: the active one gets what the canary does not. */
export function colorWeights(activeColor: Color, canaryWeight: number): Record<Color, number> {
    if (!Number.isInteger(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) {
        throw new Error(`canaryWeight: ${canaryWeight} must be an integer between 0 and 100`);
    }
    const inactive: Color = activeColor === "blue" ? "green" : "blue";
    return { [activeColor]: 100 - canaryWeight, [inactive]: canaryWeight } as Record<Color, number>;
}

/**
 * The only way in from outside: the allowlisted prefixes of each port, weighted between the colors'
 * Services. Anything else gets the gateway's 404.
 */
export function httpRouteManifest(input: KubernetesInput): Manifest {
    const routes = routedPrefixes(input.product, input.publicPaths);
    const weights = colorWeights(input.activeColor, input.canaryWeight);
    const ports = [...new Set(routes.map((r) => r.port))].sort((a, b) => a - b);
    return {
        apiVersion: GATEWAY_API_VERSION,
        kind: "HTTPRoute",
        metadata: { name: input.name, namespace: input.namespace, labels: commonLabels(input) },
        spec: {
            parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: input.gateway.namespace, name: input.gateway.name }],
            hostnames: [input.hostname],
            rules: ports.map((port) => ({
                matches: routes.filter((r) => r.port === port).map((r) => ({ path: { type: "PathPrefix", value: r.prefix } })),
                backendRefs: COLORS.map((color) => ({ group: "", kind: "Service", name: colorName(input.name, color), port, weight: weights[color] })),
            })),
        },
    };
}

/** The gateway re-encrypts to the pods and checks their certificate against the public host name. */
export function backendTlsPolicyManifest(input: KubernetesInput): Manifest {
    return {
        apiVersion: GATEWAY_API_VERSION,
        kind: "BackendTLSPolicy",
        metadata: { name: input.name, namespace: input.namespace, labels: commonLabels(input) },
        spec: {
            targetRefs: COLORS.map((color) => ({ group: "", kind: "Service", name: colorName(input.name, color) })),
            validation: { hostname: input.hostname, wellKnownCACertificates: "System" },
        },
    };
}

function networkPolicy(input: KubernetesInput, name: string, spec: Record<string, unknown>): Manifest {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace: input.namespace, labels: commonLabels(input) },
        spec,
    };
}

const tcp = (ports: readonly number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/** DNS through the cluster's resolver only. */
export function dnsEgressRule() {
    return {
        to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ],
    };
}

const ipBlocks = (cidrs: readonly string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));

/** Everything in the namespace is denied both ways unless another policy allows it. */
export function defaultDenyPolicy(input: KubernetesInput): Manifest {
    return networkPolicy(input, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
}

/** The product's service ports, from the gateway's namespace only. */
export function gatewayIngressPolicy(input: KubernetesInput): Manifest {
    return networkPolicy(input, `${input.name}-from-gateway`, {
        podSelector: { matchLabels: allServersSelector(input.name) },
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: input.gateway.namespace } } }],
                ports: tcp(input.product.servicePorts),
            },
        ],
    });
}

/** Clustering ports, to and from the members of the same color only (OS-CLUSTER-PORTS). */
export function clusteringPolicy(input: KubernetesInput, color: Color): Manifest {
    const members = { podSelector: { matchLabels: serverSelector(input.name, color) } };
    const ports = tcp(input.product.clusteringPorts);
    return networkPolicy(input, `${colorName(input.name, color)}-clustering`, {
        podSelector: { matchLabels: serverSelector(input.name, color) },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [members], ports }],
        egress: [{ to: [members], ports }],
    });
}

/** What the product may call: DNS, the databases, the configured endpoints and proxy. */
export function serverEgressPolicy(input: KubernetesInput): Manifest {
    const egress: Record<string, unknown>[] = [dnsEgressRule()];
    if (input.databaseCidrs.length) egress.push({ to: ipBlocks(input.databaseCidrs), ports: tcp([input.databasePort]) });
    if (input.egressCidrs.length) {
        egress.push({ to: ipBlocks(input.egressCidrs), ports: tcp(input.proxy ? [443, input.proxy.port] : [443]) });
    }
    return networkPolicy(input, `${input.name}-egress`, {
        podSelector: { matchLabels: allServersSelector(input.name) },
        policyTypes: ["Egress"],
        egress,
    });
}

/** EKS Pod Identity agent on every node: where the backup job's SDK gets its credentials. */
export const POD_IDENTITY_AGENT = { cidr: "169.254.170.23/32", port: 80 } as const;

/** The backup job: DNS, the node's credential agent and S3 (through `egressCidrs`) on 443. */
export function backupEgressPolicy(input: KubernetesInput, selector: Record<string, string>): Manifest {
    return networkPolicy(input, `${input.name}-backup-egress`, {
        podSelector: { matchLabels: selector },
        policyTypes: ["Egress"],
        egress: [
            dnsEgressRule(),
            { to: ipBlocks([POD_IDENTITY_AGENT.cidr]), ports: tcp([POD_IDENTITY_AGENT.port]) },
            ...(input.egressCidrs.length ? [{ to: ipBlocks(input.egressCidrs), ports: tcp([443]) }] : []),
        ],
    });
}

/** All the Services and NetworkPolicies of the product pods, and the route. */
export function networkManifests(input: KubernetesInput): Manifest[] {
    const out: Manifest[] = [activeServiceManifest(input)];
    for (const color of COLORS) {
        out.push(colorServiceManifest(input, color));
        if (isClustered(input.product)) out.push(membersServiceManifest(input, color));
    }
    out.push(httpRouteManifest(input), backendTlsPolicyManifest(input));
    out.push(defaultDenyPolicy(input), gatewayIngressPolicy(input), serverEgressPolicy(input));
    if (isClustered(input.product)) for (const color of COLORS) out.push(clusteringPolicy(input, color));
    return out;
}
