/**
 * Memory of common EC2 instance types, for sizing the JVM heap (PROD-JVM: about half the machine).
 * Pure data and functions: no Pulumi inside.
 */
import { ConfigError, Settings } from "../../config/settings";

/** MiB of memory per vCPU of the general-purpose (m), compute (c) and memory (r) families. */
const MIB_PER_VCPU: Record<string, number> = { m: 4096, c: 2048, r: 8192 };

/** Families whose sizes from large to 4xlarge all keep the class's memory-per-vCPU ratio. */
const FIXED_RATIO_FAMILIES = [
    "m5", "m5a", "m6i", "m6a", "m6g", "m7i", "m7a", "m7g",
    "c5", "c5a", "c6i", "c6a", "c6g", "c7i", "c7a", "c7g",
    "r5", "r5a", "r6i", "r6a", "r6g", "r7i", "r7a", "r7g",
];
const VCPUS_BY_SIZE: Record<string, number> = { large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16 };

/** Burstable types do not follow a ratio; listed as AWS publishes them. */
const BURSTABLE_MIB: Record<string, number> = { small: 2048, medium: 4096, large: 8192, xlarge: 16384, "2xlarge": 32768 };
const BURSTABLE_FAMILIES = ["t3", "t3a", "t4g"];

function buildTable(): Record<string, number> {
    const table: Record<string, number> = {};
    for (const family of FIXED_RATIO_FAMILIES) {
        for (const [size, vcpus] of Object.entries(VCPUS_BY_SIZE)) table[`${family}.${size}`] = vcpus * MIB_PER_VCPU[family[0]];
    }
    for (const family of BURSTABLE_FAMILIES) {
        for (const [size, mib] of Object.entries(BURSTABLE_MIB)) table[`${family}.${size}`] = mib;
    }
    return table;
}

/** Instance type -> memory in MiB. */
export const INSTANCE_MEMORY_MIB: Readonly<Record<string, number>> = buildTable();

/** WSO2 needs at least 2 GiB of heap; below 4 GiB of machine memory the product does not start reliably. */
const MIN_MEMORY_MIB = 4096;

/**
 * Memory of the nodes' instance type: `instanceMemoryMiB` when set, else the built-in table.
 * Throws a `ConfigError` naming `instanceMemoryMiB` when neither knows it or it is too small.
 */
export function instanceMemoryMiB(settings: Pick<Settings, "instanceType" | "instanceMemoryMiB">): number {
    const memory = settings.instanceMemoryMiB || INSTANCE_MEMORY_MIB[settings.instanceType];
    if (memory === undefined) {
        throw new ConfigError([
            {
                key: "instanceMemoryMiB",
                value: settings.instanceMemoryMiB,
                problem: `must be set: instance type ${settings.instanceType} is not in the built-in table of instance memory`,
            },
        ]);
    }
    if (memory < MIN_MEMORY_MIB) {
        throw new ConfigError([
            {
                key: settings.instanceMemoryMiB ? "instanceMemoryMiB" : "instanceType",
                value: settings.instanceMemoryMiB || settings.instanceType,
                problem: `must give the nodes at least ${MIN_MEMORY_MIB} MiB of memory (found ${memory} MiB)`,
            },
        ]);
    }
    return memory;
}

/** AWS Graviton types (a `g` after the generation digit) need arm64 images. */
export function instanceArchitecture(instanceType: string): "arm64" | "x86_64" {
    return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? "arm64" : "x86_64";
}
