import { strict as assert } from "assert";
import { Color, EdgeWorkspace, Routing, routingFor, switchTraffic, SwitchDeps, weights } from "../../cli/switch";
import { runCli } from "../support/cli";
import { automationWorkspace, parseEdgeConfig, type AutomationStack } from "../../cli/switch/deps";

/** An edge stack in memory: config, an `up` that renders the routing output, and cluster outputs. */
class FakeWorkspace implements EdgeWorkspace {
    readonly edgeStack = "prod-edge";
    readonly region = "eu-west-1";
    routing: Routing = { activeColor: "blue", canaryWeight: 0 };
    previous?: Routing;
    ups = 0;
    failUp = false;
    /** Routing the deployed edge reports after `up` (a broken update reports something else). */
    deployed?: Routing;
    constructor(readonly tgs: Record<Color, string[]> = { blue: ["tg-blue-8243", "tg-blue-9443"], green: ["tg-green-8243", "tg-green-9443"] }) {}
    async getRouting() {
        return { ...this.routing, previous: this.previous };
    }
    async setRouting(r: Routing, previous: Routing) {
        this.routing = { ...r };
        this.previous = { ...previous };
    }
    async up() {
        this.ups++;
        if (this.failUp) {
            this.failUp = false;
            throw new Error("listener update failed");
        }
        const reported = this.deployed ?? this.routing;
        this.deployed = undefined;
        return { routing: { ...reported } };
    }
    async targetGroupArns(color: Color) {
        return this.tgs[color];
    }
}

function deps(ws: FakeWorkspace, healthy: Record<string, number | number[]>): SwitchDeps & { lines: string[] } {
    const lines: string[] = [];
    const calls = new Map<string, number>();
    return {
        workspace: ws,
        health: {
            async healthyCount(arn) {
                const v = healthy[arn] ?? 0;
                const n = calls.get(arn) ?? 0;
                calls.set(arn, n + 1);
                return Array.isArray(v) ? v[Math.min(n, v.length - 1)] : v;
            },
        },
        log: (l) => lines.push(l),
        lines,
    };
}

const ALL_HEALTHY = { "tg-blue-8243": 2, "tg-blue-9443": 2, "tg-green-8243": 3, "tg-green-9443": 3 };

