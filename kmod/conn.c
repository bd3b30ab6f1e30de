// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: client connections.
 *
 * Each connection is a small state machine run by one work item at a
 * time. Socket callbacks (data ready, write space, state change) and the
 * per-root sweeper only queue it; it receives without blocking, parses as
 * many pipelined requests as it holds, and sends each response without
 * blocking. When the socket cannot take more, the work returns and the
 * write-space callback queues it again. No thread waits on a connection,
 * so an idle keep-alive connection costs its socket and a struct zch_conn.
 *
 * Two executors take turns (ZCH_CONN_SLOW): the connection's per-CPU
 * worker (workers.c) while the cache answers its requests, and zch_wq for
 * the lookup path, which may block, until that response is out. The one
 * running hands the connection over as its last act, so the two never run
 * it at once: the worker hands over a request parsed but not answered
 * (conn->lookup), the workqueue hands back an idle connection.
 *
 * A response that ends the connection is followed by a lingering close,
 * as nginx's lingering_close: once it is queued, the socket is shut down
 * for writing, so FIN follows the response, and what the peer still sends
 * is read and dropped until it closes too, for at most ZCH_LINGER_TIME
 * and ZCH_LINGER_BYTES. Releasing a socket with unread bytes would make
 * TCP answer with RST instead of FIN and drop what was not yet sent, and
 * the peer could lose the response. Root deletion does not wait for it.
 * A response that cannot be completed (the file shrank, an error, root
 * deletion, a stalled reader timed out) ends with RST instead, so that
 * it cannot pass for complete.
 *
 * One run of the work answers at most ZCH_WORK_BUDGET requests and sends
 * at most ZCH_TX_BUDGET body bytes, then queues itself again behind the
 * other connections of its CPU.
 */

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/vmalloc.h>
#include <net/tcp.h>

#include "respond.h"

/* Module parameters, read without locks. */
static unsigned int zch_max_conns = 16384;
module_param_named(max_conns, zch_max_conns, uint, 0644);
MODULE_PARM_DESC(max_conns, "Connections open at once over all roots");

static unsigned int zch_idle_timeout = 60;
module_param_named(idle_timeout, zch_idle_timeout, uint, 0644);
MODULE_PARM_DESC(idle_timeout, "Seconds an idle or stalled connection is kept");

static unsigned int zch_header_timeout = 10;
module_param_named(header_timeout, zch_header_timeout, uint, 0644);
MODULE_PARM_DESC(header_timeout, "Seconds to receive a whole request head");

static unsigned int zch_max_requests = 1000;
module_param_named(max_requests, zch_max_requests, uint, 0644);
MODULE_PARM_DESC(max_requests, "Requests answered on one connection before it is closed");

#define ZCH_WORK_BUDGET	16		/* requests per run before yielding */
#define ZCH_BUF_IDLE	(2 * HZ)	/* free the buffers of idle conns */
#define ZCH_LINGER_TIME	(5 * HZ)	/* lingering close: longest wait */
#define ZCH_LINGER_BYTES SZ_1M		/* lingering close: most bytes dropped */
#define ZCH_LINGER_SINK	512		/* bytes dropped per recvmsg() */
#define ZCH_LINGER_BUDGET 128		/* recvmsg() calls per run */

static atomic_t zch_nconns = ATOMIC_INIT(0);
static struct kmem_cache *zch_conn_cache __read_mostly;
static struct kmem_cache *zch_buf_cache __read_mostly;

/*
 * The working memory of a request: the parsed request, the response
 * header, and a receive buffer for a head of the default size (or of the
 * root's limit if that is smaller), which zch_conn_grow_rx() enlarges.
 */
static int zch_conn_alloc_buf(struct zch_conn *conn)
{
	u32 size = min_t(u32, conn->root->limits.head, ZCHTTP_HEAD_DEFAULT);

	conn->buf = kmem_cache_alloc(zch_buf_cache, GFP_KERNEL);
	if (!conn->buf)
		return -ENOMEM;
	conn->rx = kmalloc(size, GFP_KERNEL);
	if (!conn->rx) {
		kmem_cache_free(zch_buf_cache, conn->buf);
		conn->buf = NULL;
		return -ENOMEM;
	}
	conn->rx_size = size;
	return 0;
}

/*
 * A full receive buffer on a root that allows larger heads: grow it to
 * the root's head limit. From vmalloc(), so that even a 64 KiB head
 * takes order-0 pages, never a high-order allocation; only the offsets
 * in conn->scan refer to the bytes, and they stay valid.
 */
