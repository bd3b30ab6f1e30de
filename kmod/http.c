// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: HTTP/1.x request parser (http_resp.c builds the responses).
 *
 * This file is built both into the module and into user-space tests and
 * fuzzers, so it uses nothing but memcpy(), memcmp() and strlen(). There
 * is no allocation, no recursion and no mutable global state; every write
 * into a caller's buffer is bounded and every number is parsed with an
 * overflow check. No 64-bit division by a variable or by a constant is
 * done either, so 32-bit builds need no libgcc helpers.
 *
 * Decisions where RFC 9110/9112 leave a choice:
 *  - A line ends with LF, optionally preceded by one CR (RFC 9112 2.2 lets
 *    a recipient accept a bare LF). Any other CR is a control byte and
 *    makes the request a 400.
 *  - Empty lines before the request line are skipped (RFC 9112 2.2); they
 *    count towards the head size limit and towards *consumed.
 *  - The limits come from the caller (struct zch_http_limits, one set per
 *    root). The head, from the first byte of the buffer to the end of the
 *    empty line that closes it, may hold at most lim->head bytes. With
 *    that many bytes buffered and no end yet, the answer is 431 at once,
 *    so a caller whose buffer is exactly lim->head bytes never waits
 *    forever. The request line may hold at most lim->reqline bytes before
 *    its line end (else 414, checked first: a line known to be too long
 *    is 414 even when the head is too long as well), and the head at
 *    most lim->headers header lines (else 431).
 *  - HTTP/1.x with x > 1 is handled as HTTP/1.1 (RFC 9110 2.5); another
 *    major version is 505.
 *  - Error precedence: request-line syntax (400), version (505), header
 *    syntax and Host/Transfer-Encoding/Content-Length rules (400), method
 *    (405/501), request target (400/414).
 *  - Raw bytes >= 0x80 are allowed in the target and in field values.
 *    Control bytes are refused in the whole target, both raw and after
 *    percent-decoding; a raw '\' is refused in the path.
 *  - Empty path segments are dropped before "." and ".." are applied, as
 *    a file system resolves them: "/a//../b" is "b".
 *  - Host values may only hold the characters of an authority (RFC 3986
 *    reg-name, IP literal, port); an empty Host is allowed (RFC 9112 3.2).
 *  - The last If-Modified-Since wins; a bad date is ignored.
 *  - Range, If-Range and If-None-Match are only located here (req->range,
 *    ->if_range, ->inm point at the OWS-trimmed value in the caller's
 *    buffer; present but empty is a non-NULL pointer and length 0);
 *    http_cond.c interprets them. Two Range or two If-Range lines are a
 *    400: neither field is a list, so the request is ambiguous.
 *  - If-None-Match is a list and may legitimately be split over several
 *    lines. Without copying we can only point at one of them, so the last
 *    line wins. Each line is a sublist of the combined list, so a match
 *    on it is a match on the whole (no false 304); a miss just costs a
 *    200. The exception is "*", which may not be combined with anything:
 *    if one of several lines is "*", req->inm is NULL (ignored).
 */

#include "http_priv.h"

/* Character classes */

static bool zch_is_alpha(u8 c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 9110 5.6.2 tchar */
static bool zch_is_tchar(u8 c)
{
	if (zch_is_alpha(c) || zch_is_digit(c))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '.': case '^': case '_':
	case '`': case '|': case '~':
		return true;
	}
	return false;
}

/* RFC 3986 reg-name, IP literal and port characters */
static bool zch_is_authchar(u8 c)
{
	if (zch_is_alpha(c) || zch_is_digit(c))
		return true;
	switch (c) {
	case '-': case '.': case '_': case '~': case '!': case '$':
	case '&': case '\'': case '(': case ')': case '*': case '+':
	case ',': case ';': case '=': case ':': case '[': case ']':
	case '%':
		return true;
	}
	return false;
}

