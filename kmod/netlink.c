// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: the "zchttp" generic netlink family.
 *
 * Documentation/netlink/specs/zchttp.yaml describes the same family. Every
 * op has its own strict policy; ops that change state need CAP_NET_ADMIN
 * (GENL_ADMIN_PERM); every refusal carries an extack message. The ops run
 * in parallel (parallel_ops) and serialise on zch_cfg_lock.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>

#include "zch.h"

/*
 * 65536 is beyond the s16 bounds of NLA_POLICY_RANGE(). Not const: 6.1's
 * struct nla_policy points to a non-const range, later kernels accept both.
 */
static struct netlink_range_validation zch_head_range = {
	.min = ZCHTTP_HEAD_MIN,
	.max = ZCHTTP_HEAD_MAX,
};

static const struct nla_policy zch_root_add_policy[ZCHTTP_A_ROOT_MAX + 1] = {
	[ZCHTTP_A_ROOT_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[ZCHTTP_A_ROOT_ADDR]	= { .type = NLA_BINARY,
				    .len = sizeof(struct in6_addr) },
	[ZCHTTP_A_ROOT_PATH]	= { .type = NLA_NUL_STRING,
				    .len = ZCHTTP_PATH_MAX },
	[ZCHTTP_A_ROOT_INDEX]	= { .type = NLA_NUL_STRING,
				    .len = ZCHTTP_INDEX_MAX },
	[ZCHTTP_A_ROOT_FLAGS]	= NLA_POLICY_MASK(NLA_U32, ZCHTTP_ROOT_F_COPY),
	[ZCHTTP_A_ROOT_LIMIT_REQLINE] = NLA_POLICY_RANGE(NLA_U32,
							 ZCHTTP_REQLINE_MIN,
							 ZCHTTP_REQLINE_MAX),
	[ZCHTTP_A_ROOT_LIMIT_HEAD] = NLA_POLICY_FULL_RANGE(NLA_U32,
							   &zch_head_range),
	[ZCHTTP_A_ROOT_LIMIT_HEADERS] = NLA_POLICY_RANGE(NLA_U32,
							 ZCHTTP_HEADERS_MIN,
							 ZCHTTP_HEADERS_MAX),
	[ZCHTTP_A_ROOT_UID]	= { .type = NLA_U32 },
	[ZCHTTP_A_ROOT_GID]	= { .type = NLA_U32 },
};

static const struct nla_policy zch_port_policy[ZCHTTP_A_ROOT_MAX + 1] = {
	[ZCHTTP_A_ROOT_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
};

static struct genl_family zch_family;

static bool zch_index_ok(const char *name)
{
	return name[0] && strcmp(name, ".") && strcmp(name, "..") &&
	       !strchr(name, '/');
}

/* Request head limits: the defaults, replaced by the attributes given. */
static int zch_nl_limits(struct nlattr **tb, struct zch_http_limits *lim,
			 struct netlink_ext_ack *extack)
{
	lim->reqline = ZCHTTP_REQLINE_DEFAULT;
	lim->head = ZCHTTP_HEAD_DEFAULT;
	lim->headers = ZCHTTP_HEADERS_DEFAULT;
	if (tb[ZCHTTP_A_ROOT_LIMIT_REQLINE])
		lim->reqline = nla_get_u32(tb[ZCHTTP_A_ROOT_LIMIT_REQLINE]);
	if (tb[ZCHTTP_A_ROOT_LIMIT_HEAD])
		lim->head = nla_get_u32(tb[ZCHTTP_A_ROOT_LIMIT_HEAD]);
	if (tb[ZCHTTP_A_ROOT_LIMIT_HEADERS])
		lim->headers = nla_get_u32(tb[ZCHTTP_A_ROOT_LIMIT_HEADERS]);

	if (lim->reqline > lim->head) {
		NL_SET_ERR_MSG_ATTR(extack,
				    tb[ZCHTTP_A_ROOT_LIMIT_REQLINE] ?:
				    tb[ZCHTTP_A_ROOT_LIMIT_HEAD],
				    "request line limit exceeds the head limit");
		return -EINVAL;
	}
	return 0;
}

/*
 * The user and group the root reads files as. Naming another uid than
 * one's own is acting as that user, as setuid() is: it needs CAP_SETUID,
 * and another gid than one's groups CAP_SETGID. The default drops
 * privileges, and needs neither.
 */
static int zch_nl_ids(struct nlattr **tb, struct zch_root_cfg *cfg,
		      struct netlink_ext_ack *extack)
{
	struct user_namespace *ns = current_user_ns();
	struct nlattr *a_uid = tb[ZCHTTP_A_ROOT_UID];
	struct nlattr *a_gid = tb[ZCHTTP_A_ROOT_GID];
	u32 uid = a_uid ? nla_get_u32(a_uid) : ZCHTTP_UID_DEFAULT;
	u32 gid = a_gid ? nla_get_u32(a_gid) : ZCHTTP_GID_DEFAULT;

	cfg->uid = make_kuid(ns, uid);
	cfg->gid = make_kgid(ns, gid);
	if (!uid_valid(cfg->uid)) {
		NL_SET_ERR_MSG_ATTR(extack, a_uid, "uid not valid here");
		return -EINVAL;
	}
	if (!gid_valid(cfg->gid)) {
		NL_SET_ERR_MSG_ATTR(extack, a_gid, "gid not valid here");
		return -EINVAL;
	}
	if (uid != ZCHTTP_UID_DEFAULT && !uid_eq(cfg->uid, current_euid()) &&
	    !ns_capable(ns, CAP_SETUID)) {
		NL_SET_ERR_MSG_ATTR(extack, a_uid,
				    "reading as another uid needs CAP_SETUID");
		return -EPERM;
	}
	if (gid != ZCHTTP_GID_DEFAULT && !in_egroup_p(cfg->gid) &&
	    !ns_capable(ns, CAP_SETGID)) {
		NL_SET_ERR_MSG_ATTR(extack, a_gid,
				    "reading as another gid needs CAP_SETGID");
		return -EPERM;
	}
	return 0;
}

static int zch_nl_root_add(struct sk_buff *skb, struct genl_info *info)
{
	struct zch_root_cfg cfg = { .index = "index.html" };
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, ZCHTTP_A_ROOT_PATH) ||
	    GENL_REQ_ATTR_CHECK(info, ZCHTTP_A_ROOT_PORT))
		return -EINVAL;
	cfg.path = nla_data(tb[ZCHTTP_A_ROOT_PATH]);
	cfg.port = nla_get_u16(tb[ZCHTTP_A_ROOT_PORT]);

	if (tb[ZCHTTP_A_ROOT_INDEX]) {
		cfg.index = nla_data(tb[ZCHTTP_A_ROOT_INDEX]);
		if (!zch_index_ok(cfg.index)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[ZCHTTP_A_ROOT_INDEX],
					    "index must be a plain file name");
			return -EINVAL;
		}
	}
	if (tb[ZCHTTP_A_ROOT_FLAGS])
		cfg.flags = nla_get_u32(tb[ZCHTTP_A_ROOT_FLAGS]);
	err = zch_nl_limits(tb, &cfg.limits, extack);
	if (err)
		return err;
	err = zch_nl_ids(tb, &cfg, extack);
	if (err)
		return err;

	if (tb[ZCHTTP_A_ROOT_ADDR]) {
		struct nlattr *a = tb[ZCHTTP_A_ROOT_ADDR];

		if (nla_len(a) == sizeof(struct in_addr)) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&cfg.addr;

			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, nla_data(a), nla_len(a));
			cfg.addrlen = sizeof(*sin);
		} else if (nla_len(a) == sizeof(struct in6_addr)) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&cfg.addr;

			sin6->sin6_family = AF_INET6;
			memcpy(&sin6->sin6_addr, nla_data(a), nla_len(a));
			cfg.addrlen = sizeof(*sin6);
		} else {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "address must be 4 or 16 bytes");
			return -EINVAL;
		}
	}
	return zch_root_add(&cfg, extack);
}

