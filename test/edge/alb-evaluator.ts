/**
 * An Application Load Balancer listener evaluator written from AWS's documented matching semantics
 * ("Listener rules" and "Condition types for listener rules" in the ELB user guide):
 *  - rules are evaluated in priority order, lowest first; the default action applies when none matches;
 *  - a path-pattern condition is compared to the path of the URL only, never to its query string;
 *  - `values` are case-sensitive globs where `*` matches 0 or more characters and `?` exactly one, and
 *    the whole path must match; one matching value satisfies the condition;
 *  - `regexValues` are regular expressions without lookaround, backreferences, atomic groups,
 *    possessive quantifiers, recursion or Unicode classes (this evaluator refuses rules that use them).
 *
 * Where AWS leaves behaviour open, every reading is evaluated and all outcomes are kept (worst case):
 *  - whether the path is compared as sent or after one round of percent-decoding;
 *  - whether a regex must match the whole path or only somewhere in it.
 * A request counts as forwarded when any reading forwards it.
 */

export interface RuleAction {
    type: string;
    fixedResponse?: { statusCode?: string; contentType?: string; messageBody?: string };
    forward?: { targetGroups: { arn: string; weight?: number }[]; stickiness?: { enabled?: boolean; duration: number } };
    targetGroupArn?: string;
    redirect?: Record<string, unknown>;
}

export interface RuleCondition {
    pathPattern?: { values?: string[]; regexValues?: string[] };
    [other: string]: unknown;
}

/** A listener rule as `lb.ListenerRule` takes its inputs (and as the plan records them). */
export interface ListenerRuleInputs {
    name: string;
    priority: number;
    conditions: RuleCondition[];
    actions: RuleAction[];
}

export interface ListenerUnderTest {
    defaultActions: RuleAction[];
    rules: ListenerRuleInputs[];
}

export interface Reading {
    /** The path compared is percent-decoded once before matching. */
    decoded: boolean;
    /** Regex values must match the whole path (true) or match anywhere in it (false). */
    regexFullMatch: boolean;
}

export const READINGS: readonly Reading[] = [
    { decoded: false, regexFullMatch: true },
    { decoded: false, regexFullMatch: false },
    { decoded: true, regexFullMatch: true },
    { decoded: true, regexFullMatch: false },
];

export interface Outcome {
    reading: Reading;
    /** Name of the matching rule, or `default`. */
    rule: string;
    action: RuleAction;
}

const UNSUPPORTED_REGEX = [
    { re: /\(\?[=!<>]/, what: "lookaround or atomic group" },
    { re: /\\[1-9]/, what: "backreference" },
    { re: /\\k</, what: "named backreference" },
    { re: /[*+?}]\+/, what: "possessive quantifier" },
    { re: /\(\?R|\(\?\d/, what: "recursion or subroutine" },
    { re: /\\[pP]\{/, what: "Unicode class" },
];

/** Throws when a regex uses a feature ALB's regex conditions do not support. */
export function checkAlbRegex(regex: string): void {
    // Inside a bracket expression these characters are literals: look only outside them.
    const outsideClasses = regex.replace(/\[(?:\\.|[^\]\\])*\]/g, "[]");
    for (const u of UNSUPPORTED_REGEX) {
        if (u.re.test(outsideClasses)) throw new Error(`ALB regex ${JSON.stringify(regex)} uses a ${u.what}, which ALB does not support`);
    }
    if (regex.length > 128) throw new Error(`ALB regex ${JSON.stringify(regex)} is longer than 128 characters`);
}

/** The path of an origin-form request target: everything before `?` (fragments are never sent). */
export function requestPath(target: string): string {
    const q = target.indexOf("?");
    return q === -1 ? target : target.slice(0, q);
}

/** One round of percent-decoding, byte for byte; malformed escapes stay as they are. */
export function percentDecodeOnce(path: string): string {
    return path.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function globMatches(glob: string, path: string): boolean {
    const re = glob.replace(/[\\^$.+()[\]{}|]/g, (c) => `\\${c}`).replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
    return new RegExp(`^${re}$`).test(path);
}

function regexMatches(regex: string, path: string, fullMatch: boolean): boolean {
    checkAlbRegex(regex);
    return new RegExp(fullMatch ? `^(?:${regex})$` : regex).test(path);
}

function conditionMatches(c: RuleCondition, path: string, reading: Reading): boolean {
    const other = Object.keys(c).filter((k) => k !== "pathPattern" && c[k] !== undefined);
    if (other.length > 0) throw new Error(`evaluator: condition types ${other.join(", ")} are not modelled`);
    const p = c.pathPattern;
    if (!p) throw new Error("evaluator: empty condition");
    const globs = p.values ?? [];
    const regexes = p.regexValues ?? [];
    if (globs.length > 0 && regexes.length > 0) throw new Error("evaluator: values and regexValues conflict in one condition");
    return globs.some((g) => globMatches(g, path)) || regexes.some((r) => regexMatches(r, path, reading.regexFullMatch));
}

/** Every reading's outcome for one raw request target. */
export function evaluateListener(listener: ListenerUnderTest, target: string): Outcome[] {
    const rules = [...listener.rules].sort((a, b) => a.priority - b.priority);
    const priorities = new Set(rules.map((r) => r.priority));
    if (priorities.size !== rules.length) throw new Error("evaluator: two rules share a priority");
    return READINGS.map((reading) => {
        const raw = requestPath(target);
        const path = reading.decoded ? percentDecodeOnce(raw) : raw;
        for (const rule of rules) {
            // All conditions of a rule must match (AND); within one condition, any value (OR).
            if (rule.conditions.length > 0 && rule.conditions.every((c) => conditionMatches(c, path, reading))) {
                return { reading, rule: rule.name, action: finalAction(rule.actions) };
            }
        }
        return { reading, rule: "default", action: finalAction(listener.defaultActions) };
    });
}

/** The action that answers the request: the last one (authenticate actions come before it). */
function finalAction(actions: RuleAction[]): RuleAction {
    const last = actions[actions.length - 1];
    if (!last) throw new Error("evaluator: rule without action");
    return last;
}

/** Target group ARNs a request may be forwarded to under any reading (empty: never forwarded). */
export function forwardedTo(outcomes: readonly Outcome[]): string[] {
    const arns = new Set<string>();
    for (const o of outcomes) {
        if (o.action.type !== "forward") continue;
        if (o.action.targetGroupArn) arns.add(o.action.targetGroupArn);
        for (const tg of o.action.forward?.targetGroups ?? []) arns.add(tg.arn);
    }
    return [...arns];
}
