// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: the pinned hot-object cache.
 *
 * An entry answers GET and HEAD of one decoded request path of one root
 * without a path walk, an open or a header to format: it holds the file's
 * dentry, the file's page-cache folios by reference (files up to
 * cache_file_max bytes), its 200 header prebuilt in three forms (by the
 * Connection header the request needs) with the Date value left to a
 * per-CPU page (date.c), and the stamp the header was made from. The
 * entry is one page from the page allocator: the struct, the folio list,
 * the key and the headers, so the headers go to TCP by reference like the
 * body.
 *
 * Coherence: a hit never serves what an uncached lookup would not serve
 * at that moment. Each hit checks, without a lock:
 *   - the file's size, mtime and ctime are those of the header;
 *   - then every folio is still in the file's mapping and uptodate
 *     (truncation, hole punching and direct I/O remove folios from the
 *     mapping even while they are referenced; a truncation changes the
 *     size first, so this order sees a truncation and rewrite within one
 *     tick of the clock);
 *   - walking up from the file's dentry to the root's directory: each
 *     dentry is the one recorded, with the d_seq recorded (a rename,
 *     unlink or other change of the dentry bumps it), hashed, not a mount
 *     point, and each directory, the root's included, has the change time
 *     recorded (chmod, chown, ACLs, security labels and every entry added
 *     or removed change it).
 * Writes into the file change the folios the entry holds, as they change
 * what an uncached response would send. A hit of a GET breaks a lease as
 * an open would (503 from the lookup path while one is held). An entry is
 * made only after a second lookup with the root's credential finds the
 * same dentry once the stamps are taken, so a change between the first
 * lookup and the stamps is not missed either. What is not seen: LSM
 * policy reloads; and a hit opens nothing, so LSM and fanotify open
 * checks run on the lookup path only. fsnotify marks are not used: their
 * events come after the change is visible, so a hit would need these
 * checks anyway; each root's sweeper checks the root's entries (its own
 * list of them, not the LRU of all roots) once a second, so a deleted
 * file's blocks are not held for long.
 *
 * The walk runs under RCU from the referenced file dentry through d_parent
 * pointers, as an RCU path walk does, so a dentry or inode freed by a
 * concurrent rename stays readable; a recorded pointer is only compared,
 * never followed.
 *
 * Budget: cache_bytes over all roots (entry pages and folios), CLOCK
 * eviction, and a shrinker under memory pressure.
 *
 * Locking: zch_cache_lock (a spinlock) protects the LRU list, the roots'
 * lists of entries, each entry's @listed and its presence in its root's
 * table, and the gauges; lookups
 * are RCU. An entry's reference count has one reference for the table
 * and one per response in flight; the last one releases the dentry, the
 * inode and the folios and frees the page after an RCU grace period.
 */

#include <linux/dcache.h>
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/rhashtable.h>
#include <linux/seqlock.h>
#include <linux/sizes.h>
#include <linux/wait_bit.h>

#include "cache.h"
#include "conn.h"
#include "date.h"

/* directories between the root and a cached file */
#define ZCH_CACHE_DEPTH		8
/* folios of a cached file: 256 KiB of small folios, more of large ones */
#define ZCH_CACHE_PIECES	64

static unsigned long zch_cache_budget = SZ_64M;
module_param_named(cache_bytes, zch_cache_budget, ulong, 0644);
MODULE_PARM_DESC(cache_bytes, "Bytes the cache may pin over all roots (0: no cache)");

static unsigned int zch_cache_file_max = SZ_256K;
module_param_named(cache_file_max, zch_cache_file_max, uint, 0644);
MODULE_PARM_DESC(cache_file_max, "Largest file the cache holds, in bytes");

/* the entry's headers, by the Connection header of the response */
enum {
	ZCH_CACHE_KEEP,		/* HTTP/1.1 keep-alive: none */
	ZCH_CACHE_CLOSE,	/* Connection: close */
	ZCH_CACHE_KEEP10,	/* HTTP/1.0 keep-alive: Connection: keep-alive */
	ZCH_CACHE_NR_HDR,
};

