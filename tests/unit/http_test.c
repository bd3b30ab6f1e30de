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

/* the limits of a root that sets none */
static const struct zch_http_limits dflt = {
	.reqline = 4096, .head = 8192, .headers = 100,
};

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
	{ .desc = "HTTP/1.2 is handled as 1.1", .in = "GET / HTTP/1.2\r\nHost: x\r\n\r\n", .ret = 0, .path = "", .trail = YES, .ka = YES, .ver = 11, .method = M_GET },
	{ .desc = "HTTP/1.9 without Host -> 400 as 1.1", .in = "GET / HTTP/1.9\r\n\r\n", .ret = 400, .ver = 11 },
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

/*
 * Feed @buf to zch_http_parse_more() one byte more each call, as a head
 * trickled one byte per segment arrives, and compare every call with
 * zch_http_parse() of the same prefix. Return: NULL, or what differed.
 */
static const char *bytewise(const char *buf, size_t len,
			    const struct zch_http_limits *lim)
{
	struct zch_http_req a, b;
	struct zch_http_scan scan = { 0 };
	size_t ca, cb, k;
	int ra, rb;

	for (k = 1; k <= len; k++) {
		ra = zch_http_parse(buf, k, lim, &a, &ca);
		rb = zch_http_parse_more(buf, k, lim, &scan, &b, &cb);
		if (ra != rb)
			return "status";
		if (ca != cb || a.version != b.version ||
		    a.method != b.method || a.keepalive != b.keepalive ||
		    strcmp(a.path, b.path))
			return "request";
		if (ra != ZCH_HTTP_INCOMPLETE)
			break;
	}
	return NULL;
}

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
	ret = zch_http_parse(copy, len, &dflt, &req, &consumed);

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
	why[0] = '\0';
	if (bytewise(copy, len, &dflt))
		snprintf(why, sizeof(why), "%s", bytewise(copy, len, &dflt));
	check(!why[0], "parse byte by byte: %s", c->desc);
	if (why[0])
		diag("%s differs: input '%s'", why, esc(c->in, len));
	free(copy);
}

/* ------------------------------------------------------------------ */
/* Generated parser cases */

static int parse_lim(const char *buf, size_t len,
		     const struct zch_http_limits *lim, struct zch_http_req *req,
		     size_t *consumed)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, buf, len);
	ret = zch_http_parse(copy, len, lim, req, consumed);
	free(copy);
	return ret;
}

