// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/http.c, http_resp.c and http_cond.c: parses
 * the input as a stream of pipelined requests, resolves each parsed one's
 * Range, If-Range and If-None-Match against a few file sizes, formats the
 * responses and checks the invariants; any violation aborts. The stream
 * is parsed twice: with the default limits, and with limits taken from
 * the input's last six bytes, which a parsed request must respect. The
 * raw input also goes straight to the date, MIME, range and entity-tag
 * parsers.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static const u64 sizes[] = { 0, 1, 4096, ~(u64)0 };

static const struct zch_http_limits dflt = {
	.reqline = 4096, .head = 8192, .headers = 100,
};

/*
 * Limits from the last six bytes, a little wider than what a root may set
 * (256..16384, 1024..65536, 8..1000), down to zero.
 */
static void fuzz_limits(const uint8_t *data, size_t size,
			struct zch_http_limits *lim)
{
	const uint8_t *p = data + size - 6;

	lim->reqline = (p[0] | p[1] << 8) % 17000;
	lim->head = (p[2] | p[3] << 8 | (p[4] & 1) << 16) % 66000;
	lim->headers = (p[5] | (p[4] & 6) << 7) % 1100;
}

/* A parsed request stays within the limits it was parsed with */
static void limits_check(const char *buf, size_t consumed,
			 const struct zch_http_limits *lim)
{
	size_t i = 0, line, lines = 0;
	const char *lf;

	if (consumed > lim->head)
		abort();
	/* empty lines before the request line */
	while (i < consumed && (buf[i] == '\n' ||
				(buf[i] == '\r' && i + 1 < consumed &&
				 buf[i + 1] == '\n')))
		i += buf[i] == '\n' ? 1 : 2;
	lf = memchr(buf + i, '\n', consumed - i);
	if (!lf)
		abort();
	line = (size_t)(lf - (buf + i));
	if (line && lf[-1] == '\r')
		line--;
	if (line > lim->reqline)
		abort();
	/* every LF after the request line ends a header, but the last */
	for (i = (size_t)(lf - buf) + 1; i < consumed; i++)
		lines += buf[i] == '\n';
	if (!lines || lines - 1 > lim->headers)
		abort();
}

static void path_check(const struct zch_http_req *req)
{
	size_t n = strlen(req->path);

	if (n != req->path_len || n >= ZCH_HTTP_PATH_MAX)
		abort();
	if (n && (req->path[0] == '/' || req->path[n - 1] == '/'))
		abort();
	if (strstr(req->path, "//") || strchr(req->path, '\\') ||
	    !strcmp(req->path, "..") || !strncmp(req->path, "../", 3) ||
	    strstr(req->path, "/../") ||
	    (n >= 3 && !strcmp(req->path + n - 3, "/..")))
		abort();
}

/* A response header block must be complete and need exactly its size */
static void format_check(const struct zch_http_resp *resp)
{
	char out[1024];
	size_t len;

	len = zch_http_format(out, sizeof(out), resp);
	if (!len || len > sizeof(out) || memcmp(out + len - 4, "\r\n\r\n", 4))
		abort();
	if (zch_http_format(out, len - 1, resp))
		abort();
	if ((resp->status == 206 || resp->status == 416) &&
	    !memmem(out, len, "\r\nContent-Range: bytes ", 23))
		abort();
	if (resp->etag && !memmem(out, len, "\r\nETag: \"", 9))
		abort();
}

/* Resolve a Range value against @size; check and format the answer */
static void range_check(const char *spec, size_t len, u64 size,
			const char *etag)
{
	struct zch_http_resp resp = {
		.version = 11, .keepalive = true, .mtime = -1, .now = 0,
		.etag = etag, .ranges = true, .total = size,
	};
	u64 first = 1, last = 1;
	int ret;

	ret = zch_http_range(spec, len, size, &first, &last);
	if (ret == 206) {
		if (first > last || last >= size)
			abort();
	} else if (ret == 200 || ret == 416) {
		if (first || last)
			abort();
	} else {
		abort();
	}
	resp.status = (u16)ret;
	resp.range_first = first;
	resp.range_last = last;
	resp.content_length = ret == 206 ? last - first + 1 : size;
	format_check(&resp);
}

/* Weak and strong comparison of a list against @etag */
static void match_check(const char *list, size_t len, const char *etag)
{
	bool weak = zch_http_etag_match(list, len, etag, true);
	bool strong = zch_http_etag_match(list, len, etag, false);

	if (strong && !weak)
		abort();
}

