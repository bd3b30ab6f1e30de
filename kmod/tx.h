/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zchttp: the response in flight and how it is sent.
 */

#ifndef _ZCH_TX_H
#define _ZCH_TX_H

#include <linux/fs.h>
#include <linux/sizes.h>
#include <linux/types.h>

#include "cache.h"

struct zch_conn;

/*
 * Body bytes one run of a connection's work may send before it requeues
 * itself behind the other connections of its CPU: a fast reader of a
 * large file must not hold a worker (Documentation/zchttp.rst, "Fairness").
 */
#define ZCH_TX_BUDGET	SZ_256K

/**
 * struct zch_tx - the response being sent
 * @file: open file whose body is sent; NULL when there is no body
 * @pos: next body byte to send
 * @end: one past the last body byte
 * @bounce: one page for the copy path, or NULL
 * @hdr_off: bytes of the header buffer already sent
 * @hdr_len: bytes in the header buffer (0 when no response is in flight)
 * @hdr_body: how many of the @hdr_len bytes are an error body
 * @last: the connection ends after this response, with a lingering close
 * @copy: send the body by copy rather than by page reference
 * @hit: a response from the cache, sent instead of the above
 */
struct zch_tx {
	struct file *file;
	loff_t pos;
	loff_t end;
	void *bounce;
	u16 hdr_off;
	u16 hdr_len;
	u16 hdr_body;
	bool last;
	bool copy;
	struct zch_cache_hit hit;
};

/* Is a response in flight? */
static inline bool zch_tx_busy(const struct zch_tx *tx)
{
	return tx->hdr_len || tx->hit.entry;
}

/* zch_tx_run() returns this when @budget is spent before the response */
#define ZCH_TX_YIELD	1

int zch_tx_run(struct zch_conn *conn, size_t *budget);
void zch_tx_reset(struct zch_conn *conn);
struct folio *zch_tx_get_folio(struct zch_conn *conn, struct file *file,
			       pgoff_t index, pgoff_t last);

#endif /* _ZCH_TX_H */
