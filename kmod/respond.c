// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: the responder: safe path resolution beneath a document root,
 * the response it leads to, and error responses.
 *
 * The decoded request path is resolved relative to the root's pinned
 * directory with vfs_path_lookup() and LOOKUP_BENEATH: ".." cannot leave
 * the root, and symlinks (LOOKUP_NO_SYMLINKS, LOOKUP_NO_MAGICLINKS) and
 * mount points (LOOKUP_NO_XDEV) are refused instead of followed. No path
 * string is ever built by joining the root and the request.
 *
 * The lookup, the permission check and the open run with the root's own
 * credential (root->cred: an unprivileged uid and gid, no capability), not
 * with the worker's kernel credential, so that directory search bits,
 * ACLs and LSM rules decide as they would for that user. On top of that,
 * only regular files with the world-read bit are served.
 *
 * The open never waits for a lease to be broken (O_NONBLOCK): a file
 * whose write lease is held is answered with 503 and Retry-After.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "date.h"
#include "respond.h"

#define ZCH_LOOKUP_FLAGS	(LOOKUP_BENEATH | LOOKUP_NO_SYMLINKS | \
				 LOOKUP_NO_MAGICLINKS | LOOKUP_NO_XDEV)
#define ZCH_RETRY_AFTER		1	/* seconds, for 503 */

static u16 zch_status_of(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		return 404;
	case -ELOOP:	/* a symlink */
	case -EXDEV:	/* a mount point, or an escape */
	case -EACCES:
	case -EPERM:
		return 403;
	case -ENAMETOOLONG:
		return 414;
	case -EAGAIN:	/* a rename raced with a scoped lookup, a lease */
	case -ENOMEM:
		return 503;
	default:
		return 500;
	}
}

static void zch_count_status(struct zch_conn *conn, u16 status)
{
	static const u8 cls[] = {
		[2] = ZCH_STAT_RESP_2XX, [3] = ZCH_STAT_RESP_3XX,
		[4] = ZCH_STAT_RESP_4XX, [5] = ZCH_STAT_RESP_5XX,
	};
	unsigned int c = status / 100;

	if (c >= 2 && c <= 5)
		zch_stat_add(conn->root, cls[c], 1);
}

/* zch_http_format() into the connection's header buffer, with Date */
static size_t zch_format(struct zch_conn *conn, struct zch_http_resp *resp)
{
	char date[ZCH_DATE_LEN + 1];
	size_t n;

	resp->now = zch_date_str(date);
	resp->date = date;
	n = zch_http_format(conn->buf->hdr, ZCH_HDR_SIZE, resp);
	resp->date = NULL;
	return n;
}

/*
 * Queue an error response described by @resp: a short HTML body follows
 * the header from the connection's header buffer, unless @head.
 */
static void zch_queue_error(struct zch_conn *conn, struct zch_http_resp *resp,
			    bool head)
{
	char *hdr = conn->buf->hdr;
	char body[ZCH_ERROR_BODY_MAX];
	size_t blen, n;

	zch_tx_reset(conn);
	blen = zch_http_error_body(body, sizeof(body), resp->status);
	resp->content_length = blen;
	resp->content_type = "text/html; charset=utf-8";
	if (resp->status == 503)
		resp->retry_after = ZCH_RETRY_AFTER;
	n = zch_format(conn, resp);
	if (WARN_ON_ONCE(!n))
		return;
	if (head || n + blen > ZCH_HDR_SIZE)
		blen = 0;
	memcpy(hdr + n, body, blen);
	conn->tx.hdr_len = n + blen;
	conn->tx.hdr_body = blen;
	conn->tx.last = !resp->keepalive;
	zch_count_status(conn, resp->status);
}

/**
 * zch_respond_error() - queue an error response
 * @conn: the connection, with a buffer
 * @status: HTTP status code
 * @req: the request, or NULL when none could be parsed: then the answer
 *	is HTTP/1.1, with a body, and ends the connection
 *
 * The header and its short HTML body go out by copy from the connection's
 * header buffer; a HEAD request gets the header only. A pending body is
 * dropped. Only 403, 404, 405 and 503 keep a keep-alive connection open:
 * after any other error the stream cannot be trusted.
 *
 * Context: the connection's work.
 */
void zch_respond_error(struct zch_conn *conn, u16 status,
		       const struct zch_http_req *req)
{
	struct zch_http_resp resp = {
		.status = status,
		.version = req ? req->version : 11,
		.keepalive = req && req->keepalive &&
			     (status == 403 || status == 404 ||
			      status == 405 || status == 503),
		.mtime = -1,
	};

	zch_queue_error(conn, &resp, req && req->method == ZCH_HTTP_HEAD);
}

