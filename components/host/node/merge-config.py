#!/usr/bin/python3
# Merges the overlay into the shipped config: merge-config.md
import json, re, sys


def fail(code, msg):
    sys.exit(print("merge-config:", msg, file=sys.stderr) or code)


def ident(x):
    if not isinstance(x, dict):
        return None
    for f in ("id", "name"):
        if isinstance(x.get(f), (str, int)):
            return (f, x[f])
    if len(x) == 1:
        (k, v), = x.items()
        if isinstance(v, dict) and isinstance(v.get("type"), str):
            return (k, v["type"])


def merge(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return {**a, **{k: merge(a[k], v) if k in a else v for k, v in b.items()}}
    if isinstance(a, list) and isinstance(b, list) and b and all(ident(x) for x in b):
        out = list(a)
        for x in b:
            i = next((n for n, y in enumerate(out) if ident(y) == ident(x)), None)
            if i is None:
                out.append(x)
            else:
                out[i] = merge(out[i], x)
        return out
    return b


def key(k):
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def val(v):
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(map(val, v)) + "]"
    return json.dumps(v if isinstance(v, str) else v.isoformat())


def tables(v):
    return isinstance(v, list) and v and all(isinstance(x, dict) for x in v)


def table(out, path, t, header):
    plain = [(k, v) for k, v in t.items() if not (isinstance(v, dict) or tables(v))]
    if header and (plain or len(plain) == len(t)):
        out += ["", header]
    out += [f"{key(k)} = {val(v)}" for k, v in plain]
    for k, v in t.items():
        sub = path + [key(k)]
        if isinstance(v, dict):
            table(out, sub, v, "[" + ".".join(sub) + "]")
        elif tables(v):
            for x in v:
                out += ["", "[[" + ".".join(sub) + "]]"]
                table(out, sub, x, None)


def load(fmt, path):
    try:
        if fmt == "toml":
            import tomllib
            with open(path, "rb") as f:
                return tomllib.load(f)
        import yaml
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
    except Exception as e:
        fail(1, f"{path}: {e}")
    if not isinstance(doc, dict):
        fail(1, f"{path}: the document is not a mapping of sections")
    return doc


def main(argv):
    drops = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--drop"]
    args = [a for i, a in enumerate(argv) if a != "--drop" and (i == 0 or argv[i - 1] != "--drop")]
    if len(args) != 3 or args[0] not in ("toml", "yaml"):
        fail(2, "usage: merge-config.py toml|yaml SHIPPED OVERLAY [--drop TABLE]...")
    fmt, shipped, overlay = args
    a = load(fmt, shipped)
    for d in drops:
        a.pop(d, None)
    doc = merge(a, load(fmt, overlay))
    if fmt == "toml":
        out = []
        table(out, [], doc, None)
        sys.stdout.write("\n".join(out).lstrip("\n") + "\n")
    else:
        import yaml
        yaml.safe_dump(doc, sys.stdout, sort_keys=False, default_flow_style=False, allow_unicode=True)


main(sys.argv[1:])
