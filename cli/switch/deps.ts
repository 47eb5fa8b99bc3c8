import type { Color, EdgeWorkspace, Routing, TargetHealth } from "./index";

/** Config keys of the edge stack the switch reads and writes (namespace wso2-hardening). */
const NS = "wso2-hardening";

/**
 * The edge stack through Pulumi's Automation API (needs the Pulumi CLI and credentials). The cluster
 * stacks' `targetGroupArns` outputs name the target groups whose health gates a switch.
 */
export async function automationWorkspace(programDir: string, env: string): Promise<EdgeWorkspace> {
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
    const edgeStack = `${env}-edge`;
    const stack = await LocalWorkspace.selectStack({ stackName: edgeStack, workDir: programDir });
    const read = async (key: string): Promise<string | undefined> => {
        try {
            return (await stack.getConfig(`${NS}:${key}`)).value;
        } catch {
            return undefined;
        }
    };
    const asColor = (v: string | undefined): Color => (v === "green" ? "green" : "blue");
    return {
        edgeStack,
        async getRouting() {
            const prevColor = await read("previousActiveColor");
            const previous: Routing | undefined = prevColor
                ? { activeColor: asColor(prevColor), canaryWeight: Number((await read("previousCanaryWeight")) ?? 0) }
                : undefined;
            return { activeColor: asColor(await read("activeColor")), canaryWeight: Number((await read("canaryWeight")) ?? 0), previous };
        },
        async setRouting(routing, previous) {
            await stack.setAllConfig({
                [`${NS}:activeColor`]: { value: routing.activeColor },
                [`${NS}:canaryWeight`]: { value: String(routing.canaryWeight) },
                [`${NS}:previousActiveColor`]: { value: previous.activeColor },
                [`${NS}:previousCanaryWeight`]: { value: String(previous.canaryWeight) },
            });
        },
        async up() {
            const result = await stack.up({ onOutput: (s) => process.stdout.write(s) });
            return Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
        },
        async targetGroupArns(color) {
            const cluster = await LocalWorkspace.selectStack({ stackName: `${env}-${color}`, workDir: programDir });
            const arns = (await cluster.outputs()).targetGroupArns?.value as Record<string, string> | undefined;
            return Object.values(arns ?? {});
        },
    };
}

/** Target health from the ELBv2 API (AWS SDK v3, default credential chain). */
export async function elbTargetHealth(): Promise<TargetHealth> {
    const { ElasticLoadBalancingV2Client, DescribeTargetHealthCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
    const client = new ElasticLoadBalancingV2Client({});
    return {
        async healthyCount(targetGroupArn) {
            const r = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
            return (r.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === "healthy").length;
        },
    };
}