static int parse_len(const char *buf, size_t len, struct zch_http_req *req,
		     size_t *consumed)
{
	return parse_lim(buf, len, &dflt, req, consumed);
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
		"GET /v.mp4 HTTP/1.1\r\nHost: h\r\nRange: bytes=0-\r\nIf-Range: \"1-2-3\"\r\nIf-None-Match: W/\"x\", \"y\"\r\n\r\n",
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

/* ------------------------------------------------------------------ */
/* Per-root limits */

static char lbuf[70000];

/* "GET /?qq..q HTTP/1.1" of @line bytes (>= 15), Host, end of head */
static size_t req_line_eol(size_t line, const char *eol)
{
	size_t n;

	memcpy(lbuf, "GET /?", 6);
	memset(lbuf + 6, 'q', line - 15);
	n = line - 9;
	n += (size_t)sprintf(lbuf + n, " HTTP/1.1%sHost: x%s%s", eol, eol,
			     eol);
	return n;
}

static size_t req_line_of(size_t line)
{
	return req_line_eol(line, "\r\n");
}

/* a request with @nh (>= 1) header lines, Host the first */
static size_t req_headers_of(size_t nh)
{
	size_t n = (size_t)sprintf(lbuf, "GET / HTTP/1.1\r\nHost: x\r\n");

	while (--nh) {
		memcpy(lbuf + n, "X-A: b\r\n", 8);
		n += 8;
	}
	memcpy(lbuf + n, "\r\n", 3);
	return n + 2;
}

/* a request whose head is @head (>= 31) bytes: Host and one long field */
static size_t req_head_of(size_t head)
{
	size_t n = (size_t)sprintf(lbuf, "GET / HTTP/1.1\r\nHost: x\r\nX:");

	memset(lbuf + n, 'v', head - 31);
	n += head - 31;
	memcpy(lbuf + n, "\r\n\r\n", 5);
	return n + 4;
}

static void check_lim(const struct zch_http_limits *lim, size_t len,
		      int want, const char *what)
{
	struct zch_http_req req;
	size_t consumed = 0;
	int ret;

	ret = parse_lim(lbuf, len, lim, &req, &consumed);
	check(ret == want && (ret || consumed == len) &&
	      (ret <= 0 || !req.keepalive),
	      "limits %u/%u/%u: %s is %d (ret %d, %zu bytes)",
	      lim->reqline, lim->head, lim->headers, what, want, ret, len);
}

/* Exact thresholds of one set of limits, each at the limit and one past */
static void test_limit_set(const struct zch_http_limits *lim)
{
	size_t len;

	len = req_line_of(lim->reqline);
	check_lim(lim, len, 0, "request line at the limit");
	len = req_line_of(lim->reqline + 1);
	check_lim(lim, len, 414, "request line one past the limit");
	len = req_line_eol(lim->reqline, "\n");
	check_lim(lim, len, 0, "request line at the limit, bare LF");
	len = req_line_eol(lim->reqline + 1, "\n");
	check_lim(lim, len, 414, "request line one past the limit, bare LF");
	/* no line end yet: reqline + CR may still be followed by LF */
	memset(lbuf, 'a', lim->reqline + 2);
	check_lim(lim, lim->reqline + 1, ZCH_HTTP_INCOMPLETE,
		  "reqline + 1 bytes without LF");
	check_lim(lim, lim->reqline + 2, 414, "reqline + 2 bytes without LF");

	len = req_headers_of(lim->headers);
	check_lim(lim, len, 0, "header count at the limit");
	len = req_headers_of(lim->headers + 1);
	check_lim(lim, len, 431, "header count one past the limit");
	check_lim(lim, len - 2, 431, "one header too many, head not ended");

	len = req_head_of(lim->head);
	check_lim(lim, len, 0, "head at the limit");
	len = req_head_of(lim->head + 1);
	check_lim(lim, len, 431, "head one past the limit");
	check_lim(lim, lim->head - 1, ZCH_HTTP_INCOMPLETE,
		  "head - 1 bytes without end");
	check_lim(lim, lim->head, 431, "head bytes without end");

	/* both too long: the request line decides */
	len = req_line_of(lim->head + 100);
	check_lim(lim, len, 414, "too long line in a too long head");
}

static void test_root_limits(void)
{
	static const struct zch_http_limits small = {
		.reqline = 256, .head = 1024, .headers = 8,
	};
	static const struct zch_http_limits large = {
		.reqline = 16384, .head = 65536, .headers = 1000,
	};
	static const struct zch_http_limits same = {
		.reqline = 1024, .head = 1024, .headers = 8,
	};
	size_t len;

	test_limit_set(&small);
	test_limit_set(&dflt);
	test_limit_set(&large);

	/* what the small limits refuse, the defaults accept */
	len = req_line_of(257);
	check_lim(&dflt, len, 0, "257-byte request line");
	len = req_headers_of(9);
	check_lim(&dflt, len, 0, "9 header lines");
	len = req_head_of(1025);
	check_lim(&dflt, len, 0, "1025-byte head");
	len = req_line_of(4097);
	check_lim(&large, len, 0, "4097-byte request line");
	len = req_head_of(8193);
	check_lim(&large, len, 0, "8193-byte head");

	/* request line limit equal to the head limit */
	len = req_line_of(1011);	/* + CRLF, Host: x CRLF, CRLF */
	check_lim(&same, len, 0, "1011-byte line in a 1024-byte head");
	len = req_line_of(1012);
	check_lim(&same, len, 431, "line within the limit, head past it");
	len = req_line_of(1025);
	check_lim(&same, len, 414, "line past both limits");

	/* limits beyond ZCH_HTTP_HEAD_MAX count as ZCH_HTTP_HEAD_MAX */
	{
		static const struct zch_http_limits huge = {
			.reqline = 0xffffffff, .head = 0xffffffff,
			.headers = 0xffffffff,
		};

		len = req_head_of(65536);
		check_lim(&huge, len, 0, "head of ZCH_HTTP_HEAD_MAX");
		len = req_head_of(65537);
		check_lim(&huge, len, 431, "head of ZCH_HTTP_HEAD_MAX + 1");
		check_lim(&huge, 65536, 431, "ZCH_HTTP_HEAD_MAX bytes, no end");
	}
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
		"GET /v HTTP/1.1\r\nHost: h\r\nRange: bytes=1-2\r\nIf-None-Match: \"a\"\r\n\r\n",
	};
	static const char alphabet[] = "/.%2eEfF?#\\\r\n :\t\0aA01HTP";
	unsigned int seed = 12345;
	struct zch_http_req req;
	char buf[256];
	size_t consumed;
	int bad = 0;
	long it;

	for (it = 0; it < 300000 && !bad; it++) {
		const char *s = seeds[it % 4];
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
	char buf[512], want[256], want_h1[256];
	char ebody[ZCH_ERROR_BODY_MAX + 1];
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

	/* a preformatted Date wins over @now */
	r.date = "Mon, 07 Nov 1994 08:49:37 GMT";
	fmt_case("preformatted Date", &r,
		 "HTTP/1.1 200 OK\r\n"
		 "Server: zchttp\r\n"
		 "Date: Mon, 07 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Type: text/html; charset=utf-8\r\n"
		 "Content-Length: 1234\r\n"
		 "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "\r\n");
	r.date = NULL;

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

	r = (struct zch_http_resp){ .status = 503, .version = 11,
		.keepalive = true, .content_length = 7, .mtime = -1,
		.now = 784111777, .retry_after = 1 };
	fmt_case("503 with Retry-After", &r,
		 "HTTP/1.1 503 Service Unavailable\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Length: 7\r\n"
		 "Retry-After: 1\r\n"
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
		if (codes[i] == 206) {
			/* a 206 must carry a consistent Content-Range */
			r.content_length = 1;
			r.range_first = r.range_last = 0;
			r.total = 1;
		}
		len = zch_http_format(buf, sizeof(buf), &r);
		snprintf(want, sizeof(want), "HTTP/1.1 %u %s\r\n", codes[i], reasons[i]);
		if (!len || memcmp(buf, want, strlen(want))) {
			diag("status line for %u", codes[i]);
			okr = 0;
		}
	}
	check(okr, "format: reason phrases for all required statuses");

	/* error bodies */
	len = zch_http_error_body(ebody, sizeof(ebody), 404);
	check(len == strlen("<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n") &&
	      !memcmp(ebody, "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n", len),
	      "error body 404");
	okr = 1;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (codes[i] < 400)
			continue;
		len = zch_http_error_body(ebody, ZCH_ERROR_BODY_MAX, codes[i]);
		ebody[len] = '\0';
		snprintf(want, sizeof(want), "<title>%u %s</title>", codes[i], reasons[i]);
		snprintf(want_h1, sizeof(want_h1), "<h1>%u %s</h1>", codes[i], reasons[i]);
		if (!len || !strstr(ebody, want) || !strstr(ebody, want_h1) ||
		    ebody[len - 1] != '\n')
			okr = 0;
	}
	check(okr, "error bodies for all required error statuses fit ZCH_ERROR_BODY_MAX");
	len = zch_http_error_body(ebody, sizeof(ebody), 299);
	ebody[len] = '\0';
	check(len && strstr(ebody, "<title>Error</title>"), "generic error body");
	len = zch_http_error_body(ebody, sizeof(ebody), 200);
	ebody[len] = '\0';
	check(len && strstr(ebody, "<h1>Error</h1>"),
	      "no body of its own for a status that is no error");
	check(zch_http_error_body(ebody, 40, 404) == 0, "error body too long for its buffer: 0");
}

/* ------------------------------------------------------------------ */
/* Range, If-Range, If-None-Match in the parser */

#define NUL_PTR	((const char *)1)	/* the field must be NULL */

struct ccase {
	const char *desc;
	const char *in;
	int ret;
	const char *range;	/* expected values; NUL_PTR: NULL */
	const char *ifr;
	const char *inm;
};

#define RQ(h)	"GET /f HTTP/1.1\r\nHost: x\r\n" h "\r\n"

static const struct ccase ccases[] = {
	{ "no conditional headers", RQ(""), 0, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "Range", RQ("Range: bytes=0-99\r\n"), 0, "bytes=0-99", NUL_PTR, NUL_PTR },
	{ "Range OWS trimmed", RQ("Range: \t bytes=0-99 \t\r\n"), 0, "bytes=0-99", NUL_PTR, NUL_PTR },
	{ "Range without OWS", RQ("Range:bytes=-5\r\n"), 0, "bytes=-5", NUL_PTR, NUL_PTR },
	{ "range lower case", RQ("range: bytes=1-\r\n"), 0, "bytes=1-", NUL_PTR, NUL_PTR },
	{ "RANGE upper case", RQ("RANGE: bytes=1-\r\n"), 0, "bytes=1-", NUL_PTR, NUL_PTR },
	{ "Range empty is present", RQ("Range:\r\n"), 0, "", NUL_PTR, NUL_PTR },
	{ "Range only OWS is present and empty", RQ("Range:  \t \r\n"), 0, "", NUL_PTR, NUL_PTR },
	{ "Range value kept raw", RQ("Range: Items=a, b ,c\r\n"), 0, "Items=a, b ,c", NUL_PTR, NUL_PTR },
	{ "two Range lines -> 400", RQ("Range: bytes=0-1\r\nRange: bytes=2-3\r\n"), 400, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "two equal Range lines -> 400", RQ("Range: bytes=0-1\r\nrange: bytes=0-1\r\n"), 400, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "Ranges is not Range", RQ("Ranges: bytes=0-1\r\n"), 0, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "X-Range is not Range", RQ("X-Range: bytes=0-1\r\n"), 0, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "Range with control byte -> 400", RQ("Range: bytes=0-1\x01\r\n"), 400, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "If-Range entity-tag", RQ("If-Range: \"abc\"\r\n"), 0, NUL_PTR, "\"abc\"", NUL_PTR },
	{ "If-Range date", RQ("if-range:  Sun, 06 Nov 1994 08:49:37 GMT \r\n"), 0, NUL_PTR, "Sun, 06 Nov 1994 08:49:37 GMT", NUL_PTR },
	{ "two If-Range lines -> 400", RQ("If-Range: \"a\"\r\nIf-Range: \"a\"\r\n"), 400, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "If-None-Match list", RQ("If-None-Match: \"a\", W/\"b\"\r\n"), 0, NUL_PTR, NUL_PTR, "\"a\", W/\"b\"" },
	{ "If-None-Match *", RQ("If-None-Match: *\r\n"), 0, NUL_PTR, NUL_PTR, "*" },
	{ "If-None-Match empty", RQ("If-None-Match:\r\n"), 0, NUL_PTR, NUL_PTR, "" },
	{ "If-None-Match split: last wins", RQ("If-None-Match: \"a\"\r\nIf-None-Match: \"b\", \"c\"\r\n"), 0, NUL_PTR, NUL_PTR, "\"b\", \"c\"" },
	{ "If-None-Match three lines", RQ("If-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\nif-none-match: W/\"c\"\r\n"), 0, NUL_PTR, NUL_PTR, "W/\"c\"" },
	{ "If-None-Match * then tag: ignored", RQ("If-None-Match: *\r\nIf-None-Match: \"b\"\r\n"), 0, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "If-None-Match tag then *: ignored", RQ("If-None-Match: \"b\"\r\nIf-None-Match:  * \r\n"), 0, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "If-None-Match * twice: ignored", RQ("If-None-Match: *\r\nIf-None-Match: *\r\n"), 0, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "all three", RQ("Range: bytes=-10\r\nIf-Range: \"t\"\r\nIf-None-Match: \"u\"\r\n"), 0, "bytes=-10", "\"t\"", "\"u\"" },
	{ "all three, other order, HTTP/1.0", "HEAD /f HTTP/1.0\r\nIf-None-Match: \"u\"\r\nIf-Range: \"t\"\r\nRange: bytes=5-\r\n\r\n", 0, "bytes=5-", "\"t\"", "\"u\"" },
	{ "POST with Range -> 405, fields cleared", "POST /f HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nIf-None-Match: *\r\n\r\n", 405, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "two Hosts with Range -> 400, fields cleared", RQ("Range: bytes=0-1\r\nHost: y\r\n"), 400, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "bad target with If-Range -> 400, fields cleared", "GET /../x HTTP/1.1\r\nHost: x\r\nIf-Range: \"a\"\r\n\r\n", 400, NUL_PTR, NUL_PTR, NUL_PTR },
	{ "MS15-034 request", "GET /welcome.png HTTP/1.1\r\nHost: stuff\r\nRange: bytes=0-18446744073709551615\r\n\r\n", 0, "bytes=0-18446744073709551615", NUL_PTR, NUL_PTR },
	{ "Range with bare LF lines", "GET /f HTTP/1.1\nHost: x\nRange: bytes=1-2\n\n", 0, "bytes=1-2", NUL_PTR, NUL_PTR },
	{ "incomplete head", "GET /f HTTP/1.1\r\nHost: x\r\nRange: bytes=1-2\r\n", ZCH_HTTP_INCOMPLETE, NUL_PTR, NUL_PTR, NUL_PTR },
};

/* @p/@n is @want (NUL_PTR: @p is NULL and @n 0) and lies inside @buf/@len */
static int field_is(const char *p, unsigned int n, const char *want,
		    const char *buf, size_t len)
{
	if (want == NUL_PTR)
		return !p && !n;
	return p && p >= buf && p + n <= buf + len && n == strlen(want) &&
	       !memcmp(p, want, n);
}

static void test_cond_parse(void)
{
	struct zch_http_req req;
	size_t i, consumed, c2, c3, len;
	char *copy;
	int ret;

	for (i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		const struct ccase *c = &ccases[i];

		len = strlen(c->in);
		copy = malloc(len);
		memcpy(copy, c->in, len);
		memset(&req, 0xa5, sizeof(req));
		ret = zch_http_parse(copy, len, &dflt, &req, &consumed);
		check(ret == c->ret &&
		      field_is(req.range, req.range_len, c->range, copy, len) &&
		      field_is(req.if_range, req.if_range_len, c->ifr, copy, len) &&
		      field_is(req.inm, req.inm_len, c->inm, copy, len),
		      "cond parse: %s (ret %d)", c->desc, ret);
		free(copy);
	}

	/* the fields are reset by every call */
	{
		static const char a[] = RQ("Range: bytes=0-1\r\nIf-Range: \"x\"\r\nIf-None-Match: \"y\"\r\n");
		static const char b[] = RQ("");
		static const char bad[] = "GET / HTTP/1.1\r\nRange: bytes=0-1\r\n\r\n";

		ret = zch_http_parse(a, strlen(a), &dflt, &req, &consumed);
		check(ret == 0 && req.range && req.if_range && req.inm, "cond reset: first request has all three");
		ret = zch_http_parse(b, strlen(b), &dflt, &req, &consumed);
		check(ret == 0 && !req.range && !req.range_len && !req.if_range &&
		      !req.if_range_len && !req.inm && !req.inm_len,
		      "cond reset: next request without them clears them");
		zch_http_parse(a, strlen(a), &dflt, &req, &consumed);
		ret = zch_http_parse(bad, strlen(bad), &dflt, &req, &consumed);
		check(ret == 400 && !req.range && !req.range_len,
		      "cond reset: error clears them (missing Host)");
		zch_http_parse(a, strlen(a), &dflt, &req, &consumed);
		ret = zch_http_parse(a, 20, &dflt, &req, &consumed);
		check(ret == ZCH_HTTP_INCOMPLETE && !req.range && !req.if_range && !req.inm,
		      "cond reset: incomplete clears them");
	}

	/* pipelined requests, each with its own fields */
	{
		static const char p[] =
			"GET /a HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n"
			"GET /b HTTP/1.1\r\nHost: x\r\nRange: bytes=2-3\r\nIf-None-Match: \"n\"\r\n\r\n"
			"GET /c HTTP/1.1\r\nHost: x\r\nIf-Range: \"r\"\r\n\r\n";
		u64 f, l;

		len = strlen(p);
		copy = malloc(len);
		memcpy(copy, p, len);
		ret = zch_http_parse(copy, len, &dflt, &req, &consumed);
		check(ret == 0 && !strcmp(req.path, "a") &&
		      field_is(req.range, req.range_len, "bytes=0-1", copy, consumed) &&
		      !req.inm && !req.if_range &&
		      zch_http_range(req.range, req.range_len, 100, &f, &l) == 206 &&
		      f == 0 && l == 1, "pipeline cond: first request");
		ret = zch_http_parse(copy + consumed, len - consumed, &dflt, &req, &c2);
		check(ret == 0 && !strcmp(req.path, "b") &&
		      field_is(req.range, req.range_len, "bytes=2-3", copy + consumed, c2) &&
		      field_is(req.inm, req.inm_len, "\"n\"", copy + consumed, c2) &&
		      !req.if_range &&
		      zch_http_range(req.range, req.range_len, 100, &f, &l) == 206 &&
		      f == 2 && l == 3, "pipeline cond: second request");
		ret = zch_http_parse(copy + consumed + c2, len - consumed - c2, &dflt, &req, &c3);
		check(ret == 0 && !strcmp(req.path, "c") && consumed + c2 + c3 == len &&
		      !req.range && !req.inm &&
		      field_is(req.if_range, req.if_range_len, "\"r\"", copy + consumed + c2, c3),
		      "pipeline cond: third request");
		free(copy);
	}

	/* MS15-034 end to end: parse, then resolve against a few sizes */
	{
		static const char ms[] = "GET /welcome.png HTTP/1.1\r\nHost: stuff\r\nRange: bytes=18-18446744073709551615\r\n\r\n";
		u64 f = 1, l = 1;

		ret = zch_http_parse(ms, strlen(ms), &dflt, &req, &consumed);
		check(ret == 0 && req.range &&
		      zch_http_range(req.range, req.range_len, 1000, &f, &l) == 206 &&
		      f == 18 && l == 999, "MS15-034 request: 206 bytes 18-999 of 1000");
		check(zch_http_range(req.range, req.range_len, 18, &f, &l) == 416,
		      "MS15-034 request: 416 for an 18-byte file");
	}
}

/* ------------------------------------------------------------------ */
/* zch_http_range() */

#define U64M	18446744073709551615ULL

struct rcase {
	const char *spec;
	u64 size;
	int ret;
	u64 first, last;
};

static const struct rcase rcases[] = {
	/* the three forms */
	{ "bytes=0-499", 10000, 206, 0, 499 },
	{ "bytes=500-999", 10000, 206, 500, 999 },
	{ "bytes=9500-", 10000, 206, 9500, 9999 },
	{ "bytes=-500", 10000, 206, 9500, 9999 },
	{ "bytes=0-0", 10000, 206, 0, 0 },
	{ "bytes=-1", 10000, 206, 9999, 9999 },
	{ "bytes=0-", 10000, 206, 0, 9999 },
	{ "bytes=9999-9999", 10000, 206, 9999, 9999 },
	{ "bytes=9999-", 10000, 206, 9999, 9999 },
	{ "bytes=007-010", 10000, 206, 7, 10 },
	{ "bytes=-0010", 10000, 206, 9990, 9999 },
	{ "bytes=5-5", 10000, 206, 5, 5 },
	/* clamping */
	{ "bytes=0-10000", 10000, 206, 0, 9999 },
	{ "bytes=5000-99999", 10000, 206, 5000, 9999 },
	{ "bytes=9999-10000", 10000, 206, 9999, 9999 },
	{ "bytes=-10000", 10000, 206, 0, 9999 },
	{ "bytes=-10001", 10000, 206, 0, 9999 },
	{ "bytes=-20000", 10000, 206, 0, 9999 },
	/* unsatisfiable */
	{ "bytes=10000-", 10000, 416, 0, 0 },
	{ "bytes=10000-10005", 10000, 416, 0, 0 },
	{ "bytes=20000-30000", 10000, 416, 0, 0 },
	{ "bytes=-0", 10000, 416, 0, 0 },
	{ "bytes=-000", 10000, 416, 0, 0 },
	/* invalid: last < first */
	{ "bytes=5-4", 10000, 200, 0, 0 },
	{ "bytes=10-9", 5, 200, 0, 0 },
	{ "bytes=1000-0999", 10000, 200, 0, 0 },
	/* unit */
	{ "BYTES=0-1", 10000, 206, 0, 1 },
	{ "Bytes=0-1", 10000, 206, 0, 1 },
	{ "items=0-1", 10000, 200, 0, 0 },
	{ "byte=0-1", 10000, 200, 0, 0 },
	{ "bytesx=0-1", 10000, 200, 0, 0 },
	{ "none", 10000, 200, 0, 0 },
	{ "=0-1", 10000, 200, 0, 0 },
	{ "bytes", 10000, 200, 0, 0 },
	/* several ranges */
	{ "bytes=0-1,2-3", 10000, 200, 0, 0 },
	{ "bytes=0-1, 5-6", 10000, 200, 0, 0 },
	{ "bytes=0-0,-1", 10000, 200, 0, 0 },
	{ "bytes=0-1,0-1", 10000, 200, 0, 0 },
	{ "bytes=0-1,20000-30000", 10000, 200, 0, 0 },
	{ "bytes=20000-30000,0-1", 10000, 200, 0, 0 },
	{ "bytes=20000-,30000-", 10000, 416, 0, 0 },
	{ "bytes=-0,-0", 10000, 416, 0, 0 },
	{ "bytes=0-1,5-4", 10000, 200, 0, 0 },
	{ "bytes=20000-,5-4", 10000, 200, 0, 0 },
	{ "bytes=0-1,x", 10000, 200, 0, 0 },
	/* whitespace and empty elements */
	{ "bytes=0-1,", 10000, 206, 0, 1 },
	{ "bytes=,0-1", 10000, 206, 0, 1 },
	{ "bytes= 0-1", 10000, 206, 0, 1 },
	{ "bytes=0-1 ", 10000, 206, 0, 1 },
	{ "bytes=\t0-1\t,\t", 10000, 206, 0, 1 },
	{ "bytes= , ,0-1, ,", 10000, 206, 0, 1 },
	{ "bytes=0-1 , 2-3", 10000, 200, 0, 0 },
	{ "bytes =0-1", 10000, 200, 0, 0 },
	{ " bytes=0-1", 10000, 200, 0, 0 },
	{ "bytes=0 -1", 10000, 200, 0, 0 },
	{ "bytes=0- 1", 10000, 200, 0, 0 },
	{ "bytes=- 1", 10000, 200, 0, 0 },
	{ "bytes=0-1 2", 10000, 200, 0, 0 },
	/* malformed */
	{ "", 10000, 200, 0, 0 },
	{ "bytes=", 10000, 200, 0, 0 },
	{ "bytes=,", 10000, 200, 0, 0 },
	{ "bytes= ", 10000, 200, 0, 0 },
	{ "bytes=0:1", 10000, 200, 0, 0 },
	{ "bytes=a-b", 10000, 200, 0, 0 },
	{ "bytes=1", 10000, 200, 0, 0 },
	{ "bytes=-", 10000, 200, 0, 0 },
	{ "bytes=--1", 10000, 200, 0, 0 },
	{ "bytes=1--2", 10000, 200, 0, 0 },
	{ "bytes=+1-2", 10000, 200, 0, 0 },
	{ "bytes=1-+2", 10000, 200, 0, 0 },
	{ "bytes=0x10-0x20", 10000, 200, 0, 0 },
	{ "bytes=1-2-3", 10000, 200, 0, 0 },
	{ "bytes=0-1;x", 10000, 200, 0, 0 },
	{ "bytes=0-1=2", 10000, 200, 0, 0 },
	{ "bytes==0-1", 10000, 200, 0, 0 },
	{ "bytes=0-1;0-2", 10000, 200, 0, 0 },
	{ "bytes=1.5-2", 10000, 200, 0, 0 },
	{ "bytes=\"0-1\"", 10000, 200, 0, 0 },
	/* empty and tiny files */
	{ "bytes=0-0", 0, 416, 0, 0 },
	{ "bytes=0-", 0, 416, 0, 0 },
	{ "bytes=-1", 0, 416, 0, 0 },
	{ "bytes=-0", 0, 416, 0, 0 },
	{ "bytes=-99999999999999999999999", 0, 416, 0, 0 },
	{ "bytes=1-0", 0, 200, 0, 0 },
	{ "bytes=0-0", 1, 206, 0, 0 },
	{ "bytes=0-5", 1, 206, 0, 0 },
	{ "bytes=1-", 1, 416, 0, 0 },
	{ "bytes=-5", 1, 206, 0, 0 },
	/* 64-bit edges and overflow (CVE-2015-1635, MS15-034) */
	{ "bytes=18-18446744073709551615", 10000, 206, 18, 9999 },
	{ "bytes=18-18446744073709551615", 18, 416, 0, 0 },
	{ "bytes=18-18446744073709551615", U64M, 206, 18, U64M - 1 },
	{ "bytes=0-18446744073709551615", 10000, 206, 0, 9999 },
	{ "bytes=0-18446744073709551615", U64M, 206, 0, U64M - 1 },
	{ "bytes=0-18446744073709551616", 10000, 206, 0, 9999 },
	{ "bytes=0-99999999999999999999999", 10000, 206, 0, 9999 },
	{ "bytes=99999999999999999999999-", 10000, 416, 0, 0 },
	{ "bytes=18446744073709551616-", U64M, 416, 0, 0 },
	{ "bytes=18446744073709551615-", U64M, 416, 0, 0 },
	{ "bytes=18446744073709551614-", U64M, 206, U64M - 1, U64M - 1 },
	{ "bytes=-18446744073709551615", U64M, 206, 0, U64M - 1 },
	{ "bytes=-18446744073709551614", U64M, 206, 1, U64M - 1 },
	{ "bytes=-18446744073709551616", U64M, 206, 0, U64M - 1 },
	{ "bytes=-99999999999999999999999", 10000, 206, 0, 9999 },
	{ "bytes=-18446744073709551615", 10, 206, 0, 9 },
	{ "bytes=-1", U64M, 206, U64M - 1, U64M - 1 },
	{ "bytes=1-1", U64M, 206, 1, 1 },
	{ "bytes=99999999999999999999999-99999999999999999999998", 10000, 200, 0, 0 },
	{ "bytes=99999999999999999999998-99999999999999999999999", 10000, 416, 0, 0 },
	{ "bytes=18446744073709551616-18446744073709551615", U64M, 200, 0, 0 },
	{ "bytes=18446744073709551615-18446744073709551616", U64M, 416, 0, 0 },
	{ "bytes=00000000000000000000000000005-0000000000000000000000000009", 10000, 206, 5, 9 },
	{ "bytes=0000000000000000000000000000-", 1, 206, 0, 0 },
};

static void test_range(void)
{
	size_t i;

	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		const struct rcase *c = &rcases[i];
		size_t len = strlen(c->spec);
		char *copy = malloc(len ? len : 1);
		u64 f = 12345, l = 12345;
		int ret;

		memcpy(copy, c->spec, len);
		ret = zch_http_range(copy, len, c->size, &f, &l);
		check(ret == c->ret && f == c->first && l == c->last,
		      "range '%s' size %llu -> %d %llu-%llu (got %d %llu-%llu)",
		      esc(c->spec, len), (unsigned long long)c->size, c->ret,
		      (unsigned long long)c->first, (unsigned long long)c->last,
		      ret, (unsigned long long)f, (unsigned long long)l);
		free(copy);
	}

	/* a length that stops early ignores what follows */
	{
		u64 f, l;

		check(zch_http_range("bytes=0-19x", 10, 100, &f, &l) == 206 &&
		      f == 0 && l == 19, "range: length bounds the spec");
		check(zch_http_range("bytes=0-1", 0, 100, &f, &l) == 200,
		      "range: length 0 is 200");
	}

	/* exhaustive small sizes against a reference */
	{
		static const char * const forms[] = { "bytes=%u-%u", "bytes=%u-", "bytes=-%u" };
		unsigned int size, a, b, k;
		char spec[64];
		int bad = 0;

		for (size = 0; size < 12; size++)
			for (k = 0; k < 3; k++)
				for (a = 0; a < 14; a++)
					for (b = 0; b < 14; b++) {
						u64 f, l, wf = 0, wl = 0;
						int want, ret;

						snprintf(spec, sizeof(spec), forms[k], a, b);
						if (k == 0 && b < a) {
							want = 200;
						} else if (k == 2) {
							want = !a || !size ? 416 : 206;
							wf = a >= size ? 0 : size - a;
							wl = size ? size - 1 : 0;
						} else {
							want = a >= size ? 416 : 206;
							wf = a;
							wl = k == 1 || b >= size ? size - 1 : b;
						}
						if (want != 206)
							wf = wl = 0;
						ret = zch_http_range(spec, strlen(spec), size, &f, &l);
						if (ret != want || f != wf || l != wl) {
							if (bad++ < 5)
								diag("'%s' size %u: %d %llu-%llu", spec, size,
								     ret, (unsigned long long)f,
								     (unsigned long long)l);
						}
					}
		check(!bad, "range: all forms with numbers 0..13 against sizes 0..11");
	}
}

