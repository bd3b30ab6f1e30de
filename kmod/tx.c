// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: sending a response without blocking.
 *
 * The header goes out by copy with MSG_MORE, so TCP holds it back for the
 * body. The body goes out as page-cache folios handed to TCP by reference
 * (zch_sendfolio() in compat.h): the folio is looked up, or read ahead and
 * read, a reference is held only for the duration of the send call, and
 * TCP takes references of its own for as long as the pages are in flight.
 * Roots whose file system does not keep the page cache authoritative, or
 * in copy mode, and mappings without ->read_folio take the copy path
 * through ->read_iter, which is counted apart.
 *
 * The file may shrink while it is sent. Its size is checked before every
 * piece, so no byte past the new end of file is ever read (reading one
 * would add a zeroed folio to the page cache) or sent: the response is
 * torn, counted in resp_torn, and the connection reset. A truncation
 * that races with a piece already handed to TCP can still zero some of
 * its bytes in place, as with sendfile(2).
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>

#include "conn.h"

/**
 * zch_tx_reset() - forget the response in flight
 * @conn: the connection
 *
 * Context: the connection's work.
 */
void zch_tx_reset(struct zch_conn *conn)
{
	struct zch_tx *tx = &conn->tx;

	/*
	 * Not fput(): from a kernel thread it defers the release to a
	 * workqueue, and the file system would still be busy for a while
	 * after root deletion returns.
	 */
	if (tx->file)
		__fput_sync(tx->file);
	if (tx->bounce)
		free_page((unsigned long)tx->bounce);
	/* a hit ended before its first byte went out: killed, or reset */
	if (tx->hit.entry && !tx->hit.sent)
		zch_stat_add_hit(conn->root, 0, 0);
	zch_cache_hit_end(&tx->hit);
	memset(tx, 0, sizeof(*tx));
}

