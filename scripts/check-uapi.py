#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that include/uapi/linux/zchttp.h matches the YNL spec.

The header is written by hand (6.1 has no YNL generator); this keeps it
and Documentation/netlink/specs/zchttp.yaml describing the same family:
the same attributes and commands, with the same values, and the same
constants.
"""

import re
import sys

import yaml

TOP = __file__.rsplit("/", 2)[0]


def c_name(prefix, name):
    return (prefix + name).upper().replace("-", "_")


def header_enums(text):
    """Map each enumerator to its value, in declaration order."""
    values = {}
    for body in re.findall(r"enum\s*\w*\s*\{(.*?)\};", text, re.S):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        n = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            name, _, val = item.partition("=")
            name = name.strip()
            if val.strip():
                v = val.strip().strip("()").split()
                if v[0][0].isdigit():
                    n = int(v[0], 0)
                elif v[0] in values:
                    n = values[v[0]] - (int(v[2]) if v[1:2] == ["-"] else 0)
                else:
                    continue
            values[name] = n
            n += 1
    return values


def main():
    spec = yaml.safe_load(open(TOP + "/Documentation/netlink/specs/zchttp.yaml"))
    text = open(TOP + "/include/uapi/linux/zchttp.h").read()
    enums = header_enums(text)
    defines = dict(re.findall(r"#define\s+(ZCHTTP_\w+)\s+(\S+)", text))
    errors = []

    def expect(name, value):
        got = enums.get(name, defines.get(name))
        if got is None:
            errors.append("%s: missing from the header" % name)
        elif str(got) != str(value):
            errors.append("%s: header has %s, spec says %s" % (name, got, value))

    expect("ZCHTTP_FAMILY_NAME", '"%s"' % spec["name"])
    for d in spec.get("definitions", []):
        if d["type"] == "const":
            expect("ZCHTTP_" + d["name"].upper().replace("-", "_"), d["value"])
        elif d["type"] == "flags":
            for i, e in enumerate(d["entries"]):
                expect(c_name(d["name-prefix"], e["name"]), 1 << i)
    for aset in spec["attribute-sets"]:
        prefix = aset["name-prefix"]
        for i, a in enumerate(aset["attributes"], start=1):
            expect(c_name(prefix, a["name"]), i)
        expect(c_name(prefix, "max"), len(aset["attributes"]))
    ops = spec["operations"]
    for i, op in enumerate(ops["list"], start=1):
        expect(c_name(ops["name-prefix"], op["name"]), i)
    expect(c_name(ops["name-prefix"], "max"), len(ops["list"]))

    for e in errors:
        print("check-uapi: " + e)
    print("check-uapi: %d names checked, %d mismatches" %
          (len(enums), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
