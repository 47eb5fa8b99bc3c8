/**
 * Listener routing as an attacker sees it: listeners with their rules (joined by `listenerArn`), and an
 * evaluator that replays request paths through them in priority order. Where AWS leaves the matching
 * open it takes the worst case: a forward rule matches if its pattern matches the raw or the
 * percent-decoded path (conditions on headers, host or query are the attacker's to satisfy, and a regex
 * may match anywhere in the path); a blocking rule counts only if it has nothing but path conditions and
 * matches both forms in full.
 */
import type { StackIndex, Node } from "./graph";
import { T } from "./types";
import { isUnknown, containsUnknown, list } from "./values";

export interface Route {
    rule: Node;
    priority: number;
    forwards: boolean;
    globs: string[];
    regexes: string[];
    /** Has a path-pattern condition. */
    hasPath: boolean;
    /** Has conditions other than the path (host, headers, query, method, source IP). */
    hasOther: boolean;
}

export interface ListenerRoutes {
    listener: Node;
    routes: Route[];
    defaultForwards: boolean;
    /** Rules or fields that could not be read because they are unknown at preview. */
    unknown: string[];
}

/** Whether an action list ends in a forward (authenticate-* actions may precede it). */
export function actionsForward(actions: unknown): boolean | undefined {
    const l = list(actions);
    if (l === undefined || l.some(isUnknown)) return undefined;
    return l.some((a) => a?.type === "forward" || (a?.type === undefined && (a?.targetGroupArn || a?.forward)));
}

/** Every listener of the stack with its rules sorted by priority. Rules whose listener is unknown come back in `orphans`. */
export function listenerRoutes(stack: StackIndex): { listeners: ListenerRoutes[]; orphans: Node[] } {
    const byListener = new Map<string, ListenerRoutes>();
    const listeners: ListenerRoutes[] = [];
    for (const listener of stack.ofType(T.listener)) {
        const forwards = actionsForward(listener.props.defaultActions);
        const entry: ListenerRoutes = { listener, routes: [], defaultForwards: forwards ?? false, unknown: forwards === undefined ? ["defaultActions"] : [] };
        byListener.set(listener.urn, entry);
        listeners.push(entry);
    }
    const orphans: Node[] = [];
    for (const rule of stack.ofType(T.listenerRule)) {
        const target = stack.resolve(rule, "listenerArn", [T.listener]);
        const entry = target.targets.length === 1 ? byListener.get(target.targets[0].urn) : undefined;
        if (!entry) {
            if (target.unknown) orphans.push(rule);
            continue;
        }
        const p = rule.props;
        const forwards = actionsForward(p.actions);
        const conditions = list(p.conditions);
        if (forwards === undefined || conditions === undefined || containsUnknown(p.conditions) || isUnknown(p.priority)) {
            entry.unknown.push(`rule ${rule.name}`);
            // Unknown routing may forward anything: treat it as a catch-all forward.
            entry.routes.push({ rule, priority: Number.MAX_SAFE_INTEGER - 1, forwards: true, globs: [], regexes: [], hasPath: false, hasOther: true });
            continue;
        }
        const globs: string[] = [];
        const regexes: string[] = [];
        let hasPath = false;
        let hasOther = false;
        for (const c of conditions) {
            for (const [kind, value] of Object.entries(c ?? {})) {
                if (value === undefined || value === null) continue;
                if (kind === "pathPattern") {
                    hasPath = true;
                    globs.push(...(list((value as any).values) ?? []));
                    regexes.push(...(list((value as any).regexValues) ?? []));
                } else hasOther = true;
            }
        }
        // Without a priority the provider assigns the next free one: after the rules that have one.
        const priority = typeof p.priority === "number" ? p.priority : 50001;
        entry.routes.push({ rule, priority, forwards, globs, regexes, hasPath, hasOther });
    }
    for (const l of listeners) l.routes.sort((a, b) => a.priority - b.priority);
    return { listeners, orphans };
}

