/** CIDR helpers shared by config validation and the host renderers (no Pulumi inside). */

const IPV4_OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);

export function isIpv4Address(s: string): boolean {
    return IPV4.test(s);
}

export function isIpv4Cidr(s: string): boolean {
    const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
    return !!m && isIpv4Address(m[1]) && Number(m[2]) <= 32;
}

export function isIpv6Cidr(s: string): boolean {
    const m = /^([0-9A-Fa-f:]+)\/(\d{1,3})$/.exec(s);
    if (!m || Number(m[2]) > 128 || !m[1].includes(":")) return false;
    const halves = m[1].split("::");
    if (halves.length > 2) return false;
    const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
    if (groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
    return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}

/** A CIDR with prefix length 0 covers every address of its family. */
export function isWorldCidr(s: string): boolean {
    return /\/0+$/.test(s.trim());
}
