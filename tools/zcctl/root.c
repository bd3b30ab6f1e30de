// SPDX-License-Identifier: GPL-2.0
/*
 * zcctl root: document roots and their listening sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include <linux/zchttp.h>

#include "zcctl.h"
#include "json_print.h"

#define ROOT_DEFAULT_PORT	80

void root_usage(FILE *f)
{
	fprintf(f,
		"Usage: zcctl root add DIR [ port PORT ] [ addr ADDR ] [ index NAME ] [ copy ]\n"
		"                          [ reqline BYTES ] [ headsize BYTES ] [ headers COUNT ]\n"
		"                          [ uid UID ] [ gid GID ]\n"
		"       zcctl root del [ port ] PORT\n"
		"       zcctl root { show | list | ls } [ port PORT ]\n"
		"       zcctl root help\n"
		"where  PORT := 1..65535 (default 80)\n"
		"       ADDR := { IPV4 | IPV6 | [IPV6] } (default: all addresses)\n"
		"       reqline BYTES := %u..%u, request line (default %u; at most headsize)\n"
		"       headsize BYTES := %u..%u, request head (default %u)\n"
		"       headers COUNT := %u..%u, header lines (default %u)\n"
		"       UID, GID := numbers files are read as (default %u, %u)\n",
		ZCHTTP_REQLINE_MIN, ZCHTTP_REQLINE_MAX, ZCHTTP_REQLINE_DEFAULT,
		ZCHTTP_HEAD_MIN, ZCHTTP_HEAD_MAX, ZCHTTP_HEAD_DEFAULT,
		ZCHTTP_HEADERS_MIN, ZCHTTP_HEADERS_MAX, ZCHTTP_HEADERS_DEFAULT,
		ZCHTTP_UID_DEFAULT, ZCHTTP_GID_DEFAULT);
}

static int root_help(void)
{
	root_usage(stdout);
	return EXIT_OK;
}

static int parse_addr(const char *arg, unsigned char *buf, int *len)
{
	char tmp[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(arg);

	if (n >= 2 && arg[0] == '[' && arg[n - 1] == ']' &&
	    n - 2 < sizeof(tmp)) {
		memcpy(tmp, arg + 1, n - 2);
		tmp[n - 2] = '\0';
		if (inet_pton(AF_INET6, tmp, buf) == 1) {
			*len = 16;
			return 0;
		}
	} else if (inet_pton(AF_INET, arg, buf) == 1) {
		*len = 4;
		return 0;
	} else if (inet_pton(AF_INET6, arg, buf) == 1) {
		*len = 16;
		return 0;
	}
	zc_error("invalid address \"%s\"", arg);
	return -1;
}

/* A number of root add (a limit, an id) and the attribute that carries it */
struct root_limit {
	const char *key;
	int attr;
	uint32_t min;
	uint32_t max;
	uint32_t val;
	bool set;
};

/*
 * At "KEY VALUE": step to VALUE and parse it as a decimal number within
 * the limit's bounds, refusing a second one.
 * Return: 0, or EXIT_FAIL after printing why.
 */
static int next_limit_arg(struct root_limit *l, int *argc, char ***argv)
{
	unsigned long val;
	const char *arg;
	char *end;

	if (next_arg(argc, argv))
		return EXIT_FAIL;
	if (l->set)
		return zc_duparg(l->key);
	arg = **argv;
	errno = 0;
	val = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || errno || *end ||
	    val < l->min || val > l->max) {
		zc_error("invalid %s \"%s\" (%u to %u)", l->key, arg,
			 l->min, l->max);
		return EXIT_FAIL;
	}
	l->val = val;
	l->set = true;
	return 0;
}

/*
 * Make dir absolute by prefixing the working directory, and drop empty
 * and "." components. ".." is kept: only the kernel can resolve it
 * correctly (symlinks), and it checks existence and type anyway.
 */
