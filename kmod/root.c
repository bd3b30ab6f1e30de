// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: document roots and their listening sockets.
 *
 * A root pins its directory (struct path) from add to release and owns one
 * listening socket. The listener's data-ready callback queues the root's
 * accept work, which accepts without blocking and hands each socket to
 * conn.c. Deleting a root stops the listener, closes every connection and
 * waits until the last of them has dropped its reference.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "conn.h"

#define ZCH_BACKLOG	1024
#define ZCH_ACCEPT_BUDGET 64	/* accepts per run before yielding */

/* protects zch_roots and each root's presence on it; taken by netlink ops */
DEFINE_MUTEX(zch_cfg_lock);
LIST_HEAD(zch_roots);

static struct zch_root *zch_listener_root(struct sock *sk)
{
	/* children cloned from the listener see NULL: SK_USER_DATA_NOCOPY */
	if (!sk_user_data_is_nocopy(sk))
		return NULL;
	return (void *)((uintptr_t)sk->sk_user_data & SK_USER_DATA_PTRMASK);
}

static void zch_listen_data_ready(struct sock *sk)
{
	struct zch_root *root;

	read_lock_bh(&sk->sk_callback_lock);
	root = zch_listener_root(sk);
	if (root && sk->sk_state == TCP_LISTEN)
		queue_work(zch_wq, &root->accept_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* An accepted socket we do not keep: give it back its callbacks. */
static void zch_release_child(struct zch_root *root, struct socket *sock)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = root->saved_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	sock_release(sock);
}

static void zch_accept_work(struct work_struct *work)
{
	struct zch_root *root = container_of(work, struct zch_root,
					     accept_work);
	unsigned int budget = ZCH_ACCEPT_BUDGET;
	struct socket *sock;
	int err;

	while (!READ_ONCE(root->dying)) {
		if (!budget--) {
			queue_work(zch_wq, &root->accept_work);
			return;
		}
		err = kernel_accept(root->lsock, &sock, O_NONBLOCK);
		if (err) {
			if (err != -EAGAIN)
				pr_warn_ratelimited("port %u: accept: %d\n",
						    root->port, err);
			return;
		}
		err = zch_conn_create(root, sock);
		if (err)
			zch_release_child(root, sock);
	}
}

static void zch_sweep_work(struct work_struct *work)
{
	struct zch_root *root = container_of(to_delayed_work(work),
					     struct zch_root, sweep_work);

	zch_conn_kick_all(root, false);
	if (!READ_ONCE(root->dying))
		queue_delayed_work(zch_wq, &root->sweep_work, HZ);
}

static int zch_listen(struct zch_root *root, const struct zch_root_cfg *cfg,
		      struct netlink_ext_ack *extack)
{
	struct sockaddr_storage ss = cfg->addr;
	int family, len, err;
	struct socket *sock;
	struct sock *sk;

	if (cfg->addrlen) {
		family = ss.ss_family;
		len = cfg->addrlen;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		memset(&ss, 0, sizeof(ss));
		sin6->sin6_family = AF_INET6;
		family = AF_INET6;
		len = sizeof(*sin6);
	}
	if (family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(cfg->port);
	else
		((struct sockaddr_in *)&ss)->sin_port = htons(cfg->port);

	err = sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (err == -EAFNOSUPPORT && !cfg->addrlen) {
		/* no IPv6 in this kernel: any IPv4 address */
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		memset(&ss, 0, sizeof(ss));
		sin->sin_family = AF_INET;
		sin->sin_port = htons(cfg->port);
		len = sizeof(*sin);
		err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
				       IPPROTO_TCP, &sock);
	}
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot create listening socket");
		return err;
	}
	sk = sock->sk;
	sock_set_reuseaddr(sk);
	if (sk->sk_family == AF_INET6 && !cfg->addrlen) {
		lock_sock(sk);
		sk->sk_ipv6only = false;	/* serve IPv4 too */
		release_sock(sk);
	}

	err = zch_kernel_bind(sock, &ss, len);
	if (err) {
		if (err == -EADDRINUSE)
			NL_SET_ERR_MSG_MOD(extack, "port already in use");
		else if (err == -EADDRNOTAVAIL)
			NL_SET_ERR_MSG_MOD(extack,
					   "address not available on this host");
		else
			NL_SET_ERR_MSG_MOD(extack, "cannot bind address");
		goto err_release;
	}
	err = kernel_listen(sock, ZCH_BACKLOG);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot listen");
		goto err_release;
	}

	memcpy(&root->addr, &ss, len);
	root->addrlen = len;
	root->lsock = sock;

	write_lock_bh(&sk->sk_callback_lock);
	root->saved_data_ready = sk->sk_data_ready;
	root->saved_write_space = sk->sk_write_space;
	root->saved_state_change = sk->sk_state_change;
	__rcu_assign_sk_user_data_with_flags(sk, root, SK_USER_DATA_NOCOPY);
	sk->sk_data_ready = zch_listen_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);

	/* connections that raced with the callback swap */
	queue_work(zch_wq, &root->accept_work);
	return 0;

err_release:
	sock_release(sock);
	return err;
}

static void zch_unlisten(struct zch_root *root)
{
	struct sock *sk = root->lsock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_sk_user_data(sk, NULL);
	sk->sk_data_ready = root->saved_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);

	cancel_work_sync(&root->accept_work);
	/* disconnects and frees children still in the accept queue */
	kernel_sock_shutdown(root->lsock, SHUT_RDWR);
	sock_release(root->lsock);
	root->lsock = NULL;
}

/**
 * zch_root_find() - look up a root by port
 * @port: TCP port, host order
 *
 * Context: zch_cfg_lock held.
 * Return: the root or NULL.
 */
