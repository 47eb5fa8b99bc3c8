/**
 * A WAFv2 evaluator for the web ACL's own statements, from AWS's documented semantics ("Text
 * transformation options" and "Rule statements" in the WAF developer guide):
 *  - text transformations run in ascending priority, each on the output of the previous one;
 *  - URL_DECODE decodes percent-encoded bytes once; NORMALIZE_PATH removes repeated slashes, `/./`
 *    self-references and `/x/../` back-references that are not at the beginning; LOWERCASE lower-cases;
 *  - rules run in ascending priority and the first matching rule with a terminating action decides.
 * Managed rule groups and rate-based statements are not modelled: they count as not matching, so the
 * result is what the custom rules stop on their own.
 */
import { percentDecodeOnce, requestPath } from "./alb-evaluator";

interface Transformation {
    priority: number;
    type: string;
}

interface Statement {
    orStatement?: { statements: Statement[] };
    andStatement?: { statements: Statement[] };
    notStatement?: { statements: Statement[] } | { statement: Statement };
    regexMatchStatement?: { regexString: string; fieldToMatch: { uriPath?: object }; textTransformations: Transformation[] };
    byteMatchStatement?: {
        searchString: string;
        positionalConstraint: string;
        fieldToMatch: { uriPath?: object };
        textTransformations: Transformation[];
    };
    managedRuleGroupStatement?: unknown;
    rateBasedStatement?: unknown;
}

export interface WafRuleInputs {
    name: string;
    priority: number;
    action?: { block?: object; allow?: object; count?: object };
    overrideAction?: object;
    statement: Statement;
}

export function normalizePath(path: string): string {
    const collapsed = path.replace(/\/{2,}/g, "/");
    const leadingSlash = collapsed.startsWith("/");
    const segments = collapsed.split("/").slice(leadingSlash ? 1 : 0);
    const out: string[] = [];
    segments.forEach((seg, i) => {
        const last = i === segments.length - 1;
        if (seg === ".") {
            if (last) out.push("");
            return;
        }
        if (seg === ".." && out.length > 0 && out[out.length - 1] !== "..") {
            out.pop();
            if (last) out.push("");
            return;
        }
        out.push(seg);
    });
    return (leadingSlash ? "/" : "") + out.join("/");
}

export function transform(value: string, transformations: readonly Transformation[]): string {
    let v = value;
    for (const t of [...transformations].sort((a, b) => a.priority - b.priority)) {
        switch (t.type) {
            case "NONE":
                break;
            case "URL_DECODE":
                v = percentDecodeOnce(v);
                break;
            case "NORMALIZE_PATH":
                v = normalizePath(v);
                break;
            case "LOWERCASE":
                v = v.toLowerCase();
                break;
            default:
                throw new Error(`WAF evaluator: transformation ${t.type} is not modelled`);
        }
    }
    return v;
}

function fieldValue(field: { uriPath?: object }, target: string): string {
    if (!field.uriPath) throw new Error(`WAF evaluator: field ${Object.keys(field).join(",")} is not modelled`);
    return requestPath(target);
}

function matches(s: Statement, target: string): boolean {
    if (s.orStatement) return s.orStatement.statements.some((x) => matches(x, target));
    if (s.andStatement) return s.andStatement.statements.every((x) => matches(x, target));
    if (s.regexMatchStatement) {
        const r = s.regexMatchStatement;
        return new RegExp(r.regexString).test(transform(fieldValue(r.fieldToMatch, target), r.textTransformations));
    }
    if (s.byteMatchStatement) {
        const b = s.byteMatchStatement;
        const v = transform(fieldValue(b.fieldToMatch, target), b.textTransformations);
        switch (b.positionalConstraint) {
            case "EXACTLY":
                return v === b.searchString;
            case "STARTS_WITH":
                return v.startsWith(b.searchString);
            case "ENDS_WITH":
                return v.endsWith(b.searchString);
            case "CONTAINS":
                return v.includes(b.searchString);
            default:
                throw new Error(`WAF evaluator: positional constraint ${b.positionalConstraint} is not modelled`);
        }
    }
    if (s.managedRuleGroupStatement || s.rateBasedStatement) return false;
    throw new Error(`WAF evaluator: statement ${Object.keys(s).join(",")} is not modelled`);
}

/** Name of the custom rule that blocks the request, or undefined when the custom rules let it through. */
export function wafBlockingRule(rules: readonly WafRuleInputs[], target: string): string | undefined {
    for (const rule of [...rules].sort((a, b) => a.priority - b.priority)) {
        if (!matches(rule.statement, target)) continue;
        if (rule.action?.block) return rule.name;
        if (rule.action?.allow) return undefined;
    }
    return undefined;
}
