/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output for zcctl: one set of calls produces either the text form or the
 * JSON form of a result, so both stay in step.
 *
 * In text mode the key is ignored and the value is printed with fmt (a NULL
 * fmt prints nothing). In JSON mode fmt is ignored and "key":value is
 * emitted (key NULL inside arrays).
 *
 * All output goes to a buffer; output_end() writes it to stdout only if the
 * command succeeded, so a failure never leaves half a JSON document behind.
 */
#ifndef _ZCCTL_JSON_PRINT_H
#define _ZCCTL_JSON_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

int output_begin(bool json, bool pretty);
void output_end(bool ok, const char *errmsg);

void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

void print_uint(const char *key, const char *fmt, unsigned long long val);
void print_float(const char *key, const char *fmt, double val);
void print_string(const char *key, const char *fmt, const char *val);
/* text mode only */
void print_text(const char *fmt, ...) __printf(1, 2);

/* low level: write a JSON string literal with escaping */
void json_write_string(FILE *f, const char *s);

#endif /* _ZCCTL_JSON_PRINT_H */
