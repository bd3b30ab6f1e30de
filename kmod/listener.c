// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: listening sockets.
 *
 * Each root owns one listening socket. Its data-ready callback queues the
 * root's accept work, which accepts without blocking and hands each new
 * socket to conn.c. Stopping a listener restores its callback, cancels
 * the accept work and releases the socket, which also frees connections
 * still waiting in its accept queue.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "conn.h"

#define ZCH_BACKLOG	1024
#define ZCH_ACCEPT_BUDGET 64	/* accepts per run before yielding */

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

/**
 * zch_listener_start() - create, bind and start the root's listening socket
 * @root: the root, not yet on the list of roots
 * @cfg: address and port to listen on
 * @extack: for the reason of a refusal
 *
 * Context: process context, zch_cfg_lock held.
 * Return: 0 or a negative errno (-EADDRINUSE when the port is taken),
 * with a message in @extack.
 */
int zch_listener_start(struct zch_root *root, const struct zch_root_cfg *cfg,
		       struct netlink_ext_ack *extack)
{
	struct sockaddr_storage ss = cfg->addr;
	int family, len, err;
	struct socket *sock;
	struct sock *sk;

	INIT_WORK(&root->accept_work, zch_accept_work);
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

/**
 * zch_listener_stop() - stop accepting and release the listening socket
 * @root: the root, already marked dying
 *
 * Connections still in the accept queue are disconnected and freed with
 * the socket; accepted ones are left to the caller.
 *
 * Context: process context; may sleep.
 */
void zch_listener_stop(struct zch_root *root)
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