static int zch_hexval(u8 c)
{
	if (zch_is_digit(c))
		return c - '0';
	c = zch_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* @s/@n equals the NUL-terminated @lit exactly */
static bool zch_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(s, lit, n);
}

/* Request head framing */

/* Index of the first LF in [@from, @to), or @to if there is none */
static size_t zch_find_lf(const char *buf, size_t from, size_t to)
{
	while (from < to && buf[from] != '\n')
		from++;
	return from;
}

/* Length of the line [@from, @lf) without one CR before the LF */
static size_t zch_line_len(const char *buf, size_t from, size_t lf)
{
	if (lf > from && buf[lf - 1] == '\r')
		return lf - from - 1;
	return lf - from;
}

/* Request line */

static const char * const zch_other_methods[] = {
	"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT",
};

/* Status for a method token: 0 (and @req->method set), 405 or 501 */
static int zch_method(const char *s, size_t n, struct zch_http_req *req)
{
	size_t i;

	if (zch_eq(s, n, "GET")) {
		req->method = ZCH_HTTP_GET;
		return 0;
	}
	if (zch_eq(s, n, "HEAD")) {
		req->method = ZCH_HTTP_HEAD;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(zch_other_methods); i++) {
		if (zch_eq(s, n, zch_other_methods[i]))
			return 405;
	}
	return 501;
}

/*
 * Split "METHOD SP target SP version". Returns 400 or 505 on a bad line,
 * else 0 with the method status (0, 405, 501) in @mstatus and the target
 * in @tgt/@tlen.
 */
static int zch_parse_reqline(const char *s, size_t n, struct zch_http_req *req,
			     int *mstatus, const char **tgt, size_t *tlen)
{
	const char *v;
	size_t i = 0;
	size_t t0;

	while (i < n && s[i] != ' ') {
		if (!zch_is_tchar((u8)s[i]))
			return 400;
		i++;
	}
	if (i == 0 || i == n)
		return 400;
	*mstatus = zch_method(s, i, req);

	t0 = ++i;
	while (i < n && s[i] != ' ')
		i++;
	if (i == t0 || i == n)
		return 400;
	*tgt = s + t0;
	*tlen = i - t0;

	i++;
	v = s + i;
	if (n - i != 8 || memcmp(v, "HTTP/", 5) || !zch_is_digit((u8)v[5]) ||
	    v[6] != '.' || !zch_is_digit((u8)v[7]))
		return 400;
	if (v[5] != '1')
		return 505;
	/* RFC 9110 2.5: a later 1.x is answered as the highest we know, 1.1 */
	req->version = v[7] == '0' ? 10 : 11;
	return 0;
}

/* Request target */

/*
 * Percent-decode the path @p/@n (empty, or starting with '/') into
 * @req->path while removing dot segments and empty segments.
 */
static int zch_norm_path(const char *p, size_t n, struct zch_http_req *req)
{
	char *out = req->path;
	bool trailing = true;
	size_t olen = 0;
	size_t i = 0;
	size_t slen;
	size_t seg;
	int hi, lo;
	u8 c;

	while (i < n) {
		if (p[i] == '/') {
			trailing = true;
			i++;
			continue;
		}
		/* a segment goes after a separator unless it is the first */
		seg = 0;
		if (olen) {
			if (olen + 1 >= ZCH_HTTP_PATH_MAX)
				return 414;
			out[olen] = '/';
			seg = olen + 1;
		}
		slen = 0;
		while (i < n && p[i] != '/') {
			c = (u8)p[i];
			if (c == '\\')
				return 400;
			if (c == '%') {
				if (n - i < 3)
					return 400;
				hi = zch_hexval((u8)p[i + 1]);
				lo = zch_hexval((u8)p[i + 2]);
				if (hi < 0 || lo < 0)
					return 400;
				c = (u8)(hi << 4 | lo);
				if (zch_is_ctl(c) || c == '/' || c == '\\')
					return 400;
				i += 3;
			} else {
				i++;
			}
			/* keep room for the NUL */
			if (seg + slen + 1 >= ZCH_HTTP_PATH_MAX)
				return 414;
			out[seg + slen++] = (char)c;
		}
		trailing = false;
		if (slen == 1 && out[seg] == '.') {
			trailing = true;
		} else if (slen == 2 && out[seg] == '.' && out[seg + 1] == '.') {
			if (!olen)
				return 400;	/* would climb above the root */
			while (olen && out[olen - 1] != '/')
				olen--;
			if (olen)
				olen--;
			trailing = true;
		} else {
			olen = seg + slen;
		}
	}
	out[olen] = '\0';
	req->path_len = (u16)olen;
	req->trailing_slash = trailing;
	return 0;
}

