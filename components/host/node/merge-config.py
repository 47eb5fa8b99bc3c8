#!/usr/bin/python3
"""Merges wso2-hardening's overlay into the configuration file a WSO2 distribution ships.

    merge-config.py toml SHIPPED OVERLAY [--drop TABLE]...   deployment.toml (API-M, MI, IS)
    merge-config.py yaml SHIPPED OVERLAY                     conf/server/deployment.yaml (SI)

Writes the merged file to standard output. Tables and maps merge key by key, the overlay's value winning;
a section only the shipped file has (datasources, user stores, gateway environments) is kept as shipped.
Lists are replaced by the overlay's list, except YAML lists whose entries are identified (by `id`, by
`name`, or a single key holding a `type`): those merge entry by entry and keep shipped entries the overlay
does not name. `--drop TABLE` removes a top-level table of the shipped file (the secrets step writes its own
`[secrets]`). Standard library only (tomllib, Python 3.11+); YAML needs python3-yaml.
Exit status: 0 merged, 1 a file does not parse (the message names file and line), 2 bad usage.
"""
import datetime
import json
import re
import sys

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def fail(code, message):
    print(f"merge-config: {message}", file=sys.stderr)
    sys.exit(code)


def merge(shipped, overlay):
    """Deep merge: maps key by key, identified YAML list entries by identity, everything else replaced."""
    if isinstance(shipped, dict) and isinstance(overlay, dict):
        out = dict(shipped)
        for key, value in overlay.items():
            out[key] = merge(shipped[key], value) if key in shipped else value
        return out
    if isinstance(shipped, list) and isinstance(overlay, list):
        keyed = [identity(item) for item in overlay]
        if overlay and all(k is not None for k in keyed):
            out = list(shipped)
            for item, key in zip(overlay, keyed):
                index = next((i for i, old in enumerate(out) if identity(old) == key), None)
                if index is None:
                    out.append(item)
                else:
                    out[index] = merge(out[index], item)
            return out
    return overlay


def identity(item):
    if not isinstance(item, dict):
        return None
    for field in ("id", "name"):
        if isinstance(item.get(field), (str, int)):
            return (field, item[field])
    if len(item) == 1:
        (wrapper, inner), = item.items()
        if isinstance(inner, dict) and isinstance(inner.get("type"), str):
            return (wrapper, inner["type"])
    return None


# ------------------------------------------------------------------------------------------------ TOML
def toml_key(key):
    return key if BARE_KEY.match(key) else json.dumps(key)


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def is_table_array(value):
    return isinstance(value, list) and len(value) > 0 and all(isinstance(v, dict) for v in value)


def write_table(lines, path, table, header):
    """Writes one table: its plain keys under its header, then its subtables and arrays of tables."""
    plain = [(k, v) for k, v in table.items() if not isinstance(v, dict) and not is_table_array(v)]
    nested = [(k, v) for k, v in table.items() if isinstance(v, dict) or is_table_array(v)]
    if header is not None and (plain or not nested):
        lines.append("")
        lines.append(header)
    for key, value in plain:
        lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for key, value in nested:
        sub = path + [toml_key(key)]
        if isinstance(value, dict):
            write_table(lines, sub, value, "[" + ".".join(sub) + "]")
        else:
            for item in value:
                lines.append("")
                lines.append("[[" + ".".join(sub) + "]]")
                write_table(lines, sub, item, None)


def dump_toml(doc):
    lines = []
    write_table(lines, [], doc, None)
    return "\n".join(lines).lstrip("\n") + "\n"


def load_toml(path):
    import tomllib

    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        fail(1, f"{path}: {e}")


# ------------------------------------------------------------------------------------------------ YAML
def load_yaml(path):
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            value = yaml.safe_load(f)
    except yaml.YAMLError as e:
        fail(1, f"{path}: {e}")
    if value is None:
        return {}
    if not isinstance(value, dict):
        fail(1, f"{path}: the document is not a mapping of sections")
    return value


def dump_yaml(doc):
    import yaml

    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, allow_unicode=True)


def main(argv):
    drops = []
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--drop" and i + 1 < len(argv):
            drops.append(argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 3 or args[0] not in ("toml", "yaml"):
        fail(2, "usage: merge-config.py toml|yaml SHIPPED OVERLAY [--drop TABLE]...")
    fmt, shipped_path, overlay_path = args
    load, dump = (load_toml, dump_toml) if fmt == "toml" else (load_yaml, dump_yaml)
    shipped = load(shipped_path)
    overlay = load(overlay_path)
    for table in drops:
        shipped.pop(table, None)
    sys.stdout.write(dump(merge(shipped, overlay)))


if __name__ == "__main__":
    main(sys.argv[1:])
