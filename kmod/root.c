// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: document roots.
 *
 * A root pins its directory (struct path) from add to release and owns one
 * listening socket (listener.c). Deleting a root stops the listener and
 * tells every connection to end, under zch_cfg_lock, then waits without
 * the lock until the last of them has dropped its reference.
 */

#include <linux/cred.h>
#include <linux/namei.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "conn.h"

/* protects zch_roots and each root's presence on it; taken by netlink ops */
DEFINE_MUTEX(zch_cfg_lock);
LIST_HEAD(zch_roots);

/*
 * File systems whose page cache is the truth: every change goes through
 * it on this machine, so a page found there is what ->read_iter would
 * return. Network and cluster file systems (NFS, CIFS, ceph, 9p, FUSE,
 * gfs2, ocfs2...) revalidate in ->read_iter instead, and overlayfs has no
 * page cache of its own: roots on them send bodies by copy.
 */
static const char * const zch_zerocopy_fs[] = {
	"btrfs", "erofs", "exfat", "ext2", "ext3", "ext4", "f2fs", "iso9660",
	"ramfs", "squashfs", "tmpfs", "udf", "vfat", "xfs",
};

static bool zch_fs_zerocopy(const struct super_block *sb)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zch_zerocopy_fs); i++)
		if (!strcmp(sb->s_type->name, zch_zerocopy_fs[i]))
			return true;
	return false;
}

/*
 * The credential of a root's lookups and opens: @uid and @gid, no
 * supplementary group, no capability; otherwise the kernel's own (no
 * keyrings of the caller, the kernel's LSM context).
 */
static const struct cred *zch_root_cred(kuid_t uid, kgid_t gid)
{
	struct group_info *groups;
	struct cred *cred;

	cred = prepare_kernel_cred(&init_task);
	if (!cred)
		return NULL;
	groups = groups_alloc(0);
	if (!groups) {
		abort_creds(cred);
		return NULL;
	}
	set_groups(cred, groups);
	put_group_info(groups);
	cred->uid = uid;
	cred->euid = uid;
	cred->suid = uid;
	cred->fsuid = uid;
	cred->gid = gid;
	cred->egid = gid;
	cred->sgid = gid;
	cred->fsgid = gid;
	cap_clear(cred->cap_inheritable);
	cap_clear(cred->cap_permitted);
	cap_clear(cred->cap_effective);
	cap_clear(cred->cap_bset);
	cap_clear(cred->cap_ambient);
	return cred;
}

static void zch_sweep_work(struct work_struct *work)
{
	struct zch_root *root = container_of(to_delayed_work(work),
					     struct zch_root, sweep_work);

	zch_conn_sweep(root);
	zch_cache_sweep(root);
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

static void zch_root_free(struct zch_root *root)
{
	zch_cache_destroy(root);
	path_put(&root->path);
	put_cred(root->cred);
	zch_stats_free(&root->stats);
	kfree(root);
}

/**
 * zch_root_put() - drop a reference to a root
 * @root: the root
 *
 * The last reference frees the root and unpins its directory; others
 * wake its deleter, which waits for its connections to go.
 *
 * Context: process context (path_put() may sleep).
 */
void zch_root_put(struct zch_root *root)
{
	if (refcount_dec_and_test(&root->refs)) {
		zch_root_free(root);
		return;
	}
	/*
	 * The deleter may wait for the count to drop to its own reference.
	 * wake_up_var() only hashes the address: @root may be gone by now.
	 */
	smp_mb__after_atomic();
	wake_up_var(&root->refs);
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
		goto err_nomem;
	refcount_set(&root->refs, 1);
	root->port = cfg->port;
	root->flags = cfg->flags;
	root->limits = cfg->limits;
	strscpy(root->index, cfg->index, sizeof(root->index));
	INIT_DELAYED_WORK(&root->sweep_work, zch_sweep_work);
	spin_lock_init(&root->conns_lock);
	INIT_LIST_HEAD(&root->conns);

	root->cred = zch_root_cred(cfg->uid, cfg->gid);
	if (!root->cred)
		goto err_free_nomem;
	err = zch_stats_init(&root->stats);
	if (err)
		goto err_cred_nomem;
	err = zch_cache_init(&root->cache);
	if (err)
		goto err_stats_nomem;

	err = kern_path(cfg->path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &root->path);
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_MOD(extack, "document root does not exist");
		else if (err == -ENOTDIR)
			NL_SET_ERR_MSG_MOD(extack, "document root is not a directory");
		else
			NL_SET_ERR_MSG_MOD(extack, "cannot resolve document root");
		goto err_cache;
	}
	/* no lookup crosses a mount point: every file is on this one */
	root->zerocopy = !(cfg->flags & ZCHTTP_ROOT_F_COPY) &&
			 zch_fs_zerocopy(root->path.mnt->mnt_sb);

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
err_cache:
	zch_cache_destroy(root);
	zch_stats_free(&root->stats);
	put_cred(root->cred);
	kfree(root);
	return err;

err_stats_nomem:
	zch_stats_free(&root->stats);
err_cred_nomem:
	put_cred(root->cred);
err_free_nomem:
	kfree(root);
err_nomem:
	NL_SET_ERR_MSG_MOD(extack, "out of memory");
	return -ENOMEM;
}

