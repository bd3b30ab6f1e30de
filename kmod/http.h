/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zchttp: HTTP/1.x request parser and response header builder.
 *
 * Pure C with no kernel dependency beyond a few types, so that the same
 * file is compiled into the module and into user-space tests and fuzzers.
 * Nothing here allocates, sleeps or takes a lock.
 */

#ifndef _ZCH_HTTP_H
#define _ZCH_HTTP_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
#endif

#define ZCH_HTTP_PATH_MAX	1024	/* decoded path, including NUL */
#define ZCH_HTTP_HEAD_MAX	65536	/* largest head limit: lengths are u16 */

enum zch_http_method {
	ZCH_HTTP_GET = 1,
	ZCH_HTTP_HEAD,
};

/**
 * struct zch_http_req - one parsed request
 * @method: ZCH_HTTP_GET or ZCH_HTTP_HEAD
 * @version: 10 for HTTP/1.0, 11 for HTTP/1.1
 * @keepalive: the connection stays open after the response
 * @has_host: a Host header was present
 * @ims: If-Modified-Since as seconds since the epoch, or -1 if absent/bad
 * @path: the decoded, normalised path without the leading '/', NUL
 *	terminated; "" names the root directory itself
 * @path_len: strlen(@path)
 * @trailing_slash: the target ended in '/' (a directory was asked for)
 * @range: value of the Range header, or NULL; points into the buffer
 *	given to zch_http_parse(), valid while that buffer is unchanged
 * @range_len: its length
 * @if_range: value of If-Range, or NULL; same lifetime as @range
 * @if_range_len: its length
 * @inm: value of If-None-Match (several headers: the last one), or NULL;
 *	same lifetime as @range
 * @inm_len: its length
 */
struct zch_http_req {
	u8 method;
	u8 version;
	bool keepalive;
	bool has_host;
	s64 ims;
	char path[ZCH_HTTP_PATH_MAX];
	u16 path_len;
	bool trailing_slash;
	const char *range;
	u16 range_len;
	const char *if_range;
	u16 if_range_len;
	const char *inm;
	u16 inm_len;
};

/**
 * struct zch_http_limits - how large a request head may be
 * @reqline: bytes of the request line, without its line end; beyond: 414
 * @head: bytes of the whole head, from the first byte of the buffer to
 *	the end of the empty line that closes it; beyond: 431
 * @headers: header lines; beyond: 431
 *
 * @reqline and @head values above ZCH_HTTP_HEAD_MAX count as
 * ZCH_HTTP_HEAD_MAX.
 */
struct zch_http_limits {
	u32 reqline;
	u32 head;
	u32 headers;
};

/**
 * struct zch_http_scan - how far zch_http_parse_more() has framed a head
 * @pos: bytes of the buffer already scanned
 * @rl: offset of the request line (after empty lines before it)
 * @rl_lf: offset of the LF that ends the request line
 * @line: offset of the header line being scanned
 * @nlines: header lines found so far
 * @phase: ZCH_SCAN_EMPTY (before the request line), ZCH_SCAN_RL (in the
 *	request line) or ZCH_SCAN_HDR (in the header lines)
 *
 * Zero it for a new buffer, and again whenever bytes are removed from the
 * start of the buffer. It depends only on the bytes scanned and on the
 * limits, which must stay the same for one head.
 */
struct zch_http_scan {
	u32 pos;
	u32 rl;
	u32 rl_lf;
	u32 line;
	u32 nlines;
	u8 phase;
};

/**
 * zch_http_parse_more() - parse a request head as its bytes arrive
 * @buf: received bytes
 * @len: number of bytes in @buf, at least as many as the last call's
 * @lim: the limits to apply
 * @scan: framing state carried from the last call on the same buffer
 * @req: filled on success
 * @consumed: on success, bytes of @buf used by this request
 *
 * The same as zch_http_parse(), but the bytes framed by earlier calls are
 * not scanned again: a head that arrives one byte at a time costs time
 * linear in its length, not quadratic.
 *
 * Return: as zch_http_parse().
 */
int zch_http_parse_more(const char *buf, size_t len,
			const struct zch_http_limits *lim,
			struct zch_http_scan *scan, struct zch_http_req *req,
			size_t *consumed);

/**
 * zch_http_parse() - parse one request head
 * @buf: received bytes
 * @len: number of bytes in @buf
 * @lim: the limits to apply
 * @req: filled on success
 * @consumed: on success, bytes of @buf used by this request
 *
 * With @lim->head bytes or more in @buf, the result is never
 * ZCH_HTTP_INCOMPLETE, so a buffer of @lim->head bytes is always enough.
 *
 * Return: 0 when a complete request was parsed; -1 (ZCH_HTTP_INCOMPLETE)
 * when @buf does not yet hold a whole request head; otherwise an HTTP
 * status code (400, 405, 414, 431, 501, 505) to answer before closing.
 * On an error status, @req->version and @req->method are set when known.
 */