/**
 * struct zch_cache_link - one dentry of a cached path, as it was recorded
 * @dentry: the dentry; compared, never followed (only the file's is
 *	referenced)
 * @seq: its d_seq
 * @ctime: its inode's change time (a directory's; the file's is in the
 *	stamp)
 */
struct zch_cache_link {
	const struct dentry *dentry;
	unsigned int seq;
	s64 ctime;
};

/**
 * struct zch_cache_entry - one cached response, in a page of its own
 * @node: in the root's table, under zch_cache_lock
 * @lru: in zch_cache_lru while @listed; then on a list of entries to put
 * @rnode: in its root's cache.entries while @listed
 * @rcu: frees the page after the readers of the table
 * @refs: one for the table, one per response in flight
 * @root: the root; outlives its entries
 * @dentry: the file, referenced; pins the directories above it
 * @inode: the file's inode, referenced
 * @mapping: the file's mapping
 * @depth: directories between the root and the file
 * @slash: the key asked for a directory (its index)
 * @referenced: used since the CLOCK hand passed
 * @listed: in the table and on the LRU, under zch_cache_lock
 * @key_len: length of @key
 * @nr_body: pieces in @body
 * @date_off: offset of the Date value in each header
 * @hdr_len: length of each header
 * @bytes: memory pinned: the page and the folios
 * @stamp: the file's stamp of the headers
 * @chain: the file's dentry, each directory's up to the root's, and the
 *	root's directory: @depth + 2 links
 * @key: the decoded request path, in the page
 * @hdr: the headers, in the page
 * @body: the file's bytes, one piece per folio
 */
struct zch_cache_entry {
	struct rhash_head node;
	struct list_head lru;
	struct list_head rnode;
	struct rcu_head rcu;
	refcount_t refs;
	struct zch_root *root;
	struct dentry *dentry;
	struct inode *inode;
	struct address_space *mapping;
	u8 depth;
	bool slash;
	bool referenced;
	bool listed;
	u16 key_len;
	u16 nr_body;
	u16 date_off;
	u16 hdr_len[ZCH_CACHE_NR_HDR];
	size_t bytes;
	struct zch_stamp stamp;
	struct zch_cache_link chain[ZCH_CACHE_DEPTH + 2];
	const char *key;
	const char *hdr[ZCH_CACHE_NR_HDR];
	struct bio_vec body[];
};

/* what a request asks the table for */
struct zch_cache_key {
	const char *path;
	u16 len;
	bool slash;
};

static DEFINE_SPINLOCK(zch_cache_lock);	/* see the top of this file */
static LIST_HEAD(zch_cache_lru);	/* CLOCK order, under zch_cache_lock */
static size_t zch_cache_pinned;		/* under zch_cache_lock */
static struct shrinker *zch_cache_shrinker;

static u32 zch_cache_hashfn(const void *data, u32 len, u32 seed)
{
	const struct zch_cache_key *k = data;

	return jhash(k->path, k->len, seed ^ k->slash);
}

static u32 zch_cache_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct zch_cache_entry *e = data;

	return jhash(e->key, e->key_len, seed ^ e->slash);
}

static int zch_cache_obj_cmpfn(struct rhashtable_compare_arg *arg,
			       const void *obj)
{
	const struct zch_cache_key *k = arg->key;
	const struct zch_cache_entry *e = obj;

	return k->len != e->key_len || k->slash != e->slash ||
	       memcmp(k->path, e->key, k->len);
}

static const struct rhashtable_params zch_cache_params = {
	.head_offset = offsetof(struct zch_cache_entry, node),
	.hashfn = zch_cache_hashfn,
	.obj_hashfn = zch_cache_obj_hashfn,
	.obj_cmpfn = zch_cache_obj_cmpfn,
	.automatic_shrinking = true,
};

