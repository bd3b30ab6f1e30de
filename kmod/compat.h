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
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/bvec.h>
#include <linux/workqueue.h>

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
 * zch_sendfolio() - hand part of a folio to TCP by reference, no copy
 * @sock: a TCP socket
 * @folio: the folio, referenced by the caller for the duration of the call
 * @off: byte offset within @folio
 * @len: bytes to send, within @folio
 * @more: more bytes of the same response follow this call
 *
 * Non-blocking. TCP takes its own page references, so the caller may drop
 * its folio reference as soon as this returns.
 *
 * Return: bytes queued (may be short of @len), -EAGAIN if nothing could be
 * queued, or another negative errno.
 */
static inline int zch_sendfolio(struct socket *sock, struct folio *folio,
				size_t off, size_t len, bool more)
{
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
	struct msghdr msg = {
		.msg_flags = MSG_SPLICE_PAGES | MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	struct bio_vec bv;

	if (more)
		msg.msg_flags |= MSG_MORE;
	bvec_set_folio(&bv, folio, len, off);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bv, 1, len);
	return sock_sendmsg(sock, &msg);
#else
	/* TCP ignores MSG_SPLICE_PAGES before 6.5: use ->sendpage */
	size_t done = 0;

	while (done < len) {
		size_t pos = off + done;
		struct page *page = folio_page(folio, pos >> PAGE_SHIFT);
		size_t poff = offset_in_page(pos);
		size_t n = min_t(size_t, len - done, PAGE_SIZE - poff);
		int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
		int ret;

		if (more || done + n < len)
			flags |= MSG_MORE | MSG_SENDPAGE_NOTLAST;
		ret = kernel_sendpage(sock, page, poff, n, flags);
		if (ret <= 0)
			return done ? done : (ret ? ret : -EAGAIN);
		done += ret;
		if (ret < n)
			break;
	}
	return done;
#endif
}

#endif /* _ZCH_COMPAT_H */
