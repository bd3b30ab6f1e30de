// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal JSON / text printer for zcctl. See json_print.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_print.h"

#define JSON_MAX_DEPTH	16

static FILE *out;
static char *out_buf;
static size_t out_len;
static bool jmode;
static bool jpretty;
static int depth;
static bool first[JSON_MAX_DEPTH + 1];

int output_begin(bool json, bool pretty)
{
	jmode = json;
	jpretty = pretty;
	depth = 0;
	first[0] = true;
	out = open_memstream(&out_buf, &out_len);
	return out ? 0 : -1;
}

/* Length of a valid UTF-8 multibyte sequence at p, or 0 if invalid. */
static int utf8_seq_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else {
		return 0;
	}
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

void json_write_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	fputc('"', f);
	while (*p) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\u%04x", *p);
			} else if (*p < 0x80) {
				fputc(*p, f);
			} else {
				n = utf8_seq_len(p);
				if (n) {
					fwrite(p, 1, n, f);
					p += n;
					continue;
				}
				/* not UTF-8 (paths are bytes): map to U+00xx */
				fprintf(f, "\\u%04x", *p);
			}
		}
		p++;
	}
	fputc('"', f);
}

static void indent(int level)
{
	int i;

	for (i = 0; i < level; i++)
		fputs("  ", out);
}

/* Separator, indentation and key before a value at the current level. */
static void json_begin_value(const char *key)
{
	if (depth > 0) {
		if (!first[depth])
			fputc(',', out);
		if (jpretty) {
			fputc('\n', out);
			indent(depth);
		}
	}
	first[depth] = false;
	if (key && depth > 0) {
		json_write_string(out, key);
		fputs(jpretty ? ": " : ":", out);
	}
}

static void json_end_value(void)
{
	if (depth == 0)
		fputc('\n', out);
}

static void json_open(const char *key, char c)
{
	json_begin_value(key);
	fputc(c, out);
	if (depth < JSON_MAX_DEPTH)
		depth++;
	first[depth] = true;
}

static void json_close(char c)
{
	bool empty = first[depth];

	if (depth > 0)
		depth--;
	if (jpretty && !empty) {
		fputc('\n', out);
		indent(depth);
	}
	fputc(c, out);
	json_end_value();
}

void open_json_object(const char *key)
{
	if (jmode)
		json_open(key, '{');
}

void close_json_object(void)
{
	if (jmode)
		json_close('}');
}

void open_json_array(const char *key)
{
	if (jmode)
		json_open(key, '[');
}

void close_json_array(void)
{
	if (jmode)
		json_close(']');
}

void print_uint(const char *key, const char *fmt, unsigned long long val)
{
	if (jmode) {
		json_begin_value(key);
		fprintf(out, "%llu", val);
		json_end_value();
	} else if (fmt) {
		fprintf(out, fmt, val);
	}
}

void print_float(const char *key, const char *fmt, double val)
{
	if (jmode) {
		json_begin_value(key);
		fprintf(out, "%.4f", val);
		json_end_value();
	} else if (fmt) {
		fprintf(out, fmt, val);
	}
}

void print_string(const char *key, const char *fmt, const char *val)
{
	if (jmode) {
		json_begin_value(key);
		json_write_string(out, val);
		json_end_value();
	} else if (fmt) {
		fprintf(out, fmt, val);
	}
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (jmode)
		return;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
}

void output_end(bool ok, const char *errmsg)
{
	if (!out)
		return;
	fclose(out);
	out = NULL;
	if (ok) {
		fwrite(out_buf, 1, out_len, stdout);
	} else if (jmode) {
		/* discard partial output, report the error instead */
		out = stdout;
		depth = 0;
		first[0] = true;
		open_json_object(NULL);
		print_string("error", NULL, errmsg ? errmsg : "unknown error");
		close_json_object();
		out = NULL;
	}
	free(out_buf);
	out_buf = NULL;
	fflush(stdout);
}
