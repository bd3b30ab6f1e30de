// SPDX-License-Identifier: GPL-2.0
/*
 * The zchttp generic netlink API, without zcctl: strict policies, precise
 * errors, CAP_NET_ADMIN on changes, and add/get/dump/del round trips.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <linux/zchttp.h>

#include "kselftest_harness.h"

struct reply {
	int err;		/* errno from the kernel, 0 on success */
	int nmsg;		/* data messages received */
	char path[256];
	int port;
	int64_t reqline;	/* request head limits, -1 if absent */
	int64_t head;
	int64_t headers;
	int64_t uid;		/* ids files are read as, -1 if absent */
	int64_t gid;
	char msg[256];		/* extack message of an error, if any */
};

/* the extack message of an error, with NETLINK_CAP_ACK (no payload) */
static void error_msg(struct nlmsgerr *e, char *buf, size_t size)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e));
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	buf[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len <= off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL) || !tb[NLMSGERR_ATTR_MSG])
		return;
	snprintf(buf, size, "%s", (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct reply *r = arg;

	r->err = -e->error;
	error_msg(e, r->msg, sizeof(r->msg));
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	((struct reply *)arg)->err = 0;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ZCHTTP_A_ROOT_MAX + 1];
	struct reply *r = arg;

	r->nmsg++;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ZCHTTP_A_ROOT_MAX, NULL))
		return NL_SKIP;
	if (tb[ZCHTTP_A_ROOT_PATH])
		snprintf(r->path, sizeof(r->path), "%s",
			 nla_get_string(tb[ZCHTTP_A_ROOT_PATH]));
	if (tb[ZCHTTP_A_ROOT_PORT])
		r->port = nla_get_u16(tb[ZCHTTP_A_ROOT_PORT]);
	if (tb[ZCHTTP_A_ROOT_LIMIT_REQLINE])
		r->reqline = nla_get_u32(tb[ZCHTTP_A_ROOT_LIMIT_REQLINE]);
	if (tb[ZCHTTP_A_ROOT_LIMIT_HEAD])
		r->head = nla_get_u32(tb[ZCHTTP_A_ROOT_LIMIT_HEAD]);
	if (tb[ZCHTTP_A_ROOT_LIMIT_HEADERS])
		r->headers = nla_get_u32(tb[ZCHTTP_A_ROOT_LIMIT_HEADERS]);
	if (tb[ZCHTTP_A_ROOT_UID])
		r->uid = nla_get_u32(tb[ZCHTTP_A_ROOT_UID]);
	if (tb[ZCHTTP_A_ROOT_GID])
		r->gid = nla_get_u32(tb[ZCHTTP_A_ROOT_GID]);
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	((struct reply *)arg)->err = 0;
	return NL_STOP;
}

/* Send @msg (consumed) and collect the answer in @r. */
static void transact(struct nl_sock *sk, struct nl_msg *msg, struct reply *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	memset(r, 0, sizeof(*r));
	r->err = -1;
	r->reqline = -1;
	r->head = -1;
	r->headers = -1;
	r->uid = -1;
	r->gid = -1;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, r);
	if (nl_send_auto(sk, msg) < 0)
		r->err = -2;
	else
		while (r->err == -1 && nl_recvmsgs(sk, cb) >= 0)
			;
	nlmsg_free(msg);
	nl_cb_put(cb);
}

static struct nl_msg *new_msg(int family, int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
		    NLM_F_ACK | flags, cmd, ZCHTTP_FAMILY_VERSION);
	return msg;
}

FIXTURE(zch) {
	struct nl_sock *sk;
	int family;
};

