// SPDX-License-Identifier: GPL-2.0
/*
 * zcctl cache: the pinned cache, globally or of one root.
 */

#include <errno.h>
#include <stdio.h>

#include <netlink/genl/genl.h>

#include <linux/zchttp.h>

#include "zcctl.h"
#include "json_print.h"

void cache_usage(FILE *f)
{
	fprintf(f,
		"Usage: zcctl cache [ show ] [ root PORT ]\n"
		"       zcctl cache flush [ root PORT ]\n"
		"       zcctl cache help\n");
}

static unsigned long long stat_of(struct nlattr **stb, int i)
{
	return stb[i] ? nla_get_u64(stb[i]) : 0;
}

/* The cache's lines of a STATS_GET reply, and the hit ratio. */
static int print_cache(struct nlattr **tb, void *arg)
{
	static const struct {
		int attr;
		const char *name;
	} fields[] = {
		{ ZCHTTP_A_STATS_CACHE_ENTRIES,		"entries" },
		{ ZCHTTP_A_STATS_CACHE_BYTES,		"bytes" },
		{ ZCHTTP_A_STATS_CACHE_HITS,		"hits" },
		{ ZCHTTP_A_STATS_CACHE_MISSES,		"misses" },
		{ ZCHTTP_A_STATS_CACHE_EVICTIONS,	"evictions" },
		{ ZCHTTP_A_STATS_CACHE_INVALIDATIONS,	"invalidations" },
	};
	struct nlattr *stb[ZCHTTP_A_STATS_MAX + 1];
	unsigned long long hits, lookups;
	const int *req_port = arg;
	size_t i;

	if (stats_begin(tb, stb, *req_port))
		return -EPROTO;
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		print_text("%s ", fields[i].name);
		print_uint(fields[i].name, "%llu\n",
			   stat_of(stb, fields[i].attr));
	}
	hits = stat_of(stb, ZCHTTP_A_STATS_CACHE_HITS);
	lookups = hits + stat_of(stb, ZCHTTP_A_STATS_CACHE_MISSES);
	print_float("hit_ratio", "hit_ratio %.4f\n",
		    lookups ? (double)hits / lookups : 0.0);
	close_json_object();
	return 0;
}

int do_cache(int argc, char **argv)
{
	static const struct zc_verb verbs[] = {
		{ "show",	ZCHTTP_CMD_STATS_GET,	print_cache },
		{ "flush",	ZCHTTP_CMD_CACHE_FLUSH,	NULL },
		{ NULL },
	};

	return zc_port_object("cache", verbs, cache_usage, argc, argv);
}
