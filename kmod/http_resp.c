// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: response side of the pure-C HTTP code: HTTP-dates, status
 * lines, error bodies, the response header builder and MIME types.
 *
 * Like http.c it is built into the module and into user-space tests, uses
 * nothing but memcpy(), memcmp() and strlen(), never allocates and bounds
 * every write. HTTP-dates: IMF-fixdate, RFC 850 and asctime forms are all
 * accepted (RFC 9110 5.6.7 requires it); an RFC 850 two-digit year is 19yy
 * for yy >= 70, else 20yy. Only years 1970..9999 and seconds 00..59 are
 * valid, and the day name must match the date.
 *
 * zch_http_format() refuses (returns 0) header values with control bytes
 * and a 206 whose Content-Range is not first <= last < total with
 * Content-Length last - first + 1: a wrong frame is worse than none.
 */

#include "http_priv.h"

#define ZCH_DATE_MAX		253402300799LL	/* 9999-12-31T23:59:59Z */
#define ZCH_DAYS_0000_1970	719468U	/* days from 0000-03-01 to 1970 */

/* Dates */

static const char zch_wday[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};

static const char * const zch_wday_long[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday",
};

static const char zch_month[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static void zch_put2(char *p, u32 v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

void zch_http_date(s64 t, char out[30])
{
	u32 days, secs, era, doe, yoe, doy, mp, y, m, d;

	if (t < 0)
		t = 0;
	if (t > ZCH_DATE_MAX)
		t = ZCH_DATE_MAX;
	/* 86400 == 128 * 675 and t < 2^38, so this is a 32-bit division */
	days = (u32)((u64)t >> 7) / 675;
	secs = (u32)((u64)t - (u64)days * 86400);

	/* civil_from_days(), H. Hinnant; days since 0000-03-01 */
	era = (days + ZCH_DAYS_0000_1970) / 146097;
	doe = days + ZCH_DAYS_0000_1970 - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);

	memcpy(out, zch_wday[(days + 4) % 7], 3);
	out[3] = ',';
	out[4] = ' ';
	zch_put2(out + 5, d);
	out[7] = ' ';
	memcpy(out + 8, zch_month[m - 1], 3);
	out[11] = ' ';
	zch_put2(out + 12, y / 100);
	zch_put2(out + 14, y % 100);
	out[16] = ' ';
	zch_put2(out + 17, secs / 3600);
	out[19] = ':';
	zch_put2(out + 20, secs / 60 % 60);
	out[22] = ':';
	zch_put2(out + 23, secs % 60);
	memcpy(out + 25, " GMT", 5);	/* with the NUL */
}

/* Two digits, or -1 */
static int zch_get2(const char *s)
{
	if (!zch_is_digit((u8)s[0]) || !zch_is_digit((u8)s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Index of a three-letter month name, or -1 */
static int zch_get_month(const char *s)
{
	int i;

	for (i = 0; i < 12; i++) {
		if (!memcmp(s, zch_month[i], 3))
			return i + 1;
	}
	return -1;
}

/* "hh:mm:ss" as seconds of the day, or -1 */
static int zch_get_time(const char *s)
{
	int h = zch_get2(s);
	int m = zch_get2(s + 3);
	int sec = zch_get2(s + 6);

	if (s[2] != ':' || s[5] != ':' || h < 0 || h > 23 || m < 0 ||
	    m > 59 || sec < 0 || sec > 59)
		return -1;
	return h * 3600 + m * 60 + sec;
}

static bool zch_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * Seconds since the epoch for a checked date, or -1. @wday is the day of
 * the week that was written (0 == Sunday).
 */
static s64 zch_mktime(int y, int m, int d, int tod, int wday)
{
	static const u8 mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	u32 era, yoe, doy, doe, days;

	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || tod < 0)
		return -1;
	if (d > mdays[m - 1] + (m == 2 && zch_leap(y)))
		return -1;

	/* days_from_civil(), H. Hinnant */
	y -= m <= 2;
	era = (u32)y / 400;
	yoe = (u32)y - era * 400;
	doy = (153 * (u32)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (u32)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - ZCH_DAYS_0000_1970;

	if ((int)((days + 4) % 7) != wday)
		return -1;
	return (s64)days * 86400 + tod;
}

static int zch_get_wday(const char *s)
{
	int i;

	for (i = 0; i < 7; i++) {
		if (!memcmp(s, zch_wday[i], 3))
			return i;
	}
	return -1;
}

static int zch_get4(const char *s)
{
	int hi = zch_get2(s);
	int lo = zch_get2(s + 2);

	if (hi < 0 || lo < 0)
		return -1;
	return hi * 100 + lo;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static s64 zch_parse_imf(const char *s)
{
	int w = zch_get_wday(s);

	if (w < 0 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
	    s[11] != ' ' || s[16] != ' ' || memcmp(s + 25, " GMT", 4))
		return -1;
	return zch_mktime(zch_get4(s + 12), zch_get_month(s + 8),
			  zch_get2(s + 5), zch_get_time(s + 17), w);
}

/* "Sunday, 06-Nov-94 08:49:37 GMT" */
static s64 zch_parse_rfc850(const char *s, size_t len)
{
	size_t wl = 0;
	int w, y;

	for (w = 0; w < 7; w++) {
		wl = strlen(zch_wday_long[w]);
		if (len == wl + 24 && !memcmp(s, zch_wday_long[w], wl))
			break;
	}
	if (w == 7)
		return -1;
	s += wl;
	if (s[0] != ',' || s[1] != ' ' || s[4] != '-' || s[8] != '-' ||
	    s[11] != ' ' || memcmp(s + 20, " GMT", 4))
		return -1;
	y = zch_get2(s + 9);
	if (y < 0)
		return -1;
	y += y >= 70 ? 1900 : 2000;
	return zch_mktime(y, zch_get_month(s + 5), zch_get2(s + 2),
			  zch_get_time(s + 12), w);
}

/* "Sun Nov  6 08:49:37 1994" */
static s64 zch_parse_asctime(const char *s)
{
	int w = zch_get_wday(s);
	int d;

	if (w < 0 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' ||
	    s[19] != ' ')
		return -1;
	if (s[8] == ' ')
		d = zch_is_digit((u8)s[9]) ? s[9] - '0' : -1;
	else
		d = zch_get2(s + 8);
	return zch_mktime(zch_get4(s + 20), zch_get_month(s + 4), d,
			  zch_get_time(s + 11), w);
}

s64 zch_http_parse_date(const char *s, size_t len)
{
	if (len == 29)
		return zch_parse_imf(s);
	if (len == 24)
		return zch_parse_asctime(s);
	if (len >= 30 && len <= 33)
		return zch_parse_rfc850(s, len);
	return -1;
}

/* Status codes */

struct zch_status {
	u16 status;
	const char *reason;
};

/* Reason phrases (RFC 9110 15) */
static const struct zch_status zch_statuses[] = {
	{ 200, "OK" },
	{ 204, "No Content" },
	{ 206, "Partial Content" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 304, "Not Modified" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 416, "Range Not Satisfiable" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
};

static const struct zch_status *zch_status_find(u16 status)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zch_statuses); i++) {
		if (zch_statuses[i].status == status)
			return &zch_statuses[i];
	}
	return NULL;
}

/* Response header */

struct zch_out {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};

static void zch_put(struct zch_out *o, const char *s, size_t n)
{
	if (o->full || n > o->size - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void zch_puts(struct zch_out *o, const char *s)
{
	zch_put(o, s, strlen(s));
}

static const u64 zch_pow10[] = {
	10000000000000000000ULL, 1000000000000000000ULL, 100000000000000000ULL,
	10000000000000000ULL, 1000000000000000ULL, 100000000000000ULL,
	10000000000000ULL, 1000000000000ULL, 100000000000ULL, 10000000000ULL,
	1000000000ULL, 100000000ULL, 10000000ULL, 1000000ULL, 100000ULL,
	10000ULL, 1000ULL, 100ULL, 10ULL, 1ULL,
};

/* Decimal by repeated subtraction: no 64-bit division */
static void zch_put_u64(struct zch_out *o, u64 v)
{
	char tmp[ARRAY_SIZE(zch_pow10)];
	size_t n = 0;
	size_t i;
	u8 d;

	for (i = 0; i < ARRAY_SIZE(zch_pow10); i++) {
		for (d = 0; v >= zch_pow10[i]; d++)
			v -= zch_pow10[i];
		if (d || n || i == ARRAY_SIZE(zch_pow10) - 1)
			tmp[n++] = (char)('0' + d);
	}
	zch_put(o, tmp, n);
}

size_t zch_http_error_body(char *buf, size_t size, u16 status)
{
	static const char * const html[] = {
		"<html><head><title>", "</title></head><body><h1>",
		"</h1></body></html>\n",
	};
	const struct zch_status *st = zch_status_find(status);
	struct zch_out o = { .buf = buf, .size = size };
	int i;

	for (i = 0; i < 2; i++) {
		zch_puts(&o, html[i]);
		if (st && status >= 400) {
			zch_put_u64(&o, status);
			zch_put(&o, " ", 1);
			zch_puts(&o, st->reason);
		} else {
			zch_puts(&o, "Error");
		}
	}
	zch_puts(&o, html[2]);
	return o.full ? 0 : o.len;
}

/* A header value must not end the line early or carry control bytes */
static bool zch_value_ok(const char *s)
{
	for (; *s; s++) {
		if (zch_is_ctl((u8)*s) && *s != '\t')
			return false;
	}
	return true;
}

static void zch_put_hdr(struct zch_out *o, const char *name, const char *val)
{
	zch_puts(o, name);
	zch_puts(o, val);
	zch_put(o, "\r\n", 2);
}

static void zch_put_hdr_date(struct zch_out *o, const char *name, s64 t)
{
	char date[30];

	zch_http_date(t, date);
	zch_puts(o, name);
	zch_put(o, date, 29);
	zch_put(o, "\r\n", 2);
}

size_t zch_http_format(char *buf, size_t size, const struct zch_http_resp *resp)
{
	const struct zch_status *st = zch_status_find(resp->status);
	struct zch_out o = { .buf = buf, .size = size };
	bool no_body;

	if (resp->status < 100 || resp->status > 999)
		return 0;
	if (resp->content_type && !zch_value_ok(resp->content_type))
		return 0;
	if (resp->location && !zch_value_ok(resp->location))
		return 0;
	if (resp->etag && !zch_value_ok(resp->etag))
		return 0;
	if (resp->status == 206 &&
	    (resp->range_first > resp->range_last ||
	     resp->range_last >= resp->total ||
	     resp->content_length != resp->range_last - resp->range_first + 1))
		return 0;
	/* RFC 9110 8.6: no Content-Length for 1xx, 204 and 304 */
	no_body = resp->status < 200 || resp->status == 204 ||
		  resp->status == 304;

	zch_puts(&o, "HTTP/1.1 ");
	zch_put_u64(&o, resp->status);
	zch_put(&o, " ", 1);
	zch_puts(&o, st ? st->reason : "Unknown");
	zch_puts(&o, "\r\nServer: zchttp\r\n");
	if (resp->date) {
		zch_puts(&o, "Date: ");
		zch_put(&o, resp->date, 29);
		zch_put(&o, "\r\n", 2);
	} else {
		zch_put_hdr_date(&o, "Date: ", resp->now);
	}
	if (!no_body) {
		if (resp->content_type)
			zch_put_hdr(&o, "Content-Type: ", resp->content_type);
		zch_puts(&o, "Content-Length: ");
		zch_put_u64(&o, resp->content_length);
		zch_put(&o, "\r\n", 2);
	}
	if (resp->mtime >= 0)
		zch_put_hdr_date(&o, "Last-Modified: ", resp->mtime);
	/* RFC 9110 15.4.5: a 304 keeps the ETag a 200 would have */
	if (resp->etag)
		zch_put_hdr(&o, "ETag: ", resp->etag);
	if (resp->ranges)
		zch_puts(&o, "Accept-Ranges: bytes\r\n");
	if (resp->status == 206) {
		zch_puts(&o, "Content-Range: bytes ");
		zch_put_u64(&o, resp->range_first);
		zch_put(&o, "-", 1);
		zch_put_u64(&o, resp->range_last);
		zch_put(&o, "/", 1);
		zch_put_u64(&o, resp->total);
		zch_put(&o, "\r\n", 2);
	} else if (resp->status == 416) {
		zch_puts(&o, "Content-Range: bytes */");
		zch_put_u64(&o, resp->total);
		zch_put(&o, "\r\n", 2);
	}
	if (resp->location)
		zch_put_hdr(&o, "Location: ", resp->location);
	if (resp->status == 405)
		zch_puts(&o, "Allow: GET, HEAD\r\n");
	if (resp->retry_after) {
		zch_puts(&o, "Retry-After: ");
		zch_put_u64(&o, resp->retry_after);
		zch_put(&o, "\r\n", 2);
	}
	if (!resp->keepalive)
		zch_puts(&o, "Connection: close\r\n");
	else if (resp->version == 10)
		zch_puts(&o, "Connection: keep-alive\r\n");
	zch_put(&o, "\r\n", 2);

	return o.full ? 0 : o.len;
}

/* MIME types */

#define ZCH_UTF8	"; charset=utf-8"

struct zch_mime {
	const char *ext;
	const char *type;
};

static const struct zch_mime zch_mimes[] = {
	{ "html", "text/html" ZCH_UTF8 },
	{ "htm", "text/html" ZCH_UTF8 },
	{ "xhtml", "application/xhtml+xml" ZCH_UTF8 },
	{ "css", "text/css" ZCH_UTF8 },
	{ "js", "text/javascript" ZCH_UTF8 },
	{ "mjs", "text/javascript" ZCH_UTF8 },
	{ "json", "application/json" ZCH_UTF8 },
	{ "map", "application/json" ZCH_UTF8 },
	{ "webmanifest", "application/manifest+json" ZCH_UTF8 },
	{ "txt", "text/plain" ZCH_UTF8 },
	{ "md", "text/markdown" ZCH_UTF8 },
	{ "csv", "text/csv" ZCH_UTF8 },
	{ "ics", "text/calendar" ZCH_UTF8 },
	{ "xml", "application/xml" ZCH_UTF8 },
	{ "rss", "application/rss+xml" ZCH_UTF8 },
	{ "atom", "application/atom+xml" ZCH_UTF8 },
	{ "svg", "image/svg+xml" ZCH_UTF8 },
	{ "png", "image/png" },
	{ "apng", "image/apng" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "jxl", "image/jxl" },
	{ "ico", "image/x-icon" },
	{ "bmp", "image/bmp" },
	{ "tif", "image/tiff" },
	{ "tiff", "image/tiff" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "ttf", "font/ttf" },
	{ "otf", "font/otf" },
	{ "eot", "application/vnd.ms-fontobject" },
	{ "pdf", "application/pdf" },
	{ "epub", "application/epub+zip" },
	{ "zip", "application/zip" },
	{ "gz", "application/gzip" },
	{ "tgz", "application/gzip" },
	{ "tar", "application/x-tar" },
	{ "bz2", "application/x-bzip2" },
	{ "xz", "application/x-xz" },
	{ "zst", "application/zstd" },
	{ "7z", "application/x-7z-compressed" },
	{ "mp3", "audio/mpeg" },
	{ "ogg", "audio/ogg" },
	{ "opus", "audio/ogg" },
	{ "wav", "audio/wav" },
	{ "flac", "audio/flac" },
	{ "m4a", "audio/mp4" },
	{ "aac", "audio/aac" },
	{ "mp4", "video/mp4" },
	{ "m4v", "video/mp4" },
	{ "webm", "video/webm" },
	{ "mkv", "video/x-matroska" },
	{ "mov", "video/quicktime" },
	{ "avi", "video/x-msvideo" },
	{ "m3u8", "application/vnd.apple.mpegurl" },
	{ "wasm", "application/wasm" },
};

const char *zch_http_mime_type(const char *name, size_t len)
{
	size_t i = len;
	size_t elen;
	size_t k;

	while (i && name[i - 1] != '.' && name[i - 1] != '/')
		i--;
	/* no dot, a dot in a directory name, or a dotfile: no extension */
	if (!i || name[i - 1] != '.' || i == 1 || name[i - 2] == '/')
		return "application/octet-stream";

	elen = len - i;
	for (k = 0; k < ARRAY_SIZE(zch_mimes); k++) {
		if (zch_eq_ci(name + i, elen, zch_mimes[k].ext))
			return zch_mimes[k].type;
	}
	return "application/octet-stream";
}