describe("wso2-harden switch (DEP-BLUE-GREEN, DEP-CANARY)", () => {
    it("maps --to/--weight to activeColor and canaryWeight", () => {
        assert.deepEqual(routingFor("green", 100), { activeColor: "green", canaryWeight: 0 });
        assert.deepEqual(routingFor("green", 10), { activeColor: "blue", canaryWeight: 10 });
        assert.deepEqual(routingFor("green", 90), { activeColor: "green", canaryWeight: 10 });
        assert.deepEqual(weights({ activeColor: "blue", canaryWeight: 10 }), { blue: 90, green: 10 });
    });

    it("switches to a healthy destination and records the previous routing", async () => {
        const ws = new FakeWorkspace();
        const out = await switchTraffic({ to: "green" }, deps(ws, ALL_HEALTHY));
        assert.equal(out.status, "switched");
        assert.deepEqual(ws.routing, { activeColor: "green", canaryWeight: 0 });
        assert.deepEqual(ws.previous, { activeColor: "blue", canaryWeight: 0 });
        assert.equal(ws.ups, 1);
    });

    it("refuses an unhealthy destination and changes nothing", async () => {
        const ws = new FakeWorkspace();
        const d = deps(ws, { ...ALL_HEALTHY, "tg-green-9443": 1 });
        const out = await switchTraffic({ to: "green" }, d);
        assert.equal(out.status, "refused");
        assert.match((out as { reason: string }).reason, /tg-green-9443 has 1 healthy targets, 2 required/);
        assert.deepEqual(ws.routing, { activeColor: "blue", canaryWeight: 0 });
        assert.equal(ws.ups, 0);
    });

    it("a canary checks the color that starts receiving traffic", async () => {
        const ws = new FakeWorkspace();
        const out = await switchTraffic({ to: "green", weight: 10 }, deps(ws, { ...ALL_HEALTHY, "tg-green-8243": 0 }));
        assert.equal(out.status, "refused");
        const ok = await switchTraffic({ to: "green", weight: 10 }, deps(ws, ALL_HEALTHY));
        assert.equal(ok.status, "switched");
        assert.deepEqual(ws.routing, { activeColor: "blue", canaryWeight: 10 });
    });

    it("rolls back when the update fails", async () => {
        const ws = new FakeWorkspace();
        ws.failUp = true;
        const out = await switchTraffic({ to: "green" }, deps(ws, ALL_HEALTHY));
        assert.equal(out.status, "rolled-back");
        assert.match((out as { reason: string }).reason, /update failed: listener update failed/);
        assert.deepEqual(ws.routing, { activeColor: "blue", canaryWeight: 0 });
        assert.equal(ws.ups, 2, "a second update restored the previous routing");
    });

    it("rolls back when the post-check finds the destination unhealthy", async () => {
        const ws = new FakeWorkspace();
        const out = await switchTraffic({ to: "green" }, deps(ws, { ...ALL_HEALTHY, "tg-green-8243": [3, 0] }));
        assert.equal(out.status, "rolled-back");
        assert.match((out as { reason: string }).reason, /tg-green-8243 has 0 healthy/);
        assert.deepEqual(ws.routing, { activeColor: "blue", canaryWeight: 0 });
    });

    it("rolls back when the deployed edge reports other routing than asked", async () => {
        const ws = new FakeWorkspace();
        ws.deployed = { activeColor: "blue", canaryWeight: 0 };
        const out = await switchTraffic({ to: "green" }, deps(ws, ALL_HEALTHY));
        assert.equal(out.status, "rolled-back");
        assert.match((out as { reason: string }).reason, /edge stack reports routing/);
    });

    it("--dry-run checks health and changes nothing", async () => {
        const ws = new FakeWorkspace();
        const d = deps(ws, ALL_HEALTHY);
        const out = await switchTraffic({ to: "green", dryRun: true }, d);
        assert.equal(out.status, "dry-run");
        assert.deepEqual(ws.routing, { activeColor: "blue", canaryWeight: 0 });
        assert.equal(ws.previous, undefined);
        assert.equal(ws.ups, 0);
        assert.match(d.lines.join("\n"), /would switch prod-edge from blue active \(100% blue \/ 0% green\) to green active/);
    });

    it("--rollback returns to the previous routing", async () => {
        const ws = new FakeWorkspace();
        await switchTraffic({ to: "green" }, deps(ws, ALL_HEALTHY));
        const out = await switchTraffic({ rollback: true }, deps(ws, ALL_HEALTHY));
        assert.equal(out.status, "switched");
        assert.deepEqual(ws.routing, { activeColor: "blue", canaryWeight: 0 });
    });

    it("--rollback without a previous routing is refused", async () => {
        const out = await switchTraffic({ rollback: true }, deps(new FakeWorkspace(), ALL_HEALTHY));
        assert.equal(out.status, "refused");
    });

    it("switching to the current routing does nothing", async () => {
        const ws = new FakeWorkspace();
        const out = await switchTraffic({ to: "blue" }, deps(ws, ALL_HEALTHY));
        assert.equal(out.status, "unchanged");
        assert.equal(ws.ups, 0);
    });

    describe("bad arguments get clear errors (exit 2)", () => {
        const cases: [string[], RegExp][] = [
            [["switch", "--to", "green"], /--stack <edge-stack> is required/],
            [["switch", "--env", "prod", "--to", "green"], /unknown option '--env'/],
            [["switch", "--stack", "prod-edge", "--to", "purple"], /--to must be blue or green, got "purple"/],
            [["switch", "--stack", "prod-edge", "--to", "green", "--weight", "120"], /--weight must be an integer from 0 to 100, got 120/],
            [["switch", "--stack", "prod-edge", "--to", "green", "--weight", "ten"], /--weight must be an integer, got "ten"/],
            [["switch", "--stack", "prod-edge", "--rollback", "--to", "green"], /--rollback takes neither --to nor --weight/],
            [["switch", "--stack", "prod-edge", "--to", "green", "--min-healthy", "0"], /--min-healthy must be an integer of at least 1/],
            [["switch", "--stack", "prod-edge", "--to", "green", "--force"], /unknown option '--force'/],
        ];
        for (const [args, message] of cases) {
            it(args.slice(1).join(" "), () => {
                const r = runCli(args);
                assert.equal(r.code, 2, r.stdout + r.stderr);
                assert.match(r.stderr, message);
            });
        }
    });
});