static int zch_conn_grow_rx(struct zch_conn *conn)
{
	u32 size = conn->root->limits.head;
	char *rx;

	if (WARN_ON_ONCE(conn->rx_size >= size))
		return -EOVERFLOW;	/* the parser answers a full head */
	rx = vmalloc(size);
	if (!rx)
		return -ENOMEM;
	memcpy(rx, conn->rx, conn->rx_len);
	kvfree(conn->rx);
	conn->rx = rx;
	conn->rx_size = size;
	return 0;
}

/* Free the connection's working memory, if it has any. */
static void zch_conn_free_buf(struct zch_conn *conn)
{
	if (!conn->buf)
		return;
	kmem_cache_free(zch_buf_cache, conn->buf);
	kvfree(conn->rx);
	conn->buf = NULL;
	conn->rx = NULL;
	conn->rx_size = 0;
	conn->rx_len = 0;
	memset(&conn->scan, 0, sizeof(conn->scan));
}

/* Drop the first @n received bytes (a request head that was answered). */
static void zch_conn_consume(struct zch_conn *conn, u32 n)
{
	conn->rx_len -= n;
	if (conn->rx_len) {
		memmove(conn->rx, conn->rx + n, conn->rx_len);
		conn->req_start = jiffies;
	}
	memset(&conn->scan, 0, sizeof(conn->scan));
}

static void zch_conn_put(struct zch_conn *conn)
{
	if (refcount_dec_and_test(&conn->refs))
		kmem_cache_free(zch_conn_cache, conn);
}

/*
 * Queue a run on the executor that has the connection, giving it a
 * reference the caller holds. A run queued on the other executor just
 * before a hand-over finds it is not its turn (zch_conn_fast_work(),
 * zch_conn_work()).
 */
static void zch_conn_submit(struct zch_conn *conn)
{
	bool queued;

	if (test_bit(ZCH_CONN_SLOW, &conn->flags))
		queued = queue_work(zch_wq, &conn->work);
	else
		queued = zch_run_queue(&conn->fast);
	if (!queued)
		zch_conn_put(conn);
}

/*
 * Queue a run with a reference of its own. Callers guarantee the
 * connection is open (sk_user_data set, or on root->conns), so the open
 * reference keeps the count above zero here.
 */
static void zch_conn_queue(struct zch_conn *conn)
{
	refcount_inc(&conn->refs);
	zch_conn_submit(conn);
}

/* May the cache answer this connection's requests, so it run on a worker? */
static bool zch_conn_fast(const struct zch_conn *conn)
{
	return zch_cache_enabled(conn->root);
}

