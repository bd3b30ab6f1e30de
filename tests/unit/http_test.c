// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/http.c, run in user space. Prints TAP and then one
 * line "N passed, M failed"; exits non-zero if anything failed.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

static int n_pass, n_fail;

static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", n_pass + n_fail + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (cond)
		n_pass++;
	else
		n_fail++;
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Escape for diagnostics */
static const char *esc(const char *s, size_t n)
{
	static char out[512];
	size_t o = 0, i;

	for (i = 0; i < n && o + 5 < sizeof(out); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			out[o++] = '\\';
			out[o++] = 'r';
		} else if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------------------ */
/* Parser table */

enum { ANY = 0, NO = 1, YES = 2 };		/* for bool checks */
enum { M_ANY = 0, M_GET = 1, M_HEAD = 2, M_NONE = 3 };

struct pcase {
	const char *desc;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	int ret;
	const char *path;	/* checked when ret == 0 and non-NULL */
	int trail;
	int ka;
	int ver;		/* 0: don't check */
	int method;
	long long ims;		/* checked when non-zero; -2 means -1 */
};

#define H11	" HTTP/1.1\r\nHost: x\r\n\r\n"
#define G(t)	"GET " t H11

static const struct pcase pcases[] = {
	/* request line syntax */
	{ .desc = "double SP after method", .in = "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "double SP after target", .in = "GET /  HTTP/1.1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "trailing SP after version", .in = "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "leading SP", .in = " GET / HTTP/1.1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "HTAB separators", .in = "GET\t/\tHTTP/1.1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "empty version", .in = "GET / \r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "HTTP/0.9 style line", .in = "GET /\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "method only", .in = "GET\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "method not a token", .in = "G@T / HTTP/1.1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "method with '(' ", .in = "GE(T / HTTP/1.1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "request line starts with slash", .in = "/ HTTP/1.1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "bare CR line", .in = "\r\r\n\r\n", .ret = 400 },
	{ .desc = "bare CR in request line", .in = "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "garbage", .in = "hello\r\n\r\n", .ret = 400 },
	{ .desc = "binary garbage", .in = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", .len = sizeof("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n") - 1, .ret = 400 },
	{ .desc = "target with SP", .in = "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", .ret = 400 },

	/* version */
	{ .desc = "HTTP/1.2 -> 505", .in = "GET / HTTP/1.2\r\nHost: x\r\n\r\n", .ret = 505, .ver = 11 },
	{ .desc = "HTTP/2.0 -> 505", .in = "GET / HTTP/2.0\r\n\r\n", .ret = 505 },
	{ .desc = "HTTP/0.9 -> 505", .in = "GET / HTTP/0.9\r\n\r\n", .ret = 505 },
	{ .desc = "HTTP/3.0 -> 505", .in = "GET / HTTP/3.0\r\n\r\n", .ret = 505 },
	{ .desc = "HTTP/9.9 -> 505", .in = "GET / HTTP/9.9\r\n\r\n", .ret = 505 },
	{ .desc = "HTTP/2 -> 400", .in = "GET / HTTP/2\r\n\r\n", .ret = 400 },
	{ .desc = "lower-case http -> 400", .in = "GET / http/1.1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "HTTP/1.10 -> 400", .in = "GET / HTTP/1.10\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "HTTP/1 -> 400", .in = "GET / HTTP/1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "HTTP/a.b -> 400", .in = "GET / HTTP/a.b\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "HTTPS/1.1 -> 400", .in = "GET / HTTPS/1.1\r\nHost: x\r\n\r\n", .ret = 400 },
	{ .desc = "HTTP/1,1 -> 400", .in = "GET / HTTP/1,1\r\nHost: x\r\n\r\n", .ret = 400 },

	/* methods */
	{ .desc = "GET ok", .in = G("/"), .ret = 0, .path = "", .trail = YES, .ka = YES, .ver = 11, .method = M_GET },
	{ .desc = "HEAD ok", .in = "HEAD /i.html" H11, .ret = 0, .path = "i.html", .trail = NO, .ka = YES, .ver = 11, .method = M_HEAD },
	{ .desc = "POST -> 405", .in = "POST /" H11, .ret = 405, .method = M_NONE, .ver = 11, .ka = NO },
	{ .desc = "PUT -> 405", .in = "PUT /" H11, .ret = 405, .method = M_NONE },
	{ .desc = "DELETE -> 405", .in = "DELETE /" H11, .ret = 405 },
	{ .desc = "OPTIONS -> 405", .in = "OPTIONS /" H11, .ret = 405 },
	{ .desc = "PATCH -> 405", .in = "PATCH /" H11, .ret = 405 },
	{ .desc = "TRACE -> 405", .in = "TRACE /" H11, .ret = 405 },
	{ .desc = "CONNECT -> 405", .in = "CONNECT h:443" H11, .ret = 405 },
	{ .desc = "OPTIONS * -> 405", .in = "OPTIONS *" H11, .ret = 405 },
	{ .desc = "lower-case get -> 501", .in = "get /" H11, .ret = 501, .method = M_NONE },
	{ .desc = "FOO -> 501", .in = "FOO /" H11, .ret = 501 },
	{ .desc = "PROPFIND -> 501", .in = "PROPFIND /" H11, .ret = 501 },
	{ .desc = "GETX -> 501", .in = "GETX /" H11, .ret = 501 },
	{ .desc = "POST with body length -> 405", .in = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", .ret = 405 },
	{ .desc = "405 for HTTP/1.0 keeps version", .in = "PUT / HTTP/1.0\r\n\r\n", .ret = 405, .ver = 10, .ka = NO },

	/* target forms */
	{ .desc = "asterisk-form -> 400", .in = "GET *" H11, .ret = 400, .method = M_GET },
	{ .desc = "authority-form -> 400", .in = "GET example.com:80" H11, .ret = 400 },
	{ .desc = "relative path -> 400", .in = "GET a/b" H11, .ret = 400 },
	{ .desc = "absolute-form", .in = G("http://example.com/a/b"), .ret = 0, .path = "a/b", .trail = NO },
	{ .desc = "absolute-form, case and port", .in = G("HTTP://Example.COM:8080/x"), .ret = 0, .path = "x", .trail = NO },
	{ .desc = "absolute-form https", .in = G("https://h/x/"), .ret = 0, .path = "x", .trail = YES },
	{ .desc = "absolute-form without path", .in = G("http://h"), .ret = 0, .path = "", .trail = YES },
	{ .desc = "absolute-form query without path", .in = G("http://h?x=1"), .ret = 0, .path = "", .trail = YES },
	{ .desc = "absolute-form IPv6", .in = G("http://[::1]:80/a"), .ret = 0, .path = "a", .trail = NO },
	{ .desc = "absolute-form empty authority", .in = G("http:///x"), .ret = 400 },
	{ .desc = "absolute-form userinfo", .in = G("http://u@h/x"), .ret = 400 },
	{ .desc = "absolute-form other scheme", .in = G("ftp://h/x"), .ret = 400 },
	{ .desc = "absolute-form bare scheme", .in = G("http://"), .ret = 400 },
	{ .desc = "absolute-form with .. above root", .in = G("http://h/../x"), .ret = 400 },
	{ .desc = "absolute-form with %2e%2e above root", .in = G("http://h/%2e%2e/x"), .ret = 400 },
	{ .desc = "absolute-form with inner ..", .in = G("http://h/a/../x"), .ret = 0, .path = "x", .trail = NO },

	/* query and fragment */
	{ .desc = "query stripped", .in = G("/a?b=c"), .ret = 0, .path = "a", .trail = NO },
	{ .desc = "query with dot-dots ignored", .in = G("/a?../../x"), .ret = 0, .path = "a", .trail = NO },
	{ .desc = "fragment stripped", .in = G("/a#frag"), .ret = 0, .path = "a", .trail = NO },
	{ .desc = "query and fragment", .in = G("/a/?x#y"), .ret = 0, .path = "a", .trail = YES },
	{ .desc = "empty query on root", .in = G("/?"), .ret = 0, .path = "", .trail = YES },
	{ .desc = "query with bad percent is not decoded", .in = G("/a?%zz"), .ret = 0, .path = "a" },
	{ .desc = "query with slash", .in = G("/d/?p=/x/y"), .ret = 0, .path = "d", .trail = YES },
	{ .desc = "control byte in query", .in = G("/a?\x01"), .ret = 400 },
	{ .desc = "backslash in query allowed", .in = G("/a?b\\c"), .ret = 0, .path = "a" },
	{ .desc = "percent before query", .in = G("/a%4?1"), .ret = 400 },

	/* percent-decoding */
	{ .desc = "%41 -> A", .in = G("/%41"), .ret = 0, .path = "A", .trail = NO },
	{ .desc = "%20 -> space", .in = G("/a%20b"), .ret = 0, .path = "a b" },
	{ .desc = "UTF-8 decoded", .in = G("/%e2%82%AC"), .ret = 0, .path = "\xe2\x82\xac" },
	{ .desc = "%25 not decoded twice", .in = G("/%252e%252e/x"), .ret = 0, .path = "%2e%2e/x" },
	{ .desc = "plus stays plus", .in = G("/a+b"), .ret = 0, .path = "a+b" },
	{ .desc = "truncated %4", .in = G("/%4"), .ret = 400 },
	{ .desc = "lone %", .in = G("/%"), .ret = 400 },
	{ .desc = "%zz", .in = G("/%zz"), .ret = 400 },
	{ .desc = "%4g", .in = G("/%4g"), .ret = 400 },
	{ .desc = "%g4", .in = G("/%g4"), .ret = 400 },
	{ .desc = "%00", .in = G("/a%00b"), .ret = 400 },
	{ .desc = "%2F", .in = G("/a%2Fb"), .ret = 400 },
	{ .desc = "%2f", .in = G("/a%2fb"), .ret = 400 },
	{ .desc = "%5C", .in = G("/a%5Cb"), .ret = 400 },
	{ .desc = "%5c", .in = G("/a%5cb"), .ret = 400 },
	{ .desc = "%0a", .in = G("/a%0ab"), .ret = 400 },
	{ .desc = "%0D", .in = G("/a%0Db"), .ret = 400 },
	{ .desc = "%1f", .in = G("/a%1f"), .ret = 400 },
	{ .desc = "%7f", .in = G("/a%7f"), .ret = 400 },
	{ .desc = "%09", .in = G("/a%09"), .ret = 400 },
	{ .desc = "%80 allowed", .in = G("/a%80"), .ret = 0, .path = "a\x80" },
	{ .desc = "raw backslash", .in = G("/a\\b"), .ret = 400 },
	{ .desc = "raw control byte", .in = G("/a\x01" "b"), .ret = 400 },
	{ .desc = "raw DEL", .in = G("/a\x7f"), .ret = 400 },
	{ .desc = "raw UTF-8", .in = G("/caf\xc3\xa9"), .ret = 0, .path = "caf\xc3\xa9" },
	{ .desc = "raw NUL", .in = "GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n", .len = sizeof("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n") - 1, .ret = 400 },

	/* traversal */
	{ .desc = "/../etc/passwd", .in = G("/../etc/passwd"), .ret = 400 },
	{ .desc = "/..", .in = G("/.."), .ret = 400 },
	{ .desc = "/../", .in = G("/../"), .ret = 400 },
	{ .desc = "/%2e%2e/", .in = G("/%2e%2e/"), .ret = 400 },
	{ .desc = "/%2E%2E/etc", .in = G("/%2E%2E/etc"), .ret = 400 },
	{ .desc = "/.%2e/x", .in = G("/.%2e/x"), .ret = 400 },
	{ .desc = "/%2e./x", .in = G("/%2e./x"), .ret = 400 },
	{ .desc = "/a/../../b", .in = G("/a/../../b"), .ret = 400 },
	{ .desc = "/..%2f", .in = G("/..%2f"), .ret = 400 },
	{ .desc = "/%2e%2e%2fetc", .in = G("/%2e%2e%2fetc"), .ret = 400 },
	{ .desc = "\\..\\", .in = G("\\..\\"), .ret = 400 },
	{ .desc = "/..\\..\\x", .in = G("/..\\..\\x"), .ret = 400 },
	{ .desc = "/a/b/../../..", .in = G("/a/b/../../.."), .ret = 400 },
	{ .desc = "/a/./../..", .in = G("/a/./../.."), .ret = 400 },
	{ .desc = "//../x", .in = G("//../x"), .ret = 400 },
	{ .desc = "/a/%2e%2e/b", .in = G("/a/%2e%2e/b"), .ret = 0, .path = "b", .trail = NO },
	{ .desc = "/a/b/../c", .in = G("/a/b/../c"), .ret = 0, .path = "a/c", .trail = NO },
	{ .desc = "/a/./b", .in = G("/a/./b"), .ret = 0, .path = "a/b", .trail = NO },
	{ .desc = "/./", .in = G("/./"), .ret = 0, .path = "", .trail = YES },
	{ .desc = "/.", .in = G("/."), .ret = 0, .path = "", .trail = YES },
	{ .desc = "/a/.", .in = G("/a/."), .ret = 0, .path = "a", .trail = YES },
	{ .desc = "/a/%2e", .in = G("/a/%2e"), .ret = 0, .path = "a", .trail = YES },
	{ .desc = "/a/..", .in = G("/a/.."), .ret = 0, .path = "", .trail = YES },
	{ .desc = "/a/b/..", .in = G("/a/b/.."), .ret = 0, .path = "a", .trail = YES },
	{ .desc = "/a/b/../", .in = G("/a/b/../"), .ret = 0, .path = "a", .trail = YES },
	{ .desc = "//a//b//", .in = G("//a//b//"), .ret = 0, .path = "a/b", .trail = YES },
	{ .desc = "/a//../b", .in = G("/a//../b"), .ret = 0, .path = "b", .trail = NO },
	{ .desc = "/... is a name", .in = G("/..."), .ret = 0, .path = "...", .trail = NO },
	{ .desc = "/.hidden", .in = G("/.hidden"), .ret = 0, .path = ".hidden", .trail = NO },
	{ .desc = "/a..b", .in = G("/a..b"), .ret = 0, .path = "a..b", .trail = NO },
	{ .desc = "/..a", .in = G("/..a"), .ret = 0, .path = "..a", .trail = NO },
	{ .desc = "/a/b/c/../../d/./e/", .in = G("/a/b/c/../../d/./e/"), .ret = 0, .path = "a/d/e", .trail = YES },

	/* headers: syntax */
	{ .desc = "whitespace before colon", .in = "GET / HTTP/1.1\r\nHost : x\r\n\r\n", .ret = 400 },
	{ .desc = "tab before colon", .in = "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", .ret = 400 },
	{ .desc = "obs-fold SP", .in = "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", .ret = 400 },
	{ .desc = "obs-fold HTAB", .in = "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", .ret = 400 },
	{ .desc = "first header folded", .in = "GET / HTTP/1.1\r\n Host: x\r\n\r\n", .ret = 400 },
	{ .desc = "no colon", .in = "GET / HTTP/1.1\r\nHost: x\r\nFoo\r\n\r\n", .ret = 400 },
	{ .desc = "empty name", .in = "GET / HTTP/1.1\r\nHost: x\r\n: x\r\n\r\n", .ret = 400 },
	{ .desc = "name with '('", .in = "GET / HTTP/1.1\r\nHost: x\r\nFo(o: x\r\n\r\n", .ret = 400 },
	{ .desc = "name with '@'", .in = "GET / HTTP/1.1\r\nHost: x\r\nF@: x\r\n\r\n", .ret = 400 },
	{ .desc = "NUL in value", .in = "GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", .len = sizeof("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n") - 1, .ret = 400 },
	{ .desc = "SOH in value", .in = "GET / HTTP/1.1\r\nHost: x\r\nX: a\x01" "b\r\n\r\n", .ret = 400 },
	{ .desc = "DEL in value", .in = "GET / HTTP/1.1\r\nHost: x\r\nX: a\x7f\r\n\r\n", .ret = 400 },
	{ .desc = "bare CR in value", .in = "GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", .ret = 400 },
	{ .desc = "HTAB in value ok", .in = "GET / HTTP/1.1\r\nHost: x\r\nX: a\tb\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "obs-text in value ok", .in = "GET / HTTP/1.1\r\nHost: x\r\nX: \xe9\xff\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "empty value ok", .in = "GET / HTTP/1.1\r\nHost: x\r\nX:\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "odd token name ok", .in = "GET / HTTP/1.1\r\nHost: x\r\nX-~!#$%&'*+.^_`|: 1\r\n\r\n", .ret = 0, .path = "" },

	/* Host */
	{ .desc = "1.1 without Host", .in = "GET / HTTP/1.1\r\n\r\n", .ret = 400, .ver = 11, .method = M_GET, .ka = NO },
	{ .desc = "1.1 with other headers, no Host", .in = "GET / HTTP/1.1\r\nX: y\r\n\r\n", .ret = 400 },
	{ .desc = "1.1 two Hosts", .in = "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", .ret = 400 },
	{ .desc = "1.0 two Hosts", .in = "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", .ret = 400 },
	{ .desc = "1.0 without Host ok", .in = "GET / HTTP/1.0\r\n\r\n", .ret = 0, .path = "", .trail = YES, .ka = NO, .ver = 10, .method = M_GET },
	{ .desc = "Host name case", .in = "GET / HTTP/1.1\r\nhOsT: x\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "HOST upper case", .in = "GET / HTTP/1.1\r\nHOST: x\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "empty Host ok", .in = "GET / HTTP/1.1\r\nHost:\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "Host with port", .in = "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "Host IPv6", .in = "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "Host with space", .in = "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", .ret = 400 },
	{ .desc = "Host with slash", .in = "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", .ret = 400 },
	{ .desc = "Host with userinfo", .in = "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", .ret = 400 },
	{ .desc = "Hostx is not Host", .in = "GET / HTTP/1.1\r\nHostx: a\r\n\r\n", .ret = 400 },

	/* Connection */
	{ .desc = "1.1 default keep-alive", .in = G("/"), .ret = 0, .path = "", .trail = YES, .ka = YES, .ver = 11 },
	{ .desc = "1.0 default close", .in = "GET / HTTP/1.0\r\n\r\n", .ret = 0, .path = "", .ka = NO, .ver = 10 },
	{ .desc = "1.0 keep-alive", .in = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", .ret = 0, .path = "", .ka = YES },
	{ .desc = "1.0 Keep-Alive case", .in = "GET / HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n", .ret = 0, .path = "", .ka = YES },
	{ .desc = "1.0 keep-alive then close", .in = "GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", .ret = 0, .path = "", .ka = NO },
	{ .desc = "1.0 keep-alive-x is not keep-alive", .in = "GET / HTTP/1.0\r\nConnection: keep-alive-x\r\n\r\n", .ret = 0, .path = "", .ka = NO },
	{ .desc = "1.1 close", .in = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", .ret = 0, .path = "", .ka = NO },
	{ .desc = "1.1 CLOSE", .in = "GET / HTTP/1.1\r\nHost: x\r\nConnection: CLOSE\r\n\r\n", .ret = 0, .path = "", .ka = NO },
	{ .desc = "1.1 keep-alive, close", .in = "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n", .ret = 0, .path = "", .ka = NO },
	{ .desc = "1.1 list with OWS", .in = "GET / HTTP/1.1\r\nHost: x\r\nConnection: foo ,\t Close \t\r\n\r\n", .ret = 0, .path = "", .ka = NO },
	{ .desc = "1.1 empty list elements", .in = "GET / HTTP/1.1\r\nHost: x\r\nConnection: ,,close,,\r\n\r\n", .ret = 0, .path = "", .ka = NO },
	{ .desc = "1.1 upgrade stays open", .in = "GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\n\r\n", .ret = 0, .path = "", .ka = YES },
	{ .desc = "1.1 closed is not close", .in = "GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n", .ret = 0, .path = "", .ka = YES },
	{ .desc = "1.1 keep-alive", .in = "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n", .ret = 0, .path = "", .ka = YES },

	/* Content-Length / Transfer-Encoding */
	{ .desc = "CL 0 ok", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "CL 000 ok", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 000\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "CL 0 twice ok", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\ncontent-length: 0\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "HEAD CL 0 ok", .in = "HEAD / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", .ret = 0, .path = "" },
	{ .desc = "CL 5 on GET", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", .ret = 400 },
	{ .desc = "CL 1 on HEAD", .in = "HEAD / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n", .ret = 400 },
	{ .desc = "CL abc", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", .ret = 400 },
	{ .desc = "CL empty", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", .ret = 400 },
	{ .desc = "CL -0", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -0\r\n\r\n", .ret = 400 },
	{ .desc = "CL +0", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: +0\r\n\r\n", .ret = 400 },
	{ .desc = "CL 0 0", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0 0\r\n\r\n", .ret = 400 },
	{ .desc = "CL list 0, 0", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0, 0\r\n\r\n", .ret = 400 },
	{ .desc = "CL 0 then 1", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 1\r\n\r\n", .ret = 400 },
	{ .desc = "CL U64_MAX", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551615\r\n\r\n", .ret = 400 },
	{ .desc = "CL U64_MAX+1 overflows", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n", .ret = 400 },
	{ .desc = "CL huge overflows", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999999\r\n\r\n", .ret = 400 },
	{ .desc = "CL overflow on POST is 400", .in = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999999\r\n\r\n", .ret = 400 },
	{ .desc = "TE chunked", .in = "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", .ret = 400 },
	{ .desc = "TE identity", .in = "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n", .ret = 400 },
	{ .desc = "TE empty", .in = "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\r\n", .ret = 400 },
	{ .desc = "te lower case", .in = "GET / HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n", .ret = 400 },
	{ .desc = "TE and CL", .in = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n", .ret = 400 },
	{ .desc = "TE on HTTP/1.0", .in = "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .ret = 400 },

	/* If-Modified-Since */
	{ .desc = "IMS valid", .in = "GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n", .ret = 0, .path = "", .ims = 784111777 },
	{ .desc = "IMS with OWS", .in = "GET / HTTP/1.1\r\nHost: x\r\nif-modified-since:   Sun, 06 Nov 1994 08:49:37 GMT \t\r\n\r\n", .ret = 0, .path = "", .ims = 784111777 },
	{ .desc = "IMS RFC 850", .in = "GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Sunday, 06-Nov-94 08:49:37 GMT\r\n\r\n", .ret = 0, .path = "", .ims = 784111777 },
	{ .desc = "IMS asctime", .in = "GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Sun Nov  6 08:49:37 1994\r\n\r\n", .ret = 0, .path = "", .ims = 784111777 },
	{ .desc = "IMS invalid ignored", .in = "GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: yesterday\r\n\r\n", .ret = 0, .path = "", .ims = -2 },
	{ .desc = "IMS absent", .in = G("/"), .ret = 0, .path = "", .ims = -2 },

	/* framing */
	{ .desc = "bare LF line ends", .in = "GET /a HTTP/1.1\nHost: x\n\n", .ret = 0, .path = "a", .trail = NO },
	{ .desc = "mixed line ends", .in = "GET /a HTTP/1.1\r\nHost: x\n\r\n", .ret = 0, .path = "a" },
	{ .desc = "leading CRLF skipped", .in = "\r\n\r\nGET /a" H11, .ret = 0, .path = "a" },
	{ .desc = "leading LF skipped", .in = "\nGET /a" H11, .ret = 0, .path = "a" },
	{ .desc = "only CRLFs is incomplete", .in = "\r\n\r\n\r\n", .ret = ZCH_HTTP_INCOMPLETE },
	{ .desc = "empty buffer", .in = "", .ret = ZCH_HTTP_INCOMPLETE },
};

static void run_pcase(const struct pcase *c)
{
	size_t len = c->len ? c->len : strlen(c->in);
	struct zch_http_req req;
	size_t consumed = 12345;
	char why[2200] = "";
	char *copy;
	int ret;

	/* exact-size heap copy so ASan sees any read past the end */
	copy = malloc(len ? len : 1);
	memcpy(copy, c->in, len);
	memset(&req, 0xa5, sizeof(req));
	ret = zch_http_parse(copy, len, &req, &consumed);

	if (ret != c->ret)
		snprintf(why, sizeof(why), "ret %d want %d", ret, c->ret);
	else if (ret == 0 && consumed != len)
		snprintf(why, sizeof(why), "consumed %zu want %zu", consumed, len);
	else if (ret == 0 && c->path && strcmp(req.path, c->path))
		snprintf(why, sizeof(why), "path '%s' want '%s'", req.path, c->path);
	else if (ret == 0 && req.path_len != strlen(req.path))
		snprintf(why, sizeof(why), "path_len %u", req.path_len);
	else if (ret == 0 && c->trail && req.trailing_slash != (c->trail == YES))
		snprintf(why, sizeof(why), "trailing_slash %d", req.trailing_slash);
	else if (c->ka && req.keepalive != (c->ka == YES))
		snprintf(why, sizeof(why), "keepalive %d", req.keepalive);
	else if (ret && req.keepalive)
		snprintf(why, sizeof(why), "keepalive set on error");
	else if (c->ver && req.version != c->ver)
		snprintf(why, sizeof(why), "version %d", req.version);
	else if (req.version != 10 && req.version != 11)
		snprintf(why, sizeof(why), "bad version %d", req.version);
	else if (c->method && req.method != (c->method == M_NONE ? 0 : c->method))
		snprintf(why, sizeof(why), "method %d", req.method);
	else if (ret == 0 && c->ims && req.ims != (c->ims == -2 ? -1 : c->ims))
		snprintf(why, sizeof(why), "ims %lld", (long long)req.ims);
	check(!why[0], "parse: %s", c->desc);
	if (why[0])
		diag("%s: input '%s'", why, esc(c->in, len));
	free(copy);
}

/* ------------------------------------------------------------------ */
/* Generated parser cases */

static int parse_len(const char *buf, size_t len, struct zch_http_req *req,
		     size_t *consumed)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, buf, len);
	ret = zch_http_parse(copy, len, req, consumed);
	free(copy);
	return ret;
}

static int parse_str(const char *s, struct zch_http_req *req, size_t *consumed)
{
	return parse_len(s, strlen(s), req, consumed);
}

static char big[40000];

static void test_incomplete(void)
{
	static const char * const reqs[] = {
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /a/b/../c?q=1#f HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\nAccept: */*\r\n\r\n",
		"HEAD /x.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"GET / HTTP/1.0\r\n\r\n",
		"GET /a HTTP/1.1\nHost: x\n\n",
		"\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET http://h:80/%41%2e%2E/b/ HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\n\r\n",
	};
	struct zch_http_req req;
	size_t i, k, consumed;
	int ret, bad;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		size_t len = strlen(reqs[i]);

		bad = -1;
		for (k = 0; k < len; k++) {
			ret = parse_len(reqs[i], k, &req, &consumed);
			if (ret != ZCH_HTTP_INCOMPLETE) {
				bad = (int)k;
				break;
			}
		}
		check(bad < 0, "incomplete at every byte boundary of request %zu", i);
		if (bad >= 0)
			diag("prefix of %d bytes gave %d", bad, ret);
		ret = parse_len(reqs[i], len, &req, &consumed);
		check(ret == 0 && consumed == len,
		      "request %zu complete parses (ret %d consumed %zu)", i, ret, consumed);
	}
}

static void test_pipeline(void)
{
	const char *two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
			  "HEAD /b/ HTTP/1.0\r\n\r\n";
	const char *partial = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHo";
	const char *garbage = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nxyz\r\n\r\n";
	struct zch_http_req req;
	size_t consumed, c2;
	int ret;

	ret = parse_str(two, &req, &consumed);
	check(ret == 0 && consumed == 28 && !strcmp(req.path, "a") &&
	      req.method == ZCH_HTTP_GET && req.keepalive,
	      "pipeline: first of two (consumed %zu)", consumed);
	ret = parse_str(two + consumed, &req, &c2);
	check(ret == 0 && consumed + c2 == strlen(two) && !strcmp(req.path, "b") &&
	      req.trailing_slash && req.method == ZCH_HTTP_HEAD &&
	      req.version == 10 && !req.keepalive,
	      "pipeline: second of two (consumed %zu)", c2);

	ret = parse_str(partial, &req, &consumed);
	check(ret == 0 && consumed == 28, "pipeline: first before a partial one");
	ret = parse_str(partial + consumed, &req, &c2);
	check(ret == ZCH_HTTP_INCOMPLETE, "pipeline: partial second is incomplete");

	ret = parse_str(garbage, &req, &consumed);
	check(ret == 0 && consumed == 28, "pipeline: first before garbage");
	ret = parse_str(garbage + consumed, &req, &c2);
	check(ret == 400, "pipeline: garbage after a request is 400");
}

/* Build "GET <target> HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n" into big */
static size_t build(const char *target, const char *extra)
{
	int n = snprintf(big, sizeof(big), "GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n",
			 target, extra);
	return (size_t)n;
}

static void test_limits(void)
{
	static char tgt[20000], extra[20000];
	struct zch_http_req req;
	size_t consumed, len, i;
	int ret, n;

	/* decoded path length */
	tgt[0] = '/';
	memset(tgt + 1, 'a', 1023);
	tgt[1024] = '\0';
	len = build(tgt, "");
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 0 && req.path_len == 1023 && strlen(req.path) == 1023,
	      "path of 1023 bytes fits (ret %d)", ret);
	memset(tgt + 1, 'a', 1024);
	tgt[1025] = '\0';
	len = build(tgt, "");
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 414, "path of 1024 bytes is 414 (ret %d)", ret);

	tgt[0] = '/';
	for (i = 0; i < 1023; i++)
		memcpy(tgt + 1 + 3 * i, "%41", 3);
	tgt[1 + 3 * 1023] = '\0';
	len = build(tgt, "");
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 0 && req.path_len == 1023, "percent-encoded path of 1023 fits");
	memcpy(tgt + 1 + 3 * 1023, "%41", 4);
	len = build(tgt, "");
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 414, "percent-encoded path of 1024 is 414 (ret %d)", ret);

	/* many segments: separators count */
	tgt[0] = '\0';
	for (i = 0; i < 513; i++)
		strcat(tgt, "/b");
	len = build(tgt, "");
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 414, "513 segments (1025 bytes) is 414 (ret %d)", ret);
	tgt[strlen(tgt) - 2] = '\0';
	len = build(tgt, "");
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 0 && req.path_len == 1023, "512 segments (1023 bytes) fit (ret %d)", ret);

	/* a long segment undone by .. */
	tgt[0] = '/';
	memset(tgt + 1, 'z', 1000);
	strcpy(tgt + 1001, "/../ok");
	len = build(tgt, "");
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 0 && !strcmp(req.path, "ok"), "long segment then .. (ret %d)", ret);

	/* request line length: "GET " + target + " HTTP/1.1" */
	tgt[0] = '/';
	tgt[1] = '?';
	memset(tgt + 2, 'q', 4096 - 4 - 9 - 2);
	tgt[4096 - 4 - 9] = '\0';
	len = build(tgt, "");
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 0, "request line of 4096 bytes is fine (ret %d)", ret);
	strcat(tgt, "q");
	len = build(tgt, "");
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 414, "request line of 4097 bytes is 414 (ret %d)", ret);

	memset(big, 'a', 9000);
	big[0] = 'G';
	ret = parse_len(big, 4000, &req, &consumed);
	check(ret == ZCH_HTTP_INCOMPLETE, "4000 bytes without LF is incomplete");
	ret = parse_len(big, 4097, &req, &consumed);
	check(ret == ZCH_HTTP_INCOMPLETE || ret == 414, "4097 bytes without LF");
	ret = parse_len(big, 4098, &req, &consumed);
	check(ret == 414, "4098 bytes without LF is 414 (ret %d)", ret);
	ret = parse_len(big, 9000, &req, &consumed);
	check(ret == 414, "9000 bytes without LF is 414, not 431 (ret %d)", ret);

	/* header count */
	extra[0] = '\0';
	for (i = 0; i < 99; i++)
		strcat(extra, "X-A: b\r\n");
	len = build("/", extra);
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 0, "100 header lines ok (ret %d)", ret);
	strcat(extra, "X-A: b\r\n");
	len = build("/", extra);
	ret = parse_len(big, len, &req, &consumed);
	check(ret == 431, "101 header lines is 431 (ret %d)", ret);
	ret = parse_len(big, len - 2, &req, &consumed);
	check(ret == 431, "101 header lines without end is 431 (ret %d)", ret);
	n = snprintf(big, sizeof(big), "HEAD / HTTP/1.0\r\nX: y\r\n%s\r\n", extra);
	ret = parse_len(big, (size_t)n, &req, &consumed);
	check(ret == 431 && req.version == 10 && req.method == ZCH_HTTP_HEAD &&
	      !req.keepalive, "431 still reports version and method");

	/* head size */
	len = build("/", "");
	i = 8192 - len - 2;	/* "X:" + value + CRLF */
	strcpy(extra, "X:");
	memset(extra + 2, 'v', i - 2);
	strcpy(extra + i, "\r\n");
	len = build("/", extra);
	ret = parse_len(big, len, &req, &consumed);
	check(len == 8192 && ret == 0, "head of 8192 bytes ok (len %zu ret %d)", len, ret);
	strcpy(extra + i, "v\r\n");
	len = build("/", extra);
	ret = parse_len(big, len, &req, &consumed);
	check(len == 8193 && ret == 431, "head of 8193 bytes is 431 (ret %d)", ret);
	ret = parse_len(big, 8191, &req, &consumed);
	check(ret == ZCH_HTTP_INCOMPLETE, "8191 bytes without end is incomplete");
	ret = parse_len(big, 8192, &req, &consumed);
	check(ret == 431, "8192 bytes without end is 431 (ret %d)", ret);
	check(req.version == 11 && !req.keepalive, "431 sets version 11, no keep-alive");

	/* a 8192-byte head followed by a pipelined request */
	strcpy(extra + i, "\r\n");
	len = build("/", extra);
	strcpy(big + len, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
	ret = parse_len(big, strlen(big), &req, &consumed);
	check(ret == 0 && consumed == 8192, "8192-byte head with a request behind it");

	memset(big, '\n', 9000);
	ret = parse_len(big, 9000, &req, &consumed);
	check(ret == 431, "9000 empty lines is 431 (ret %d)", ret);
}

static int path_sane(const struct zch_http_req *req)
{
	size_t n = strlen(req->path);

	if (n != req->path_len || n >= ZCH_HTTP_PATH_MAX)
		return 0;
	if (n && (req->path[0] == '/' || req->path[n - 1] == '/'))
		return 0;
	if (strstr(req->path, "//") || !strcmp(req->path, "..") ||
	    !strncmp(req->path, "../", 3) || strstr(req->path, "/../") ||
	    (n >= 3 && !strcmp(req->path + n - 3, "/..")) || strchr(req->path, '\\'))
		return 0;
	return 1;
}

/* Deterministic random mutation of valid requests */
static void test_mutation(void)
{
	static const char * const seeds[] = {
		"GET /a/b/c.html?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"HEAD /%2e%2e/x HTTP/1.0\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n",
		"GET http://h/./a/../b/ HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
	};
	static const char alphabet[] = "/.%2eEfF?#\\\r\n :\t\0aA01HTP";
	unsigned int seed = 12345;
	struct zch_http_req req;
	char buf[256];
	size_t consumed;
	int bad = 0;
	long it;

	for (it = 0; it < 300000 && !bad; it++) {
		const char *s = seeds[it % 3];
		size_t len = strlen(s);
		int m, nm;

		memcpy(buf, s, len);
		nm = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 4;
		for (m = 0; m < nm; m++) {
			size_t pos;

			seed = seed * 1103515245 + 12345;
			pos = (seed >> 16) % len;
			seed = seed * 1103515245 + 12345;
			buf[pos] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		seed = seed * 1103515245 + 12345;
		len -= (seed >> 16) % 3 ? 0 : (seed >> 20) % len;
		int ret = parse_len(buf, len, &req, &consumed);

		if (ret == 0 && (consumed > len || !path_sane(&req)))
			bad = 1;
		if (ret != 0 && ret != ZCH_HTTP_INCOMPLETE && ret != 400 &&
		    ret != 405 && ret != 414 && ret != 431 && ret != 501 &&
		    ret != 505)
			bad = 1;
		if (ret != 0 && req.keepalive)
			bad = 1;
		if (bad)
			diag("ret %d on '%s'", ret, esc(buf, len));
	}
	check(!bad, "300000 mutated requests keep the invariants");
}

/* ------------------------------------------------------------------ */
/* Dates */

static void libc_date(long long t, char *out)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 30, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void test_dates(void)
{
	static const struct {
		long long t;
		const char *s;
	} fixed[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 GMT" },
		{ 784111777, "Sun, 06 Nov 1994 08:49:37 GMT" },
		{ 2147483647, "Tue, 19 Jan 2038 03:14:07 GMT" },
		{ 2147483648LL, "Tue, 19 Jan 2038 03:14:08 GMT" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 GMT" },
		{ 951868800, "Wed, 01 Mar 2000 00:00:00 GMT" },
		{ 1709164800, "Thu, 29 Feb 2024 00:00:00 GMT" },
		{ 4107542400LL, "Mon, 01 Mar 2100 00:00:00 GMT" },
		{ 4107456000LL, "Sun, 28 Feb 2100 00:00:00 GMT" },
		{ 946684799, "Fri, 31 Dec 1999 23:59:59 GMT" },
		{ 253402300799LL, "Fri, 31 Dec 9999 23:59:59 GMT" },
	};
	static const char * const bad[] = {
		"",
		"Sun, 06 Nov 1994 08:49:37 GM",
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Mon, 06 Nov 1994 08:49:37 GMT",	/* wrong day name */
		"Xyz, 06 Nov 1994 08:49:37 GMT",
		"sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 nov 1994 08:49:37 GMT",
		"Sun, 06 Nox 1994 08:49:37 GMT",
		"Sun,  6 Nov 1994 08:49:37 GMT",
		"Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT ",
		"Sun, 06 Nov 1994 08:49:37 GMTX",
		"Sun 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08-49-37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:60:00 GMT",
		"Sun, 06 Nov 1994 08:49:60 GMT",
		"Sun, 0a Nov 1994 08:49:37 GMT",
		"Sun, 00 Nov 1994 08:49:37 GMT",
		"Thu, 31 Apr 1994 08:49:37 GMT",
		"Thu, 29 Feb 1900 00:00:00 GMT",
		"Thu, 29 Feb 2001 00:00:00 GMT",
		"Wed, 30 Feb 2000 00:00:00 GMT",
		"Wed, 31 Dec 1969 23:59:59 GMT",
		"Sat, 01 Jan 0000 00:00:00 GMT",
		"Sun, 06 Nov 19x4 08:49:37 GMT",
		"Sun, 06 Nov 1994 8:49:37  GMT",
		"Sunday, 06-Nov-94 08:49:37 UTC",
		"Sunday, 06 Nov 94 08:49:37 GMT",
		"Sundae, 06-Nov-94 08:49:37 GMT",
		"Monday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994 ",
		"Sun Nov 6 08:49:37 1994",
		"Sun Nov  x 08:49:37 1994",
		"Mon Nov  6 08:49:37 1994",
	};
	static const struct {
		const char *s;
		long long t;
	} good[] = {
		{ "Thu, 01 Jan 1970 00:00:00 GMT", 0 },
		{ "Tue, 29 Feb 2000 00:00:00 GMT", 951782400 },
		{ "Thu, 29 Feb 2024 00:00:00 GMT", 1709164800 },
		{ "Fri, 31 Dec 9999 23:59:59 GMT", 253402300799LL },
		{ "Sunday, 06-Nov-94 08:49:37 GMT", 784111777 },
		{ "Wednesday, 01-Jan-20 00:00:00 GMT", 1577836800 },
		{ "Thursday, 01-Jan-70 00:00:00 GMT", 0 },
		{ "Sun Nov  6 08:49:37 1994", 784111777 },
		{ "Thu Jan  1 00:00:00 1970", 0 },
		{ "Sun Nov 06 08:49:37 1994", 784111777 },
		{ "Fri Dec 31 23:59:59 9999", 253402300799LL },
	};
	char out[30], want[30];
	long long t, step;
	size_t i;
	int fails;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		zch_http_date(fixed[i].t, out);
		check(!strcmp(out, fixed[i].s), "date %lld -> %s (got %s)",
		      fixed[i].t, fixed[i].s, out);
		check(zch_http_parse_date(fixed[i].s, 29) == fixed[i].t,
		      "parse %s", fixed[i].s);
	}
	zch_http_date(-5, out);
	check(!strcmp(out, "Thu, 01 Jan 1970 00:00:00 GMT"), "negative time clamps to 1970");
	zch_http_date(1LL << 50, out);
	check(!strcmp(out, "Fri, 31 Dec 9999 23:59:59 GMT"), "huge time clamps to 9999");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check(zch_http_parse_date(bad[i], strlen(bad[i])) == -1,
		      "bad date '%s' -> -1", bad[i]);
	check(zch_http_parse_date("Sun, 06 Nov 1994 08:49:37 GMT", 28) == -1,
	      "truncated length -> -1");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		check(zch_http_parse_date(good[i].s, strlen(good[i].s)) == good[i].t,
		      "good date '%s'", good[i].s);

	/* against libc and round trip, 1970..9999 */
	fails = 0;
	step = 86400LL * 3 + 3607;
	for (t = 0; t <= 253402300799LL && fails < 5; t += step) {
		zch_http_date(t, out);
		libc_date(t, want);
		if (strcmp(out, want) || zch_http_parse_date(out, 29) != t) {
			diag("t=%lld got '%s' want '%s'", t, out, want);
			fails++;
		}
	}
	check(!fails, "format matches gmtime and round-trips, 1970..9999 (3-day steps)");

	fails = 0;
	for (t = 0; t < 86400LL * 366 * 4 && fails < 5; t += 3599) {
		zch_http_date(t + 946684800LL, out);	/* 2000..2003 */
		libc_date(t + 946684800LL, want);
		if (strcmp(out, want) || zch_http_parse_date(out, 29) != t + 946684800LL)
			fails++;
	}
	check(!fails, "every hour-ish of 2000..2003 round-trips");

	fails = 0;
	for (t = 0; t <= 9999 - 1970 && fails < 5; t++) {
		/* Dec 31 and Jan 1 and Feb 28/29 of every year */
		long long y = 1970 + t;
		struct tm tm = { .tm_year = (int)(y - 1900), .tm_mon = 1, .tm_mday = 29 };
		time_t tt = timegm(&tm);
		long long v = (long long)tt;
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

		zch_http_date(v, out);
		libc_date(v, want);
		if (strcmp(out, want) || zch_http_parse_date(out, 29) != v)
			fails++;
		if (!!strstr(out, " 29 Feb ") != leap)
			fails++;
	}
	check(!fails, "Feb 29 exists exactly in leap years 1970..9999");
}

/* ------------------------------------------------------------------ */
/* MIME types */

static void test_mime(void)
{
	static const struct {
		const char *name;
		size_t len;
		const char *type;
	} cases[] = {
		{ "index.html", 0, "text/html; charset=utf-8" },
		{ "INDEX.HTML", 0, "text/html; charset=utf-8" },
		{ "a.HtM", 0, "text/html; charset=utf-8" },
		{ "style.css", 0, "text/css; charset=utf-8" },
		{ "app.js", 0, "text/javascript; charset=utf-8" },
		{ "mod.mjs", 0, "text/javascript; charset=utf-8" },
		{ "d.json", 0, "application/json; charset=utf-8" },
		{ "a.txt", 0, "text/plain; charset=utf-8" },
		{ "a.xml", 0, "application/xml; charset=utf-8" },
		{ "a.svg", 0, "image/svg+xml; charset=utf-8" },
		{ "a.png", 0, "image/png" },
		{ "a.JPG", 0, "image/jpeg" },
		{ "a.jpeg", 0, "image/jpeg" },
		{ "a.gif", 0, "image/gif" },
		{ "a.webp", 0, "image/webp" },
		{ "a.avif", 0, "image/avif" },
		{ "favicon.ico", 0, "image/x-icon" },
		{ "a.woff2", 0, "font/woff2" },
		{ "a.wasm", 0, "application/wasm" },
		{ "a.pdf", 0, "application/pdf" },
		{ "a.tar.gz", 0, "application/gzip" },
		{ "a.mp4", 0, "video/mp4" },
		{ "README.md", 0, "text/markdown; charset=utf-8" },
		{ "a.csv", 0, "text/csv; charset=utf-8" },
		{ "a.js.map", 0, "application/json; charset=utf-8" },
		{ "feed.rss", 0, "application/rss+xml; charset=utf-8" },
		{ "cal.ics", 0, "text/calendar; charset=utf-8" },
		{ "a.7z", 0, "application/x-7z-compressed" },
		{ "Makefile", 0, "application/octet-stream" },
		{ ".bashrc", 0, "application/octet-stream" },
		{ "dir/.hidden", 0, "application/octet-stream" },
		{ "dir.d/file", 0, "application/octet-stream" },
		{ "dir.d/file.txt", 0, "text/plain; charset=utf-8" },
		{ "a.b/c.d/e", 0, "application/octet-stream" },
		{ "dir/.config.json", 0, "application/json; charset=utf-8" },
		{ "file.", 0, "application/octet-stream" },
		{ "file.unknownext", 0, "application/octet-stream" },
		{ "file.htmlx", 0, "application/octet-stream" },
		{ "file.ht", 0, "application/octet-stream" },
		{ "", 0, "application/octet-stream" },
		{ ".", 0, "application/octet-stream" },
		{ "x.html.bak", 6, "text/html; charset=utf-8" },
		{ "/var/www/x.CSS", 0, "text/css; charset=utf-8" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].name);
		const char *got = zch_http_mime_type(cases[i].name, len);

		check(!strcmp(got, cases[i].type), "mime '%.*s' -> %s (got %s)",
		      (int)len, cases[i].name, cases[i].type, got);
	}
}

/* ------------------------------------------------------------------ */
/* Response formatting */

static void fmt_case(const char *desc, const struct zch_http_resp *r,
		     const char *want)
{
	char buf[1024];
	size_t n, wl = strlen(want), sz;
	int small_ok = 1;

	memset(buf, 'Z', sizeof(buf));
	n = zch_http_format(buf, sizeof(buf), r);
	check(n == wl && !memcmp(buf, want, wl) && buf[n] == 'Z', "format: %s", desc);
	if (n != wl || memcmp(buf, want, wl))
		diag("got '%s'", esc(buf, n));

	/* every smaller size returns 0 and stays in bounds */
	for (sz = 0; sz < wl; sz++) {
		char *b = malloc(sz ? sz : 1);

		if (zch_http_format(b, sz, r) != 0)
			small_ok = 0;
		free(b);
	}
	{
		char *b = malloc(wl);

		if (zch_http_format(b, wl, r) != wl || memcmp(b, want, wl))
			small_ok = 0;
		free(b);
	}
	check(small_ok, "format: %s: too small buffers give 0, exact size fits", desc);
}

static void test_format(void)
{
	struct zch_http_resp r = {
		.status = 200, .version = 11, .keepalive = true,
		.content_length = 1234, .mtime = 784111777, .now = 784111777,
		.content_type = "text/html; charset=utf-8",
	};
	static const u16 codes[] = { 200, 206, 301, 304, 400, 403, 404, 405,
				     408, 411, 413, 414, 416, 431, 500, 501, 503, 505 };
	static const char * const reasons[] = { "OK", "Partial Content",
		"Moved Permanently", "Not Modified", "Bad Request", "Forbidden",
		"Not Found", "Method Not Allowed", "Request Timeout",
		"Length Required", "Content Too Large", "URI Too Long",
		"Range Not Satisfiable", "Request Header Fields Too Large",
		"Internal Server Error", "Not Implemented", "Service Unavailable",
		"HTTP Version Not Supported" };
	char buf[512], want[256];
	const char *body;
	size_t i, len;
	int okr;

	fmt_case("200 keep-alive 1.1", &r,
		 "HTTP/1.1 200 OK\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Type: text/html; charset=utf-8\r\n"
		 "Content-Length: 1234\r\n"
		 "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "\r\n");

	r.version = 10;
	r.mtime = -1;
	r.now = 0;
	r.content_length = 0;
	fmt_case("200 keep-alive 1.0, no mtime, length 0", &r,
		 "HTTP/1.1 200 OK\r\n"
		 "Server: zchttp\r\n"
		 "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
		 "Content-Type: text/html; charset=utf-8\r\n"
		 "Content-Length: 0\r\n"
		 "Connection: keep-alive\r\n"
		 "\r\n");

	r.keepalive = false;
	r.content_length = 18446744073709551615ULL;
	r.content_type = NULL;
	fmt_case("close, U64_MAX length, no type", &r,
		 "HTTP/1.1 200 OK\r\n"
		 "Server: zchttp\r\n"
		 "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
		 "Content-Length: 18446744073709551615\r\n"
		 "Connection: close\r\n"
		 "\r\n");

	r = (struct zch_http_resp){ .status = 304, .version = 11, .keepalive = true,
		.content_length = 99, .mtime = 784111777, .now = 784111777,
		.content_type = "text/plain" };
	fmt_case("304 has no length or type", &r,
		 "HTTP/1.1 304 Not Modified\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "\r\n");

	r = (struct zch_http_resp){ .status = 405, .version = 11,
		.content_length = 10, .mtime = -1, .now = 784111777,
		.content_type = "text/html; charset=utf-8" };
	fmt_case("405 with Allow", &r,
		 "HTTP/1.1 405 Method Not Allowed\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Type: text/html; charset=utf-8\r\n"
		 "Content-Length: 10\r\n"
		 "Allow: GET, HEAD\r\n"
		 "Connection: close\r\n"
		 "\r\n");

	r = (struct zch_http_resp){ .status = 301, .version = 11, .keepalive = true,
		.content_length = 0, .mtime = -1, .now = 784111777,
		.location = "/dir/" };
	fmt_case("301 with Location", &r,
		 "HTTP/1.1 301 Moved Permanently\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Length: 0\r\n"
		 "Location: /dir/\r\n"
		 "\r\n");

	r.location = "/x\r\nSet-Cookie: a=b";
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: CRLF in Location refused");
	r.location = NULL;
	r.content_type = "text/html\n";
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: LF in Content-Type refused");
	r.content_type = NULL;
	r.status = 99;
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: status 99 refused");
	r.status = 1000;
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: status 1000 refused");
	r.status = 299;
	len = zch_http_format(buf, sizeof(buf), &r);
	check(len && !memcmp(buf, "HTTP/1.1 299 Unknown\r\n", 22), "format: unknown status");
	r.status = 204;
	len = zch_http_format(buf, sizeof(buf), &r);
	check(len && !memmem(buf, len, "Content-Length", 14), "format: 204 has no Content-Length");
	r.status = 404;
	check(zch_http_format(NULL, 0, &r) == 0, "format: NULL buffer of size 0 gives 0");

	okr = 1;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		r.status = codes[i];
		len = zch_http_format(buf, sizeof(buf), &r);
		snprintf(want, sizeof(want), "HTTP/1.1 %u %s\r\n", codes[i], reasons[i]);
		if (!len || memcmp(buf, want, strlen(want))) {
			diag("status line for %u", codes[i]);
			okr = 0;
		}
	}
	check(okr, "format: reason phrases for all required statuses");

	/* error bodies */
	body = zch_http_error_body(404, &len);
	check(!strcmp(body, "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n") &&
	      len == strlen(body), "error body 404");
	okr = 1;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		body = zch_http_error_body(codes[i], &len);
		snprintf(want, sizeof(want), "<title>%u %s</title>", codes[i], reasons[i]);
		if (!body || len != strlen(body) || !strstr(body, want) ||
		    body[len - 1] != '\n')
			okr = 0;
	}
	check(okr, "error bodies for all required statuses");
	body = zch_http_error_body(299, &len);
	check(body && len == strlen(body) && strstr(body, "<html>"), "generic error body");
}

int main(void)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++)
		run_pcase(&pcases[i]);
	test_incomplete();
	test_pipeline();
	test_limits();
	test_mutation();
	test_dates();
	test_mime();
	test_format();
	printf("1..%d\n", n_pass + n_fail);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