static char *abs_path(const char *dir)
{
	char *cwd = NULL, *joined, *res, *p, *tok, *save;
	size_t len;

	if (dir[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd) {
			zc_error("cannot get working directory: %s",
				 strerror(errno));
			return NULL;
		}
	}
	len = (cwd ? strlen(cwd) : 0) + strlen(dir) + 2;
	joined = malloc(len);
	res = malloc(len + 1);
	if (!joined || !res) {
		zc_error("%s", strerror(ENOMEM));
		free(cwd);
		free(joined);
		free(res);
		return NULL;
	}
	snprintf(joined, len, "%s/%s", cwd ? cwd : "", dir);
	free(cwd);

	p = res;
	for (tok = strtok_r(joined, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		*p++ = '/';
		strcpy(p, tok);
		p += strlen(tok);
	}
	if (p == res)
		*p++ = '/';
	*p = '\0';
	free(joined);
	return res;
}

static int root_add(int argc, char **argv)
{
	struct root_limit limits[] = {
		{ .key = "reqline", .attr = ZCHTTP_A_ROOT_LIMIT_REQLINE,
		  .min = ZCHTTP_REQLINE_MIN, .max = ZCHTTP_REQLINE_MAX },
		{ .key = "headsize", .attr = ZCHTTP_A_ROOT_LIMIT_HEAD,
		  .min = ZCHTTP_HEAD_MIN, .max = ZCHTTP_HEAD_MAX },
		{ .key = "headers", .attr = ZCHTTP_A_ROOT_LIMIT_HEADERS,
		  .min = ZCHTTP_HEADERS_MIN, .max = ZCHTTP_HEADERS_MAX },
		/* (uid_t)-1 is no uid */
		{ .key = "uid", .attr = ZCHTTP_A_ROOT_UID,
		  .min = 0, .max = UINT32_MAX - 1 },
		{ .key = "gid", .attr = ZCHTTP_A_ROOT_GID,
		  .min = 0, .max = UINT32_MAX - 1 },
	};
	unsigned char addr[16];
	const char *index = NULL;
	uint16_t port = ROOT_DEFAULT_PORT;
	bool have_port = false, have_addr = false, copy = false;
	int addr_len = 0, rc;
	struct nl_msg *msg;
	char *path;
	size_t i;

	if (argc < 1) {
		zc_error("root add: missing DIR, try \"zcctl root help\".");
		return EXIT_FAIL;
	}
	if (!strcmp(argv[0], "help"))
		return root_help();
	if (!argv[0][0]) {
		zc_error("root add: empty DIR");
		return EXIT_FAIL;
	}
	path = argv[0];
	argc--;
	argv++;

	while (argc > 0) {
		for (i = 0; i < ARRAY_SIZE(limits); i++)
			if (matches(*argv, limits[i].key))
				break;
		if (matches(*argv, "port")) {
			if (next_port_arg("port", &argc, &argv, &port,
					  &have_port))
				return EXIT_FAIL;
		} else if (matches(*argv, "addr")) {
			if (next_arg(&argc, &argv))
				return EXIT_FAIL;
			if (have_addr)
				return zc_duparg("addr");
			if (parse_addr(*argv, addr, &addr_len))
				return EXIT_FAIL;
			have_addr = true;
		} else if (matches(*argv, "index")) {
			if (next_arg(&argc, &argv))
				return EXIT_FAIL;
			if (index)
				return zc_duparg("index");
			index = *argv;
		} else if (matches(*argv, "copy")) {
			if (copy)
				return zc_duparg("copy");
			copy = true;
		} else if (i < ARRAY_SIZE(limits)) {
			if (next_limit_arg(&limits[i], &argc, &argv))
				return EXIT_FAIL;
		} else if (matches(*argv, "help")) {
			return root_help();
		} else {
			return zc_badarg("root", *argv);
		}
		argc--;
		argv++;
	}

	path = abs_path(path);
	if (!path)
		return EXIT_FAIL;

	rc = zc_nl_open();
	if (rc)
		goto out;
	rc = EXIT_FAIL;
	msg = zc_nl_msg(ZCHTTP_CMD_ROOT_ADD, false);
	if (!msg)
		goto nomem;
	if (nla_put_string(msg, ZCHTTP_A_ROOT_PATH, path) ||
	    nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port) ||
	    (have_addr && nla_put(msg, ZCHTTP_A_ROOT_ADDR, addr_len, addr)) ||
	    (index && nla_put_string(msg, ZCHTTP_A_ROOT_INDEX, index)) ||
	    (copy && nla_put_u32(msg, ZCHTTP_A_ROOT_FLAGS,
				 ZCHTTP_ROOT_F_COPY))) {
		nlmsg_free(msg);
		zc_error("root add: request too large (DIR or NAME too long)");
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		if (limits[i].set &&
		    nla_put_u32(msg, limits[i].attr, limits[i].val)) {
			nlmsg_free(msg);
			zc_error("root add: request too large");
			goto out;
		}
	}
	rc = zc_nl_request(msg, "root add", NULL, NULL);
	goto out;
nomem:
	zc_error("root add: %s", strerror(ENOMEM));
out:
	free(path);
	return rc;
}

