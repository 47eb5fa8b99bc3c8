import { stackRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown, list } from "../lib/values";
import { isProduction } from "../lib/environment";
import { wso2Scope } from "../lib/scope";

export const rule = stackRule<{ minNodes: number; minSubnets: number }>({
    name: "wso2-failover-nodes",
    description:
        "At least two production WSO2 nodes, spread over at least two subnets (availability zones), so one can fail over to the other. " +
        "Only production node groups and instances count: those without an environment tag or tagged prod/production/prd/live; " +
        "a stack whose nodes are all tagged as another environment (dev, staging) is not judged.",
    severity: "medium",
    guidelines: ["NET-FAILOVER"],
    remediation:
        "Run the nodes in an auto-scaling group with `minSize` of at least 2 over private subnets in two or more zones " +
        "(or two or more instances in different subnets), behind a load balancer with health checks.",
    config: {
        minNodes: { type: "integer", minimum: 1, description: "Fewest nodes accepted.", default: 2 },
        minSubnets: { type: "integer", minimum: 1, description: "Fewest distinct subnets (or zones) the nodes run in.", default: 2 },
    },
    validate(stack, config, report) {
        // Development and staging nodes neither need failover nor provide it to production ones.
        // Batch workers and other instances of the program neither need WSO2's failover nor provide it.
        const scope = wso2Scope(stack);
        const groups = stack.ofType(T.autoScalingGroup).filter((g) => scope.has(g) && isProduction(g.props));
        const instances = stack.ofType(T.instance).filter((i) => scope.has(i) && isProduction(i.props));
        if (groups.length === 0 && instances.length === 0) return;
        const subject = groups[0] ?? instances[0];
        let nodes = 0;
        const places = new Set<string>();
        const unknown: string[] = [];
        for (const g of groups) {
            if (isUnknown(g.props.minSize)) unknown.push(`${g.name}.minSize`);
            else nodes += Number(g.props.minSize ?? 0);
            const subnets = list(g.props.vpcZoneIdentifiers);
            const zones = list(g.props.availabilityZones);
            if (subnets === undefined || subnets.some(isUnknown)) {
                const deps = g.deps.vpcZoneIdentifiers ?? [];
                if (deps.length) deps.forEach((u) => places.add(u));
                else unknown.push(`${g.name}.vpcZoneIdentifiers`);
            } else subnets.forEach((s) => places.add(String(s)));
            if (zones && !zones.some(isUnknown)) zones.forEach((z) => places.add(`zone:${z}`));
        }
        for (const i of instances) {
            nodes += 1;
            const subnet = i.props.subnetId;
            if (typeof subnet === "string" && !isUnknown(subnet)) places.add(subnet);
            else if (i.deps.subnetId?.length) places.add(i.deps.subnetId[0]);
            else if (subnet === undefined) places.add("default subnet");
            else unknown.push(`${i.name}.subnetId`);
        }
        if (nodes < config.minNodes && !unknown.some((u) => u.endsWith("minSize"))) {
            report.violation(subject, `the stack runs ${nodes} production WSO2 node${nodes === 1 ? "" : "s"}; at least ${config.minNodes} are needed for failover`);
        }
        if (places.size < config.minSubnets && !unknown.some((u) => !u.endsWith("minSize"))) {
            report.violation(subject, `the production nodes run in ${places.size} subnet${places.size === 1 ? "" : "s"}; spread them over at least ${config.minSubnets} (different availability zones)`);
        }
        if (unknown.length) report.unproven(subject, `the node count or placement (${unknown.join(", ")})`);
    },
});