/**
 * zch_stamp_read() - the parts of a file its 200 header is made of
 * @st: receives them
 * @inode: the file
 */
void zch_stamp_read(struct zch_stamp *st, const struct inode *inode)
{
	st->size = i_size_read(inode);
	st->mtime = zch_inode_mtime_sec(inode);
	st->ctime = zch_inode_ctime_ns(inode);
}

static bool zch_stamp_equal(const struct zch_stamp *a,
			    const struct zch_stamp *b)
{
	return a->size == b->size && a->mtime == b->mtime &&
	       a->ctime == b->ctime;
}

/**
 * zch_cache_init() - set up a root's cache, empty
 * @cache: the root's
 *
 * Return: 0 or -ENOMEM.
 */
int zch_cache_init(struct zch_cache *cache)
{
	INIT_LIST_HEAD(&cache->entries);
	atomic_set(&cache->putting, 0);
	return rhashtable_init(&cache->ht, &zch_cache_params);
}

static void zch_cache_free_rcu(struct rcu_head *rcu)
{
	struct zch_cache_entry *e = container_of(rcu, struct zch_cache_entry,
						 rcu);

	/* TCP may still hold the page for headers in flight */
	put_page(virt_to_page(e));
}

/* The last reference: unpin the file and its folios. */
static void zch_cache_release(struct zch_cache_entry *e)
{
	unsigned int i;

	for (i = 0; i < e->nr_body; i++)
		folio_put(page_folio(e->body[i].bv_page));
	iput(e->inode);
	dput(e->dentry);
	call_rcu(&e->rcu, zch_cache_free_rcu);
}

/* Context: process context, or reclaim that allows __GFP_FS (dput()). */
static void zch_cache_put(struct zch_cache_entry *e)
{
	if (refcount_dec_and_test(&e->refs))
		zch_cache_release(e);
}

/*
 * Take @e off its table and the LRU; the table's reference passes to the
 * caller, who gives it to zch_cache_drop() once zch_cache_lock is dropped.
 */
static void zch_cache_unlist(struct zch_cache_entry *e)
{
	struct zch_stats *rs = &e->root->stats;

	lockdep_assert_held(&zch_cache_lock);
	rhashtable_remove_fast(&e->root->cache.ht, &e->node, zch_cache_params);
	list_del(&e->lru);
	list_del(&e->rnode);
	e->listed = false;
	atomic_inc(&e->root->cache.putting);
	zch_cache_pinned -= e->bytes;
	rs->cache_entries--;
	rs->cache_bytes -= e->bytes;
	zch_global_stats.cache_entries--;
	zch_global_stats.cache_bytes -= e->bytes;
}

/* Put the table's reference of an entry zch_cache_unlist() took off. */
static void zch_cache_drop(struct zch_cache_entry *e)
{
	struct zch_cache *cache = &e->root->cache;

	zch_cache_put(e);
	if (atomic_dec_and_test(&cache->putting))
		wake_up_var(&cache->putting);
}

/* zch_cache_drop() each entry on @list (via @lru). */
static void zch_cache_put_list(struct list_head *list)
{
	struct zch_cache_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, list, lru)
		zch_cache_drop(e);
}

/*
 * Evict in CLOCK order until the cache fits @budget: an entry used since
 * the hand last passed gets a second chance. The evicted go on @dead.
 */
static void zch_cache_evict(size_t budget, struct list_head *dead)
{
	unsigned long turns = 0;
	struct zch_cache_entry *e;

	lockdep_assert_held(&zch_cache_lock);
	while (zch_cache_pinned > budget && !list_empty(&zch_cache_lru)) {
		e = list_first_entry(&zch_cache_lru, struct zch_cache_entry,
				     lru);
		/* every entry referenced: after one full turn, evict anyway */
		if (READ_ONCE(e->referenced) &&
		    turns++ < zch_global_stats.cache_entries) {
			WRITE_ONCE(e->referenced, false);
			list_move_tail(&e->lru, &zch_cache_lru);
			continue;
		}
		zch_cache_unlist(e);
		list_add_tail(&e->lru, dead);
		zch_stat_add(e->root, ZCH_STAT_CACHE_EVICTIONS, 1);
	}
}