/* root del PORT | root del port PORT */
static int root_del(int argc, char **argv)
{
	struct nl_msg *msg;
	uint16_t port;
	int rc;

	if (argc > 0 && matches(*argv, "help"))
		return root_help();
	if (argc > 0 && matches(*argv, "port")) {
		if (next_arg(&argc, &argv))
			return EXIT_FAIL;
	}
	if (argc < 1) {
		zc_error("root del: missing PORT, try \"zcctl root help\".");
		return EXIT_FAIL;
	}
	if (parse_port(*argv, &port))
		return EXIT_FAIL;
	if (argc > 1)
		return zc_badarg("root", argv[1]);

	rc = zc_nl_open();
	if (rc)
		return rc;
	msg = zc_nl_msg(ZCHTTP_CMD_ROOT_DEL, false);
	if (!msg || nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port)) {
		nlmsg_free(msg);
		zc_error("root del: %s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	return zc_nl_request(msg, "root del", NULL, NULL);
}

static const struct {
	uint32_t flag;
	const char *name;
} root_flags[] = {
	{ ZCHTTP_ROOT_F_COPY,	"copy" },
};

static void print_flags(uint32_t flags)
{
	char hex[16];
	bool first = true;
	size_t i;

	/* text: "flags a,b" only if any; JSON: always an array */
	if (flags)
		print_text(" flags ");
	open_json_array("flags");
	for (i = 0; i < ARRAY_SIZE(root_flags); i++) {
		if (!(flags & root_flags[i].flag))
			continue;
		print_string(NULL, first ? "%s" : ",%s", root_flags[i].name);
		flags &= ~root_flags[i].flag;
		first = false;
	}
	if (flags) {
		/* bits this zcctl does not know about */
		snprintf(hex, sizeof(hex), "0x%x", flags);
		print_string(NULL, first ? "%s" : ",%s", hex);
	}
	close_json_array();
}

/* The numbers of a root, in the order root show prints them. */
static const struct {
	int attr;
	const char *key;
	const char *fmt;
} limit_keys[] = {
	{ ZCHTTP_A_ROOT_LIMIT_REQLINE,	"reqline",	"reqline %llu" },
	{ ZCHTTP_A_ROOT_LIMIT_HEAD,	"headsize",	"headsize %llu" },
	{ ZCHTTP_A_ROOT_LIMIT_HEADERS,	"headers",	"headers %llu" },
	{ ZCHTTP_A_ROOT_UID,		"uid",		"uid %llu" },
	{ ZCHTTP_A_ROOT_GID,		"gid",		"gid %llu" },
};

/*
 * One root: "port P addr A path D index I reqline R headsize H headers N
 * uid U gid G conns C [flags F]".
 */
static int print_root(struct nlattr **tb, void *arg)
{
	char addr[INET6_ADDRSTRLEN];
	uint32_t flags = 0;
	const char *sep = "";
	size_t i;

	(void)arg;
	open_json_object(NULL);
	if (tb[ZCHTTP_A_ROOT_PORT]) {
		print_uint("port", "port %llu",
			   nla_get_u16(tb[ZCHTTP_A_ROOT_PORT]));
		sep = " ";
	}
	if (tb[ZCHTTP_A_ROOT_ADDR]) {
		struct nlattr *a = tb[ZCHTTP_A_ROOT_ADDR];
		int family = nla_len(a) == 4 ? AF_INET :
			     nla_len(a) == 16 ? AF_INET6 : AF_UNSPEC;

		if (family != AF_UNSPEC &&
		    inet_ntop(family, nla_data(a), addr, sizeof(addr))) {
			print_text("%s", sep);
			print_string("addr", "addr %s", addr);
			sep = " ";
		}
	}
	if (tb[ZCHTTP_A_ROOT_PATH]) {
		print_text("%s", sep);
		print_string("path", "path %s",
			     nla_get_string(tb[ZCHTTP_A_ROOT_PATH]));
		sep = " ";
	}
	if (tb[ZCHTTP_A_ROOT_INDEX]) {
		print_text("%s", sep);
		print_string("index", "index %s",
			     nla_get_string(tb[ZCHTTP_A_ROOT_INDEX]));
		sep = " ";
	}
	for (i = 0; i < ARRAY_SIZE(limit_keys); i++) {
		if (!tb[limit_keys[i].attr])
			continue;
		print_text("%s", sep);
		print_uint(limit_keys[i].key, limit_keys[i].fmt,
			   nla_get_u32(tb[limit_keys[i].attr]));
		sep = " ";
	}
	if (tb[ZCHTTP_A_ROOT_CONNS]) {
		print_text("%s", sep);
		print_uint("conns", "conns %llu",
			   nla_get_u32(tb[ZCHTTP_A_ROOT_CONNS]));
	}
	if (tb[ZCHTTP_A_ROOT_FLAGS])
		flags = nla_get_u32(tb[ZCHTTP_A_ROOT_FLAGS]);
	print_flags(flags);
	print_text("\n");
	close_json_object();
	return 0;
}

/* root show [ port PORT ]: dump, or a single root */
static int root_show(int argc, char **argv)
{
	bool have_port = false;
	struct nl_msg *msg;
	uint16_t port = 0;
	int rc;

	while (argc > 0) {
		if (matches(*argv, "port")) {
			if (next_port_arg("port", &argc, &argv, &port,
					  &have_port))
				return EXIT_FAIL;
		} else if (matches(*argv, "help")) {
			return root_help();
		} else {
			return zc_badarg("root", *argv);
		}
		argc--;
		argv++;
	}

	rc = zc_nl_open();
	if (rc)
		return rc;
	msg = zc_nl_msg(ZCHTTP_CMD_ROOT_GET, !have_port);
	if (!msg ||
	    (have_port && nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port))) {
		nlmsg_free(msg);
		zc_error("root show: %s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	open_json_array(NULL);
	rc = zc_nl_request(msg, "root show", print_root, NULL);
	close_json_array();
	return rc;
}

int do_root(int argc, char **argv)
{
	if (argc < 1)
		return root_show(0, NULL);
	if (matches(*argv, "add"))
		return root_add(argc - 1, argv + 1);
	if (matches(*argv, "delete"))
		return root_del(argc - 1, argv + 1);
	if (matches(*argv, "show") || matches(*argv, "list") ||
	    matches(*argv, "ls"))
		return root_show(argc - 1, argv + 1);
	if (matches(*argv, "help"))
		return root_help();
	return zc_badcmd("root", *argv);
}
