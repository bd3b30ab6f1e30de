/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zchttp: in-kernel zero-copy static file HTTP responder.
 *
 * Objects and lock order (outermost first):
 *
 *   zch_cfg_lock (mutex)          the list of roots; adding/removing a root
 *     root->conns_lock (spinlock) the root's list of connections
 *       sk->sk_callback_lock      socket callbacks and sk_user_data
 *   zch_cache_lock (spinlock)     the cache's LRU list and tables (cache.c)
 *
 * A connection is driven by one work item at a time, queued from the
 * socket callbacks and the per-root sweeper: conn->fast on its CPU's
 * worker (workers.c) while the cache answers it, conn->work on zch_wq for
 * the lookup path (conn.c). That work item owns all connection state
 * except the fields marked otherwise below, so the data path takes no
 * lock of its own.
 */

#ifndef _ZCH_ZCH_H
#define _ZCH_ZCH_H

#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/path.h>
#include <linux/refcount.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/u64_stats_sync.h>
#include <net/sock.h>

#include <uapi/linux/zchttp.h>
#include "cache.h"
#include "http.h"

struct zch_root;

/* Counters */

/* Counter indexes; each maps to one ZCHTTP_A_STATS_* attribute. */
enum zch_stat {
	ZCH_STAT_CONNS_ACCEPTED,
	ZCH_STAT_CONNS_REFUSED,
	ZCH_STAT_REQUESTS,
	ZCH_STAT_RESP_2XX,
	ZCH_STAT_RESP_3XX,
	ZCH_STAT_RESP_4XX,
	ZCH_STAT_RESP_5XX,
	ZCH_STAT_BODY_BYTES_ZC,
	ZCH_STAT_BODY_BYTES_COPY,
	ZCH_STAT_HEADER_BYTES,
	ZCH_STAT_PAGECACHE_MISSES,
	ZCH_STAT_PATH_REJECTS,
	ZCH_STAT_PARSE_ERRORS,
	ZCH_STAT_TIMEOUTS,
	ZCH_STAT_RESP_TORN,
	ZCH_STAT_NOMEM,
	ZCH_STAT_CACHE_HITS,
	ZCH_STAT_CACHE_MISSES,
	ZCH_STAT_CACHE_EVICTIONS,
	ZCH_STAT_CACHE_INVALIDATIONS,
	ZCH_STAT_NR,
};

/**
 * struct zch_pcpu_stats - one CPU's share of a set of counters
 * @syncp: makes 64-bit reads consistent on 32-bit machines
 * @c: the counters, indexed by enum zch_stat
 */
struct zch_pcpu_stats {
	struct u64_stats_sync syncp;
	u64_stats_t c[ZCH_STAT_NR];
};

/**
 * struct zch_stats - a set of counters (global, or one root's)
 * @pcpu: per-CPU counters, only ever incremented
 * @base: values at the last reset, subtracted on read; under zch_cfg_lock
 * @active: connections open now (a gauge, not reset)
 * @cache_entries: entries in the cache (a gauge), under zch_cache_lock
 * @cache_bytes: memory they pin (a gauge), under zch_cache_lock
 */
struct zch_stats {
	struct zch_pcpu_stats __percpu *pcpu;
	u64 base[ZCH_STAT_NR];
	atomic_t active;
	unsigned long cache_entries;
	unsigned long cache_bytes;
};

int zch_stats_init(struct zch_stats *s);
void zch_stats_free(struct zch_stats *s);
void zch_stats_read(struct zch_stats *s, u64 out[ZCH_STAT_NR]);
void zch_stats_reset(struct zch_stats *s);
int zch_stats_attr(enum zch_stat i);
void zch_stat_add(struct zch_root *root, enum zch_stat i, u64 v);
void zch_stat_add_hit(struct zch_root *root, u64 hdr, u64 body);

extern struct zch_stats zch_global_stats;

/* Document roots */

/**
 * struct zch_root_cfg - what ZCHTTP_CMD_ROOT_ADD asks for
 * @path: document root directory
 * @index: index file name for directories
 * @addr: listen address (port filled in)
 * @addrlen: sizeof(struct sockaddr_in) or sizeof(struct sockaddr_in6);
 *	0 means any address, IPv6 and IPv4
 * @port: TCP port, host order
 * @flags: enum zchttp_root_flags
 * @limits: request head limits
 * @uid: user the root reads files as
 * @gid: group the root reads files as
 */
struct zch_root_cfg {
	const char *path;
	const char *index;
	struct sockaddr_storage addr;
	int addrlen;
	u16 port;
	u32 flags;
	struct zch_http_limits limits;
	kuid_t uid;
	kgid_t gid;
};

/**
 * struct zch_root - a document root served on one listening socket
 * @node: entry in zch_roots, under zch_cfg_lock
 * @refs: one for the roots list (or its deleter), one per connection
 * @path: the document root, held from add to release
 * @cred: the credential lookups and opens run with: @uid and @gid of
 *	the configuration, no supplementary group, no capability
 * @zerocopy: bodies may be sent by page reference: the root's file system
 *	keeps its page cache authoritative, and the root is not in copy mode
 * @lsock: listening socket; NULL once stopped
 * @addr: bound address, as reported to user space
 * @addrlen: length of @addr
 * @port: TCP port, host order; the key of the root
 * @flags: enum zchttp_root_flags
 * @limits: request head limits, fixed from add to release
 * @index: index file name
 * @dying: set once deletion starts, under @conns_lock; no new connection
 *	is added
 * @accept_work: accepts queued connections
 * @sweep_work: once a second, pokes connections that may have timed out
 * @conns_lock: protects @conns and @dying
 * @conns: open connections (struct zch_conn.node)
 * @stats: this root's counters
 * @cache: this root's cache entries
 * @saved_data_ready: the listener's original callback, restored on stop
 *	and on the accepted sockets, which inherit the replaced one
 */
struct zch_root {
	struct list_head node;
	refcount_t refs;
	struct path path;
	const struct cred *cred;
	bool zerocopy;
	struct socket *lsock;
	struct sockaddr_storage addr;
	int addrlen;
	u16 port;
	u32 flags;
	struct zch_http_limits limits;
	char index[ZCHTTP_INDEX_MAX + 1];
	bool dying;
	struct work_struct accept_work;
	struct delayed_work sweep_work;
	spinlock_t conns_lock; /* protects conns and dying */
	struct list_head conns;
	struct zch_stats stats;
	struct zch_cache cache;
	void (*saved_data_ready)(struct sock *sk);
};

extern struct mutex zch_cfg_lock;
extern struct list_head zch_roots;
extern struct workqueue_struct *zch_wq;

int zch_root_add(const struct zch_root_cfg *cfg,
		 struct netlink_ext_ack *extack);
int zch_root_del(u16 port, struct netlink_ext_ack *extack);
struct zch_root *zch_root_find(u16 port);
void zch_root_put(struct zch_root *root);
void zch_roots_destroy(void);

/* Listening sockets */

int zch_listener_start(struct zch_root *root, const struct zch_root_cfg *cfg,
		       struct netlink_ext_ack *extack);
void zch_listener_stop(struct zch_root *root);

/* Connections */

int zch_conn_create(struct zch_root *root, struct socket *sock);
void zch_conn_kill_all(struct zch_root *root);
void zch_conn_sweep(struct zch_root *root);
void zch_conn_wait_all(void);

int zch_conn_cache_init(void);
void zch_conn_cache_exit(void);

/* Generic netlink */

int zch_netlink_init(void);
void zch_netlink_exit(void);

#endif /* _ZCH_ZCH_H */