static int zch_tx_hdr(struct zch_conn *conn)
{
	struct zch_tx *tx = &conn->tx;
	struct msghdr msg = {
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	unsigned int hdr_only = tx->hdr_len - tx->hdr_body;
	struct kvec iov;
	int ret;

	if (tx->pos < tx->end)
		msg.msg_flags |= MSG_MORE;
	iov.iov_base = conn->buf->hdr + tx->hdr_off;
	iov.iov_len = tx->hdr_len - tx->hdr_off;
	ret = kernel_sendmsg(conn->sock, &msg, &iov, 1, iov.iov_len);
	if (ret <= 0)
		return ret ? ret : -EAGAIN;

	/* split what went out between header and (error) body bytes */
	if (tx->hdr_off < hdr_only)
		zch_stat_add(conn->root, ZCH_STAT_HEADER_BYTES,
			     min_t(unsigned int, ret, hdr_only - tx->hdr_off));
	if (tx->hdr_off + ret > hdr_only)
		zch_stat_add(conn->root, ZCH_STAT_BODY_BYTES_COPY,
			     tx->hdr_off + ret - max(tx->hdr_off, hdr_only));
	tx->hdr_off += ret;
	return tx->hdr_off < tx->hdr_len ? -EAGAIN : 0;
}

/* The file no longer holds the rest of the body. */
static bool zch_tx_torn(struct zch_conn *conn)
{
	struct zch_tx *tx = &conn->tx;

	if (likely(i_size_read(file_inode(tx->file)) >= tx->end))
		return false;
	zch_stat_add(conn->root, ZCH_STAT_RESP_TORN, 1);
	return true;
}

/**
 * zch_tx_get_folio() - an uptodate page-cache folio of a file, read if need be
 * @conn: the connection, for its counters
 * @file: the open file
 * @index: the page index wanted
 * @last: the last index the response needs, which bounds readahead
 *
 * Starts readahead the way filemap_get_pages() does.
 *
 * Context: process context; may sleep for the read.
 * Return: the folio with a reference for the caller, or an ERR_PTR.
 */
struct folio *zch_tx_get_folio(struct zch_conn *conn, struct file *file,
			       pgoff_t index, pgoff_t last)
{
	struct address_space *mapping = file->f_mapping;
	bool shmem = shmem_mapping(mapping);
	struct folio *folio;

	folio = zch_filemap_get_folio(mapping, index);
	if (!folio && !shmem) {
		DEFINE_READAHEAD(ractl, file, &file->f_ra, mapping, index);

		page_cache_sync_ra(&ractl, last - index + 1);
		folio = zch_filemap_get_folio(mapping, index);
	} else if (folio && !shmem && folio_test_readahead(folio)) {
		DEFINE_READAHEAD(ractl, file, &file->f_ra, mapping,
				 folio->index);

		page_cache_async_ra(&ractl, folio, last - folio->index + 1);
	}
	if (folio && folio_test_uptodate(folio))
		return folio;

	zch_stat_add(conn->root, ZCH_STAT_PAGECACHE_MISSES, 1);
	if (folio)
		folio_put(folio);
	if (shmem)
		return zch_shmem_read_folio(mapping, index);

	filemap_invalidate_lock_shared(mapping);
	folio = read_mapping_folio(mapping, index, file);
	filemap_invalidate_unlock_shared(mapping);
	return folio;
}

/* Send the next piece of the body, at most @max bytes, by page reference. */
static int zch_tx_folio(struct zch_conn *conn, size_t max)
{
	struct zch_tx *tx = &conn->tx;
	struct folio *folio;
	size_t off, len;
	bool more;
	int ret;

	folio = zch_tx_get_folio(conn, tx->file, tx->pos >> PAGE_SHIFT,
				 (tx->end - 1) >> PAGE_SHIFT);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	/* it may have shrunk while the folio was read */
	if (zch_tx_torn(conn)) {
		folio_put(folio);
		return -ENODATA;
	}

	off = tx->pos - folio_pos(folio);
	len = min_t(u64, folio_size(folio) - off, tx->end - tx->pos);
	len = min(len, max);
	more = tx->pos + len < tx->end;
	ret = zch_sendfolio(conn->sock, folio, off, len, more);
	folio_put(folio);
	if (ret < 0)
		return ret;

	tx->pos += ret;
	zch_stat_add(conn->root, ZCH_STAT_BODY_BYTES_ZC, ret);
	return ret < len ? -EAGAIN : 0;
}

/* Send the next piece of the body, at most @max bytes, by copy. */
static int zch_tx_copy(struct zch_conn *conn, size_t max)
{
	struct msghdr msg = {
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	struct zch_tx *tx = &conn->tx;
	loff_t pos = tx->pos;
	struct kvec iov;
	ssize_t n;
	int ret;

	if (!tx->bounce) {
		tx->bounce = (void *)__get_free_page(GFP_KERNEL);
		if (!tx->bounce) {
			zch_stat_add(conn->root, ZCH_STAT_NOMEM, 1);
			return -ENOMEM;
		}
	}
	n = min_t(u64, PAGE_SIZE, tx->end - tx->pos);
	n = kernel_read(tx->file, tx->bounce, min_t(size_t, n, max), &pos);
	if (n < 0)
		return n;
	if (!n) {
		/* the file shrank between the size check and the read */
		zch_stat_add(conn->root, ZCH_STAT_RESP_TORN, 1);
		return -ENODATA;
	}

	if (tx->pos + n < tx->end)
		msg.msg_flags |= MSG_MORE;
	iov.iov_base = tx->bounce;
	iov.iov_len = n;
	ret = kernel_sendmsg(conn->sock, &msg, &iov, 1, n);
	if (ret <= 0)
		return ret ? ret : -EAGAIN;

	tx->pos += ret;
	zch_stat_add(conn->root, ZCH_STAT_BODY_BYTES_COPY, ret);
	return ret < n ? -EAGAIN : 0;
}

/* pieces of a cache hit given to TCP in one call: a 64 KiB file in one */
#define ZCH_TX_HIT_PIECES	19

/*
 * Send a response from a cache entry: header and body pieces, all by
 * reference, in one call into TCP where they fit.
 */
static int zch_tx_hit(struct zch_conn *conn, size_t *budget)
{
	struct zch_cache_hit *hit = &conn->tx.hit;
	struct bio_vec bv[ZCH_TX_HIT_PIECES];
	size_t len, hdr, body;
	unsigned int n;
	int ret;

	while (hit->sent < hit->len) {
		if (!*budget)
			return ZCH_TX_YIELD;
		if (test_bit(ZCH_CONN_KILL, &conn->flags))
			return -ESHUTDOWN;
		n = zch_cache_hit_bvec(hit, bv, ARRAY_SIZE(bv), &len, &hdr);
		if (WARN_ON_ONCE(!len))
			return -EIO;
		ret = zch_send_bvec(conn->sock, bv, n, len,
				    hit->sent + len < hit->len);
		if (ret < 0)
			return ret;

		hdr = min_t(size_t, hdr, ret);
		body = ret - hdr;
		if (!hit->sent && ret) {
			/* the request, the hit and its bytes at once */
			zch_stat_add_hit(conn->root, hdr, body);
		} else {
			if (hdr)
				zch_stat_add(conn->root, ZCH_STAT_HEADER_BYTES,
					     hdr);
			if (body)
				zch_stat_add(conn->root, ZCH_STAT_BODY_BYTES_ZC,
					     body);
		}
		*budget -= min(*budget, body);
		hit->sent += ret;
		conn->last_active = jiffies;
		if (ret < len)
			return -EAGAIN;
	}
	return 0;
}

/**
 * zch_tx_run() - send as much of the response in flight as TCP takes
 * @conn: the connection
 * @budget: body bytes this run of the work may still send; decreased
 *
 * Context: the connection's work; may sleep for page-cache reads.
 * Return: 0 when the whole response is queued; ZCH_TX_YIELD when @budget
 * is spent first; -EAGAIN when the socket is full (the write-space
 * callback will queue the work again); -ENODATA when the file shrank
 * below the response (counted in resp_torn); -ESHUTDOWN when the
 * connection is being killed; or another negative errno.
 */
int zch_tx_run(struct zch_conn *conn, size_t *budget)
{
	struct zch_tx *tx = &conn->tx;
	loff_t pos;
	int ret;

	if (tx->hit.entry)
		return zch_tx_hit(conn, budget);
	if (tx->hdr_off < tx->hdr_len) {
		ret = zch_tx_hdr(conn);
		if (ret)
			return ret;
	}
	while (tx->pos < tx->end) {
		if (!*budget)
			return ZCH_TX_YIELD;
		if (test_bit(ZCH_CONN_KILL, &conn->flags))
			return -ESHUTDOWN;
		if (zch_tx_torn(conn))
			return -ENODATA;
		pos = tx->pos;
		ret = tx->copy ? zch_tx_copy(conn, *budget) :
				 zch_tx_folio(conn, *budget);
		*budget -= tx->pos - pos;
		if (ret)
			return ret;
		conn->last_active = jiffies;
	}
	return 0;
}