/* Take @e out of the cache: it no longer answers like a lookup would. */
static void zch_cache_invalidate(struct zch_cache_entry *e)
{
	bool listed;

	spin_lock(&zch_cache_lock);
	listed = e->listed;
	if (listed)
		zch_cache_unlist(e);
	spin_unlock(&zch_cache_lock);
	if (listed) {
		zch_stat_add(e->root, ZCH_STAT_CACHE_INVALIDATIONS, 1);
		zch_cache_drop(e);
	}
}

/**
 * zch_cache_flush() - empty a root's cache
 * @root: the root
 *
 * Entries held by responses in flight go with their last response; the
 * table's references are all put when this returns, including those that
 * eviction elsewhere took off just before.
 *
 * Context: process context.
 */
void zch_cache_flush(struct zch_root *root)
{
	struct zch_cache_entry *e, *tmp;
	LIST_HEAD(dead);

	spin_lock(&zch_cache_lock);
	list_for_each_entry_safe(e, tmp, &root->cache.entries, rnode) {
		zch_cache_unlist(e);
		list_add_tail(&e->lru, &dead);
	}
	spin_unlock(&zch_cache_lock);
	zch_cache_put_list(&dead);
	wait_var_event(&root->cache.putting, !atomic_read(&root->cache.putting));
}

/**
 * zch_cache_destroy() - empty a root's cache and free its table
 * @root: the root, with no connection left
 *
 * Returns with every dentry of the root's entries put, so the file
 * system is not kept busy.
 *
 * Context: process context.
 */
void zch_cache_destroy(struct zch_root *root)
{
	zch_cache_flush(root);
	rhashtable_destroy(&root->cache.ht);
}

/*
 * Does @e still answer as a lookup would now? See the top of this file.
 * Lock-free; the walk up the dentries is under RCU.
 */
static bool zch_cache_valid(const struct zch_cache_entry *e)
{
	const struct zch_cache_link *l = e->chain;
	const struct dentry *d = e->dentry;
	const struct inode *inode;
	struct zch_stamp st;
	unsigned int i;
	bool ok = false;

	zch_stamp_read(&st, e->inode);
	if (!zch_stamp_equal(&st, &e->stamp))
		return false;
	/* the size before the folios: see the top of this file */
	smp_rmb();
	for (i = 0; i < e->nr_body; i++) {
		struct folio *folio = page_folio(e->body[i].bv_page);

		if (READ_ONCE(folio->mapping) != e->mapping ||
		    !folio_test_uptodate(folio))
			return false;
	}

	rcu_read_lock();
	for (i = 0; i <= e->depth; i++, l++) {
		if (raw_read_seqcount(&d->d_seq) != l->seq || d_unhashed(d) ||
		    d_mountpoint(d))
			goto out;
		inode = READ_ONCE(d->d_inode);
		if (!inode || (i && zch_inode_ctime_ns(inode) != l->ctime))
			goto out;
		d = READ_ONCE(d->d_parent);
		if (d != l[1].dentry)
			goto out;
	}
	/* @d is the root's directory */
	inode = READ_ONCE(d->d_inode);
	ok = inode && zch_inode_ctime_ns(inode) == l->ctime;
out:
	rcu_read_unlock();
	return ok;
}

/**
 * zch_cache_sweep() - drop the entries of a root that went stale
 * @root: the root
 *
 * So that a deleted or replaced file is not pinned until its next request;
 * and, after cache_bytes was lowered, evict down to it.
 *
 * Context: process context, the root's sweeper.
 */
