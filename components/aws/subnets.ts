/** Address plan of a created VPC (pure: no Pulumi inside). */
import { isIpv4Cidr } from "../../config/cidr";

export interface SubnetPlan {
    /** One private subnet per zone, for the nodes. */
    private: string[];
    /** One public subnet per zone, for the load balancer and the NAT gateways. */
    public: string[];
}

function toInt(address: string): number {
    return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toAddress(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/**
 * Splits `vpcCidr` into eight equal blocks: private subnets take the first `zoneCount`, public ones
 * start at the fifth, so a third zone can be added later without renumbering.
 */
export function planSubnets(vpcCidr: string, zoneCount: number): SubnetPlan {
    if (!isIpv4Cidr(vpcCidr)) throw new Error(`planSubnets: ${vpcCidr} is not an IPv4 CIDR block`);
    if (!Number.isInteger(zoneCount) || zoneCount < 1 || zoneCount > 4) {
        throw new Error(`planSubnets: zoneCount must be 1..4, got ${zoneCount}`);
    }
    const [address, prefixText] = vpcCidr.split("/");
    const prefix = Number(prefixText);
    const subnetPrefix = prefix + 3;
    if (subnetPrefix > 28) throw new Error(`planSubnets: ${vpcCidr} is too small to split into /${subnetPrefix} subnets`);
    const blockSize = 2 ** (32 - subnetPrefix);
    // Clear host bits so 10.40.1.0/16 plans like 10.40.0.0/16.
    const base = toInt(address) - (toInt(address) % 2 ** (32 - prefix));
    const block = (i: number) => `${toAddress(base + i * blockSize)}/${subnetPrefix}`;
    return {
        private: Array.from({ length: zoneCount }, (_, i) => block(i)),
        public: Array.from({ length: zoneCount }, (_, i) => block(4 + i)),
    };
}