FIXTURE_SETUP(zch)
{
	const char *ko = getenv("ZCH_KO");
	char cmd[512];
	int one = 1;

	self->sk = nl_socket_alloc();
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, genl_connect(self->sk));
	ASSERT_EQ(0, setsockopt(nl_socket_get_fd(self->sk), SOL_NETLINK,
				NETLINK_EXT_ACK, &one, sizeof(one)));
	ASSERT_EQ(0, setsockopt(nl_socket_get_fd(self->sk), SOL_NETLINK,
				NETLINK_CAP_ACK, &one, sizeof(one)));
	self->family = genl_ctrl_resolve(self->sk, ZCHTTP_FAMILY_NAME);
	if (self->family < 0) {
		snprintf(cmd, sizeof(cmd), "insmod %s",
			 ko ? ko : "../kmod/zchttp.ko");
		ASSERT_EQ(0, system(cmd));
		self->family = genl_ctrl_resolve(self->sk, ZCHTTP_FAMILY_NAME);
	}
	ASSERT_LE(0, self->family);
}

FIXTURE_TEARDOWN(zch)
{
	struct nl_msg *msg;
	struct reply r;
	int port;

	for (port = 8130; port < 8135; port++) {
		msg = new_msg(self->family, ZCHTTP_CMD_ROOT_DEL, 0);
		nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port);
		transact(self->sk, msg, &r);
	}
	nl_socket_free(self->sk);
}

static int add_root(FIXTURE_DATA(zch) *self, const char *path, int port)
{
	struct nl_msg *msg = new_msg(self->family, ZCHTTP_CMD_ROOT_ADD, 0);
	struct reply r;

	nla_put_string(msg, ZCHTTP_A_ROOT_PATH, path);
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port);
	transact(self->sk, msg, &r);
	return r.err;
}

/* ROOT_DEL of @port; return the errno */
static int msg_del(FIXTURE_DATA(zch) *self, int port)
{
	struct nl_msg *msg = new_msg(self->family, ZCHTTP_CMD_ROOT_DEL, 0);
	struct reply r;

	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port);
	transact(self->sk, msg, &r);
	return r.err;
}

TEST_F(zch, add_get_del)
{
	struct nl_msg *msg;
	struct reply r;

	ASSERT_EQ(0, add_root(self, "/tmp", 8130));
	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_GET, 0);
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
	transact(self->sk, msg, &r);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(1, r.nmsg);
	EXPECT_EQ(8130, r.port);
	EXPECT_STREQ("/tmp", r.path);

	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_DEL, 0);
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
	transact(self->sk, msg, &r);
	ASSERT_EQ(0, r.err);

	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_GET, 0);
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
	transact(self->sk, msg, &r);
	ASSERT_EQ(ENOENT, r.err);
}

TEST_F(zch, dump)
{
	struct nl_msg *msg;
	struct reply r;
	int port;

	for (port = 8130; port < 8133; port++)
		ASSERT_EQ(0, add_root(self, "/tmp", port));
	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_GET, NLM_F_DUMP);
	transact(self->sk, msg, &r);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(3, r.nmsg);
}

TEST_F(zch, duplicate_port)
{
	ASSERT_EQ(0, add_root(self, "/tmp", 8130));
	EXPECT_EQ(EEXIST, add_root(self, "/tmp", 8130));
}

TEST_F(zch, missing_attributes)
{
	struct nl_msg *msg;
	struct reply r;

	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_ADD, 0);
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
	transact(self->sk, msg, &r);
	EXPECT_EQ(EINVAL, r.err);

	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_ADD, 0);
	nla_put_string(msg, ZCHTTP_A_ROOT_PATH, "/tmp");
	transact(self->sk, msg, &r);
	EXPECT_EQ(EINVAL, r.err);

	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_DEL, 0);
	transact(self->sk, msg, &r);
	EXPECT_EQ(EINVAL, r.err);
}

