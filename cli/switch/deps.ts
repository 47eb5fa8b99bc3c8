import { ConfigError, parseSettings, type Settings } from "../../config/settings";
import { CONFIG_NAMESPACE } from "../../config/schema";
import { UsageError } from "../plan/project";
import type { Color, EdgeWorkspace, Routing, SwitchDeps, TargetHealth } from "./index";

/** The part of an Automation API stack the switch uses (`LocalWorkspace.selectStack` in production). */
export interface AutomationStack {
    getAllConfig(): Promise<Record<string, { value: string; secret?: boolean }>>;
    setAllConfig(config: Record<string, { value: string; secret?: boolean }>): Promise<void>;
    up(opts: { onOutput: (out: string) => void }): Promise<{ outputs: Record<string, { value: unknown }> }>;
    outputs(): Promise<Record<string, { value: unknown }>>;
}

/** Selects a stack of the program by name (a stack name or org/project/stack). */
export type SelectStack = (stackName: string) => Promise<AutomationStack>;

/** What the switch needs from the edge stack's own configuration. */
export interface EdgeStackConfig {
    /** `aws:region`: where the target groups are. */
    region: string;
    settings: Settings;
}

/**
 * Reads the edge stack's configuration as the program does (`parseSettings`: an `activeColor` other than
 * blue or green, a `canaryWeight` out of range, are errors here as there), and requires role edge and
 * `aws:region`. Unset keys take the project's defaults, as `pulumi up` gives them to the program.
 */
export function parseEdgeConfig(edgeStack: string, config: Record<string, string | undefined>): EdgeStackConfig {
    let settings: Settings;
    try {
        settings = parseSettings((key) => config[`${CONFIG_NAMESPACE}:${key}`]);
    } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(`switch: stack ${edgeStack}: ${e.message}`);
        throw e;
    }
    if (settings.role !== "edge") {
        throw new UsageError(`switch: stack ${edgeStack} has ${CONFIG_NAMESPACE}:role = ${settings.role}; the switch changes an edge stack (role edge)`);
    }
    const region = config["aws:region"];
    if (!region || !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) {
        throw new UsageError(`switch: stack ${edgeStack} has aws:region = ${JSON.stringify(region ?? "")}; it must name the region of its load balancer`);
    }
    return { region, settings };
}

/**
 * The edge stack through Pulumi's Automation API. Region and the cluster stacks (`blueStack`,
 * `greenStack`, whose `targetGroupArns` outputs gate a switch) come from the edge stack's own config.
 */
export async function automationWorkspace(edgeStack: string, select: SelectStack): Promise<EdgeWorkspace> {
    const stack = await select(edgeStack);
    const readConfig = async () =>
        parseEdgeConfig(edgeStack, Object.fromEntries(Object.entries(await stack.getAllConfig()).map(([k, v]) => [k, v.value])));
    const { region, settings } = await readConfig();
    const clusterStacks: Record<Color, string> = { blue: settings.blueStack, green: settings.greenStack };
    return {
        edgeStack,
        region,
        async getRouting() {
            const { settings: current } = await readConfig();
            return { activeColor: current.activeColor, canaryWeight: current.canaryWeight, previous: current.previousRouting };
        },
        async setRouting(routing: Routing, previous: Routing) {
            await stack.setAllConfig({
                [`${CONFIG_NAMESPACE}:activeColor`]: { value: routing.activeColor },
                [`${CONFIG_NAMESPACE}:canaryWeight`]: { value: String(routing.canaryWeight) },
                [`${CONFIG_NAMESPACE}:previousActiveColor`]: { value: previous.activeColor },
                [`${CONFIG_NAMESPACE}:previousCanaryWeight`]: { value: String(previous.canaryWeight) },
            });
        },
        async up() {
            const result = await stack.up({ onOutput: (s) => process.stdout.write(s) });
            return Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
        },
        async targetGroupArns(color) {
            const cluster = await select(clusterStacks[color]);
            const arns = (await cluster.outputs()).targetGroupArns?.value as Record<string, string> | undefined;
            return Object.values(arns ?? {});
        },
    };
}

/** `LocalWorkspace.selectStack` over the program in `programDir` (needs the Pulumi CLI and its backend). */
export async function localStacks(programDir: string): Promise<SelectStack> {
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
    return (stackName) => LocalWorkspace.selectStack({ stackName, workDir: programDir });
}

/**
 * Target health from the ELBv2 API of `region` (AWS SDK v3: default credential chain; the endpoint
 * follows `AWS_ENDPOINT_URL` when set). Only the state `healthy` counts: `initial`, `unhealthy`,
 * `unused`, `draining` and `unavailable` targets carry no traffic.
 */
export async function elbTargetHealth(region: string): Promise<TargetHealth> {
    const { ElasticLoadBalancingV2Client, DescribeTargetHealthCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
    const client = new ElasticLoadBalancingV2Client({ region });
    return {
        async healthyCount(targetGroupArn) {
            const r = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
            return (r.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === "healthy").length;
        },
    };
}

/** The switch's dependencies for an edge stack: its health checks go to the region its config names. */
export async function switchDependencies(workspace: EdgeWorkspace, log: (line: string) => void): Promise<SwitchDeps> {
    return { workspace, health: await elbTargetHealth(workspace.region), log };
}
