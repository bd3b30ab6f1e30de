// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: range requests (RFC 9110 14.1, 14.2) and entity-tags (8.8.3,
 * 13.1.2, 13.1.5), the pure-C part of conditional and partial GETs.
 *
 * Like http.c it is built into the module and into user-space tests, uses
 * nothing but memcmp() and strlen(), never allocates and does no 64-bit
 * division.
 *
 * Decisions where RFC 9110 leaves a choice:
 *  - Range: the unit is compared case-insensitively and must be followed
 *    by '=' at once ("bytes =0-1" names the unit "bytes " and is ignored).
 *    OWS is tolerated around each range-spec, hence right after '=', and
 *    empty list elements are skipped. Within a range-spec no OWS is
 *    allowed ("0 - 9" is malformed).
 *  - A header we do not act on is ignored (200, the whole file): another
 *    unit, a malformed set, any range-spec that is not "a-b", "a-" or
 *    "-n" (other-range included), any "a-b" with b < a (an invalid set),
 *    or a set of several ranges when one of them is satisfiable (no
 *    multipart/byteranges). A valid set with no satisfiable range is 416,
 *    whether it holds one range or several.
 *  - Numbers too large for a u64 saturate at U64_MAX, which gives the
 *    answer exact arithmetic would: a first-pos that large is beyond any
 *    file (416), a last-pos is clamped to the end, a suffix-length means
 *    the whole file. "bytes=0-99999999999999999999999" is thus a 206 for
 *    the whole file and MS15-034's "bytes=18-18446744073709551615" a 206
 *    from byte 18. Whether b < a is decided on the digit strings, exactly.
 *  - An empty file satisfies no range, not even "-n" with n > 0: 416.
 *  - Entity-tags: "W/" is case-sensitive (RFC 9110 8.8.3: %s"W/"). The
 *    list "*" matches in weak comparison only: for If-None-Match it means
 *    "any representation"; in If-Range, a strong context, "*" is not an
 *    entity-tag. "*" inside a list is malformed. An If-Range HTTP-date is
 *    not an entity-tag either, so zch_http_etag_match() is false for it;
 *    the caller tries zch_http_parse_date() on If-Range itself.
 */

#include "http_priv.h"

#define ZCH_U64_MAX	(~(u64)0)

static size_t zch_skip_ows(const char *s, size_t i, size_t n)
{
	while (i < n && zch_is_ows((u8)s[i]))
		i++;
	return i;
}

/* Ranges */

/*
 * Number of leading digits of @s/@n; their value, saturated at U64_MAX,
 * goes to @val.
 */
static size_t zch_digits(const char *s, size_t n, u64 *val)
{
	const u64 lim = 1844674407370955161ULL;	/* U64_MAX / 10 */
	u64 v = 0;
	size_t i;
	u8 d;

	for (i = 0; i < n && zch_is_digit((u8)s[i]); i++) {
		d = (u8)s[i] - '0';
		if (v > lim || (v == lim && d > 5))
			v = ZCH_U64_MAX;
		else
			v = v * 10 + d;
	}
	*val = v;
	return i;
}

/* Compare two non-empty digit strings as numbers, of any length */
static int zch_dec_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	while (an > 1 && *a == '0') {
		a++;
		an--;
	}
	while (bn > 1 && *b == '0') {
		b++;
		bn--;
	}
	if (an != bn)
		return an < bn ? -1 : 1;
	return memcmp(a, b, an);
}

/*
 * One range-spec @s/@n (no OWS, no comma) against @size: -1 if it is not
 * a valid int-range or suffix-range, 0 if it is not satisfiable, 1 if it
 * is, with the bytes to send in @first..@last.
 */
static int zch_range_spec(const char *s, size_t n, u64 size, u64 *first,
			  u64 *last)
{
	size_t a, b;
	u64 x, y;

	a = zch_digits(s, n, &x);
	if (a == n || s[a] != '-')
		return -1;
	b = zch_digits(s + a + 1, n - a - 1, &y);
	if (a + 1 + b != n)
		return -1;

	if (!a) {
		/* suffix-range "-n" */
		if (!b)
			return -1;
		if (!y || !size)
			return 0;
		*first = y >= size ? 0 : size - y;
		*last = size - 1;
		return 1;
	}
	/* int-range "a-b" or "a-" */
	if (b && zch_dec_cmp(s, a, s + a + 1, b) > 0)
		return -1;
	if (x >= size)
		return 0;
	*first = x;
	*last = !b || y >= size - 1 ? size - 1 : y;
	return 1;
}

