#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Parse every reStructuredText file under Documentation/ as the kernel's
# Sphinx would (docutils, warnings are errors): a table whose text runs
# into its column margin, or a broken section, renders as an error block.
# Prints each problem as FILE:LINE: message; exits 1 if there is any.

import glob
import io
import os
import sys

import docutils.core
import docutils.utils

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def check(path):
    err = io.StringIO()
    try:
        with open(path) as f:
            docutils.core.publish_doctree(
                f.read(), source_path=path,
                settings_overrides={"report_level": 2, "halt_level": 5,
                                    "warning_stream": err})
    except docutils.utils.SystemMessage as e:
        err.write("%s\n" % e)
    return [line for line in err.getvalue().splitlines()
            if "(WARNING/" in line or "(ERROR/" in line or
            "(SEVERE/" in line]


def main():
    bad = 0
    for path in sorted(glob.glob(os.path.join(TOP, "Documentation", "*.rst"))):
        for line in check(path):
            print(line)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
