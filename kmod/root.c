// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: document roots.
 *
 * A root pins its directory (struct path) from add to release and owns one
 * listening socket (listener.c). Deleting a root stops the listener,
 * closes every connection and waits until the last of them has dropped
 * its reference.
 */

#include <linux/namei.h>
#include <linux/slab.h>

#include "conn.h"

/* protects zch_roots and each root's presence on it; taken by netlink ops */
DEFINE_MUTEX(zch_cfg_lock);
LIST_HEAD(zch_roots);

static void zch_sweep_work(struct work_struct *work)
{
	struct zch_root *root = container_of(to_delayed_work(work),
					     struct zch_root, sweep_work);

	zch_conn_sweep(root);
	if (!READ_ONCE(root->dying))
		queue_delayed_work(zch_wq, &root->sweep_work, HZ);
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

	/* the parser counts a longer head limit as ZCH_HTTP_HEAD_MAX */
	BUILD_BUG_ON(ZCHTTP_HEAD_MAX > ZCH_HTTP_HEAD_MAX);

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
	root->limits = cfg->limits;
	strscpy(root->index, cfg->index, sizeof(root->index));
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
	err = zch_listener_start(root, cfg, extack);
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

	zch_listener_stop(root);
	cancel_delayed_work_sync(&root->sweep_work);
	zch_conn_kill_all(root);

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