static int zch_nl_root_del(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, ZCHTTP_A_ROOT_PORT))
		return -EINVAL;
	return zch_root_del(nla_get_u16(info->attrs[ZCHTTP_A_ROOT_PORT]),
			    info->extack);
}

static int zch_put_stats(struct sk_buff *skb, struct zch_stats *s)
{
	u64 v[ZCH_STAT_NR];
	struct nlattr *nest;
	int i;

	zch_stats_read(s, v);
	nest = nla_nest_start(skb, ZCHTTP_A_ROOT_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, ZCHTTP_A_STATS_CONNS_ACTIVE,
			      atomic_read(&s->active), ZCHTTP_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, ZCHTTP_A_STATS_CACHE_ENTRIES,
			      READ_ONCE(s->cache_entries), ZCHTTP_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, ZCHTTP_A_STATS_CACHE_BYTES,
			      READ_ONCE(s->cache_bytes), ZCHTTP_A_STATS_PAD))
		goto err_cancel;
	for (i = 0; i < ZCH_STAT_NR; i++)
		if (nla_put_u64_64bit(skb, zch_stats_attr(i), v[i],
				      ZCHTTP_A_STATS_PAD))
			goto err_cancel;
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int zch_put_addr(struct sk_buff *skb, const struct zch_root *root)
{
	if (root->addr.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&root->addr;

		return nla_put_in_addr(skb, ZCHTTP_A_ROOT_ADDR,
				       sin->sin_addr.s_addr);
	}
	return nla_put_in6_addr(skb, ZCHTTP_A_ROOT_ADDR,
				&((const struct sockaddr_in6 *)&root->addr)->sin6_addr);
}