/* data ready and state change (FIN, RST): let the work look */
static void zch_conn_wake(struct sock *sk)
{
	struct zch_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn)
		zch_conn_queue(conn);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void zch_conn_write_space(struct sock *sk)
{
	struct zch_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		zch_conn_queue(conn);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/* Give the socket back its callbacks, unlink and free the connection. */
static void zch_conn_close(struct zch_conn *conn)
{
	struct zch_root *root = conn->root;
	struct sock *sk = conn->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = root->saved_data_ready;
	sk->sk_write_space = conn->saved_write_space;
	sk->sk_state_change = conn->saved_state_change;
	write_unlock_bh(&sk->sk_callback_lock);

	spin_lock(&root->conns_lock);
	list_del(&conn->node);
	spin_unlock(&root->conns_lock);

	/*
	 * A response cut short (an error, the file shrank, a kill, a stalled
	 * reader) ends with RST, not FIN: it must not pass for complete.
	 */
	if (zch_tx_busy(&conn->tx))
		sock_no_linger(sk);
	zch_tx_reset(conn);
	zch_conn_free_buf(conn);
	sock_release(conn->sock);
	conn->sock = NULL;

	atomic_dec(&root->stats.active);
	atomic_dec(&zch_global_stats.active);
	if (atomic_dec_and_test(&zch_nconns))
		wake_up_var(&zch_nconns);
	zch_root_put(root);
	zch_conn_put(conn);
}

/*
 * Is there a byte to receive? 1 if so, 0 if the peer closed, -EAGAIN if
 * nothing came, another negative errno on an error. Asked with a peek
 * into one byte on the stack, so that the FIN or RST of an idle
 * connection (or a wakeup with nothing at all) allocates nothing: the
 * FIN too is an entry of the receive queue, so the queue is not enough.
 */
static int zch_conn_peek(struct zch_conn *conn)
{
	struct msghdr msg = { };
	struct kvec iov;
	char byte;

	iov.iov_base = &byte;
	iov.iov_len = 1;
	return kernel_recvmsg(conn->sock, &msg, &iov, 1, 1,
			      MSG_PEEK | MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Receive what is there without blocking; 0 means the peer closed. */
static int zch_conn_recv(struct zch_conn *conn)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov;
	int ret;

	if (!conn->rx) {
		ret = zch_conn_peek(conn);
		if (ret <= 0)
			return ret;
		ret = zch_conn_alloc_buf(conn);
		if (ret)
			return ret;
	} else if (conn->rx_len == conn->rx_size) {
		ret = zch_conn_grow_rx(conn);
		if (ret)
			return ret;
	}

	iov.iov_base = conn->rx + conn->rx_len;
	iov.iov_len = conn->rx_size - conn->rx_len;
	ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, iov.iov_len,
			     msg.msg_flags);
	if (ret > 0) {
		if (!conn->rx_len)
			conn->req_start = jiffies;
		conn->rx_len += ret;
		conn->last_active = jiffies;
	}
	return ret;
}

/*
 * zch_conn_parse() and zch_conn_run(): hand the connection to zch_wq for
 * the lookup path (not 1, which is a response started)
 */
#define ZCH_CONN_LOOKUP	2

/*
 * Start the response to the parsed request, conn->buf->req, the first
 * conn->req_used bytes of conn->rx: from the cache if it can, else, on
 * zch_wq only, by the lookup path. A request the worker handed over
 * (conn->lookup) missed the cache already, and was counted. A request is
 * counted here on a miss, with its response on a hit (zch_tx_hit()).
 * Return: 1 if a response was started; ZCH_CONN_LOOKUP if the worker
 * cannot answer it, which leaves it to zch_wq (conn->lookup).
 */
static int zch_conn_answer(struct zch_conn *conn)
{
	struct zch_http_req *req = &conn->buf->req;
	int ret;

	if (conn->lookup || !zch_cache_respond(conn, req)) {
		/* once, on the miss, even if a kill ends it before zch_wq runs */
		if (!conn->lookup)
			zch_stat_add(conn->root, ZCH_STAT_REQUESTS, 1);
		if (!test_bit(ZCH_CONN_SLOW, &conn->flags)) {
			conn->lookup = true;
			return ZCH_CONN_LOOKUP;
		}
		conn->lookup = false;
		/* header values in @req point into conn->rx until consumed */
		ret = zch_respond_lookup(conn, req);
		if (ret == -ENOMEM)
			zch_stat_add(conn->root, ZCH_STAT_NOMEM, 1);
		if (ret)
			zch_respond_error(conn, ret == -ENOMEM ? 503 : 500, req);
	}
	if (!req->keepalive)
		conn->tx.last = true;
	zch_conn_consume(conn, conn->req_used);
	return 1;
}

/*
 * Parse the next request in the buffer and start its response. Bytes
 * framed by an earlier call are not scanned again (conn->scan).
 * Return: 1 if a response was started, 0 if more bytes are needed,
 * ZCH_CONN_LOOKUP as zch_conn_answer().
 */
static int zch_conn_parse(struct zch_conn *conn)
{
	struct zch_http_req *req = &conn->buf->req;
	struct zch_root *root = conn->root;
	size_t used = 0;
	int ret;

	ret = zch_http_parse_more(conn->rx, conn->rx_len, &root->limits,
				  &conn->scan, req, &used);
	if (ret == ZCH_HTTP_INCOMPLETE) {
		if (!WARN_ON_ONCE(conn->rx_len >= root->limits.head))
			return 0;
		ret = 431;	/* not reached: a full head is never incomplete */
	}
	if (ret) {
		zch_stat_add(root, ZCH_STAT_PARSE_ERRORS, 1);
		zch_conn_consume(conn, conn->rx_len);
		zch_respond_error(conn, ret, req);
		conn->tx.last = true;
		return 1;
	}

	/* the last one allowed says "Connection: close" */
	if (++conn->nreq >= READ_ONCE(zch_max_requests))
		req->keepalive = false;
	conn->req_used = used;
	return zch_conn_answer(conn);
}

/*
 * Lingering close, after zch_conn_linger_start(): drop what the peer
 * sends, without parsing it, until it closes, or until ZCH_LINGER_TIME
 * has passed or ZCH_LINGER_BYTES were dropped.
 * Return: 0 to wait for more, a negative errno to release the socket.
 */
static int zch_conn_linger(struct zch_conn *conn)
{
	unsigned int budget = ZCH_LINGER_BUDGET;
	char sink[ZCH_LINGER_SINK];
	struct msghdr msg;
	struct kvec iov;
	int ret;

	for (;;) {
		if (time_after_eq(jiffies, conn->linger_end) ||
		    conn->lingered >= ZCH_LINGER_BYTES)
			return -ETIMEDOUT;
		if (!budget--) {
			/* let other connections run; come back later */
			zch_conn_queue(conn);
			return 0;
		}
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = sink;
		iov.iov_len = sizeof(sink);
		ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, sizeof(sink),
				     MSG_DONTWAIT | MSG_NOSIGNAL);
		if (ret == -EAGAIN)
			break;
		if (ret <= 0)	/* the peer's FIN (0), or RST */
			return ret ? ret : -ENOTCONN;
		conn->lingered += ret;
	}
	WRITE_ONCE(conn->deadline, conn->linger_end);
	return 0;
}