TEST_F(zch, policy_rejects)
{
	static const unsigned char addr3[3] = { 127, 0, 0 };
	struct nl_msg *msg;
	struct reply r;

	/* port 0: below the policy's minimum */
	EXPECT_EQ(ERANGE, add_root(self, "/tmp", 0));
	/* relative path */
	EXPECT_EQ(EINVAL, add_root(self, "tmp", 8130));
	/* address of 3 bytes */
	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_ADD, 0);
	nla_put_string(msg, ZCHTTP_A_ROOT_PATH, "/tmp");
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
	nla_put(msg, ZCHTTP_A_ROOT_ADDR, sizeof(addr3), addr3);
	transact(self->sk, msg, &r);
	EXPECT_EQ(EINVAL, r.err);
	/* unknown flag bit */
	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_ADD, 0);
	nla_put_string(msg, ZCHTTP_A_ROOT_PATH, "/tmp");
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
	nla_put_u32(msg, ZCHTTP_A_ROOT_FLAGS, 0x80);
	transact(self->sk, msg, &r);
	EXPECT_EQ(EINVAL, r.err);
	/* unknown attribute: strict validation */
	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_ADD, 0);
	nla_put_string(msg, ZCHTTP_A_ROOT_PATH, "/tmp");
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
	nla_put_u32(msg, ZCHTTP_A_ROOT_MAX + 5, 1);
	transact(self->sk, msg, &r);
	EXPECT_EQ(EINVAL, r.err);
	/* a path that is not NUL-terminated within the limit */
	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_ADD, 0);
	nla_put(msg, ZCHTTP_A_ROOT_PATH, 4, "/tmp");
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
	transact(self->sk, msg, &r);
	EXPECT_EQ(EINVAL, r.err);
}

/* ROOT_ADD on @port with the limits that are not 0; return the errno */
static int add_limits_on(FIXTURE_DATA(zch) *self, int port,
			 unsigned int reqline, unsigned int head,
			 unsigned int headers, struct reply *r)
{
	struct nl_msg *msg = new_msg(self->family, ZCHTTP_CMD_ROOT_ADD, 0);

	nla_put_string(msg, ZCHTTP_A_ROOT_PATH, "/tmp");
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port);
	if (reqline)
		nla_put_u32(msg, ZCHTTP_A_ROOT_LIMIT_REQLINE, reqline);
	if (head)
		nla_put_u32(msg, ZCHTTP_A_ROOT_LIMIT_HEAD, head);
	if (headers)
		nla_put_u32(msg, ZCHTTP_A_ROOT_LIMIT_HEADERS, headers);
	transact(self->sk, msg, r);
	return r->err;
}

static int add_limits(FIXTURE_DATA(zch) *self, unsigned int reqline,
		      unsigned int head, unsigned int headers,
		      struct reply *r)
{
	return add_limits_on(self, 8130, reqline, head, headers, r);
}

static void get_root(FIXTURE_DATA(zch) *self, int port, struct reply *r)
{
	struct nl_msg *msg = new_msg(self->family, ZCHTTP_CMD_ROOT_GET, 0);

	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port);
	transact(self->sk, msg, r);
}

TEST_F(zch, limits_default_reported)
{
	struct nl_msg *msg;
	struct reply r;

	ASSERT_EQ(0, add_root(self, "/tmp", 8130));
	get_root(self, 8130, &r);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(ZCHTTP_REQLINE_DEFAULT, r.reqline);
	EXPECT_EQ(ZCHTTP_HEAD_DEFAULT, r.head);
	EXPECT_EQ(ZCHTTP_HEADERS_DEFAULT, r.headers);
	EXPECT_EQ(4096, r.reqline);
	EXPECT_EQ(8192, r.head);
	EXPECT_EQ(100, r.headers);

	/* the dump reports them as well */
	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_GET, NLM_F_DUMP);
	transact(self->sk, msg, &r);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(4096, r.reqline);
	EXPECT_EQ(8192, r.head);
	EXPECT_EQ(100, r.headers);
}