static int zch_put_path(struct sk_buff *skb, const struct path *path)
{
	char *buf, *p;
	int err;

	buf = __getname();
	if (!buf)
		return -ENOMEM;
	p = d_path(path, buf, PATH_MAX);
	err = IS_ERR(p) ? PTR_ERR(p) : nla_put_string(skb, ZCHTTP_A_ROOT_PATH, p);
	__putname(buf);
	return err;
}

static int zch_fill_root(struct sk_buff *skb, struct zch_root *root,
			 u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &zch_family, flags,
			  ZCHTTP_CMD_ROOT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u16(skb, ZCHTTP_A_ROOT_PORT, root->port) ||
	    zch_put_addr(skb, root) ||
	    nla_put_string(skb, ZCHTTP_A_ROOT_INDEX, root->index) ||
	    nla_put_u32(skb, ZCHTTP_A_ROOT_FLAGS, root->flags) ||
	    nla_put_u32(skb, ZCHTTP_A_ROOT_CONNS,
			atomic_read(&root->stats.active)) ||
	    nla_put_u32(skb, ZCHTTP_A_ROOT_LIMIT_REQLINE,
			root->limits.reqline) ||
	    nla_put_u32(skb, ZCHTTP_A_ROOT_LIMIT_HEAD, root->limits.head) ||
	    nla_put_u32(skb, ZCHTTP_A_ROOT_LIMIT_HEADERS,
			root->limits.headers) ||
	    nla_put_u32(skb, ZCHTTP_A_ROOT_UID,
			from_kuid_munged(current_user_ns(), root->cred->uid)) ||
	    nla_put_u32(skb, ZCHTTP_A_ROOT_GID,
			from_kgid_munged(current_user_ns(), root->cred->gid)))
		goto err_cancel;
	if (zch_put_path(skb, &root->path))
		goto err_cancel;
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * The root on the port @port names, or NULL with the reason in @extack.
 * Caller holds zch_cfg_lock.
 */
static struct zch_root *zch_nl_find_root(const struct nlattr *port,
					 struct netlink_ext_ack *extack)
{
	struct zch_root *root = zch_root_find(nla_get_u16(port));

	if (!root)
		NL_SET_ERR_MSG_ATTR(extack, port, "no root on this port");
	return root;
}

static int zch_nl_root_get(struct sk_buff *skb, struct genl_info *info)
{
	struct zch_root *root;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, ZCHTTP_A_ROOT_PORT))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&zch_cfg_lock);
	root = zch_nl_find_root(info->attrs[ZCHTTP_A_ROOT_PORT], info->extack);
	if (!root) {
		mutex_unlock(&zch_cfg_lock);
		nlmsg_free(msg);
		return -ENOENT;
	}
	err = zch_fill_root(msg, root, info->snd_portid, info->snd_seq, 0);
	mutex_unlock(&zch_cfg_lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int zch_nl_root_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	long skip = cb->args[0], i = 0;
	struct zch_root *root;
	int err = 0;

	mutex_lock(&zch_cfg_lock);
	list_for_each_entry(root, &zch_roots, node) {
		if (i++ < skip)
			continue;
		err = zch_fill_root(skb, root, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
		cb->args[0] = i;
	}
	mutex_unlock(&zch_cfg_lock);
	/* a message that did not fit is sent in the next part */
	if (err && cb->args[0] == skip)
		return err;
	return skb->len;
}

static int zch_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *port = info->attrs[ZCHTTP_A_ROOT_PORT];
	struct zch_stats *s = &zch_global_stats;
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &zch_family, 0, ZCHTTP_CMD_STATS_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}

	mutex_lock(&zch_cfg_lock);
	if (port) {
		struct zch_root *root = zch_nl_find_root(port, info->extack);

		if (!root) {
			mutex_unlock(&zch_cfg_lock);
			err = -ENOENT;
			goto err_free;
		}
		s = &root->stats;
		err = nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, root->port);
		if (err) {
			mutex_unlock(&zch_cfg_lock);
			goto err_free;
		}
	}
	err = zch_put_stats(msg, s);
	mutex_unlock(&zch_cfg_lock);
	if (err)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