int zch_http_parse(const char *buf, size_t len,
		   const struct zch_http_limits *lim, struct zch_http_req *req,
		   size_t *consumed);
#define ZCH_HTTP_INCOMPLETE	(-1)

/**
 * struct zch_http_resp - what the response header says
 * @status: HTTP status code
 * @version: 10 or 11, the version to answer with
 * @keepalive: emit Connection: keep-alive (1.0) / nothing (1.1), else close
 * @content_length: body length (for HEAD: the length GET would send)
 * @mtime: Last-Modified in seconds since the epoch, or -1 for none
 * @now: Date in seconds since the epoch
 * @date: @now already formatted by zch_http_date() (29 characters), or
 *	NULL to format @now here
 * @content_type: MIME type or NULL for none
 * @location: Location header value or NULL
 * @etag: ETag header value (with its quotes) or NULL
 * @ranges: emit Accept-Ranges: bytes (a file is being served)
 * @range_first: for 206, first byte of Content-Range
 * @range_last: for 206, last byte of Content-Range
 * @total: for 206 and 416, the full length in Content-Range
 * @retry_after: Retry-After in seconds, 0 for none
 */
struct zch_http_resp {
	u16 status;
	u8 version;
	bool keepalive;
	u64 content_length;
	s64 mtime;
	s64 now;
	const char *date;
	const char *content_type;
	const char *location;
	const char *etag;
	bool ranges;
	u64 range_first;
	u64 range_last;
	u64 total;
	u32 retry_after;
};

/**
 * zch_http_format() - write a response header block
 * @buf: destination
 * @size: size of @buf
 * @resp: what to write
 *
 * Return: bytes written (the block ends with CRLF CRLF, no NUL), or 0 if
 * @size is too small.
 */
size_t zch_http_format(char *buf, size_t size, const struct zch_http_resp *resp);

/* Room for the longest error body, "431 Request Header Fields ..." */
#define ZCH_ERROR_BODY_MAX	160

/**
 * zch_http_error_body() - write the short HTML body of an error status
 * @buf: where to write it (not NUL-terminated)
 * @size: size of @buf; ZCH_ERROR_BODY_MAX holds any
 * @status: HTTP status code; the body of a status below 400 or unknown
 *	here says only "Error"
 *
 * Return: the body's length, or 0 if it does not fit in @size.
 */
size_t zch_http_error_body(char *buf, size_t size, u16 status);

/**
 * zch_http_mime_type() - Content-Type for a file name
 * @name: file name or path
 * @len: its length
 *
 * Return: a static MIME type string; "application/octet-stream" if unknown.
 */
const char *zch_http_mime_type(const char *name, size_t len);

/**
 * zch_http_date() - format an IMF-fixdate (RFC 9110 5.6.7)
 * @t: seconds since the epoch
 * @out: 30 bytes: 29 characters and a NUL
 */
void zch_http_date(s64 t, char out[30]);

/**
 * zch_http_parse_date() - parse an IMF-fixdate
 * @s: the text
 * @len: its length
 *
 * Return: seconds since the epoch, or -1 if @s is not a valid date.
 */
s64 zch_http_parse_date(const char *s, size_t len);

/**
 * zch_http_range() - resolve a Range header against a length
 * @spec: the Range header value (req->range)
 * @len: its length
 * @size: the representation's length
 * @first: set to the first byte to send, for 206
 * @last: set to the last byte to send (inclusive), for 206
 *
 * Only single "bytes=" ranges are served partially: "a-b", "a-", "-n".
 * The arithmetic is 64-bit and overflow-proof (CVE-2015-1635, MS15-034).
 *
 * Return: 206 for a satisfiable single range; 416 if no range of a valid
 * "bytes=" set is satisfiable; 200 (send the whole file) when the header
 * is malformed, names another unit or asks for several ranges.
 */
int zch_http_range(const char *spec, size_t len, u64 size, u64 *first,
		   u64 *last);

/**
 * zch_http_etag() - format a strong entity tag
 * @out: destination, at least ZCH_HTTP_ETAG_MAX bytes
 * @ino: inode number
 * @size: file size
 * @ctime_ns: change time in nanoseconds since the epoch
 *
 * Return: length written ("\"<hex>-<hex>-<hex>\"", NUL terminated).
 */
size_t zch_http_etag(char *out, u64 ino, u64 size, s64 ctime_ns);
#define ZCH_HTTP_ETAG_MAX	56

/**
 * zch_http_etag_match() - does an entity-tag list match a tag
 * @list: If-None-Match or If-Range value: "*" or a comma list of tags
 * @len: its length
 * @etag: our tag, with quotes
 * @weak: weak comparison (If-None-Match) rather than strong (If-Range)
 *
 * Return: true if @list matches @etag. A malformed list matches nothing.
 */
bool zch_http_etag_match(const char *list, size_t len, const char *etag,
			 bool weak);

#endif /* _ZCH_HTTP_H */
