/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zchttp: one client connection.
 */

#ifndef _ZCH_CONN_H
#define _ZCH_CONN_H

#include "zch.h"
#include "tx.h"
#include "workers.h"

#define ZCH_HDR_SIZE	2048	/* response header plus a short error body */

/**
 * struct zch_buf - working memory of a busy connection
 * @req: the request being answered
 * @hdr: response header (and error body) being sent
 *
 * Allocated with the receive buffer (struct zch_conn.rx) when a connection
 * first receives bytes, and freed with it when the connection has been
 * idle for a while, so an idle keep-alive connection costs only its
 * struct zch_conn and its socket.
 */
struct zch_buf {
	struct zch_http_req req;
	char hdr[ZCH_HDR_SIZE];
};

/* conn->flags bits, set from any context */
enum {
	ZCH_CONN_KILL,		/* end at the next run: root deletion, unload */
	ZCH_CONN_SLOW,		/* run by zch_wq, not by @fast (conn.c) */
};

/**
 * struct zch_conn - one accepted connection
 * @fast: runs the connection on the per-CPU worker of the CPU that queues
 *	it, unless ZCH_CONN_SLOW is set
 * @work: runs the connection on zch_wq while ZCH_CONN_SLOW is set; it and
 *	@fast are the only places its state changes, never both at once
 * @refs: one while the connection is open, one per queued @fast or @work
 * @flags: ZCH_CONN_* bits
 * @node: entry in root->conns, under root->conns_lock
 * @root: the root it was accepted on; holds a reference
 * @sock: the socket
 * @buf: working memory, NULL while idle
 * @rx: received bytes not yet consumed, NULL while idle: ZCHTTP_HEAD_DEFAULT
 *	bytes (or the root's head limit if smaller) from kmalloc(), grown to
 *	the root's head limit with vmalloc() for a head that needs it
 * @rx_size: size of @rx
 * @rx_len: bytes in @rx
 * @scan: how far the request head in @rx has been framed
 * @last_active: jiffies of the last progress, for the idle timeout
 * @req_start: jiffies of the first byte of the pending request head
 * @deadline: jiffies when the sweeper should run the work again
 * @nreq: requests answered on this connection
 * @req_used: bytes of @rx the parsed request (@buf->req) takes
 * @lookup: the request in @buf->req missed the cache on a worker and waits
 *	for the lookup path on zch_wq
 * @linger: the last response is out and FIN follows it; input is only
 *	read and dropped until the peer closes or @linger_end
 * @linger_end: jiffies when a lingering close gives up waiting
 * @lingered: bytes dropped while lingering
 * @tx: the response in flight
 * @saved_write_space: callback to restore on close
 * @saved_state_change: callback to restore on close
 */
struct zch_conn {
	struct zch_run fast;
	struct work_struct work;
	refcount_t refs;
	unsigned long flags;
	struct list_head node;
	struct zch_root *root;
	struct socket *sock;
	struct zch_buf *buf;
	char *rx;
	u32 rx_size;
	u32 rx_len;
	struct zch_http_scan scan;
	unsigned long last_active;
	unsigned long req_start;
	unsigned long deadline;
	unsigned int nreq;
	u32 req_used;
	bool lookup;
	bool linger;
	unsigned long linger_end;
	unsigned int lingered;
	struct zch_tx tx;
	void (*saved_write_space)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
};

#endif /* _ZCH_CONN_H */
