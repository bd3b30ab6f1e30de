/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * zchttp: in-kernel zero-copy static file HTTP responder.
 *
 * Generic netlink UAPI. Documentation/netlink/specs/zchttp.yaml describes
 * the same family; keep both in step.
 */

#ifndef _UAPI_LINUX_ZCHTTP_H
#define _UAPI_LINUX_ZCHTTP_H

#define ZCHTTP_FAMILY_NAME	"zchttp"
#define ZCHTTP_FAMILY_VERSION	1

/* Limits shared by the module and its tools. */
#define ZCHTTP_PATH_MAX		4095	/* document root path, without NUL */
#define ZCHTTP_INDEX_MAX	63	/* index file name, without NUL */
#define ZCHTTP_ROOTS_MAX	64	/* roots at once */

/*
 * Request head limits of a root (ZCHTTP_A_ROOT_LIMIT_*): the bounds a
 * root may set and the values of a root that sets none. The request line
 * limit may not exceed the head limit.
 */
#define ZCHTTP_REQLINE_MIN	256	/* request line, bytes without CRLF */
#define ZCHTTP_REQLINE_MAX	16384
#define ZCHTTP_REQLINE_DEFAULT	4096
#define ZCHTTP_HEAD_MIN		1024	/* whole head, bytes */
#define ZCHTTP_HEAD_MAX		65536
#define ZCHTTP_HEAD_DEFAULT	8192
#define ZCHTTP_HEADERS_MIN	8	/* header lines */
#define ZCHTTP_HEADERS_MAX	1000
#define ZCHTTP_HEADERS_DEFAULT	100

/*
 * The user and group a root reads files as (ZCHTTP_A_ROOT_UID/_GID) when
 * it names none: "nobody" and "nogroup".
 */
#define ZCHTTP_UID_DEFAULT	65534
#define ZCHTTP_GID_DEFAULT	65534

/**
 * enum zchttp_root_flags - per-root behaviour switches
 * @ZCHTTP_ROOT_F_COPY: send bodies by copy instead of by page reference
 *	(for comparison and for tests that must see the copy path)
 */
enum zchttp_root_flags {
	ZCHTTP_ROOT_F_COPY = 1,
};

/* attribute set "root": a document root and its listening socket */
enum {
	ZCHTTP_A_ROOT_UNSPEC,
	ZCHTTP_A_ROOT_PAD,
	ZCHTTP_A_ROOT_PORT,	/* u16, host order; the root's key */
	ZCHTTP_A_ROOT_ADDR,	/* binary, 4 or 16 bytes, network order */
	ZCHTTP_A_ROOT_PATH,	/* NUL-terminated string */
	ZCHTTP_A_ROOT_INDEX,	/* NUL-terminated string, index file name */
	ZCHTTP_A_ROOT_FLAGS,	/* u32, enum zchttp_root_flags */
	ZCHTTP_A_ROOT_CONNS,	/* u32, connections open now (reply only) */
	ZCHTTP_A_ROOT_STATS,	/* nest, attribute set "stats" (reply only) */
	ZCHTTP_A_ROOT_LIMIT_REQLINE,	/* u32, request line bytes; else 414 */
	ZCHTTP_A_ROOT_LIMIT_HEAD,	/* u32, request head bytes; else 431 */
	ZCHTTP_A_ROOT_LIMIT_HEADERS,	/* u32, header lines; else 431 */
	ZCHTTP_A_ROOT_UID,	/* u32, user files are read as */
	ZCHTTP_A_ROOT_GID,	/* u32, group files are read as */

	__ZCHTTP_A_ROOT_MAX,
	ZCHTTP_A_ROOT_MAX = (__ZCHTTP_A_ROOT_MAX - 1)
};

/* attribute set "stats": counters, all u64 except where noted */
enum {
	ZCHTTP_A_STATS_UNSPEC,
	ZCHTTP_A_STATS_PAD,
	ZCHTTP_A_STATS_CONNS_ACCEPTED,	/* connections accepted */
	ZCHTTP_A_STATS_CONNS_ACTIVE,	/* connections open now */
	ZCHTTP_A_STATS_CONNS_REFUSED,	/* refused at accept: limit reached */
	ZCHTTP_A_STATS_REQUESTS,	/* complete requests parsed */
	ZCHTTP_A_STATS_RESP_2XX,	/* responses by status class */
	ZCHTTP_A_STATS_RESP_3XX,
	ZCHTTP_A_STATS_RESP_4XX,
	ZCHTTP_A_STATS_RESP_5XX,
	ZCHTTP_A_STATS_BODY_BYTES_ZC,	/* body bytes sent by page reference */
	ZCHTTP_A_STATS_BODY_BYTES_COPY,	/* body bytes sent by copy */
	ZCHTTP_A_STATS_HEADER_BYTES,	/* response header bytes sent */
	ZCHTTP_A_STATS_PAGECACHE_MISSES, /* folios not uptodate in the cache */
	ZCHTTP_A_STATS_PATH_REJECTS,	/* lookups refused (escape, mode) */
	ZCHTTP_A_STATS_PARSE_ERRORS,	/* malformed requests */
	ZCHTTP_A_STATS_TIMEOUTS,	/* connections closed by a timeout */
	ZCHTTP_A_STATS_RESP_TORN,	/* responses cut short: the file shrank */
	ZCHTTP_A_STATS_NOMEM,		/* allocations that failed: 503 or close */
	ZCHTTP_A_STATS_CACHE_HITS,	/* requests answered from the cache */
	ZCHTTP_A_STATS_CACHE_MISSES,	/* cacheable requests it could not answer */
	ZCHTTP_A_STATS_CACHE_EVICTIONS,	/* entries evicted: budget, memory */
	ZCHTTP_A_STATS_CACHE_INVALIDATIONS, /* entries dropped: the file changed */
	ZCHTTP_A_STATS_CACHE_ENTRIES,	/* entries now (a gauge) */
	ZCHTTP_A_STATS_CACHE_BYTES,	/* memory they pin (a gauge) */

	__ZCHTTP_A_STATS_MAX,
	ZCHTTP_A_STATS_MAX = (__ZCHTTP_A_STATS_MAX - 1)
};

enum {
	ZCHTTP_CMD_UNSPEC,
	ZCHTTP_CMD_ROOT_ADD,	/* admin: PORT, ADDR?, PATH, INDEX?, FLAGS?,
				 * LIMIT_REQLINE?, LIMIT_HEAD?, LIMIT_HEADERS?,
				 * UID?, GID?
				 */
	ZCHTTP_CMD_ROOT_DEL,	/* admin: PORT */
	ZCHTTP_CMD_ROOT_GET,	/* do: PORT; dump: all roots */
	ZCHTTP_CMD_STATS_GET,	/* do: PORT? (none: global counters) */
	ZCHTTP_CMD_STATS_RESET,	/* admin: PORT? (none: global and all roots) */
	ZCHTTP_CMD_CACHE_FLUSH,	/* admin: PORT? (none: all roots) */

	__ZCHTTP_CMD_MAX,
	ZCHTTP_CMD_MAX = (__ZCHTTP_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_ZCHTTP_H */