/* ------------------------------------------------------------------ */
/* Entity-tags */

static void test_etag(void)
{
	static const struct {
		u64 ino, size;
		s64 ctime_ns;
		const char *want;
	} cases[] = {
		{ 0, 0, 0, "\"0-0-0\"" },
		{ 1, 2, 3, "\"1-2-3\"" },
		{ 0xabcdef, 4096, 1700000000123456789LL, "\"abcdef-1000-17979cfe3d85cd15\"" },
		{ 0x10, 0x100, -1, "\"10-100-ffffffffffffffff\"" },
		{ 7, 15, -2, "\"7-f-fffffffffffffffe\"" },
		{ 1, 1, (s64)(-9223372036854775807LL - 1), "\"1-1-8000000000000000\"" },
		{ U64M, U64M, -1, "\"ffffffffffffffff-ffffffffffffffff-ffffffffffffffff\"" },
		{ 0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x7fffffffffffffffLL,
		  "\"123456789abcdef-fedcba9876543210-7fffffffffffffff\"" },
	};
	char out[ZCH_HTTP_ETAG_MAX + 8];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'Z', sizeof(out));
		n = zch_http_etag(out, cases[i].ino, cases[i].size, cases[i].ctime_ns);
		check(n == strlen(cases[i].want) && !strcmp(out, cases[i].want) &&
		      out[n + 1] == 'Z', "etag %s (got %s)", cases[i].want, out);
	}
	memset(out, 'Z', sizeof(out));
	n = zch_http_etag(out, U64M, U64M, (s64)(-9223372036854775807LL - 1));
	check(n == 52 && n + 1 <= ZCH_HTTP_ETAG_MAX && out[52] == '\0' &&
	      out[53] == 'Z', "etag worst case is 52 characters + NUL <= ZCH_HTTP_ETAG_MAX");
	check(zch_http_etag_match(out, n, out, false),
	      "etag: our own tag matches itself strongly");
}