/*
 * The response that ends the connection is queued: free what only
 * requests need, send FIN after the response and start lingering.
 * Return: as zch_conn_linger().
 */
static int zch_conn_linger_start(struct zch_conn *conn)
{
	int ret;

	zch_tx_reset(conn);
	zch_conn_free_buf(conn);

	ret = kernel_sock_shutdown(conn->sock, SHUT_WR);
	if (ret)
		return ret;
	conn->linger = true;
	conn->linger_end = jiffies + ZCH_LINGER_TIME;
	return zch_conn_linger(conn);
}

/*
 * No memory for the buffers of a request: answer 503 from a static text,
 * which needs none, and close, lingering so that the unread request does
 * not turn the close into an RST. Only called with no response in flight.
 */
static int zch_conn_nomem(struct zch_conn *conn)
{
	static const char resp[] = "HTTP/1.1 503 Service Unavailable\r\n"
				   "Server: zchttp\r\n"
				   "Content-Length: 0\r\n"
				   "Retry-After: 1\r\n"
				   "Connection: close\r\n\r\n";
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = {
		.iov_base = (void *)resp,
		.iov_len = sizeof(resp) - 1,
	};
	int ret;

	zch_stat_add(conn->root, ZCH_STAT_NOMEM, 1);
	ret = kernel_sendmsg(conn->sock, &msg, &iov, 1, iov.iov_len);
	if (ret != iov.iov_len)
		return -ENOMEM;
	zch_stat_add(conn->root, ZCH_STAT_RESP_5XX, 1);
	zch_stat_add(conn->root, ZCH_STAT_HEADER_BYTES, ret);
	return zch_conn_linger_start(conn);
}

static void zch_conn_timed_out(struct zch_conn *conn)
{
	zch_stat_add(conn->root, ZCH_STAT_TIMEOUTS, 1);
}

/*
 * Nothing more to do now: apply the timeouts, release the buffer of a
 * connection that went idle, and tell the sweeper when to look again.
 * Return: 0 to keep the connection, a negative errno to close it.
 */
static int zch_conn_idle(struct zch_conn *conn)
{
	unsigned long idle = READ_ONCE(zch_idle_timeout) * HZ;
	unsigned long now = jiffies;
	unsigned long deadline;
	size_t budget;

	if (zch_tx_busy(&conn->tx)) {
		/* waiting for write space: a stalled reader */
		deadline = conn->last_active + idle;
	} else if (conn->rx_len) {
		deadline = conn->req_start + READ_ONCE(zch_header_timeout) * HZ;
		if (time_after_eq(now, deadline)) {
			zch_conn_timed_out(conn);
			zch_conn_consume(conn, conn->rx_len);
			zch_respond_error(conn, 408, NULL);
			conn->tx.last = true;
			/* linger if it went out at once, else close */
			budget = ZCH_TX_BUDGET;
			if (zch_tx_run(conn, &budget))
				return -ETIMEDOUT;
			return zch_conn_linger_start(conn);
		}
	} else {
		deadline = conn->last_active + idle;
		if (conn->buf) {
			if (time_after_eq(now, conn->last_active + ZCH_BUF_IDLE))
				zch_conn_free_buf(conn);
			else
				deadline = conn->last_active + ZCH_BUF_IDLE;
		}
	}
	if (time_after_eq(now, deadline)) {
		zch_conn_timed_out(conn);
		return -ETIMEDOUT;
	}
	WRITE_ONCE(conn->deadline, deadline);
	return 0;
}