int zch_http_range(const char *spec, size_t len, u64 size, u64 *first,
		   u64 *last)
{
	size_t nspecs = 0;
	size_t nsat = 0;
	size_t i = 0;
	size_t e;
	u64 f = 0;
	u64 l = 0;
	int ret;

	*first = 0;
	*last = 0;
	while (i < len && spec[i] != '=')
		i++;
	if (i == len || !zch_eq_ci(spec, i, "bytes"))
		return 200;

	i++;
	while (i < len) {
		i = zch_skip_ows(spec, i, len);
		if (i == len)
			break;
		if (spec[i] == ',') {
			i++;
			continue;
		}
		e = i;
		while (e < len && spec[e] != ',' && !zch_is_ows((u8)spec[e]))
			e++;
		ret = zch_range_spec(spec + i, e - i, size, &f, &l);
		if (ret < 0)
			return 200;
		nspecs++;
		if (ret)
			nsat++;
		i = zch_skip_ows(spec, e, len);
		if (i < len && spec[i] != ',')
			return 200;
	}

	if (!nspecs)
		return 200;
	if (!nsat)
		return 416;
	if (nspecs > 1)
		return 200;
	*first = f;
	*last = l;
	return 206;
}

/* Entity-tags */

static size_t zch_put_hex(char *out, u64 v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;
	size_t i;

	do {
		tmp[n++] = hex[v & 15];
		v >>= 4;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* At most 3 * 16 hex digits, 2 dashes, 2 quotes and the NUL: 53 bytes */
size_t zch_http_etag(char *out, u64 ino, u64 size, s64 ctime_ns)
{
	size_t n = 0;

	out[n++] = '"';
	n += zch_put_hex(out + n, ino);
	out[n++] = '-';
	n += zch_put_hex(out + n, size);
	out[n++] = '-';
	n += zch_put_hex(out + n, (u64)ctime_ns);
	out[n++] = '"';
	out[n] = '\0';
	return n;
}

/* RFC 9110 8.8.3 etagc: %x21 / %x23-7E / obs-text */
static bool zch_is_etagc(u8 c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

/*
 * Length of the entity-tag that @s/@n starts with, or 0 if it does not
 * start with one; @weak tells whether it has the W/ prefix.
 */
static size_t zch_etag_len(const char *s, size_t n, bool *weak)
{
	size_t i = 0;

	*weak = n >= 2 && s[0] == 'W' && s[1] == '/';
	if (*weak)
		i = 2;
	if (i >= n || s[i] != '"')
		return 0;
	for (i++; i < n && s[i] != '"'; i++) {
		if (!zch_is_etagc((u8)s[i]))
			return 0;
	}
	return i < n ? i + 1 : 0;
}

bool zch_http_etag_match(const char *list, size_t len, const char *etag,
			 bool weak)
{
	bool match = false;
	bool ew, lw;
	size_t el, ol, t, o;
	size_t i;

	i = zch_skip_ows(list, 0, len);
	while (len > i && zch_is_ows((u8)list[len - 1]))
		len--;
	if (len - i == 1 && list[i] == '*')
		return weak;

	if (!etag)
		return false;
	el = strlen(etag);
	if (!el || zch_etag_len(etag, el, &ew) != el)
		return false;
	if (ew) {
		etag += 2;
		el -= 2;
	}
	/* a strong comparison never matches a weak tag of ours */
	if (ew && !weak)
		return false;

	while (i < len) {
		if (list[i] == ',') {
			i = zch_skip_ows(list, i + 1, len);
			continue;
		}
		t = zch_etag_len(list + i, len - i, &lw);
		if (!t)
			return false;
		o = lw ? 2 : 0;
		ol = t - o;
		if (ol == el && !memcmp(list + i + o, etag, el) &&
		    (weak || !lw))
			match = true;
		i = zch_skip_ows(list, i + t, len);
		if (i < len && list[i] != ',')
			return false;
	}
	return match;
}