/*
 * Apply @fn to the root on the port @info names; without a port, to every
 * root and then once to NULL (for what is global). Under zch_cfg_lock.
 */
static int zch_nl_each_root(struct genl_info *info,
			    void (*fn)(struct zch_root *root))
{
	struct nlattr *port = info->attrs[ZCHTTP_A_ROOT_PORT];
	struct zch_root *root;

	mutex_lock(&zch_cfg_lock);
	if (port) {
		root = zch_nl_find_root(port, info->extack);
		if (!root) {
			mutex_unlock(&zch_cfg_lock);
			return -ENOENT;
		}
		fn(root);
	} else {
		list_for_each_entry(root, &zch_roots, node)
			fn(root);
		fn(NULL);
	}
	mutex_unlock(&zch_cfg_lock);
	return 0;
}

static void zch_nl_reset_one(struct zch_root *root)
{
	zch_stats_reset(root ? &root->stats : &zch_global_stats);
}

static int zch_nl_stats_reset(struct sk_buff *skb, struct genl_info *info)
{
	return zch_nl_each_root(info, zch_nl_reset_one);
}

static void zch_nl_flush_one(struct zch_root *root)
{
	if (root)
		zch_cache_flush(root);
}

static int zch_nl_cache_flush(struct sk_buff *skb, struct genl_info *info)
{
	return zch_nl_each_root(info, zch_nl_flush_one);
}

static const struct genl_ops zch_ops[] = {
	{
		.cmd		= ZCHTTP_CMD_ROOT_ADD,
		.doit		= zch_nl_root_add,
		.policy		= zch_root_add_policy,
		.maxattr	= ZCHTTP_A_ROOT_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ZCHTTP_CMD_ROOT_DEL,
		.doit		= zch_nl_root_del,
		.policy		= zch_port_policy,
		.maxattr	= ZCHTTP_A_ROOT_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ZCHTTP_CMD_ROOT_GET,
		.doit		= zch_nl_root_get,
		.dumpit		= zch_nl_root_dump,
		.policy		= zch_port_policy,
		.maxattr	= ZCHTTP_A_ROOT_MAX,
	},
	{
		.cmd		= ZCHTTP_CMD_STATS_GET,
		.doit		= zch_nl_stats_get,
		.policy		= zch_port_policy,
		.maxattr	= ZCHTTP_A_ROOT_MAX,
	},
	{
		.cmd		= ZCHTTP_CMD_STATS_RESET,
		.doit		= zch_nl_stats_reset,
		.policy		= zch_port_policy,
		.maxattr	= ZCHTTP_A_ROOT_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ZCHTTP_CMD_CACHE_FLUSH,
		.doit		= zch_nl_cache_flush,
		.policy		= zch_port_policy,
		.maxattr	= ZCHTTP_A_ROOT_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
};

static struct genl_family zch_family __ro_after_init = {
	.name		= ZCHTTP_FAMILY_NAME,
	.version	= ZCHTTP_FAMILY_VERSION,
	.maxattr	= ZCHTTP_A_ROOT_MAX,
	.module		= THIS_MODULE,
	.ops		= zch_ops,
	.n_ops		= ARRAY_SIZE(zch_ops),
	.netnsok	= false,
	/*
	 * zch_cfg_lock serialises the ops; genl_mutex, shared by every
	 * family, is not held while ROOT_DEL waits for connections.
	 */
	.parallel_ops	= true,
};

/**
 * zch_netlink_init() - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int zch_netlink_init(void)
{
	return genl_register_family(&zch_family);
}

/**
 * zch_netlink_exit() - unregister the family; no op runs after this
 */
void zch_netlink_exit(void)
{
	genl_unregister_family(&zch_family);
}
