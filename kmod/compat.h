/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zchttp: the one place for kernel version differences.
 *
 * Supported: Linux 6.1 and later. See ../Documentation/zchttp.rst,
 * "Kernel versions", for what each branch below covers.
 */

#ifndef _ZCH_COMPAT_H
#define _ZCH_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/net.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/bvec.h>
#include <linux/workqueue.h>

#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
/* break_lease(): in <linux/fs.h> before 6.3 */
#include <linux/filelock.h>
#endif

#if KERNEL_VERSION(6, 5, 0) > LINUX_VERSION_CODE
/* 6.1 declares vfs_path_lookup() only in fs/internal.h; it is exported. */
int vfs_path_lookup(struct dentry *dentry, struct vfsmount *mnt,
		    const char *name, unsigned int flags, struct path *path);
#endif

/*
 * The connection work runs on the CPU that queued it, for cache locality.
 * From 6.17 that is asked for with WQ_PERCPU; later kernels warn when a
 * workqueue names neither WQ_PERCPU nor WQ_UNBOUND.
 */
#if KERNEL_VERSION(6, 17, 0) <= LINUX_VERSION_CODE
#define ZCH_WQ_PERCPU	WQ_PERCPU
#else
#define ZCH_WQ_PERCPU	0
#endif

/**
 * zch_filemap_get_folio() - look up a folio in the page cache
 * @mapping: the address space
 * @index: page index
 *
 * Return: the folio with a reference held, or NULL if it is not cached.
 */
static inline struct folio *zch_filemap_get_folio(struct address_space *mapping,
						  pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	/* NULL on a miss before 6.3, ERR_PTR(-ENOENT) after */
	return IS_ERR(folio) ? NULL : folio;
}

/**
 * zch_shmem_read_folio() - read a tmpfs folio, swapping it in if needed
 * @mapping: a shmem address space
 * @index: page index
 *
 * Return: an uptodate folio with a reference held, or an ERR_PTR.
 */
static inline struct folio *zch_shmem_read_folio(struct address_space *mapping,
						 pgoff_t index)
{
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
	return shmem_read_folio(mapping, index);
#else
	struct page *page = shmem_read_mapping_page(mapping, index);

	return IS_ERR(page) ? ERR_CAST(page) : page_folio(page);
#endif
}

/**
 * zch_inode_mtime_sec() - modification time of an inode
 * @inode: the inode
 *
 * Return: seconds since the epoch.
 */
static inline time64_t zch_inode_mtime_sec(const struct inode *inode)
{
#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE
	return inode_get_mtime_sec(inode);
#else
	return inode->i_mtime.tv_sec;
#endif
}

/**
 * zch_inode_ctime_ns() - change time of an inode
 * @inode: the inode
 *
 * Return: nanoseconds since the epoch.
 */
static inline s64 zch_inode_ctime_ns(const struct inode *inode)
{
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
	struct timespec64 ts = inode_get_ctime(inode);
#else
	struct timespec64 ts = inode->i_ctime;
#endif

	return timespec64_to_ns(&ts);
}

/**
 * zch_inode_may_read() - may the current credential read a file
 * @path: the file
 *
 * inode_permission() as an open for reading checks it: mode bits, ACLs,
 * LSMs, with the mount's ID mapping (a user namespace before 6.3).
 *
 * Return: 0, or -EACCES or another negative errno.
 */
static inline int zch_inode_may_read(const struct path *path)
{
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
	return inode_permission(mnt_idmap(path->mnt), d_inode(path->dentry),
				MAY_READ);
#else
	return inode_permission(mnt_user_ns(path->mnt), d_inode(path->dentry),
				MAY_READ);
#endif
}

/**
 * zch_kernel_bind() - bind a kernel socket
 * @sock: the socket
 * @addr: a sockaddr_in or sockaddr_in6
 * @len: its length
 *
 * The address argument changed type in later kernels; this hides it.
 *
 * Return: 0 or a negative errno.
 */