/*
 * Stop a root that is off the list: no new connection, the listener and
 * the sweeper gone, every connection told to end now. Quick: it waits for
 * nothing but the accept and sweep work items.
 */
static void zch_root_stop(struct zch_root *root)
{
	lockdep_assert_held(&zch_cfg_lock);
	spin_lock(&root->conns_lock);
	WRITE_ONCE(root->dying, true);
	spin_unlock(&root->conns_lock);

	zch_listener_stop(root);
	cancel_delayed_work_sync(&root->sweep_work);
	zch_conn_kill_all(root);
}

/*
 * Wait until the connections of a stopped root are gone, then drop the
 * reference of the list, which frees it. Without zch_cfg_lock: a
 * connection may take a while to notice (a page-cache read from a slow
 * disk or server).
 * Return: 0, or -EINTR if @killable and a fatal signal came first; the
 * last connection then frees the root.
 */
static int zch_root_wait(struct zch_root *root, bool killable)
{
	int err = 0;

	if (killable)
		err = wait_var_event_killable(&root->refs,
					      refcount_read(&root->refs) == 1);
	else
		wait_var_event(&root->refs, refcount_read(&root->refs) == 1);
	zch_root_put(root);
	return err;
}

/**
 * zch_root_del() - delete the root on a port
 * @port: TCP port, host order
 * @extack: for the reason of a refusal
 *
 * Returns once every connection of the root is closed and its directory
 * unpinned, so the file system can be unmounted at once. zch_cfg_lock is
 * not held while the connections are waited for.
 *
 * Context: process context, takes zch_cfg_lock.
 * Return: 0, -ENOENT, or -EINTR (the root is gone, its connections are
 * still closing) if the caller is killed while it waits.
 */
int zch_root_del(u16 port, struct netlink_ext_ack *extack)
{
	struct zch_root *root;
	int err;

	mutex_lock(&zch_cfg_lock);
	root = zch_root_find(port);
	if (!root) {
		mutex_unlock(&zch_cfg_lock);
		NL_SET_ERR_MSG_MOD(extack, "no root on this port");
		return -ENOENT;
	}
	list_del(&root->node);
	zch_root_stop(root);
	mutex_unlock(&zch_cfg_lock);

	err = zch_root_wait(root, true);
	if (err)
		NL_SET_ERR_MSG_MOD(extack,
				   "interrupted: the root is deleted, its connections are still closing");
	return err;
}

/**
 * zch_roots_destroy() - delete every root (module unload)
 *
 * Context: process context, takes zch_cfg_lock.
 */
void zch_roots_destroy(void)
{
	struct zch_root *root, *tmp;
	LIST_HEAD(stopped);

	mutex_lock(&zch_cfg_lock);
	list_for_each_entry_safe(root, tmp, &zch_roots, node) {
		list_move_tail(&root->node, &stopped);
		zch_root_stop(root);
	}
	mutex_unlock(&zch_cfg_lock);

	list_for_each_entry_safe(root, tmp, &stopped, node)
		zch_root_wait(root, false);
}