static int zch_parse_target(const char *t, size_t n, struct zch_http_req *req)
{
	size_t i, a0, end;

	for (i = 0; i < n; i++) {
		if (zch_is_ctl((u8)t[i]))
			return 400;
	}

	i = 0;
	if (t[0] != '/') {
		/* absolute-form: http://authority[/path] */
		if (n > 7 && zch_eq_ci(t, 7, "http://"))
			i = 7;
		else if (n > 8 && zch_eq_ci(t, 8, "https://"))
			i = 8;
		else
			return 400;
		a0 = i;
		while (i < n && t[i] != '/' && t[i] != '?' && t[i] != '#') {
			if (!zch_is_authchar((u8)t[i]))
				return 400;
			i++;
		}
		if (i == a0)
			return 400;
	}

	end = i;
	while (end < n && t[end] != '?' && t[end] != '#')
		end++;
	return zch_norm_path(t + i, end - i, req);
}

/* Header fields */

struct zch_hdr_state {
	u64 clen;
	u32 inm_lines;
	bool inm_star;
	bool has_clen;
	bool conn_close;
	bool conn_keepalive;
};

static void zch_parse_connection(const char *s, size_t n,
				 struct zch_hdr_state *st)
{
	size_t i = 0;
	size_t a, b;

	while (i < n) {
		a = i;
		while (i < n && s[i] != ',')
			i++;
		b = i;
		while (a < b && zch_is_ows((u8)s[a]))
			a++;
		while (b > a && zch_is_ows((u8)s[b - 1]))
			b--;
		if (zch_eq_ci(s + a, b - a, "close"))
			st->conn_close = true;
		else if (zch_eq_ci(s + a, b - a, "keep-alive"))
			st->conn_keepalive = true;
		i++;	/* skip the comma */
	}
}

/* 1*DIGIT into @val; false if empty, not digits or more than U64_MAX */
static bool zch_parse_u64(const char *s, size_t n, u64 *val)
{
	const u64 lim = 1844674407370955161ULL;	/* U64_MAX / 10 */
	u64 v = 0;
	size_t i;
	u8 d;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		if (!zch_is_digit((u8)s[i]))
			return false;
		d = (u8)s[i] - '0';
		if (v > lim || (v == lim && d > 5))
			return false;
		v = v * 10 + d;
	}
	*val = v;
	return true;
}

static int zch_parse_header(const char *s, size_t n, struct zch_http_req *req,
			    struct zch_hdr_state *st)
{
	size_t i = 0;
	size_t v0, v1;
	u64 val;

	/* obsolete line folding */
	if (zch_is_ows((u8)s[0]))
		return 400;
	while (i < n && s[i] != ':') {
		if (!zch_is_tchar((u8)s[i]))
			return 400;
		i++;
	}
	if (i == 0 || i == n)
		return 400;

	for (v0 = i + 1; v0 < n; v0++) {
		if (zch_is_ctl((u8)s[v0]) && s[v0] != '\t')
			return 400;
	}
	v0 = i + 1;
	v1 = n;
	while (v0 < v1 && zch_is_ows((u8)s[v0]))
		v0++;
	while (v1 > v0 && zch_is_ows((u8)s[v1 - 1]))
		v1--;