static inline int zch_kernel_bind(struct socket *sock, void *addr, int len)
{
	return kernel_bind(sock, addr, len);
}

/**
 * zch_send_bvec() - hand pages to TCP by reference, no copy
 * @sock: a TCP socket
 * @bv: the pieces to send, in order: pages of the page cache or from the
 *	page allocator (never slab memory); a piece may span the pages of
 *	a folio
 * @n: number of pieces
 * @len: their total length
 * @more: more bytes of the same response follow this call
 *
 * Non-blocking, one call into TCP from 6.5 (MSG_SPLICE_PAGES), one
 * ->sendpage per page before. TCP takes its own page references, so the
 * caller may drop its references as soon as this returns.
 *
 * Return: bytes queued (may be short of @len), -EAGAIN if nothing could be
 * queued, or another negative errno.
 */
static inline int zch_send_bvec(struct socket *sock, const struct bio_vec *bv,
				unsigned int n, size_t len, bool more)
{
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
	struct msghdr msg = {
		.msg_flags = MSG_SPLICE_PAGES | MSG_DONTWAIT | MSG_NOSIGNAL,
	};

	if (more)
		msg.msg_flags |= MSG_MORE;
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, len);
	return sock_sendmsg(sock, &msg);
#else
	/* TCP ignores MSG_SPLICE_PAGES before 6.5: use ->sendpage */
	size_t done = 0, pos = 0;
	unsigned int i = 0;

	while (done < len && i < n) {
		size_t off = bv[i].bv_offset + pos;
		struct page *page = nth_page(bv[i].bv_page, off >> PAGE_SHIFT);
		size_t poff = offset_in_page(off);
		size_t cnt = min3(len - done, bv[i].bv_len - pos,
				  PAGE_SIZE - poff);
		int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
		int ret;

		if (more || done + cnt < len)
			flags |= MSG_MORE | MSG_SENDPAGE_NOTLAST;
		ret = kernel_sendpage(sock, page, poff, cnt, flags);
		if (ret <= 0)
			return done ? done : (ret ? ret : -EAGAIN);
		done += ret;
		if (ret < cnt)
			break;
		pos += cnt;
		if (pos == bv[i].bv_len) {
			pos = 0;
			i++;
		}
	}
	return done;
#endif
}

/**
 * zch_sendfolio() - hand part of a folio to TCP by reference, no copy
 * @sock: a TCP socket
 * @folio: the folio, referenced by the caller for the duration of the call
 * @off: byte offset within @folio
 * @len: bytes to send, within @folio
 * @more: more bytes of the same response follow this call
 *
 * Return: as zch_send_bvec().
 */
static inline int zch_sendfolio(struct socket *sock, struct folio *folio,
				size_t off, size_t len, bool more)
{
	struct bio_vec bv;

	/* bvec_set_folio() is not in 6.1 */
	bvec_set_page(&bv, &folio->page, len, off);
	return zch_send_bvec(sock, &bv, 1, len, more);
}

/**
 * zch_shrinker_create() - allocate and register a shrinker
 * @name: its name in debugfs
 * @count: the count_objects callback
 * @scan: the scan_objects callback
 *
 * Return: the shrinker, or NULL.
 */
static inline struct shrinker *
zch_shrinker_create(const char *name,
		    unsigned long (*count)(struct shrinker *,
					   struct shrink_control *),
		    unsigned long (*scan)(struct shrinker *,
					  struct shrink_control *))
{
	struct shrinker *s;

#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE
	s = shrinker_alloc(0, "%s", name);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	shrinker_register(s);
#else
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
#endif
	return s;
}

/**
 * zch_shrinker_destroy() - unregister and free a shrinker
 * @s: from zch_shrinker_create()
 */
static inline void zch_shrinker_destroy(struct shrinker *s)
{
#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE
	shrinker_free(s);
#else
	unregister_shrinker(s);
	kfree(s);
#endif
}

#endif /* _ZCH_COMPAT_H */
