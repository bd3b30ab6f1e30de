// SPDX-License-Identifier: GPL-2.0
/*
 * zcctl stats: global and per-root counters.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/zchttp.h>

#include "zcctl.h"
#include "json_print.h"

/* Output names, in output order (the UAPI order). */
static const char *const stats_names[ZCHTTP_A_STATS_MAX + 1] = {
	[ZCHTTP_A_STATS_CONNS_ACCEPTED]		= "conns_accepted",
	[ZCHTTP_A_STATS_CONNS_ACTIVE]		= "conns_active",
	[ZCHTTP_A_STATS_CONNS_REFUSED]		= "conns_refused",
	[ZCHTTP_A_STATS_REQUESTS]		= "requests",
	[ZCHTTP_A_STATS_RESP_2XX]		= "resp_2xx",
	[ZCHTTP_A_STATS_RESP_3XX]		= "resp_3xx",
	[ZCHTTP_A_STATS_RESP_4XX]		= "resp_4xx",
	[ZCHTTP_A_STATS_RESP_5XX]		= "resp_5xx",
	[ZCHTTP_A_STATS_BODY_BYTES_ZC]		= "body_bytes_zc",
	[ZCHTTP_A_STATS_BODY_BYTES_COPY]	= "body_bytes_copy",
	[ZCHTTP_A_STATS_HEADER_BYTES]		= "header_bytes",
	[ZCHTTP_A_STATS_PAGECACHE_MISSES]	= "pagecache_misses",
	[ZCHTTP_A_STATS_PATH_REJECTS]		= "path_rejects",
	[ZCHTTP_A_STATS_PARSE_ERRORS]		= "parse_errors",
	[ZCHTTP_A_STATS_TIMEOUTS]		= "timeouts",
	[ZCHTTP_A_STATS_RESP_TORN]		= "resp_torn",
	[ZCHTTP_A_STATS_NOMEM]			= "nomem",
};

static struct nla_policy stats_policy[ZCHTTP_A_STATS_MAX + 1] = {
	[ZCHTTP_A_STATS_CONNS_ACCEPTED]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_CONNS_ACTIVE]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_CONNS_REFUSED]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_REQUESTS]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_RESP_2XX]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_RESP_3XX]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_RESP_4XX]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_RESP_5XX]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_BODY_BYTES_ZC]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_BODY_BYTES_COPY]	= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_HEADER_BYTES]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_PAGECACHE_MISSES]	= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_PATH_REJECTS]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_PARSE_ERRORS]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_TIMEOUTS]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_RESP_TORN]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_NOMEM]			= { .type = NLA_U64 },
};

void stats_usage(FILE *f)
{
	fprintf(f,
		"Usage: zcctl stats [ show ] [ root PORT ]\n"
		"       zcctl stats reset [ root PORT ]\n"
		"       zcctl stats help\n");
}

static int stats_help(void)
{
	stats_usage(stdout);
	return EXIT_OK;
}

/* "root P" (per-root only), then one "name value" line per counter. */
static int print_stats(struct nlattr **tb, void *arg)
{
	struct nlattr *stb[ZCHTTP_A_STATS_MAX + 1];
	const int *req_port = arg;
	int i;

	open_json_object(NULL);
	if (tb[ZCHTTP_A_ROOT_PORT])
		print_uint("root", "root %llu\n",
			   nla_get_u16(tb[ZCHTTP_A_ROOT_PORT]));
	else if (*req_port)
		print_uint("root", "root %llu\n", *req_port);
	if (tb[ZCHTTP_A_ROOT_STATS]) {
		if (nla_parse_nested(stb, ZCHTTP_A_STATS_MAX,
				     tb[ZCHTTP_A_ROOT_STATS], stats_policy))
			return -EPROTO;
		for (i = 0; i <= ZCHTTP_A_STATS_MAX; i++) {
			if (!stats_names[i] || !stb[i])
				continue;
			print_text("%s ", stats_names[i]);
			print_uint(stats_names[i], "%llu\n",
				   nla_get_u64(stb[i]));
		}
	}
	close_json_object();
	return 0;
}

int do_stats(int argc, char **argv)
{
	bool reset = false, have_port = false;
	const char *what = "stats show";
	struct nl_msg *msg;
	uint16_t port = 0;
	int req_port, rc;

	if (argc > 0) {
		/* "root" before "reset": a bare "r" must not reset */
		if (matches(*argv, "show")) {
			argc--;
			argv++;
		} else if (matches(*argv, "root")) {
			/* stats root PORT: parsed below */
		} else if (matches(*argv, "reset")) {
			reset = true;
			what = "stats reset";
			argc--;
			argv++;
		} else if (matches(*argv, "help")) {
			return stats_help();
		} else {
			return zc_badcmd("stats", *argv);
		}
	}

	while (argc > 0) {
		if (matches(*argv, "root")) {
			if (next_port_arg("root", &argc, &argv, &port,
					  &have_port))
				return EXIT_FAIL;
		} else if (matches(*argv, "help")) {
			return stats_help();
		} else {
			return zc_badarg("stats", *argv);
		}
		argc--;
		argv++;
	}

	rc = zc_nl_open();
	if (rc)
		return rc;
	msg = zc_nl_msg(reset ? ZCHTTP_CMD_STATS_RESET : ZCHTTP_CMD_STATS_GET,
			false);
	if (!msg ||
	    (have_port && nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port))) {
		nlmsg_free(msg);
		zc_error("%s: %s", what, strerror(ENOMEM));
		return EXIT_FAIL;
	}
	if (reset)
		return zc_nl_request(msg, what, NULL, NULL);
	req_port = port;
	return zc_nl_request(msg, what, print_stats, &req_port);
}