	if (zch_eq_ci(s, i, "host")) {
		if (req->has_host)
			return 400;
		req->has_host = true;
		for (; v0 < v1; v0++) {
			if (!zch_is_authchar((u8)s[v0]))
				return 400;
		}
	} else if (zch_eq_ci(s, i, "connection")) {
		zch_parse_connection(s + v0, v1 - v0, st);
	} else if (zch_eq_ci(s, i, "content-length")) {
		if (!zch_parse_u64(s + v0, v1 - v0, &val))
			return 400;
		if (st->has_clen && st->clen != val)
			return 400;
		st->has_clen = true;
		st->clen = val;
	} else if (zch_eq_ci(s, i, "transfer-encoding")) {
		return 400;
	} else if (zch_eq_ci(s, i, "if-modified-since")) {
		req->ims = zch_http_parse_date(s + v0, v1 - v0);
	} else if (zch_eq_ci(s, i, "range")) {
		if (req->range)
			return 400;
		req->range = s + v0;
		req->range_len = (u16)(v1 - v0);
	} else if (zch_eq_ci(s, i, "if-range")) {
		if (req->if_range)
			return 400;
		req->if_range = s + v0;
		req->if_range_len = (u16)(v1 - v0);
	} else if (zch_eq_ci(s, i, "if-none-match")) {
		st->inm_lines++;
		if (zch_eq(s + v0, v1 - v0, "*"))
			st->inm_star = true;
		req->inm = s + v0;
		req->inm_len = (u16)(v1 - v0);
	}
	return 0;
}

static void zch_clear_conds(struct zch_http_req *req)
{
	req->range = NULL;
	req->range_len = 0;
	req->if_range = NULL;
	req->if_range_len = 0;
	req->inm = NULL;
	req->inm_len = 0;
}

enum {
	ZCH_SCAN_EMPTY,		/* empty lines before the request line */
	ZCH_SCAN_RL,		/* the request line */
	ZCH_SCAN_HDR,		/* header lines */
};

/*
 * Find the end of the request head in @buf, resuming where @sc stopped.
 * Return: 0 with the head ending at sc->pos, ZCH_HTTP_INCOMPLETE, or 414
 * or 431. Only bytes from sc->pos on are read, except for the CR before
 * an LF, so that every byte is scanned once however the head arrives.
 */
static int zch_frame(const char *buf, size_t len,
		     const struct zch_http_limits *lim, struct zch_http_scan *sc)
{
	/* clamped, so that lengths fit in u16 and sums cannot wrap */
	size_t head = lim->head < ZCH_HTTP_HEAD_MAX ? lim->head :
						      ZCH_HTTP_HEAD_MAX;
	size_t reqline = lim->reqline < ZCH_HTTP_HEAD_MAX ? lim->reqline :
							    ZCH_HTTP_HEAD_MAX;
	size_t pos = sc->pos, end, lf;

	if (sc->phase == ZCH_SCAN_EMPTY) {
		while (pos < len) {
			if (buf[pos] == '\n')
				pos++;
			else if (buf[pos] == '\r' && len - pos > 1 &&
				 buf[pos + 1] == '\n')
				pos += 2;
			else
				break;
		}
		sc->pos = pos;
		/* a CR at the end may start one more empty line */
		if (pos == len || (buf[pos] == '\r' && pos + 1 == len))
			return len >= head ? 431 : ZCH_HTTP_INCOMPLETE;
		sc->rl = pos;
		sc->phase = ZCH_SCAN_RL;
	}

	if (sc->phase == ZCH_SCAN_RL) {
		/* the request line: LF within reqline + CR + LF bytes */
		end = len;
		if (end - sc->rl > reqline + 2)
			end = sc->rl + reqline + 2;
		lf = zch_find_lf(buf, pos, end);
		if (lf == end) {
			sc->pos = end;
			if (len - sc->rl > reqline + 1)
				return 414;
			if (len >= head)
				return 431;
			return ZCH_HTTP_INCOMPLETE;
		}
		if (zch_line_len(buf, sc->rl, lf) > reqline)
			return 414;
		sc->rl_lf = lf;
		sc->line = lf + 1;
		pos = lf + 1;
		sc->phase = ZCH_SCAN_HDR;
	}

	/* header lines, up to the empty line that ends the head */
	end = len < head ? len : head;
	while (pos < end) {
		lf = zch_find_lf(buf, pos, end);
		if (lf == end)
			break;
		if (!zch_line_len(buf, sc->line, lf)) {
			sc->pos = lf + 1;
			return 0;
		}
		if (++sc->nlines > lim->headers)
			return 431;
		sc->line = lf + 1;
		pos = lf + 1;
	}
	sc->pos = end > pos ? end : pos;
	return len < head ? ZCH_HTTP_INCOMPLETE : 431;
}

