// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: per-CPU counters, global and per root.
 *
 * Counters are only ever incremented, per CPU and without locks. A reset
 * does not write the per-CPU values (that would race with increments): it
 * records the current sums in ->base, which reads subtract.
 */

#include <linux/percpu.h>

#include "zch.h"

struct zch_stats zch_global_stats;

static const int zch_stat_attrs[ZCH_STAT_NR] = {
	[ZCH_STAT_CONNS_ACCEPTED]	= ZCHTTP_A_STATS_CONNS_ACCEPTED,
	[ZCH_STAT_CONNS_REFUSED]	= ZCHTTP_A_STATS_CONNS_REFUSED,
	[ZCH_STAT_REQUESTS]		= ZCHTTP_A_STATS_REQUESTS,
	[ZCH_STAT_RESP_2XX]		= ZCHTTP_A_STATS_RESP_2XX,
	[ZCH_STAT_RESP_3XX]		= ZCHTTP_A_STATS_RESP_3XX,
	[ZCH_STAT_RESP_4XX]		= ZCHTTP_A_STATS_RESP_4XX,
	[ZCH_STAT_RESP_5XX]		= ZCHTTP_A_STATS_RESP_5XX,
	[ZCH_STAT_BODY_BYTES_ZC]	= ZCHTTP_A_STATS_BODY_BYTES_ZC,
	[ZCH_STAT_BODY_BYTES_COPY]	= ZCHTTP_A_STATS_BODY_BYTES_COPY,
	[ZCH_STAT_HEADER_BYTES]		= ZCHTTP_A_STATS_HEADER_BYTES,
	[ZCH_STAT_PAGECACHE_MISSES]	= ZCHTTP_A_STATS_PAGECACHE_MISSES,
	[ZCH_STAT_PATH_REJECTS]		= ZCHTTP_A_STATS_PATH_REJECTS,
	[ZCH_STAT_PARSE_ERRORS]		= ZCHTTP_A_STATS_PARSE_ERRORS,
	[ZCH_STAT_TIMEOUTS]		= ZCHTTP_A_STATS_TIMEOUTS,
	[ZCH_STAT_RESP_TORN]		= ZCHTTP_A_STATS_RESP_TORN,
	[ZCH_STAT_NOMEM]		= ZCHTTP_A_STATS_NOMEM,
	[ZCH_STAT_CACHE_HITS]		= ZCHTTP_A_STATS_CACHE_HITS,
	[ZCH_STAT_CACHE_MISSES]		= ZCHTTP_A_STATS_CACHE_MISSES,
	[ZCH_STAT_CACHE_EVICTIONS]	= ZCHTTP_A_STATS_CACHE_EVICTIONS,
	[ZCH_STAT_CACHE_INVALIDATIONS]	= ZCHTTP_A_STATS_CACHE_INVALIDATIONS,
};

/**
 * zch_stats_attr() - netlink attribute of a counter
 * @i: the counter
 *
 * Return: its ZCHTTP_A_STATS_* attribute type.
 */
int zch_stats_attr(enum zch_stat i)
{
	return zch_stat_attrs[i];
}

/**
 * zch_stats_init() - allocate a set of counters, all zero
 * @s: the set
 *
 * Return: 0 or -ENOMEM.
 */
int zch_stats_init(struct zch_stats *s)
{
	int cpu;

	memset(s->base, 0, sizeof(s->base));
	atomic_set(&s->active, 0);
	s->pcpu = alloc_percpu(struct zch_pcpu_stats);
	if (!s->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s->pcpu, cpu)->syncp);
	return 0;
}

/**
 * zch_stats_free() - free a set of counters
 * @s: the set
 */
void zch_stats_free(struct zch_stats *s)
{
	free_percpu(s->pcpu);
	s->pcpu = NULL;
}

static void zch_stats_sum(struct zch_stats *s, u64 out[ZCH_STAT_NR])
{
	unsigned int start;
	int cpu, i;

	memset(out, 0, sizeof(u64) * ZCH_STAT_NR);
	for_each_possible_cpu(cpu) {
		const struct zch_pcpu_stats *p = per_cpu_ptr(s->pcpu, cpu);
		u64 v[ZCH_STAT_NR];

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < ZCH_STAT_NR; i++)
				v[i] = u64_stats_read(&p->c[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < ZCH_STAT_NR; i++)
			out[i] += v[i];
	}
}

/**
 * zch_stats_read() - read a set of counters since its last reset
 * @s: the set
 * @out: the values, indexed by enum zch_stat
 *
 * Context: zch_cfg_lock held (it protects ->base).
 */
void zch_stats_read(struct zch_stats *s, u64 out[ZCH_STAT_NR])
{
	int i;

	lockdep_assert_held(&zch_cfg_lock);
	zch_stats_sum(s, out);
	for (i = 0; i < ZCH_STAT_NR; i++)
		out[i] -= s->base[i];
}

/**
 * zch_stats_reset() - start a set of counters from zero again
 * @s: the set
 *
 * The gauge of open connections is not reset.
 *
 * Context: zch_cfg_lock held.
 */
void zch_stats_reset(struct zch_stats *s)
{
	lockdep_assert_held(&zch_cfg_lock);
	zch_stats_sum(s, s->base);
}

static void zch_pcpu_add(struct zch_stats *s, enum zch_stat i, u64 v)
{
	struct zch_pcpu_stats *p = get_cpu_ptr(s->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_add(&p->c[i], v);
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(s->pcpu);
}

static void zch_pcpu_add_hit(struct zch_stats *s, u64 hdr, u64 body)
{
	struct zch_pcpu_stats *p = get_cpu_ptr(s->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_inc(&p->c[ZCH_STAT_REQUESTS]);
	u64_stats_inc(&p->c[ZCH_STAT_CACHE_HITS]);
	u64_stats_inc(&p->c[ZCH_STAT_RESP_2XX]);
	u64_stats_add(&p->c[ZCH_STAT_HEADER_BYTES], hdr);
	u64_stats_add(&p->c[ZCH_STAT_BODY_BYTES_ZC], body);
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(s->pcpu);
}

/**
 * zch_stat_add_hit() - count a response from the cache as it starts
 * @root: the root
 * @hdr: header bytes of the first piece queued
 * @body: body bytes of the first piece queued
 *
 * The request, the hit, its 2xx and the bytes of its first call into
 * TCP, usually the whole response, in one per-CPU section of each set.
 *
 * Context: any context but hard IRQ.
 */
void zch_stat_add_hit(struct zch_root *root, u64 hdr, u64 body)
{
	zch_pcpu_add_hit(&root->stats, hdr, body);
	zch_pcpu_add_hit(&zch_global_stats, hdr, body);
}

/**
 * zch_stat_add() - count an event for a root and globally
 * @root: the root
 * @i: the counter
 * @v: how much to add
 *
 * Context: any context but hard IRQ.
 */
void zch_stat_add(struct zch_root *root, enum zch_stat i, u64 v)
{
	zch_pcpu_add(&root->stats, i, v);
	zch_pcpu_add(&zch_global_stats, i, v);
}