struct zch_root *zch_root_find(u16 port)
{
	struct zch_root *root;

	lockdep_assert_held(&zch_cfg_lock);
	list_for_each_entry(root, &zch_roots, node)
		if (root->port == port)
			return root;
	return NULL;
}

/**
 * zch_root_put() - drop a reference to a root
 * @root: the root
 *
 * The last reference unpins the directory and wakes zch_root_del().
 *
 * Context: process context (path_put() may sleep).
 */
void zch_root_put(struct zch_root *root)
{
	if (refcount_dec_and_test(&root->refs)) {
		path_put(&root->path);
		complete(&root->released);
	}
}

/**
 * zch_stat_add() - count an event for a root and globally
 * @root: the root
 * @i: the counter
 * @v: how much to add
 *
 * Context: any context but hard IRQ.
 */
void zch_stat_add(struct zch_root *root, enum zch_stat i, u64 v)
{
	struct zch_pcpu_stats *p;

	p = get_cpu_ptr(root->stats.pcpu);
	u64_stats_update_begin(&p->syncp);
	u64_stats_add(&p->c[i], v);
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(root->stats.pcpu);

	p = get_cpu_ptr(zch_global_stats.pcpu);
	u64_stats_update_begin(&p->syncp);
	u64_stats_add(&p->c[i], v);
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(zch_global_stats.pcpu);
}

/**
 * zch_root_add() - add a document root and start listening
 * @cfg: what to add
 * @extack: for the reason of a refusal
 *
 * Context: process context, takes zch_cfg_lock.
 * Return: 0 or a negative errno, with a message in @extack.
 */
int zch_root_add(const struct zch_root_cfg *cfg,
		 struct netlink_ext_ack *extack)
{
	struct zch_root *root, *r;
	unsigned int n = 0;
	int err;

	if (cfg->path[0] != '/') {
		NL_SET_ERR_MSG_MOD(extack, "document root must be an absolute path");
		return -EINVAL;
	}

	root = kzalloc(sizeof(*root), GFP_KERNEL);
	if (!root)
		return -ENOMEM;
	refcount_set(&root->refs, 1);
	root->port = cfg->port;
	root->flags = cfg->flags;
	strscpy(root->index, cfg->index, sizeof(root->index));
	INIT_WORK(&root->accept_work, zch_accept_work);
	INIT_DELAYED_WORK(&root->sweep_work, zch_sweep_work);
	spin_lock_init(&root->conns_lock);
	INIT_LIST_HEAD(&root->conns);
	init_completion(&root->released);

	err = zch_stats_init(&root->stats);
	if (err)
		goto err_free;

	err = kern_path(cfg->path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &root->path);
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_MOD(extack, "document root does not exist");
		else if (err == -ENOTDIR)
			NL_SET_ERR_MSG_MOD(extack, "document root is not a directory");
		else
			NL_SET_ERR_MSG_MOD(extack, "cannot resolve document root");
		goto err_stats;
	}

	mutex_lock(&zch_cfg_lock);
	list_for_each_entry(r, &zch_roots, node) {
		if (r->port == cfg->port) {
			NL_SET_ERR_MSG_MOD(extack, "a root already serves this port");
			err = -EEXIST;
			goto err_unlock;
		}
		n++;
	}
	if (n >= ZCHTTP_ROOTS_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "too many roots");
		err = -ENOSPC;
		goto err_unlock;
	}
	err = zch_listen(root, cfg, extack);
	if (err)
		goto err_unlock;
	list_add_tail(&root->node, &zch_roots);
	queue_delayed_work(zch_wq, &root->sweep_work, HZ);
	mutex_unlock(&zch_cfg_lock);
	return 0;

err_unlock:
	mutex_unlock(&zch_cfg_lock);
	path_put(&root->path);
err_stats:
	zch_stats_free(&root->stats);
err_free:
	kfree(root);
	return err;
}

/* Stop a root that is off the list, close its connections, free it. */
static void zch_root_destroy(struct zch_root *root)
{
	spin_lock(&root->conns_lock);
	root->dying = true;
	spin_unlock(&root->conns_lock);

	zch_unlisten(root);
	cancel_delayed_work_sync(&root->sweep_work);
	zch_conn_kick_all(root, true);

	zch_root_put(root);
	wait_for_completion(&root->released);
	zch_stats_free(&root->stats);
	kfree(root);
}

/**
 * zch_root_del() - delete the root on a port
 * @port: TCP port, host order
 * @extack: for the reason of a refusal
 *
 * Returns once every connection of the root is closed.
 *
 * Context: process context, takes zch_cfg_lock.
 * Return: 0 or -ENOENT.
 */
int zch_root_del(u16 port, struct netlink_ext_ack *extack)
{
	struct zch_root *root;

	mutex_lock(&zch_cfg_lock);
	root = zch_root_find(port);
	if (!root) {
		mutex_unlock(&zch_cfg_lock);
		NL_SET_ERR_MSG_MOD(extack, "no root on this port");
		return -ENOENT;
	}
	list_del(&root->node);
	zch_root_destroy(root);
	mutex_unlock(&zch_cfg_lock);
	return 0;
}

/**
 * zch_roots_destroy() - delete every root (module unload)
 *
 * Context: process context, takes zch_cfg_lock.
 */
void zch_roots_destroy(void)
{
	struct zch_root *root, *tmp;

	mutex_lock(&zch_cfg_lock);
	list_for_each_entry_safe(root, tmp, &zch_roots, node) {
		list_del(&root->node);
		zch_root_destroy(root);
	}
	mutex_unlock(&zch_cfg_lock);
}