/* Parse the head that zch_frame() found, ending at sc->pos. */
static int zch_parse_req(const char *buf, const struct zch_http_scan *sc,
			 struct zch_http_req *req, size_t *consumed)
{
	struct zch_hdr_state st = { 0 };
	size_t head_end = sc->pos;
	const char *tgt;
	size_t i, lf;
	size_t tlen;
	int mstatus;
	int ret;

	ret = zch_parse_reqline(buf + sc->rl,
				zch_line_len(buf, sc->rl, sc->rl_lf), req,
				&mstatus, &tgt, &tlen);
	if (ret)
		return ret;

	for (i = sc->rl_lf + 1; i < head_end; i = lf + 1) {
		lf = zch_find_lf(buf, i, head_end);
		if (!zch_line_len(buf, i, lf))
			break;
		ret = zch_parse_header(buf + i, zch_line_len(buf, i, lf), req,
				       &st);
		if (ret)
			return ret;
	}

	if (st.inm_lines > 1 && st.inm_star) {
		req->inm = NULL;
		req->inm_len = 0;
	}
	if (req->version == 11 && !req->has_host)
		return 400;
	if (mstatus)
		return mstatus;
	/* GET and HEAD have no body */
	if (st.has_clen && st.clen)
		return 400;

	ret = zch_parse_target(tgt, tlen, req);
	if (ret)
		return ret;

	if (st.conn_close)
		req->keepalive = false;
	else
		req->keepalive = req->version == 11 || st.conn_keepalive;
	*consumed = head_end;
	return 0;
}

int zch_http_parse_more(const char *buf, size_t len,
			const struct zch_http_limits *lim,
			struct zch_http_scan *scan, struct zch_http_req *req,
			size_t *consumed)
{
	const char *tgt;
	size_t tlen;
	int mstatus;
	int ret;

	req->method = 0;
	req->version = 11;
	req->keepalive = false;
	req->has_host = false;
	req->ims = -1;
	req->path[0] = '\0';
	req->path_len = 0;
	req->trailing_slash = false;
	zch_clear_conds(req);
	*consumed = 0;

	ret = zch_frame(buf, len, lim, scan);
	if (ret == 431 && scan->phase == ZCH_SCAN_HDR)
		/* too large, but learn the version and method if we can */
		zch_parse_reqline(buf + scan->rl,
				  zch_line_len(buf, scan->rl, scan->rl_lf),
				  req, &mstatus, &tgt, &tlen);
	else if (!ret)
		ret = zch_parse_req(buf, scan, req, consumed);
	if (ret) {
		req->keepalive = false;
		req->path[0] = '\0';
		req->path_len = 0;
		req->trailing_slash = false;
		zch_clear_conds(req);
		*consumed = 0;
	}
	return ret;
}

int zch_http_parse(const char *buf, size_t len,
		   const struct zch_http_limits *lim, struct zch_http_req *req,
		   size_t *consumed)
{
	struct zch_http_scan scan = { 0 };

	return zch_http_parse_more(buf, len, lim, &scan, req, consumed);
}