struct mcase {
	const char *list;
	const char *etag;
	int weak, strong;	/* results for weak and strong comparison */
};

static const struct mcase mcases[] = {
	{ "\"abc\"", "\"abc\"", 1, 1 },
	{ "W/\"abc\"", "\"abc\"", 1, 0 },
	{ "\"abc\"", "W/\"abc\"", 1, 0 },
	{ "W/\"abc\"", "W/\"abc\"", 1, 0 },
	{ "\"abd\"", "\"abc\"", 0, 0 },
	{ "\"ab\"", "\"abc\"", 0, 0 },
	{ "\"abcd\"", "\"abc\"", 0, 0 },
	{ "\"ABC\"", "\"abc\"", 0, 0 },
	{ "*", "\"abc\"", 1, 0 },
	{ " * ", "\"abc\"", 1, 0 },
	{ "*", NULL, 1, 0 },
	{ "**", "\"abc\"", 0, 0 },
	{ "*, \"abc\"", "\"abc\"", 0, 0 },
	{ "\"abc\", *", "\"abc\"", 0, 0 },
	{ "\"x\", \"abc\"", "\"abc\"", 1, 1 },
	{ "\"x\",\"abc\"", "\"abc\"", 1, 1 },
	{ "\"x\" ,\t\"abc\" ", "\"abc\"", 1, 1 },
	{ ",,\"abc\",,", "\"abc\"", 1, 1 },
	{ ", , \"abc\" , ,", "\"abc\"", 1, 1 },
	{ "W/\"abc\", \"abc\"", "\"abc\"", 1, 1 },
	{ "W/\"x\", W/\"abc\"", "\"abc\"", 1, 0 },
	{ "\"x\", \"y\", \"z\"", "\"abc\"", 0, 0 },
	{ "\"abc\", garbage", "\"abc\"", 0, 0 },
	{ "garbage, \"abc\"", "\"abc\"", 0, 0 },
	{ "abc", "\"abc\"", 0, 0 },
	{ "\"abc", "\"abc\"", 0, 0 },
	{ "\"abc\"x", "\"abc\"", 0, 0 },
	{ "\"abc\" \"x\"", "\"abc\"", 0, 0 },
	{ "\"x\"\"abc\"", "\"abc\"", 0, 0 },
	{ "w/\"abc\"", "\"abc\"", 0, 0 },
	{ "W/ \"abc\"", "\"abc\"", 0, 0 },
	{ "W\"abc\"", "\"abc\"", 0, 0 },
	{ "W/", "\"abc\"", 0, 0 },
	{ "\"", "\"abc\"", 0, 0 },
	{ "", "\"abc\"", 0, 0 },
	{ "   ", "\"abc\"", 0, 0 },
	{ ",", "\"abc\"", 0, 0 },
	{ "\"a,b\"", "\"a,b\"", 1, 1 },
	{ "\"a\", \"b\"", "\"a,b\"", 0, 0 },
	{ "\"x\", \"a,b\"", "\"a,b\"", 1, 1 },
	{ "\"a b\"", "\"a b\"", 0, 0 },
	{ "\"a\tb\"", "\"a\tb\"", 0, 0 },
	{ "\"\"", "\"\"", 1, 1 },
	{ "\"\"", "\"abc\"", 0, 0 },
	{ "\"abc\"", NULL, 0, 0 },
	{ "\"abc\"", "abc", 0, 0 },
	{ "\"abc\"", "", 0, 0 },
	{ "\"abc\"", "\"abc", 0, 0 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT", "\"abc\"", 0, 0 },
	{ "\"\xe9\xff\"", "\"\xe9\xff\"", 1, 1 },
	{ "\"abc\"\t", "\"abc\"", 1, 1 },
	{ "\"1-2710-3\"", "\"1-2710-3\"", 1, 1 },
	{ "\"1-2710-4\", W/\"1-2710-3\"", "\"1-2710-3\"", 1, 0 },
};