TEST_F(zch, limits_set_and_reported)
{
	struct nl_msg *msg;
	struct reply r;

	ASSERT_EQ(0, add_limits(self, 256, 1024, 8, &r));
	get_root(self, 8130, &r);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(256, r.reqline);
	EXPECT_EQ(1024, r.head);
	EXPECT_EQ(8, r.headers);

	msg = new_msg(self->family, ZCHTTP_CMD_ROOT_DEL, 0);
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
	transact(self->sk, msg, &r);
	ASSERT_EQ(0, r.err);

	/* the largest values */
	ASSERT_EQ(0, add_limits(self, 16384, 65536, 1000, &r));
	get_root(self, 8130, &r);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(16384, r.reqline);
	EXPECT_EQ(65536, r.head);
	EXPECT_EQ(1000, r.headers);

	/* one limit given: the others keep their defaults */
	ASSERT_EQ(0, add_limits_on(self, 8131, 0, 20000, 0, &r));
	get_root(self, 8131, &r);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(4096, r.reqline);
	EXPECT_EQ(20000, r.head);
	EXPECT_EQ(100, r.headers);
	ASSERT_EQ(0, add_limits_on(self, 8132, 0, 0, 8, &r));
	get_root(self, 8132, &r);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(4096, r.reqline);
	EXPECT_EQ(8192, r.head);
	EXPECT_EQ(8, r.headers);
}

TEST_F(zch, limits_out_of_range)
{
	static const struct {
		unsigned int reqline, head, headers;
	} bad[] = {
		{ 255, 0, 0 }, { 16385, 65536, 0 }, { 0xffffffff, 0, 0 },
		{ 0, 1023, 0 }, { 0, 65537, 0 }, { 0, 0xffffffff, 0 },
		{ 0, 0, 7 }, { 0, 0, 1001 }, { 0, 0, 0xffffffff },
	};
	struct reply r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(ERANGE, add_limits(self, bad[i].reqline, bad[i].head,
					     bad[i].headers, &r))
			TH_LOG("limits %u/%u/%u", bad[i].reqline, bad[i].head,
			       bad[i].headers);
		EXPECT_STREQ("integer out of range", r.msg);
		get_root(self, 8130, &r);
		EXPECT_EQ(ENOENT, r.err);
	}
	/* a limit of 0 is out of range too, not "the default" */
	{
		struct nl_msg *msg = new_msg(self->family,
					     ZCHTTP_CMD_ROOT_ADD, 0);

		nla_put_string(msg, ZCHTTP_A_ROOT_PATH, "/tmp");
		nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
		nla_put_u32(msg, ZCHTTP_A_ROOT_LIMIT_HEADERS, 0);
		transact(self->sk, msg, &r);
		EXPECT_EQ(ERANGE, r.err);
	}
	/* a u16 where a u32 belongs */
	{
		struct nl_msg *msg = new_msg(self->family,
					     ZCHTTP_CMD_ROOT_ADD, 0);

		nla_put_string(msg, ZCHTTP_A_ROOT_PATH, "/tmp");
		nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8130);
		nla_put_u16(msg, ZCHTTP_A_ROOT_LIMIT_HEAD, 2048);
		transact(self->sk, msg, &r);
		EXPECT_EQ(EINVAL, r.err);
	}
}

TEST_F(zch, limits_reqline_above_head)
{
	struct reply r;

	/* explicit head */
	EXPECT_EQ(EINVAL, add_limits(self, 2048, 1024, 0, &r));
	EXPECT_STREQ("request line limit exceeds the head limit", r.msg);
	/* the default head (8192) */
	EXPECT_EQ(EINVAL, add_limits(self, 8193, 0, 0, &r));
	EXPECT_STREQ("request line limit exceeds the head limit", r.msg);
	/* a head below the default request line (4096) */
	EXPECT_EQ(EINVAL, add_limits(self, 0, 4095, 0, &r));
	EXPECT_STREQ("request line limit exceeds the head limit", r.msg);
	get_root(self, 8130, &r);
	EXPECT_EQ(ENOENT, r.err);

	/* equal is allowed */
	ASSERT_EQ(0, add_limits(self, 4095, 4095, 0, &r));
	get_root(self, 8130, &r);
	EXPECT_EQ(4095, r.reqline);
	EXPECT_EQ(4095, r.head);
}

