# SPDX-License-Identifier: GPL-2.0
# Kernel log lines that fail a test run: a line matching "report" and not
# "benign". Extended regular expressions, read by grep -E (lib.sh, lane.sh)
# and by Python's re (ksft-run.sh).
report BUG:|kernel BUG|WARNING:|Oops|general protection|KASAN|UBSAN|possible recursive locking|circular locking|lockdep|scheduling while atomic|refcount_t|list_(add|del) corruption|unreferenced object|suspected memory leak|ODEBUG|Call Trace:
benign RCU lockdep checking is enabled
