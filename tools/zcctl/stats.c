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
	[ZCHTTP_A_STATS_CACHE_HITS]		= "cache_hits",
	[ZCHTTP_A_STATS_CACHE_MISSES]		= "cache_misses",
	[ZCHTTP_A_STATS_CACHE_EVICTIONS]	= "cache_evictions",
	[ZCHTTP_A_STATS_CACHE_INVALIDATIONS]	= "cache_invalidations",
	[ZCHTTP_A_STATS_CACHE_ENTRIES]		= "cache_entries",
	[ZCHTTP_A_STATS_CACHE_BYTES]		= "cache_bytes",
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
	[ZCHTTP_A_STATS_CACHE_HITS]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_CACHE_MISSES]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_CACHE_EVICTIONS]	= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_CACHE_INVALIDATIONS]	= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_CACHE_ENTRIES]		= { .type = NLA_U64 },
	[ZCHTTP_A_STATS_CACHE_BYTES]		= { .type = NLA_U64 },
};

void stats_usage(FILE *f)
{
	fprintf(f,
		"Usage: zcctl stats [ show ] [ root PORT ]\n"
		"       zcctl stats reset [ root PORT ]\n"
		"       zcctl stats monitor [ root PORT ] [ interval SECONDS ] [ count COUNT ]\n"
		"       zcctl stats -i SECONDS [ -c COUNT ] [ root PORT ]\n"
		"       zcctl stats help\n");
}

/* The counters of a STATS_GET reply into stb; -EPROTO if malformed. */
int stats_parse(struct nlattr **tb, struct nlattr **stb)
{
	memset(stb, 0, sizeof(*stb) * (ZCHTTP_A_STATS_MAX + 1));
	if (!tb[ZCHTTP_A_ROOT_STATS])
		return 0;
	if (nla_parse_nested(stb, ZCHTTP_A_STATS_MAX, tb[ZCHTTP_A_ROOT_STATS],
			     stats_policy))
		return -EPROTO;
	return 0;
}

/*
 * Parse the counters of a STATS_GET reply into stb, open its JSON object
 * and print "root P" for the counters of one root (the reply's port, or
 * the one asked for: @req_port, 0 for none); -EPROTO if malformed.
 */
int stats_begin(struct nlattr **tb, struct nlattr **stb, int req_port)
{
	if (stats_parse(tb, stb))
		return -EPROTO;
	open_json_object(NULL);
	if (tb[ZCHTTP_A_ROOT_PORT])
		print_uint("root", "root %llu\n",
			   nla_get_u16(tb[ZCHTTP_A_ROOT_PORT]));
	else if (req_port)
		print_uint("root", "root %llu\n", req_port);
	return 0;
}

/* "root P" (per-root only), then one "name value" line per counter. */
static int print_stats(struct nlattr **tb, void *arg)
{
	struct nlattr *stb[ZCHTTP_A_STATS_MAX + 1];
	const int *req_port = arg;
	int i;

	if (stats_begin(tb, stb, *req_port))
		return -EPROTO;
	for (i = 0; i <= ZCHTTP_A_STATS_MAX; i++) {
		if (!stats_names[i] || !stb[i])
			continue;
		print_text("%s ", stats_names[i]);
		print_uint(stats_names[i], "%llu\n", nla_get_u64(stb[i]));
	}
	close_json_object();
	return 0;
}

int do_stats(int argc, char **argv)
{
	static const struct zc_verb verbs[] = {
		{ "show",	ZCHTTP_CMD_STATS_GET,	print_stats },
		{ "reset",	ZCHTTP_CMD_STATS_RESET,	NULL },
		{ NULL },
	};

	/* rates per interval: "monitor", or vmstat's way, "-i SECONDS" */
	if (argc > 0 && (!strcmp(*argv, "-i") || !strcmp(*argv, "-c")))
		return do_stats_monitor(argc, argv);
	if (argc > 0 && matches(*argv, "monitor"))
		return do_stats_monitor(argc - 1, argv + 1);
	return zc_port_object("stats", verbs, stats_usage, argc, argv);
}
