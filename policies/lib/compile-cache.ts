/**
 * Node's compile cache (Node 22.1 and later; a no-op before): the code compiled from here on
 * (@pulumi/policy, @pulumi/pulumi's root module, the rules) is cached on disk for the pack's next start,
 * in Node's default place (the system's temporary directory). Imported first by index.ts, so it is on
 * before the rest loads; the runner has loaded its own modules, TypeScript among them, before the pack.
 */
import * as nodeModule from "module";

interface CompileCacheApi {
    enableCompileCache?: () => unknown;
    flushCompileCache?: () => void;
}

const api = nodeModule as unknown as CompileCacheApi;
api.enableCompileCache?.();

/** Writes the cache soon after start rather than only at exit, which a process ended by a signal never reaches. */
export function flushCompileCacheSoon(): void {
    setImmediate(() => api.flushCompileCache?.());
}
