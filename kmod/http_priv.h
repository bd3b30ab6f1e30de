/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zchttp: helpers shared by http.c, http_resp.c and http_cond.c, the
 * pure-C HTTP code (built into the module and into user-space tests).
 */

#ifndef _ZCH_HTTP_PRIV_H
#define _ZCH_HTTP_PRIV_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <string.h>
#endif

#include "http.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static inline bool zch_is_digit(u8 c)
{
	return c >= '0' && c <= '9';
}

static inline bool zch_is_ctl(u8 c)
{
	return c < 0x20 || c == 0x7f;
}

/* RFC 9110 5.6.3 OWS: SP or HTAB */
static inline bool zch_is_ows(u8 c)
{
	return c == ' ' || c == '\t';
}

static inline u8 zch_lower(u8 c)
{
	if (c >= 'A' && c <= 'Z')
		return c + ('a' - 'A');
	return c;
}

/* @s/@n equals the lower-case NUL-terminated @lit, ignoring case */
static inline bool zch_eq_ci(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!lit[i] || zch_lower((u8)s[i]) != (u8)lit[i])
			return false;
	}
	return !lit[n];
}

#endif /* _ZCH_HTTP_PRIV_H */