void zch_cache_sweep(struct zch_root *root)
{
	struct zch_cache_entry *e, *tmp;
	LIST_HEAD(stale);

	spin_lock(&zch_cache_lock);
	zch_cache_evict(READ_ONCE(zch_cache_budget), &stale);
	list_for_each_entry_safe(e, tmp, &root->cache.entries, rnode) {
		if (zch_cache_valid(e))
			continue;
		zch_cache_unlist(e);
		list_add_tail(&e->lru, &stale);
		zch_stat_add(root, ZCH_STAT_CACHE_INVALIDATIONS, 1);
	}
	spin_unlock(&zch_cache_lock);
	zch_cache_put_list(&stale);
}

static bool zch_cache_plain(const struct zch_http_req *req)
{
	/* conditional and range requests take the lookup path */
	return !req->range && !req->inm && !req->if_range && req->ims < 0;
}

static u8 zch_cache_variant(const struct zch_http_req *req)
{
	if (!req->keepalive)
		return ZCH_CACHE_CLOSE;
	return req->version == 10 ? ZCH_CACHE_KEEP10 : ZCH_CACHE_KEEP;
}

/**
 * zch_cache_respond() - answer a request from the cache, if it can be
 * @conn: the connection, with no response in flight
 * @req: the parsed request
 *
 * On a hit, sets up conn->tx.hit; the header and body then go out from
 * the entry's pages (zch_cache_hit_bvec()). No allocation, no lock: an
 * RCU lookup, the checks of zch_cache_valid() and two references.
 *
 * Context: the connection's work.
 * Return: true on a hit; false to take the lookup path.
 */
bool zch_cache_respond(struct zch_conn *conn, const struct zch_http_req *req)
{
	struct zch_root *root = conn->root;
	struct zch_cache_hit *hit = &conn->tx.hit;
	struct zch_cache_key key = {
		.path = req->path,
		.len = req->path_len,
		.slash = req->trailing_slash,
	};
	struct zch_cache_entry *e;
	struct page *date;

	if (!zch_cache_enabled(root) || !zch_cache_plain(req))
		return false;

	rcu_read_lock();
	e = rhashtable_lookup(&root->cache.ht, &key, zch_cache_params);
	if (e && !refcount_inc_not_zero(&e->refs))
		e = NULL;
	rcu_read_unlock();
	if (!e) {
		zch_stat_add(root, ZCH_STAT_CACHE_MISSES, 1);
		return false;
	}
	if (!zch_cache_valid(e)) {
		zch_cache_invalidate(e);
		zch_cache_put(e);
		zch_stat_add(root, ZCH_STAT_CACHE_MISSES, 1);
		return false;
	}
	/* as the open of the lookup path would; that path answers 503 */
	if (req->method == ZCH_HTTP_GET &&
	    break_lease(e->inode, O_RDONLY | O_NONBLOCK)) {
		zch_cache_put(e);
		return false;
	}
	date = zch_date_page();
	if (!date) {
		zch_cache_put(e);
		return false;
	}
	if (!READ_ONCE(e->referenced))
		WRITE_ONCE(e->referenced, true);

	hit->entry = e;
	hit->date = date;
	hit->variant = zch_cache_variant(req);
	hit->sent = 0;
	hit->len = e->hdr_len[hit->variant];
	if (req->method != ZCH_HTTP_HEAD)
		hit->len += e->stamp.size;
	return true;
}

/**
 * zch_cache_hit_bvec() - the next pieces of a hit's response
 * @hit: the hit, @hit->sent bytes of it queued
 * @bv: receives up to @max pieces from there on
 * @max: room in @bv
 * @len: receives the bytes in @bv
 * @hdr: receives how many of them are header bytes
 *
 * The header is three pieces: the entry's text up to the Date value, the
 * Date page, the rest of the text; the body one piece per folio, unless
 * the response ends with the header (HEAD).
 *
 * Return: the number of pieces in @bv.
 */