/** The Automation API side: the edge stack's own config, read strictly, through fake Pulumi stacks. */
describe("wso2-harden switch: the edge stack through the Automation API (fake stacks)", () => {
    const NS = "wso2-hardening";
    const EDGE_CONFIG: Record<string, string> = {
        "aws:region": "eu-north-1",
        [`${NS}:role`]: "edge",
        [`${NS}:blueStack`]: "acme/wso2/blue-2026",
        [`${NS}:greenStack`]: "acme/wso2/green-2026",
        [`${NS}:activeColor`]: "green",
        [`${NS}:canaryWeight`]: "10",
    };
    const selected: string[] = [];
    const written: Record<string, string>[] = [];
    function selectFrom(config: Record<string, string>) {
        return async (name: string): Promise<AutomationStack> => {
            selected.push(name);
            return {
                async getAllConfig() {
                    return Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }]));
                },
                async setAllConfig(c) {
                    written.push(Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v.value])));
                },
                async up() {
                    return { outputs: {} };
                },
                async outputs() {
                    return { targetGroupArns: { value: { 8243: `${name}-tg-8243`, 9443: `${name}-tg-9443` } } };
                },
            };
        };
    }

    beforeEach(() => {
        selected.length = 0;
        written.length = 0;
    });

    it("takes the region and the color stacks from the edge stack's config, not from its name", async () => {
        const ws = await automationWorkspace("acme-edge", selectFrom(EDGE_CONFIG));
        assert.equal(ws.region, "eu-north-1");
        assert.deepEqual(await ws.getRouting(), { activeColor: "green", canaryWeight: 10, previous: undefined });
        assert.deepEqual(await ws.targetGroupArns("blue"), ["acme/wso2/blue-2026-tg-8243", "acme/wso2/blue-2026-tg-9443"]);
        assert.deepEqual(await ws.targetGroupArns("green"), ["acme/wso2/green-2026-tg-8243", "acme/wso2/green-2026-tg-9443"]);
        assert.deepEqual(selected, ["acme-edge", "acme/wso2/blue-2026", "acme/wso2/green-2026"]);
        await ws.setRouting({ activeColor: "blue", canaryWeight: 0 }, { activeColor: "green", canaryWeight: 10 });
        assert.deepEqual(written, [
            { [`${NS}:activeColor`]: "blue", [`${NS}:canaryWeight`]: "0", [`${NS}:previousActiveColor`]: "green", [`${NS}:previousCanaryWeight`]: "10" },
        ]);
    });

    it("an unexpected activeColor is an error naming the key, never blue", async () => {
        for (const bad of ["purple", "Green", " "]) {
            await assert.rejects(
                automationWorkspace("acme-edge", selectFrom({ ...EDGE_CONFIG, [`${NS}:activeColor`]: bad })),
                /switch: stack acme-edge: invalid configuration:\n {2}wso2-hardening:activeColor = ".*": must be one of blue, green/,
            );
        }
    });

    it("refuses a stack that is not an edge, a missing region, and a bad canaryWeight or previous routing", () => {
        assert.throws(() => parseEdgeConfig("prod", { ...EDGE_CONFIG, [`${NS}:environment`]: "dev", [`${NS}:role`]: "standalone" }), /stack prod has wso2-hardening:role = standalone; the switch changes an edge stack/);
        assert.throws(() => parseEdgeConfig("acme-edge", { ...EDGE_CONFIG, "aws:region": undefined }), /stack acme-edge has aws:region = ""/);
        assert.throws(() => parseEdgeConfig("acme-edge", { ...EDGE_CONFIG, [`${NS}:canaryWeight`]: "110" }), /wso2-hardening:canaryWeight = 110/);
        assert.throws(() => parseEdgeConfig("acme-edge", { ...EDGE_CONFIG, [`${NS}:previousActiveColor`]: "red" }), /wso2-hardening:previousActiveColor = "red"/);
    });

    it("unset routing keys take the program's defaults (blue, 0), as `pulumi up` gives them", () => {
        const { [`${NS}:activeColor`]: _a, [`${NS}:canaryWeight`]: _w, ...rest } = EDGE_CONFIG;
        const { settings } = parseEdgeConfig("acme-edge", rest);
        assert.deepEqual([settings.activeColor, settings.canaryWeight], ["blue", 0]);
    });
});
