/**
 * What strong TLS means for this project, and how to judge a protocol or cipher list a product is given.
 * Pure functions: the renderers write these lists and `check-config` judges any list against them.
 */

/** TLS versions every TLS transport accepts (PROD-TLS-STRONG). */
export const TLS_PROTOCOLS = ["TLSv1.2", "TLSv1.3"] as const;

/**
 * Forward-secret AEAD suites only (PROD-TLS-STRONG, PROD-WEAK-CIPHERS): no RSA key exchange, CBC, 3DES,
 * RC4, MD5 or SHA-1 MACs; 256-bit first.
 */
export const STRONG_TLS_CIPHERS = [
    "TLS_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
] as const;

/** Every protocol name a JSSE or Tomcat list may hold, oldest first. */
const ALL_PROTOCOLS = ["SSLv2Hello", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/** Versions older than TLS 1.2. */
export function weakProtocols(protocols: readonly string[]): string[] {
    return protocols.filter((p) => !(TLS_PROTOCOLS as readonly string[]).includes(p));
}

/**
 * Tomcat's `protocols` attribute: a plain list is the set; `+X` adds and `-X` removes, starting from
 * nothing when the first entry is signed; `all` is every version. Separators are `,` and `+`/`-` signs.
 */
export function tomcatProtocols(value: string): string[] {
    const tokens = value.match(/[+-]?[^,+\-\s]+(?:\.[^,+\-\s]+)*/g) ?? [];
    const set = new Set<string>();
    const expand = (t: string) => (t.toLowerCase() === "all" ? ALL_PROTOCOLS.filter((p) => p !== "SSLv3") : [t]);
    for (const token of tokens) {
        if (token.startsWith("-")) for (const p of expand(token.slice(1))) set.delete(p);
        else for (const p of expand(token.replace(/^\+/, ""))) set.add(p);
    }
    return ALL_PROTOCOLS.filter((p) => set.has(p)).concat([...set].filter((p) => !ALL_PROTOCOLS.includes(p)));
}

/** A JSSE list: comma- or space-separated names. */
export function jsseList(value: string | readonly string[]): string[] {
    const items = Array.isArray(value) ? value.map(String) : String(value).split(/[\s,]+/);
    return items.map((s) => s.trim()).filter(Boolean);
}

/** `broken`: never acceptable (RC4, DES, NULL, EXPORT, anonymous, MD5); `weak`: not in the strong list. */
export function cipherStrength(cipher: string): "strong" | "weak" | "broken" {
    if ((STRONG_TLS_CIPHERS as readonly string[]).includes(cipher)) return "strong";
    if (/RC4|_DES_|DES40|3DES|DES_EDE|_NULL_|NULL_WITH|EXPORT|_anon_|_MD5$|IDEA|RC2/i.test(cipher)) return "broken";
    return "weak";
}