unsigned int zch_cache_hit_bvec(const struct zch_cache_hit *hit,
				struct bio_vec *bv, unsigned int max,
				size_t *len, size_t *hdr)
{
	const struct zch_cache_entry *e = hit->entry;
	const char *text = e->hdr[hit->variant];
	size_t hlen = e->hdr_len[hit->variant];
	unsigned int i, n = 0, pieces = 3 + e->nr_body;
	struct page *page = virt_to_page(e);
	size_t start, pos = 0, lo, hi;
	struct bio_vec piece;

	for (i = 0; i < pieces && n < max && pos < hit->len; i++) {
		if (i == 0)
			bvec_set_page(&piece, page, e->date_off,
				      offset_in_page(text));
		else if (i == 1)
			bvec_set_page(&piece, hit->date, ZCH_DATE_LEN, 0);
		else if (i == 2)
			bvec_set_page(&piece, page,
				      hlen - e->date_off - ZCH_DATE_LEN,
				      offset_in_page(text + e->date_off +
						     ZCH_DATE_LEN));
		else
			piece = e->body[i - 3];
		/* the piece is [start, pos) of the response: what of it is due */
		start = pos;
		pos += piece.bv_len;
		lo = max_t(size_t, start, hit->sent);
		hi = min_t(size_t, pos, hit->len);
		if (lo >= hi)
			continue;
		piece.bv_offset += lo - start;
		piece.bv_len = hi - lo;
		bv[n++] = piece;
	}
	*len = 0;
	for (i = 0; i < n; i++)
		*len += bv[i].bv_len;
	*hdr = hit->sent < hlen ? min(hlen - hit->sent, *len) : 0;
	return n;
}

/**
 * zch_cache_hit_end() - drop a hit's references
 * @hit: the hit; zeroed
 *
 * Context: process context.
 */
void zch_cache_hit_end(struct zch_cache_hit *hit)
{
	if (hit->entry)
		zch_cache_put(hit->entry);
	if (hit->date)
		put_page(hit->date);
	memset(hit, 0, sizeof(*hit));
}

/**
 * zch_cache_wants() - should a response be made into an entry
 * @root: the root
 * @req: the request
 * @size: the size of the file that answers it with 200
 *
 * Return: true if the root caches and the request and file qualify.
 */
bool zch_cache_wants(const struct zch_root *root,
		     const struct zch_http_req *req, u64 size)
{
	return zch_cache_enabled(root) &&
	       size <= READ_ONCE(zch_cache_file_max) && zch_cache_plain(req);
}

/**
 * zch_cache_enabled() - may a root's requests be answered from the cache
 * @root: the root
 *
 * Return: true if @root sends by reference and the cache has a budget.
 */
bool zch_cache_enabled(const struct zch_root *root)
{
	return root->zerocopy && READ_ONCE(zch_cache_budget);
}

/*
 * Record the path from the file's dentry up to the root's directory, as
 * zch_cache_valid() will walk it.
 */
static bool zch_cache_walk(struct zch_cache_entry *e)
{
	const struct dentry *d = e->dentry;
	struct zch_cache_link *l = e->chain;
	const struct inode *inode;
	unsigned int i;
	bool ok = false;

	rcu_read_lock();
	for (i = 0; i <= ZCH_CACHE_DEPTH + 1; i++, l++) {
		inode = READ_ONCE(d->d_inode);
		if (!inode)
			break;
		l->dentry = d;
		l->ctime = zch_inode_ctime_ns(inode);
		if (d == e->root->path.dentry) {
			/* i links below it: the file and i - 1 directories */
			ok = i > 0;
			e->depth = i - 1;
			break;
		}
		l->seq = raw_read_seqcount(&d->d_seq);
		if ((l->seq & 1) || d_unhashed(d) || d_mountpoint(d) ||
		    IS_ROOT(d))
			break;
		d = READ_ONCE(d->d_parent);
	}
	rcu_read_unlock();
	return ok;
}