function globToRegExp(glob: string): RegExp {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${body}$`, "s");
}

function compile(source: string, anchored: boolean): RegExp | undefined {
    try {
        return new RegExp(anchored ? `^(?:${source})$` : source, "s");
    } catch {
        return undefined;
    }
}

function decodeOnce(path: string): string {
    return path.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function pathMatches(route: Route, path: string, forForward: boolean): boolean {
    if (route.globs.some((g) => globToRegExp(g).test(path))) return true;
    return route.regexes.some((r) => {
        const re = compile(r, !forForward);
        // A pattern JavaScript cannot read: assume it forwards everything and blocks nothing.
        return re ? re.test(path) : forForward;
    });
}

/** The route that handles a request path: a forwarding route, `"default"` for the default forward, or undefined when blocked. */
export function routeOf(routes: ListenerRoutes, path: string): Route | "default" | undefined {
    const forms = [...new Set([path, decodeOnce(path), decodeOnce(decodeOnce(path))])];
    for (const route of routes.routes) {
        if (route.forwards) {
            if (!route.hasPath || forms.some((f) => pathMatches(route, f, true))) return route;
        } else if (route.hasPath && !route.hasOther && forms.every((f) => pathMatches(route, f, false))) {
            return undefined;
        }
    }
    return routes.defaultForwards ? "default" : undefined;
}

/**
 * A path inside `context` that `glob` matches, if there is one: `context` itself or `context/...`.
 * Runs the glob as an automaton over the context's characters, then completes the rest of the pattern.
 */
export function globWitness(glob: string, context: string): string | undefined {
    const closure = (states: Set<number>) => {
        for (const s of [...states]) {
            let i = s;
            while (glob[i] === "*") states.add(++i);
        }
        return states;
    };
    const run = (input: string) => {
        let states = closure(new Set([0]));
        for (const ch of input) {
            const next = new Set<number>();
            for (const s of states) {
                if (s >= glob.length) continue;
                if (glob[s] === "*") next.add(s);
                else if (glob[s] === "?" || glob[s] === ch) next.add(s + 1);
            }
            states = closure(next);
            if (states.size === 0) break;
        }
        return states;
    };
    if (run(context).has(glob.length)) return context;
    const states = run(`${context}/`);
    if (states.size === 0) return undefined;
    const s = Math.max(...states);
    return `${context}/${glob.slice(s).replace(/\*/g, "").replace(/\?/g, "a")}`;
}

/** The literal start of a glob or regex path pattern, e.g. `/devportal/` of `/devportal/*`. */
export function literalPrefix(pattern: string, regex: boolean): string {
    if (!regex) return pattern.split(/[*?]/)[0];
    const body = pattern.replace(/^\^/, "");
    const m = /^(?:[^\\.^$|?*+()[\]{}]|\\[/.\-])*/.exec(body);
    return (m ? m[0] : "").replace(/\\(.)/g, "$1");
}

/** Ways to step out of an allowed prefix that Tomcat resolves after the proxy has matched. */
const TRAVERSALS = ["../", "..;/", ";x=1/../", "%2e%2e/", "%2e%2e;/", ".%2e/", "%2e./", "..%2f", "..%2F", "%2e%2e%2f", "%252e%252e/", "..\\", "..%5c", "..%5C"];
/** Spellings of a context from the root that normalise to it. */
const ROOT_FORMS = ["//", "/./", "/;/", "/%2e/", "/;jsessionid=x/"];

/** Requests that must never be forwarded: the contexts themselves, their odd spellings, and traversals out of each forwarded prefix. */
export function attackPaths(contexts: string[], routes: Route[]): string[] {
    const out = new Set<string>();
    const prefixes = new Set<string>();
    for (const route of routes) {
        if (!route.forwards) continue;
        for (const g of route.globs) prefixes.add(literalPrefix(g, false));
        for (const r of route.regexes) prefixes.add(literalPrefix(r, true));
    }
    for (const context of contexts) {
        const name = context.replace(/^\/+/, "");
        for (const p of [context, `${context}/`, `${context}/AuthenticationAdmin`, `${context}/admin/index.jsp`]) out.add(p);
        for (const form of ROOT_FORMS) out.add(`${form}${name}/`);
        for (const route of routes) {
            if (!route.forwards) continue;
            for (const g of route.globs) {
                const w = globWitness(g, context);
                if (w) out.add(w);
            }
        }
        for (const prefix of prefixes) {
            if (prefix === "" || prefix === "/") continue;
            const base = prefix.endsWith("/") ? prefix : `${prefix}/`;
            // One step up per segment of the prefix lands on the root.
            const depth = base.split("/").filter(Boolean).length;
            for (const t of TRAVERSALS) out.add(`${base}${t.repeat(depth)}${name}/`);
        }
    }
    return [...out];
}

/** The load balancer a listener belongs to, when it is in this stack. */
export function loadBalancerOf(stack: StackIndex, listener: Node): Node | undefined {
    const r = stack.resolve(listener, "loadBalancerArn", [T.loadBalancer]);
    return r.targets[0];
}
