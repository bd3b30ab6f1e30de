// SPDX-License-Identifier: GPL-2.0
/*
 * The zchttp generic netlink API, without zcctl: strict policies, precise
 * errors, CAP_NET_ADMIN on changes, and add/get/dump/del round trips.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
};

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	((struct reply *)arg)->err = -e->error;
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

	self->sk = nl_socket_alloc();
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, genl_connect(self->sk));
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
