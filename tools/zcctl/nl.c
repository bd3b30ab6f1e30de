// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing shared by all zcctl objects: socket setup,
 * family resolution, extended ack, request/reply loop.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include <linux/zchttp.h>

#include "zcctl.h"

/* Largest request: ROOT_ADD with a ZCHTTP_PATH_MAX path, plus headroom. */
#define ZC_MSG_SIZE	(ZCHTTP_PATH_MAX + 1 + 4096)

static struct nl_sock *sk;
static int family = -1;

/* Validation of the top level attributes of every reply. */
static struct nla_policy root_policy[ZCHTTP_A_ROOT_MAX + 1] = {
	[ZCHTTP_A_ROOT_PORT]	= { .type = NLA_U16 },
	[ZCHTTP_A_ROOT_ADDR]	= { .type = NLA_UNSPEC, .minlen = 4,
				    .maxlen = 16 },
	[ZCHTTP_A_ROOT_PATH]	= { .type = NLA_STRING },
	[ZCHTTP_A_ROOT_INDEX]	= { .type = NLA_STRING },
	[ZCHTTP_A_ROOT_FLAGS]	= { .type = NLA_U32 },
	[ZCHTTP_A_ROOT_CONNS]	= { .type = NLA_U32 },
	[ZCHTTP_A_ROOT_STATS]	= { .type = NLA_NESTED },
	[ZCHTTP_A_ROOT_LIMIT_REQLINE] = { .type = NLA_U32 },
	[ZCHTTP_A_ROOT_LIMIT_HEAD] = { .type = NLA_U32 },
	[ZCHTTP_A_ROOT_LIMIT_HEADERS] = { .type = NLA_U32 },
	[ZCHTTP_A_ROOT_UID]	= { .type = NLA_U32 },
	[ZCHTTP_A_ROOT_GID]	= { .type = NLA_U32 },
};

struct zc_req {
	zc_reply_fn fn;
	void *arg;
	bool done;
	int err;		/* negative errno */
	char extack[512];	/* NLMSGERR_ATTR_MSG, if any */
};

/*
 * Copy the extended ack message (NLMSGERR_ATTR_MSG) that follows the
 * payload of an NLMSG_ERROR or NLMSG_DONE message at offset off.
 */
static void extack_msg(const struct nlmsghdr *nlh, size_t off,
		       char *buf, size_t size)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlattr *a;

	buf[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len <= off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL) < 0)
		return;
	a = tb[NLMSGERR_ATTR_MSG];
	if (!a)
		return;
	snprintf(buf, size, "%.*s",
		 (int)strnlen(nla_data(a), nla_len(a)), (char *)nla_data(a));
}

/* Offset of the extack TLVs in an NLMSG_ERROR message. */
static size_t err_tlv_offset(const struct nlmsghdr *nlh,
			     const struct nlmsgerr *e)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e));

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	return off;
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct zc_req *r = arg;

	(void)nla;
	r->err = e->error < 0 ? e->error : -e->error;
	extack_msg(nlh, err_tlv_offset(nlh, e), r->extack, sizeof(r->extack));
	r->done = true;
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlmsgerr *e = nlmsg_data(nlh);
	struct zc_req *r = arg;
	char warn[512];

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*e)) {
		extack_msg(nlh, err_tlv_offset(nlh, e), warn, sizeof(warn));
		if (warn[0])
			fprintf(stderr, "Warning: %s\n", warn);
	}
	r->done = true;
	return NL_STOP;
}

/* NLMSG_DONE: end of a dump; its payload is the dump's error code. */
static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct zc_req *r = arg;
	int err;

	if (nlmsg_datalen(nlh) >= (int)sizeof(int)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0) {
			r->err = err;
			extack_msg(nlh, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(err)),
				   r->extack, sizeof(r->extack));
		}
	}
	r->done = true;
	return NL_STOP;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ZCHTTP_A_ROOT_MAX + 1];
	struct zc_req *r = arg;
	int ret;

	if (!r->fn)
		return NL_OK;
	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, ZCHTTP_A_ROOT_MAX,
			    root_policy);
	if (ret < 0) {
		r->err = -EPROTO;
		snprintf(r->extack, sizeof(r->extack),
			 "malformed reply from kernel: %s", nl_geterror(ret));
		r->done = true;
		return NL_STOP;
	}
	ret = r->fn(tb, r->arg);
	if (ret < 0) {
		r->err = ret;
		r->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

int zc_nl_open(void)
{
	int one = 1;
	int fd, ret;

	sk = nl_socket_alloc();
	if (!sk) {
		zc_error("cannot allocate netlink socket");
		return EXIT_FAIL;
	}
	ret = genl_connect(sk);
	if (ret < 0) {
		zc_error("cannot open generic netlink socket: %s",
			 nl_geterror(ret));
		return EXIT_FAIL;
	}
	fd = nl_socket_get_fd(sk);
	/* Best effort: older kernels just give no messages. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Replies may exceed a page (long paths): size reads by peeking. */
	nl_socket_enable_msg_peek(sk);

	family = genl_ctrl_resolve(sk, ZCHTTP_FAMILY_NAME);
	if (family == -NLE_OBJ_NOTFOUND) {
		zc_error("generic netlink family \"%s\" not found: is the module loaded? Try: modprobe zchttp (or insmod zchttp.ko)",
			 ZCHTTP_FAMILY_NAME);
		return EXIT_NOMOD;
	}
	if (family < 0) {
		zc_error("cannot resolve generic netlink family \"%s\": %s",
			 ZCHTTP_FAMILY_NAME, nl_geterror(family));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

void zc_nl_close(void)
{
	if (sk)
		nl_socket_free(sk);
	sk = NULL;
}

struct nl_msg *zc_nl_msg(uint8_t cmd, bool dump)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc_size(ZC_MSG_SIZE);
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, cmd,
			 ZCHTTP_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * Send msg (consumed) and process replies until the ack (do) or
 * NLMSG_DONE (dump). fn, if set, is called for each reply message.
 * Errors are reported under the name "what". Returns an exit code.
 */
int zc_nl_request(struct nl_msg *msg, const char *what,
		  zc_reply_fn fn, void *arg)
{
	struct zc_req r = { .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		zc_error("%s: %s", what, strerror(ENOMEM));
		return EXIT_FAIL;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, &r);

	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		zc_error("%s: sending request: %s", what, nl_geterror(ret));
		return EXIT_FAIL;
	}

	while (!r.done) {
		ret = nl_recvmsgs(sk, cb);
		if (r.err)
			break;
		if (ret < 0) {
			nl_cb_put(cb);
			zc_error("%s: receiving reply: %s", what,
				 nl_geterror(ret));
			return EXIT_FAIL;
		}
	}
	nl_cb_put(cb);

	if (r.err) {
		if (r.extack[0]) {
			fprintf(stderr, "Error: %s\n", r.extack);
			zc_error_json(r.extack);
		}
		zc_error("%s: %s", what, strerror(-r.err));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* A request that carries nothing but an optional port: open, send, reply. */
int zc_nl_port_request(uint8_t cmd, const char *what, bool have_port,
		       uint16_t port, zc_reply_fn fn, void *arg)
{
	struct nl_msg *msg;
	int rc;

	rc = zc_nl_open();
	if (rc)
		return rc;
	msg = zc_nl_msg(cmd, false);
	if (!msg || (have_port && nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port))) {
		nlmsg_free(msg);
		zc_error("%s: %s", what, strerror(ENOMEM));
		return EXIT_FAIL;
	}
	return zc_nl_request(msg, what, fn, arg);
}