static void cond_check(const struct zch_http_req *req, size_t consumed)
{
	char etag[ZCH_HTTP_ETAG_MAX];
	size_t n, i;

	n = zch_http_etag(etag, consumed, req->path_len, req->ims);
	if (n != strlen(etag) || n + 1 > ZCH_HTTP_ETAG_MAX || n < 7)
		abort();
	if (!zch_http_etag_match(etag, n, etag, false))
		abort();

	if (req->range) {
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			range_check(req->range, req->range_len, sizes[i], etag);
	} else if (req->range_len) {
		abort();
	}
	if (req->if_range) {
		match_check(req->if_range, req->if_range_len, etag);
		zch_http_parse_date(req->if_range, req->if_range_len);
	} else if (req->if_range_len) {
		abort();
	}
	if (req->inm) {
		match_check(req->inm, req->inm_len, etag);
		match_check(req->inm, req->inm_len, "W/\"x\"");
	} else if (req->inm_len) {
		abort();
	}
}

/*
 * A head trickled in pieces parses as the same head received at once:
 * feed growing prefixes, in steps taken from the input, to
 * zch_http_parse_more() and compare each result with zch_http_parse().
 */
static void trickle_check(const char *buf, size_t size,
			  const struct zch_http_limits *lim)
{
	struct zch_http_scan scan = { 0 };
	struct zch_http_req a, b;
	size_t k = 0, ca, cb;
	int ra, rb;

	while (k < size) {
		k += 1 + (unsigned char)buf[k] % 7;
		if (k > size)
			k = size;
		ra = zch_http_parse(buf, k, lim, &a, &ca);
		rb = zch_http_parse_more(buf, k, lim, &scan, &b, &cb);
		if (ra != rb || ca != cb || a.version != b.version ||
		    a.method != b.method || a.keepalive != b.keepalive ||
		    strcmp(a.path, b.path))
			abort();
		if (ra != ZCH_HTTP_INCOMPLETE)
			break;
	}
}

/* Parse @buf as a stream of pipelined requests under @lim */
static void stream_check(const char *buf, size_t size,
			 const struct zch_http_limits *lim)
{
	struct zch_http_req req;
	struct zch_http_resp resp;
	char body[ZCH_ERROR_BODY_MAX];
	size_t consumed;
	int ret, rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		ret = zch_http_parse(buf, size, lim, &req, &consumed);
		if (ret == ZCH_HTTP_INCOMPLETE) {
			if (req.range || req.if_range || req.inm)
				abort();
			/* a buffer of lim->head bytes is always enough */
			if (size >= lim->head)
				abort();
			break;
		}
		if (ret) {
			if (ret != 400 && ret != 405 && ret != 414 &&
			    ret != 431 && ret != 501 && ret != 505)
				abort();
			if (req.keepalive ||
			    (req.version != 10 && req.version != 11))
				abort();
			if (req.range || req.if_range || req.inm)
				abort();
			if (!zch_http_error_body(body, sizeof(body), (u16)ret))
				abort();
			break;
		}
		if (!consumed || consumed > size)
			abort();
		if (req.method != ZCH_HTTP_GET && req.method != ZCH_HTTP_HEAD)
			abort();
		if ((req.range && (req.range < buf ||
				   req.range + req.range_len > buf + consumed)) ||
		    (req.if_range && (req.if_range < buf ||
				      req.if_range + req.if_range_len > buf + consumed)) ||
		    (req.inm && (req.inm < buf ||
				 req.inm + req.inm_len > buf + consumed)))
			abort();
		limits_check(buf, consumed, lim);
		path_check(&req);
		cond_check(&req, consumed);

		memset(&resp, 0, sizeof(resp));
		resp.status = 200;
		resp.version = req.version;
		resp.keepalive = req.keepalive;
		resp.content_length = consumed;
		resp.mtime = req.ims;
		resp.now = req.ims;
		resp.content_type = zch_http_mime_type(req.path, req.path_len);
		format_check(&resp);
		resp.status = 304;
		resp.etag = "\"1-2-3\"";
		format_check(&resp);

		buf += consumed;
		size -= consumed;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct zch_http_limits lim;
	size_t i;

	zch_http_parse_date(buf, size);
	zch_http_mime_type(buf, size);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		range_check(buf, size, sizes[i], NULL);
	match_check(buf, size, "\"abc\"");
	match_check(buf, size, NULL);

	stream_check(buf, size, &dflt);
	trickle_check(buf, size, &dflt);
	if (size >= 6) {
		fuzz_limits(data, size, &lim);
		stream_check(buf, size, &lim);
		trickle_check(buf, size, &lim);
	}
	return 0;
}