/* The error response to a failed lookup or open. */
static void zch_respond_errno(struct zch_conn *conn, int err,
			      const struct zch_http_req *req)
{
	u16 status = zch_status_of(err);

	if (err == -ENOMEM)
		zch_stat_add(conn->root, ZCH_STAT_NOMEM, 1);
	if (status == 403)
		zch_stat_add(conn->root, ZCH_STAT_PATH_REJECTS, 1);
	zch_respond_error(conn, status, req);
}

/* Percent-encode @path into "/@path/" for a Location header. */
static char *zch_location(const char *path, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char *loc, *p;
	size_t i;

	loc = kmalloc(len * 3 + 3, GFP_KERNEL);
	if (!loc)
		return NULL;
	p = loc;
	*p++ = '/';
	for (i = 0; i < len; i++) {
		unsigned char c = path[i];

		/* ASCII only: the kernel's ctype calls Latin-1 letters alnum */
		if ((c < 0x80 && isalnum(c)) || strchr("/-._~!$&'()*+,;=:@", c)) {
			*p++ = c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p++ = '/';
	*p = '\0';
	return loc;
}

static int zch_redirect(struct zch_conn *conn, const struct zch_http_req *req)
{
	struct zch_http_resp resp = {
		.status = 301,
		.version = req->version,
		.keepalive = req->keepalive,
		.mtime = -1,
		.content_type = "text/html; charset=utf-8",
	};
	size_t n;

	resp.location = zch_location(req->path, req->path_len);
	if (!resp.location)
		return -ENOMEM;
	n = zch_format(conn, &resp);
	kfree(resp.location);
	if (!n) {
		/* the Location does not fit in the header buffer */
		zch_respond_error(conn, 414, req);
		return 0;
	}
	conn->tx.hdr_len = n;
	zch_count_status(conn, 301);
	return 0;
}

/*
 * Resolve @req->path beneath @root into @out: a file, or a directory's
 * index. @name is set to the name asked for, whose extension gives the
 * Content-Type: the request's path, or the index file's name. Never the
 * dentry's name, which a concurrent rename can change and free.
 */
static int zch_lookup(struct zch_root *root, const struct zch_http_req *req,
		      struct path *out, const char **name)
{
	struct path dir;
	int err;

	*name = req->path;
	if (!req->path_len) {
		dir = root->path;
		path_get(&dir);
	} else {
		err = vfs_path_lookup(root->path.dentry, root->path.mnt,
				      req->path, ZCH_LOOKUP_FLAGS, &dir);
		if (err)
			return err;
		if (!d_is_dir(dir.dentry)) {
			/* "file/" names a directory that is not there */
			if (req->trailing_slash) {
				path_put(&dir);
				return -ENOTDIR;
			}
			*out = dir;
			return 0;
		}
		if (!req->trailing_slash) {
			path_put(&dir);
			return -EISDIR;	/* redirect to the slashed form */
		}
	}
	*name = root->index;
	err = vfs_path_lookup(dir.dentry, dir.mnt, root->index,
			      ZCH_LOOKUP_FLAGS, out);
	path_put(&dir);
	return err;
}

/*
 * What may be served: a regular file with the world-read bit, not DAX
 * (no page cache), that the current (the root's) credential may read.
 */
static int zch_may_serve(const struct path *path)
{
	struct inode *inode = d_inode(path->dentry);

	if (!d_is_reg(path->dentry) || !(inode->i_mode & 0004) ||
	    IS_DAX(inode))
		return -EACCES;
	return zch_inode_may_read(path);
}

/* RFC 9110 13.2.2: If-None-Match, when present, decides alone. */
static bool zch_not_modified(const struct zch_http_req *req, const char *etag,
			     s64 mtime)
{
	if (req->inm)
		return zch_http_etag_match(req->inm, req->inm_len, etag, true);
	return req->ims >= 0 && mtime <= req->ims;
}

/* RFC 9110 13.1.5: a Range applies only if If-Range, if any, still holds. */
static bool zch_if_range_holds(const struct zch_http_req *req,
			       const char *etag, s64 mtime)
{
	if (!req->if_range)
		return true;
	/* an entity tag, strong or weak ("W/"); a date may start with "Wed" */
	if (req->if_range[0] == '"' ||
	    (req->if_range_len > 1 && req->if_range[0] == 'W' &&
	     req->if_range[1] == '/'))
		return zch_http_etag_match(req->if_range, req->if_range_len,
					   etag, false);
	return zch_http_parse_date(req->if_range, req->if_range_len) == mtime;
}

/*
 * Resolve @req with the root's credential and check that it may be
 * served. Return: 0 with @path held and @name set (see zch_lookup()), or
 * a negative errno.
 */
static int zch_open(struct zch_conn *conn, const struct zch_http_req *req,
		    struct path *path, const char **name)
{
	const struct cred *old = override_creds(conn->root->cred);
	int err;

	err = zch_lookup(conn->root, req, path, name);
	if (!err) {
		err = zch_may_serve(path);
		if (err)
			path_put(path);
	}
	revert_creds(old);
	return err;
}

/*
 * May the pages of @mapping go to TCP by reference? Not in copy mode, not
 * on a file system that revalidates in ->read_iter, and not without
 * ->read_folio (tmpfs has its own read).
 */
static bool zch_by_reference(const struct zch_root *root,
			     struct address_space *mapping)
{
	return root->zerocopy &&
	       (shmem_mapping(mapping) || mapping->a_ops->read_folio);
}

/*
 * Make the 200 response to @req into a cache entry, if @req still
 * resolves to @path once the entry has taken its stamps (cache.c).
 */
static void zch_respond_cache(struct zch_conn *conn,
			      const struct zch_http_req *req,
			      const struct path *path,
			      const struct zch_http_resp *resp,
			      const struct zch_stamp *st)
{
	struct zch_cache_entry *e;
	struct path again;
	const char *name;
	bool same = false;

	e = zch_cache_prepare(conn, req, path, resp, st);
	if (!e)
		return;
	if (!zch_open(conn, req, &again, &name)) {
		same = path_equal(&again, path);
		path_put(&again);
	}
	zch_cache_commit(e, same);
}

/**
 * zch_respond_lookup() - resolve a request and queue its response
 * @conn: the connection, with a buffer
 * @req: the parsed request
 *
 * The lookup path: sets up conn->tx with the header in conn->buf->hdr
 * and, for GET of a non-empty file, the open file whose pages will
 * follow; a 200 of a small file is made into a cache entry.
 *
 * Context: the connection's work on zch_wq (may sleep in the lookup).
 * Return: 0, or a negative errno if no response could be built.
 */
int zch_respond_lookup(struct zch_conn *conn, const struct zch_http_req *req)
{
	struct zch_http_resp resp = {
		.status = 200,
		.version = req->version,
		.keepalive = req->keepalive,
	};
	bool head = req->method == ZCH_HTTP_HEAD;
	char etag[ZCH_HTTP_ETAG_MAX];
	struct zch_root *root = conn->root;
	struct address_space *mapping;
	u64 size, first = 0, last = 0;
	const struct cred *old;
	struct zch_stamp st;
	struct inode *inode;
	const char *name;
	struct file *file;
	struct path path;
	size_t n;
	int err;

	err = zch_open(conn, req, &path, &name);
	if (err == -EISDIR)
		return zch_redirect(conn, req);
	if (err) {
		zch_respond_errno(conn, err, req);
		return 0;
	}

	inode = d_inode(path.dentry);
	zch_stamp_read(&st, inode);
	size = st.size;
	resp.mtime = st.mtime;
	zch_http_etag(etag, inode->i_ino, size, st.ctime);
	resp.etag = etag;
	resp.ranges = true;
	resp.content_length = size;
	resp.content_type = zch_http_mime_type(name, strlen(name));
	if (zch_not_modified(req, etag, resp.mtime)) {
		resp.status = 304;
		head = true;
	} else if (!head && req->range &&
		   zch_if_range_holds(req, etag, resp.mtime)) {
		switch (zch_http_range(req->range, req->range_len, size,
				       &first, &last)) {
		case 206:
			resp.status = 206;
			resp.range_first = first;
			resp.range_last = last;
			resp.total = size;
			resp.content_length = last - first + 1;
			break;
		case 416:
			path_put(&path);
			resp.status = 416;
			resp.total = size;
			resp.etag = NULL;
			zch_queue_error(conn, &resp, false);
			return 0;
		}
	}

	if (!head && resp.content_length) {
		/* O_NONBLOCK: a write lease is not waited for (-EWOULDBLOCK) */
		old = override_creds(root->cred);
		file = dentry_open(&path, O_RDONLY | O_LARGEFILE | O_NONBLOCK,
				   root->cred);
		revert_creds(old);
		if (IS_ERR(file)) {
			path_put(&path);
			zch_respond_errno(conn, PTR_ERR(file), req);
			return 0;
		}
		/* it was for the lease only; reads never see it */
		file->f_flags &= ~O_NONBLOCK;
		mapping = file->f_mapping;
		conn->tx.file = file;
		conn->tx.pos = resp.status == 206 ? first : 0;
		conn->tx.end = conn->tx.pos + resp.content_length;
		conn->tx.copy = !zch_by_reference(root, mapping);
	}
	if (resp.status == 200 && zch_by_reference(root, inode->i_mapping) &&
	    zch_cache_wants(root, req, size))
		zch_respond_cache(conn, req, &path, &resp, &st);
	path_put(&path);

	n = zch_format(conn, &resp);
	if (WARN_ON_ONCE(!n))
		return -EOVERFLOW;
	conn->tx.hdr_len = n;
	zch_count_status(conn, resp.status);
	return 0;
}