/*
 * Pin the folios of the file: read through @conn's open file (a GET's,
 * which reads them next anyway), or, without one (HEAD), only if all are
 * in the page cache.
 */
static bool zch_cache_pin(struct zch_cache_entry *e, struct zch_conn *conn,
			  unsigned int max)
{
	u64 pos = 0, size = e->stamp.size;
	struct file *file = conn->tx.file;
	struct folio *folio;
	size_t off, len;

	while (pos < size) {
		if (e->nr_body == max)
			return false;
		if (file)
			folio = zch_tx_get_folio(conn, file, pos >> PAGE_SHIFT,
						 (size - 1) >> PAGE_SHIFT);
		else
			folio = zch_filemap_get_folio(e->mapping,
						      pos >> PAGE_SHIFT);
		if (IS_ERR_OR_NULL(folio))
			return false;
		if (!folio_test_uptodate(folio) || folio->mapping != e->mapping) {
			folio_put(folio);
			return false;
		}
		off = pos - folio_pos(folio);
		len = min_t(u64, folio_size(folio) - off, size - pos);
		bvec_set_page(&e->body[e->nr_body++], &folio->page, len, off);
		e->bytes += folio_size(folio);
		pos += len;
	}
	return true;
}

/*
 * Write the three headers after the key, with a placeholder where the
 * Date value goes; all have it at the same offset.
 */
static bool zch_cache_headers(struct zch_cache_entry *e, char *p, char *end,
			      const struct zch_http_resp *resp)
{
	static const char date[ZCH_DATE_LEN + 1] = "Thu, 01 Jan 1970 00:00:00 GMT";
	struct zch_http_resp r = *resp;
	const char *at;
	unsigned int v;
	size_t n;

	r.date = date;
	for (v = 0; v < ZCH_CACHE_NR_HDR; v++) {
		r.keepalive = v != ZCH_CACHE_CLOSE;
		r.version = v == ZCH_CACHE_KEEP10 ? 10 : 11;
		n = zch_http_format(p, end - p, &r);
		if (!n)
			return false;
		at = strnstr(p, "\r\nDate: ", n);
		if (!at)
			return false;
		if (v && e->date_off != at + 8 - p)
			return false;
		e->date_off = at + 8 - p;
		e->hdr[v] = p;
		e->hdr_len[v] = n;
		p += n;
	}
	return true;
}

/**
 * zch_cache_prepare() - make an entry for a response, not yet in the cache
 * @conn: the connection; conn->tx.file, if set, is the file @path opened
 * @req: the request, which zch_cache_wants()
 * @path: the file it resolved to, with the root's credential
 * @resp: the 200 response that answers it (Date not set)
 * @st: the stamp @resp was made from
 *
 * Reads the file's folios as the response would (GET), or, for a HEAD,
 * makes no entry unless all are uptodate in the page cache. The caller
 * looks @req up again and gives the outcome to zch_cache_commit().
 *
 * Context: process context; may sleep for page-cache reads.
 * Return: the entry, or NULL.
 */
struct zch_cache_entry *zch_cache_prepare(struct zch_conn *conn,
					  const struct zch_http_req *req,
					  const struct path *path,
					  const struct zch_http_resp *resp,
					  const struct zch_stamp *st)
{
	unsigned int max = ZCH_CACHE_PIECES;
	struct zch_cache_entry *e;
	struct page *page;
	char *p, *end;

	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (!page)
		return NULL;
	e = page_address(page);
	memset(e, 0, sizeof(*e));
	refcount_set(&e->refs, 1);
	e->root = conn->root;
	e->dentry = dget(path->dentry);
	e->inode = d_inode(path->dentry);
	ihold(e->inode);
	e->mapping = e->inode->i_mapping;
	e->slash = req->trailing_slash;
	e->stamp = *st;
	e->bytes = PAGE_SIZE;

	p = (char *)(e->body + max);
	end = (char *)e + PAGE_SIZE;
	if (p + req->path_len > end)
		goto fail;
	memcpy(p, req->path, req->path_len);
	e->key = p;
	e->key_len = req->path_len;
	p += req->path_len;
	if (!zch_cache_headers(e, p, end, resp) || !zch_cache_walk(e) ||
	    !zch_cache_pin(e, conn, max))
		goto fail;
	return e;

fail:
	zch_cache_release(e);
	return NULL;
}

