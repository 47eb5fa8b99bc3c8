/**
 * The rendered ruleset loaded with `nft` in a node namespace, probed over veth links from a load balancer,
 * a cluster peer, an admin and a stranger namespace. The peer gets into `cluster_peers` through the real
 * peers script reading a local EC2 API (moto).
 */
import { strict as assert } from "assert";
import { spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { firewallPorts, HOST_SCRIPTS, renderNftablesRuleset, renderNodeBoot } from "../../components/host";
import { PRODUCTS } from "../../products";
import { nodeInput } from "./fixtures";
import { Moto, requireTool, run, runOk, step, tempDir, writeNodeEnv, writeScript } from "./helpers";

const apim = PRODUCTS.apim;
const tag = `h${process.pid % 100000}`;
const NODE_NS = `${tag}-node`;
const NEIGHBOURS = { lb: 1, peer: 2, admin: 3, stranger: 4 } as const;
type Neighbour = keyof typeof NEIGHBOURS;
const nsOf = (n: Neighbour) => `${tag}-${n}`;
const addrOf = (n: Neighbour) => `10.200.${NEIGHBOURS[n]}.2`;
const SSH_PORT = 2222;
// Every port the product opens plus SSH and two the product never uses: all get a listener on the node.
const PROBED = [...new Set([...apim.servicePorts, ...apim.clusteringPorts, ...apim.closedPorts, SSH_PORT, 22, 80])].sort((a, b) => a - b);

const LISTENER = `
import socket, sys, threading
socks = []
for p in map(int, sys.argv[1:]):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", p)); s.listen(64); socks.append(s)
def serve(s):
    while True:
        c, _ = s.accept(); c.close()
for s in socks: threading.Thread(target=serve, args=(s,), daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
`;

// Non-blocking connects to every port at once; whatever has not connected after 1.5 s is filtered.
const PROBE = `
import json, select, socket, sys, time, errno
host = sys.argv[1]; ports = list(map(int, sys.argv[2:])); pending = {}; reached = []
for p in ports:
    s = socket.socket(); s.setblocking(False)
    if s.connect_ex((host, p)) in (0, errno.EINPROGRESS): pending[s] = p
deadline = time.time() + 1.5
while pending and time.time() < deadline:
    _, w, _ = select.select([], list(pending), [], max(0, deadline - time.time()))
    for s in w:
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0: reached.append(pending[s])
        del pending[s]; s.close()
print(json.dumps(sorted(reached)))
`;

function probe(from: Neighbour): number[] {
    const out = runOk("ip", ["netns", "exec", nsOf(from), "python3", "-c", PROBE, `10.200.${NEIGHBOURS[from]}.1`, ...PROBED.map(String)], { timeoutMs: 15000 });
    return JSON.parse(out) as number[];
}

function loadRuleset(ruleset: string, dir: string): void {
    const file = path.join(dir, "nftables.conf");
    fs.writeFileSync(file, ruleset);
    runOk("ip", ["netns", "exec", NODE_NS, "nft", "-f", file]);
}

describe("host firewall (nft in network namespaces)", function () {
    this.timeout(90000);
    const moto = new Moto();
    let listener: ChildProcess | undefined;
    let dir = "";

    before(async function () {
        requireTool("nft");
        requireTool("ip");
        requireTool("python3");
        dir = tempDir("fw");
        runOk("ip", ["netns", "add", NODE_NS]);
        runOk("ip", ["netns", "exec", NODE_NS, "ip", "link", "set", "lo", "up"]);
        for (const n of Object.keys(NEIGHBOURS) as Neighbour[]) {
            const k = NEIGHBOURS[n];
            const ns = nsOf(n);
            const nodeIf = `${tag}n${k}`;
            const farIf = `${tag}f${k}`;
            runOk("ip", ["netns", "add", ns]);
            runOk("ip", ["link", "add", nodeIf, "netns", NODE_NS, "type", "veth", "peer", "name", farIf, "netns", ns]);
            runOk("ip", ["-n", NODE_NS, "addr", "add", `10.200.${k}.1/24`, "dev", nodeIf]);
            runOk("ip", ["-n", NODE_NS, "link", "set", nodeIf, "up"]);
            runOk("ip", ["-n", ns, "addr", "add", `${addrOf(n)}/24`, "dev", farIf]);
            runOk("ip", ["-n", ns, "link", "set", farIf, "up"]);
            runOk("ip", ["-n", ns, "link", "set", "lo", "up"]);
        }
        listener = spawn("ip", ["netns", "exec", NODE_NS, "python3", "-c", LISTENER, ...PROBED.map(String)], { stdio: ["pipe", "pipe", "inherit"] });
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("listener did not start in 10 s")), 10000);
            listener!.stdout!.once("data", () => (clearTimeout(timer), resolve()));
            listener!.once("exit", (code) => (clearTimeout(timer), reject(new Error(`listener exited ${code}`))));
        });
        await moto.start();
    });

    after(async function () {
        if (listener && listener.exitCode === null) listener.kill("SIGKILL");
        await moto.stop();
        for (const ns of [NODE_NS, ...(Object.keys(NEIGHBOURS) as Neighbour[]).map(nsOf)]) run("ip", ["netns", "del", ns]);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("without a ruleset every neighbour reaches every listener (the probe works)", function () {
        for (const n of Object.keys(NEIGHBOURS) as Neighbour[]) assert.deepEqual(probe(n), PROBED);
    });

    it("lets the load balancer reach only service ports, peers only clustering ports, admins only SSH, strangers nothing", function () {
        const input = { product: apim, lbSourceCidrs: [`${addrOf("lb")}/32`], sshSourceCidrs: [`${addrOf("admin")}/32`], sshPort: SSH_PORT };
        loadRuleset(renderNftablesRuleset(input), dir);

        // cluster_peers from the EC2 API: a running instance with the cluster's tag at the peer's address.
        const vpc = JSON.parse(moto.aws(["ec2", "create-vpc", "--cidr-block", "10.200.0.0/16"])).Vpc.VpcId as string;
        const subnet = JSON.parse(moto.aws(["ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.200.2.0/24"])).Subnet.SubnetId as string;
        const image = JSON.parse(moto.aws(["ec2", "describe-images", "--owners", "amazon", "--max-items", "1"])).Images[0].ImageId as string;
        const runInstances = (ip: string, tagValue: string) =>
            moto.aws(["ec2", "run-instances", "--image-id", image, "--count", "1", "--instance-type", "t3.micro", "--subnet-id", subnet,
                "--private-ip-address", ip, "--tag-specifications", `ResourceType=instance,Tags=[{Key=wso2:cluster,Value=${tagValue}}]`]);
        runInstances(addrOf("peer"), "wso2-prod");
        runInstances("10.200.2.77", "another-cluster");
        const settings = writeNodeEnv(dir, "node.env", nodeInput("apim", { clusterTag: { key: "wso2:cluster", value: "wso2-prod" }, testAws: { endpointUrl: moto.endpoint } }));
        // The script runs beside moto on the host's loopback; its nft acts on the node's namespace.
        const shims = path.join(dir, "bin");
        fs.mkdirSync(shims, { recursive: true });
        writeScript(shims, "nft", `#!/bin/sh\nexec ip netns exec ${NODE_NS} ${requireTool("nft")} "$@"\n`);
        const out = runOk("bash", [step(HOST_SCRIPTS.clusterPeers)], { env: moto.stepEnv(settings, { PATH: `${shims}:${process.env.PATH}` }), timeoutMs: 60000 });
        assert.match(out, /1 peers/);
        const set = runOk("ip", ["netns", "exec", NODE_NS, "nft", "list", "set", "inet", "wso2", "cluster_peers"]);
        assert.match(set, new RegExp(addrOf("peer").replace(/\./g, "\\.")));
        assert.doesNotMatch(set, /10\.200\.2\.77/);

        const ports = firewallPorts(input);
        const reached = Object.fromEntries((Object.keys(NEIGHBOURS) as Neighbour[]).map((n) => [n, probe(n)]));
        assert.deepEqual(reached.lb, ports.service);
        assert.deepEqual(reached.peer, ports.clustering);
        assert.deepEqual(reached.admin, [SSH_PORT]);
        assert.deepEqual(reached.stranger, []);
        for (const closed of [9763, 8280, 9999, 5005, 22, 80]) {
            for (const n of Object.keys(NEIGHBOURS) as Neighbour[]) assert.ok(!reached[n].includes(closed), `${closed} reachable from ${n}`);
        }
    });

    it("loading the ruleset again replaces the table atomically (same rules, sets refilled from the file)", function () {
        const input = { product: apim, lbSourceCidrs: [`${addrOf("lb")}/32`], sshSourceCidrs: [`${addrOf("admin")}/32`], sshPort: SSH_PORT };
        const ruleset = renderNftablesRuleset(input);
        loadRuleset(ruleset, dir);
        const first = runOk("ip", ["netns", "exec", NODE_NS, "nft", "list", "table", "inet", "wso2"]);
        loadRuleset(ruleset, dir);
        const second = runOk("ip", ["netns", "exec", NODE_NS, "nft", "list", "table", "inet", "wso2"]);
        assert.equal(second, first);
        assert.equal((runOk("ip", ["netns", "exec", NODE_NS, "nft", "list", "tables"]).match(/inet wso2/g) ?? []).length, 1);
    });

    it("without SSH sources there is no SSH rule: the admin reaches nothing, and the artifact says ssh: null", function () {
        const boot = renderNodeBoot(nodeInput("apim", { sshSourceCidrs: [], lbSourceCidrs: [`${addrOf("lb")}/32`], sshPort: SSH_PORT }));
        const nft = boot.artifacts.find((a) => a.kind === "nftables")!;
        assert.deepEqual(nft.meta?.ports, { service: [8243, 9443], clustering: [4000, 5672, 9611, 9711], ssh: null });
        loadRuleset(nft.content, dir);
        assert.deepEqual(probe("admin"), []);
        assert.deepEqual(probe("lb"), [8243, 9443]);
        assert.deepEqual(probe("stranger"), []);
    });

    it("a product without clustering ports (MI) opens no clustering rule", function () {
        const ruleset = renderNftablesRuleset({ product: PRODUCTS.mi, lbSourceCidrs: [`${addrOf("lb")}/32`], sshSourceCidrs: [], sshPort: SSH_PORT });
        assert.doesNotMatch(ruleset, /@cluster_peers/);
        assert.match(ruleset, /set cluster_peers \{\s*type ipv4_addr\s*flags interval/);
        loadRuleset(ruleset, dir);
        assert.deepEqual(probe("peer"), []);
    });
});