static void test_etag_match(void)
{
	size_t i;

	for (i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		const struct mcase *c = &mcases[i];
		size_t len = strlen(c->list);
		char *copy = malloc(len ? len : 1);
		int w, s;

		memcpy(copy, c->list, len);
		w = zch_http_etag_match(copy, len, c->etag, true);
		s = zch_http_etag_match(copy, len, c->etag, false);
		check(w == c->weak && s == c->strong,
		      "etag match '%s' vs %s: weak %d strong %d (got %d %d)",
		      esc(c->list, len), c->etag ? c->etag : "NULL", c->weak,
		      c->strong, w, s);
		free(copy);
	}
	check(zch_http_etag_match("\"abc\", \"x\"", 5, "\"abc\"", false),
	      "etag match: length bounds the list");
	check(!zch_http_etag_match("\"abc\"", 4, "\"abc\"", true),
	      "etag match: a cut tag is malformed");
}

/* ------------------------------------------------------------------ */
/* Response headers for conditional and range requests */

static void test_format_cond(void)
{
	struct zch_http_resp r;
	char buf[1024];

	r = (struct zch_http_resp){ .status = 200, .version = 11, .keepalive = true,
		.content_length = 10000, .mtime = 784111777, .now = 784111777,
		.content_type = "image/png", .etag = "\"1-2710-3\"", .ranges = true };
	fmt_case("200 with ETag and Accept-Ranges", &r,
		 "HTTP/1.1 200 OK\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Type: image/png\r\n"
		 "Content-Length: 10000\r\n"
		 "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "ETag: \"1-2710-3\"\r\n"
		 "Accept-Ranges: bytes\r\n"
		 "\r\n");

	r.range_first = 5;
	r.range_last = 2;
	r.total = 7;
	fmt_case("200 ignores range fields", &r,
		 "HTTP/1.1 200 OK\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Type: image/png\r\n"
		 "Content-Length: 10000\r\n"
		 "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "ETag: \"1-2710-3\"\r\n"
		 "Accept-Ranges: bytes\r\n"
		 "\r\n");

	r.etag = NULL;
	r.mtime = -1;
	fmt_case("200 with Accept-Ranges only", &r,
		 "HTTP/1.1 200 OK\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Type: image/png\r\n"
		 "Content-Length: 10000\r\n"
		 "Accept-Ranges: bytes\r\n"
		 "\r\n");

	r = (struct zch_http_resp){ .status = 206, .version = 11, .keepalive = true,
		.content_length = 500, .mtime = 784111777, .now = 784111777,
		.content_type = "image/png", .etag = "\"1-2710-3\"", .ranges = true,
		.range_first = 9500, .range_last = 9999, .total = 10000 };
	fmt_case("206 with Content-Range", &r,
		 "HTTP/1.1 206 Partial Content\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Type: image/png\r\n"
		 "Content-Length: 500\r\n"
		 "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "ETag: \"1-2710-3\"\r\n"
		 "Accept-Ranges: bytes\r\n"
		 "Content-Range: bytes 9500-9999/10000\r\n"
		 "\r\n");

	r = (struct zch_http_resp){ .status = 206, .version = 10, .keepalive = true,
		.content_length = U64M, .mtime = -1, .now = 0,
		.range_first = 0, .range_last = U64M - 1, .total = U64M };
	fmt_case("206 of the largest file, 1.0 keep-alive", &r,
		 "HTTP/1.1 206 Partial Content\r\n"
		 "Server: zchttp\r\n"
		 "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
		 "Content-Length: 18446744073709551615\r\n"
		 "Content-Range: bytes 0-18446744073709551614/18446744073709551615\r\n"
		 "Connection: keep-alive\r\n"
		 "\r\n");

	r = (struct zch_http_resp){ .status = 206, .version = 11,
		.content_length = 1, .mtime = -1, .now = 0,
		.range_first = 0, .range_last = 0, .total = 1 };
	fmt_case("206 of a one-byte file, close", &r,
		 "HTTP/1.1 206 Partial Content\r\n"
		 "Server: zchttp\r\n"
		 "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
		 "Content-Length: 1\r\n"
		 "Content-Range: bytes 0-0/1\r\n"
		 "Connection: close\r\n"
		 "\r\n");

	r = (struct zch_http_resp){ .status = 304, .version = 11, .keepalive = true,
		.content_length = 10000, .mtime = 784111777, .now = 784111777,
		.content_type = "image/png", .etag = "\"1-2710-3\"" };
	fmt_case("304 keeps ETag and Last-Modified", &r,
		 "HTTP/1.1 304 Not Modified\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "ETag: \"1-2710-3\"\r\n"
		 "\r\n");

	r = (struct zch_http_resp){ .status = 416, .version = 11, .keepalive = true,
		.content_length = 114, .mtime = -1, .now = 784111777,
		.content_type = "text/html; charset=utf-8", .ranges = true,
		.total = 10000 };
	fmt_case("416 with Content-Range */total", &r,
		 "HTTP/1.1 416 Range Not Satisfiable\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Type: text/html; charset=utf-8\r\n"
		 "Content-Length: 114\r\n"
		 "Accept-Ranges: bytes\r\n"
		 "Content-Range: bytes */10000\r\n"
		 "\r\n");

	r.total = 0;
	r.ranges = false;
	r.keepalive = false;
	fmt_case("416 of an empty file", &r,
		 "HTTP/1.1 416 Range Not Satisfiable\r\n"
		 "Server: zchttp\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Type: text/html; charset=utf-8\r\n"
		 "Content-Length: 114\r\n"
		 "Content-Range: bytes */0\r\n"
		 "Connection: close\r\n"
		 "\r\n");
	{
		char b[ZCH_ERROR_BODY_MAX];
		size_t blen = zch_http_error_body(b, sizeof(b), 416);

		check(blen == 114, "416 body is 114 bytes (got %zu)", blen);
	}

	/* refusals */
	r = (struct zch_http_resp){ .status = 200, .version = 11,
		.content_length = 1, .mtime = -1, .now = 0, .etag = "\"a\"\r\nX: y" };
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: CRLF in ETag refused");
	r.etag = "\"a\nb\"";
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: LF in ETag refused");
	r.etag = "\"a\x7f\"";
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: DEL in ETag refused");
	r.status = 304;
	r.etag = "\"a\rb\"";
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: CR in ETag refused on 304");
	r = (struct zch_http_resp){ .status = 206, .version = 11,
		.content_length = 1, .mtime = -1, .now = 0,
		.range_first = 5, .range_last = 4, .total = 10 };
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: 206 first > last refused");
	r.range_first = 0;
	r.range_last = 10;
	r.content_length = 11;
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: 206 last >= total refused");
	r.range_last = 9;
	r.content_length = 9;
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: 206 wrong Content-Length refused");
	r.content_length = 10;
	check(zch_http_format(buf, sizeof(buf), &r) != 0, "format: 206 of the whole file accepted");
	r.total = 0;
	r.range_last = 0;
	r.content_length = 1;
	check(zch_http_format(buf, sizeof(buf), &r) == 0, "format: 206 of an empty file refused");
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
	test_root_limits();
	test_mutation();
	test_dates();
	test_mime();
	test_format();
	test_cond_parse();
	test_range();
	test_etag();
	test_etag_match();
	test_format_cond();
	printf("1..%d\n", n_pass + n_fail);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
