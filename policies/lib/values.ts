/**
 * Reading resource properties as the policy runtime hands them over: plain JSON where a value unknown at
 * preview is one of the engine's sentinel strings. The runtime wraps properties in a proxy that throws on
 * the first unknown it meets; the rules unwrap it so that they can say which value could not be proven
 * instead of aborting the whole policy.
 */
import { gunzipSync } from "zlib";

/** Text carried as base64 (user data of launch templates), gunzipped when compressed as cloud-init allows. */
export function decodeText(value: string, base64: boolean): string {
    if (!base64) return value;
    const bytes = Buffer.from(value, "base64");
    if (bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
        try {
            return gunzipSync(bytes).toString("utf8");
        } catch {
            return bytes.toString("utf8");
        }
    }
    return bytes.toString("utf8");
}

/** The engine's sentinels for values not known until the resource is created. */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (the engine sends this one for every unknown)
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** The engine's unknown sentinel, as sent in an `AnalyzeRequest` during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** `@pulumi/policy`'s proxy answers this key with the object it wraps. */
const PROXY_TARGET = "__getSpecialProxyTarget";

/** The plain object under the policy runtime's unknown-checking proxy (or the value itself). */
export function unwrap<T>(value: T): T {
    if (value !== null && typeof value === "object") {
        const target = (value as Record<string, unknown>)[PROXY_TARGET];
        if (target !== undefined && target !== null && typeof target === "object") return target as T;
    }
    return value;
}

export type Props = Record<string, any>;

/** Whether any value inside `value` (deeply) is unknown. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/** An array property as an array (absent: empty); `undefined` when the array itself is unknown. */
export function list(value: unknown): any[] | undefined {
    if (value === undefined || value === null) return [];
    if (isUnknown(value)) return undefined;
    return Array.isArray(value) ? value : [value];
}

/** A boolean that AWS sometimes takes as a string (`"true"` in launch templates). */
export function truthy(value: unknown): boolean {
    return value === true || value === "true";
}

export function falsy(value: unknown): boolean {
    return value === false || value === "false";
}