/*
 * Return: 0 to wait for the next event, ZCH_CONN_LOOKUP (on the worker) to
 * hand the connection to zch_wq, a negative errno to close.
 */
static int zch_conn_run(struct zch_conn *conn)
{
	unsigned int budget = ZCH_WORK_BUDGET;
	size_t bytes = ZCH_TX_BUDGET;
	int ret;

	for (;;) {
		/* root deletion and module unload: now, even when lingering */
		if (test_bit(ZCH_CONN_KILL, &conn->flags))
			return -ESHUTDOWN;
		if (conn->linger)
			return zch_conn_linger(conn);
		if (zch_tx_busy(&conn->tx)) {
			ret = zch_tx_run(conn, &bytes);
			if (ret == -EAGAIN)
				break;
			if (ret == ZCH_TX_YIELD)
				goto yield;
			if (ret)
				return ret;
			conn->last_active = jiffies;
			if (conn->tx.last)
				return zch_conn_linger_start(conn);
			zch_tx_reset(conn);
		}
		if (!budget--)
			goto yield;
		if (conn->lookup) {	/* handed over by the worker */
			zch_conn_answer(conn);
			continue;
		}
		if (conn->rx_len) {
			ret = zch_conn_parse(conn);
			if (ret == ZCH_CONN_LOOKUP)
				return ret;
			if (ret)
				continue;
		}
		ret = zch_conn_recv(conn);
		if (ret == -EAGAIN)
			break;
		if (ret == -ENOMEM)
			return zch_conn_nomem(conn);
		if (ret <= 0)
			return ret ? ret : -ENOTCONN;
	}
	return zch_conn_idle(conn);

yield:
	/* let the other connections of this CPU run; come back after them */
	zch_conn_queue(conn);
	return 0;
}

/* A run on a per-CPU worker: requests the cache answers */
static void zch_conn_fast_work(struct zch_run *run)
{
	struct zch_conn *conn = container_of(run, struct zch_conn, fast);
	int ret;

	/*
	 * Only the executor whose turn it is may look at the state, @sock
	 * included. Pairs with clear_bit_unlock() in zch_conn_work().
	 */
	if (test_bit_acquire(ZCH_CONN_SLOW, &conn->flags) || !conn->sock)
		goto out;
	ret = zch_conn_run(conn);
	if (ret == ZCH_CONN_LOOKUP) {
		/* as a release: pairs with test_bit_acquire() in the work */
		smp_mb__before_atomic();
		set_bit(ZCH_CONN_SLOW, &conn->flags);
		zch_conn_queue(conn);
	} else if (ret) {
		zch_conn_close(conn);
	}
out:
	zch_run_done(&conn->fast);
	zch_conn_put(conn);
}

/* A run on zch_wq: the lookup path, which may block */
static void zch_conn_work(struct work_struct *work)
{
	struct zch_conn *conn = container_of(work, struct zch_conn, work);

	if (!test_bit_acquire(ZCH_CONN_SLOW, &conn->flags) || !conn->sock)
		goto out;
	if (zch_conn_run(conn)) {
		zch_conn_close(conn);
	} else if (!conn->tx.file && zch_conn_fast(conn)) {
		/* no file in flight: back to the worker, as the last act */
		clear_bit_unlock(ZCH_CONN_SLOW, &conn->flags);
		zch_conn_queue(conn);
	}
out:
	zch_conn_put(conn);
}

/**
 * zch_conn_create() - take over an accepted socket
 * @root: the root it was accepted on
 * @sock: the new socket; on error the caller still owns it
 *
 * Context: process context, from the root's accept work.
 * Return: 0, or -EBUSY when the connection limit is reached, -ENOMEM,
 * -ESHUTDOWN when the root is being deleted.
 */
