/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zchttp: the pinned hot-object cache (Documentation/zchttp.rst, "The
 * cache").
 */

#ifndef _ZCH_CACHE_H
#define _ZCH_CACHE_H

#include <linux/atomic.h>
#include <linux/bvec.h>
#include <linux/path.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>

struct zch_conn;
struct zch_root;
struct zch_http_req;
struct zch_http_resp;
struct zch_cache_entry;

/**
 * struct zch_cache - one root's cache entries
 * @ht: the entries, by decoded request path; looked up under RCU,
 *	changed under zch_cache_lock (cache.c)
 * @entries: the same entries, for the root's sweep and flush, so that
 *	neither walks the other roots' entries; under zch_cache_lock
 * @putting: entries taken off @ht whose table reference is not yet put:
 *	emptying the cache waits for them, so no dentry is left held
 */
struct zch_cache {
	struct rhashtable ht;
	struct list_head entries;
	atomic_t putting;
};

/**
 * struct zch_stamp - what a file's response header is made of
 * @size: its size
 * @mtime: its modification time, seconds (Last-Modified)
 * @ctime: its change time, nanoseconds (the ETag, and any change at all)
 */
struct zch_stamp {
	u64 size;
	s64 mtime;
	s64 ctime;
};

/**
 * struct zch_cache_hit - a response being sent from a cache entry
 * @entry: the entry, referenced; NULL when the response is not a hit
 * @date: the page of the response's Date value (date.c), referenced
 * @sent: bytes of the response already queued
 * @len: bytes of the response: its header, then its body unless HEAD
 * @variant: which of the entry's headers (by its Connection header)
 */
struct zch_cache_hit {
	struct zch_cache_entry *entry;
	struct page *date;
	u32 sent;
	u32 len;
	u8 variant;
};

void zch_stamp_read(struct zch_stamp *st, const struct inode *inode);

int zch_cache_init(struct zch_cache *cache);
void zch_cache_destroy(struct zch_root *root);
void zch_cache_flush(struct zch_root *root);
void zch_cache_sweep(struct zch_root *root);

bool zch_cache_enabled(const struct zch_root *root);
bool zch_cache_respond(struct zch_conn *conn, const struct zch_http_req *req);
bool zch_cache_wants(const struct zch_root *root,
		     const struct zch_http_req *req, u64 size);
struct zch_cache_entry *zch_cache_prepare(struct zch_conn *conn,
					  const struct zch_http_req *req,
					  const struct path *path,
					  const struct zch_http_resp *resp,
					  const struct zch_stamp *st);
void zch_cache_commit(struct zch_cache_entry *e, bool still);

unsigned int zch_cache_hit_bvec(const struct zch_cache_hit *hit,
				struct bio_vec *bv, unsigned int max,
				size_t *len, size_t *hdr);
void zch_cache_hit_end(struct zch_cache_hit *hit);

int zch_cache_module_init(void);
void zch_cache_module_exit(void);

#endif /* _ZCH_CACHE_H */