/* ROOT_ADD on 8131 with UID and GID, each if not -1; return the errno */
static int add_ids(FIXTURE_DATA(zch) *self, int64_t uid, int64_t gid,
		   struct reply *r)
{
	struct nl_msg *msg = new_msg(self->family, ZCHTTP_CMD_ROOT_ADD, 0);

	nla_put_string(msg, ZCHTTP_A_ROOT_PATH, "/tmp");
	nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8131);
	if (uid >= 0)
		nla_put_u32(msg, ZCHTTP_A_ROOT_UID, uid);
	if (gid >= 0)
		nla_put_u32(msg, ZCHTTP_A_ROOT_GID, gid);
	transact(self->sk, msg, r);
	return r->err;
}

TEST_F(zch, ids_default_and_set)
{
	struct reply r;

	ASSERT_EQ(0, add_ids(self, -1, -1, &r));
	get_root(self, 8131, &r);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(ZCHTTP_UID_DEFAULT, r.uid);
	EXPECT_EQ(ZCHTTP_GID_DEFAULT, r.gid);
	EXPECT_EQ(65534, r.uid);

	msg_del(self, 8131);
	ASSERT_EQ(0, add_ids(self, 1000, 100, &r));
	get_root(self, 8131, &r);
	EXPECT_EQ(1000, r.uid);
	EXPECT_EQ(100, r.gid);

	/* (uid_t)-1 maps to nothing */
	msg_del(self, 8131);
	EXPECT_EQ(EINVAL, add_ids(self, 0xffffffffLL, -1, &r));
	EXPECT_STREQ("uid not valid here", r.msg);
	EXPECT_EQ(EINVAL, add_ids(self, -1, 0xffffffffLL, &r));
	EXPECT_STREQ("gid not valid here", r.msg);
}

TEST_F(zch, ids_need_setuid_setgid)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (!pid) {
		/* keep CAP_NET_ADMIN only, as uid 1000 */
		struct __user_cap_header_struct h = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct d[2] = {
			{ .effective = 1u << CAP_NET_ADMIN,
			  .permitted = 1u << CAP_NET_ADMIN },
		};
		struct reply r;

		if (prctl(PR_SET_KEEPCAPS, 1) || setgid(1000) || setuid(1000) ||
		    syscall(SYS_capset, &h, d))
			_exit(2);
		/* one's own ids need nothing, the defaults neither */
		if (add_ids(self, 1000, 1000, &r) || msg_del(self, 8131) ||
		    add_ids(self, -1, -1, &r) || msg_del(self, 8131))
			_exit(3);
		if (add_ids(self, 0, -1, &r) != EPERM ||
		    strcmp(r.msg, "reading as another uid needs CAP_SETUID"))
			_exit(4);
		if (add_ids(self, -1, 0, &r) != EPERM ||
		    strcmp(r.msg, "reading as another gid needs CAP_SETGID"))
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(zch, eperm_without_cap_net_admin)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (!pid) {
		struct nl_sock *sk;
		int family;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		sk = nl_socket_alloc();
		if (genl_connect(sk))
			_exit(3);
		family = genl_ctrl_resolve(sk, ZCHTTP_FAMILY_NAME);
		{
			struct nl_msg *msg = new_msg(family, ZCHTTP_CMD_ROOT_ADD, 0);
			struct reply r;

			nla_put_string(msg, ZCHTTP_A_ROOT_PATH, "/tmp");
			nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, 8134);
			transact(sk, msg, &r);
			_exit(r.err == EPERM ? 0 : 4);
		}
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