/**
 * zch_cache_commit() - put a prepared entry in the cache, or drop it
 * @e: from zch_cache_prepare()
 * @still: a second lookup of the request found the same file
 *
 * The entry goes in only if nothing it was made from has changed since
 * it took its stamps (the path, the file, the folios); then entries are
 * evicted until the cache fits its budget.
 *
 * Context: process context.
 */
void zch_cache_commit(struct zch_cache_entry *e, bool still)
{
	struct zch_root *root = e->root;
	struct zch_cache_key key = {
		.path = e->key,
		.len = e->key_len,
		.slash = e->slash,
	};
	struct zch_cache_entry *old;
	LIST_HEAD(dead);

	if (!still || !zch_cache_valid(e))
		goto drop;

	spin_lock(&zch_cache_lock);
	old = rhashtable_lookup_get_insert_key(&root->cache.ht, &key,
					       &e->node, zch_cache_params);
	if (old) {
		/* made by another connection meanwhile, or no memory */
		spin_unlock(&zch_cache_lock);
		goto drop;
	}
	e->listed = true;
	list_add_tail(&e->lru, &zch_cache_lru);
	list_add_tail(&e->rnode, &root->cache.entries);
	zch_cache_pinned += e->bytes;
	root->stats.cache_entries++;
	root->stats.cache_bytes += e->bytes;
	zch_global_stats.cache_entries++;
	zch_global_stats.cache_bytes += e->bytes;
	zch_cache_evict(READ_ONCE(zch_cache_budget), &dead);
	spin_unlock(&zch_cache_lock);
	zch_cache_put_list(&dead);
	return;

drop:
	zch_cache_put(e);
}

static unsigned long zch_cache_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	return READ_ONCE(zch_cache_pinned) >> PAGE_SHIFT;
}

/*
 * Memory pressure: evict in CLOCK order until @sc->nr_to_scan pages are
 * unpinned. The last reference of an entry puts a dentry and an inode,
 * as the dcache's own shrinker does: only where reclaim may enter the
 * file system.
 */
static unsigned long zch_cache_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	size_t want = sc->nr_to_scan << PAGE_SHIFT;
	unsigned long freed;
	LIST_HEAD(dead);
	size_t before;

	if (!(sc->gfp_mask & __GFP_FS))
		return SHRINK_STOP;
	spin_lock(&zch_cache_lock);
	before = zch_cache_pinned;
	zch_cache_evict(before > want ? before - want : 0, &dead);
	freed = (before - zch_cache_pinned) >> PAGE_SHIFT;
	spin_unlock(&zch_cache_lock);
	zch_cache_put_list(&dead);
	return freed ? freed : SHRINK_STOP;
}

/**
 * zch_cache_module_init() - register the cache's shrinker
 *
 * Return: 0 or -ENOMEM.
 */
int zch_cache_module_init(void)
{
	zch_cache_shrinker = zch_shrinker_create("zchttp-cache",
						 zch_cache_count,
						 zch_cache_scan);
	return zch_cache_shrinker ? 0 : -ENOMEM;
}

/**
 * zch_cache_module_exit() - unregister the shrinker (module unload)
 *
 * The caller waits for the RCU callbacks that free entry pages
 * (rcu_barrier()) once the last root is freed.
 */
void zch_cache_module_exit(void)
{
	zch_shrinker_destroy(zch_cache_shrinker);
}