int zch_conn_create(struct zch_root *root, struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct zch_conn *conn;

	if (atomic_inc_return(&zch_nconns) > READ_ONCE(zch_max_conns)) {
		atomic_dec(&zch_nconns);
		zch_stat_add(root, ZCH_STAT_CONNS_REFUSED, 1);
		return -EBUSY;
	}
	conn = kmem_cache_zalloc(zch_conn_cache, GFP_KERNEL);
	if (!conn) {
		atomic_dec(&zch_nconns);
		zch_stat_add(root, ZCH_STAT_NOMEM, 1);
		return -ENOMEM;
	}
	INIT_WORK(&conn->work, zch_conn_work);
	zch_run_init(&conn->fast, zch_conn_fast_work);
	/*
	 * The open reference and that of the first run below, both taken
	 * before the connection is published: once its callbacks are in
	 * place, an RST handled on another CPU can run it and close it.
	 */
	refcount_set(&conn->refs, 2);
	conn->sock = sock;
	conn->root = root;
	if (!zch_conn_fast(conn))
		conn->flags = BIT(ZCH_CONN_SLOW);
	conn->last_active = jiffies;
	conn->deadline = jiffies + READ_ONCE(zch_idle_timeout) * HZ;
	tcp_sock_set_nodelay(sk);

	/*
	 * Published in one step under conns_lock: the sweeper and root
	 * deletion see the connection with its callbacks saved and in
	 * place, or not at all.
	 */
	spin_lock(&root->conns_lock);
	if (root->dying) {
		spin_unlock(&root->conns_lock);
		kmem_cache_free(zch_conn_cache, conn);
		atomic_dec(&zch_nconns);
		return -ESHUTDOWN;
	}
	refcount_inc(&root->refs);
	atomic_inc(&root->stats.active);
	atomic_inc(&zch_global_stats.active);
	list_add_tail(&conn->node, &root->conns);
	write_lock_bh(&sk->sk_callback_lock);
	conn->saved_write_space = sk->sk_write_space;
	conn->saved_state_change = sk->sk_state_change;
	sk->sk_user_data = conn;
	sk->sk_data_ready = zch_conn_wake;
	sk->sk_write_space = zch_conn_write_space;
	sk->sk_state_change = zch_conn_wake;
	write_unlock_bh(&sk->sk_callback_lock);
	spin_unlock(&root->conns_lock);

	zch_stat_add(root, ZCH_STAT_CONNS_ACCEPTED, 1);
	/* bytes, FIN or RST may have arrived before the callbacks */
	zch_conn_submit(conn);
	return 0;
}

/**
 * zch_conn_kill_all() - end every connection of a root now
 * @root: the root, marked dying (no connection is added any more)
 *
 * Each connection's work closes it at its next run, which is queued
 * here, even in a lingering close.
 *
 * Context: process context; takes root->conns_lock.
 */
void zch_conn_kill_all(struct zch_root *root)
{
	struct zch_conn *conn;

	spin_lock(&root->conns_lock);
	list_for_each_entry(conn, &root->conns, node) {
		set_bit(ZCH_CONN_KILL, &conn->flags);
		zch_conn_queue(conn);
	}
	spin_unlock(&root->conns_lock);
}

/**
 * zch_conn_sweep() - run the connections whose deadline has passed
 * @root: the root
 *
 * Their work applies the timeouts (see zch_conn_idle()).
 *
 * Context: process context, the root's sweeper; takes root->conns_lock.
 */
void zch_conn_sweep(struct zch_root *root)
{
	unsigned long now = jiffies;
	struct zch_conn *conn;

	spin_lock(&root->conns_lock);
	list_for_each_entry(conn, &root->conns, node) {
		if (time_after_eq(now, READ_ONCE(conn->deadline)))
			zch_conn_queue(conn);
	}
	spin_unlock(&root->conns_lock);
}

/**
 * zch_conn_wait_all() - wait until every connection is closed
 *
 * Each was told to end by the deletion of its root; one whose deleter
 * was killed may still be closing.
 *
 * Context: module exit, after zch_roots_destroy().
 */
void zch_conn_wait_all(void)
{
	wait_var_event(&zch_nconns, !atomic_read(&zch_nconns));
}

/**
 * zch_conn_cache_init() - create the slab caches for connections
 *
 * Return: 0 or -ENOMEM.
 */
int zch_conn_cache_init(void)
{
	zch_conn_cache = KMEM_CACHE(zch_conn, 0);
	if (!zch_conn_cache)
		return -ENOMEM;
	zch_buf_cache = KMEM_CACHE(zch_buf, 0);
	if (!zch_buf_cache) {
		kmem_cache_destroy(zch_conn_cache);
		return -ENOMEM;
	}
	return 0;
}

/**
 * zch_conn_cache_exit() - destroy the slab caches
 *
 * Context: after every connection is freed (zch_wq destroyed).
 */
void zch_conn_cache_exit(void)
{
	kmem_cache_destroy(zch_buf_cache);
	kmem_cache_destroy(zch_conn_cache);
}
