/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zchttp: the per-CPU workers that run connections answered from the cache.
 */

#ifndef _ZCH_WORKERS_H
#define _ZCH_WORKERS_H

#include <linux/atomic.h>
#include <linux/llist.h>

struct zch_run;

typedef void (*zch_run_fn)(struct zch_run *run);

/**
 * struct zch_run - a run of a connection on the per-CPU workers
 * @node: entry in the ready list of one worker while queued
 * @state: ZCH_RUN_QUEUED and ZCH_RUN_RUNNING bits (workers.c)
 * @fn: what a worker runs; it must call zch_run_done() before it may
 *	free the run
 *
 * As a work item, but queued on the worker of the CPU that queues it, so
 * that it follows the packets of its connection, and never run by two
 * workers at once.
 */
struct zch_run {
	struct llist_node node;
	atomic_t state;
	zch_run_fn fn;
};

static inline void zch_run_init(struct zch_run *run, zch_run_fn fn)
{
	run->node.next = NULL;
	atomic_set(&run->state, 0);
	run->fn = fn;
}

bool zch_run_queue(struct zch_run *run);
void zch_run_done(struct zch_run *run);
int zch_workers_init(void);
void zch_workers_exit(void);

#endif /* _ZCH_WORKERS_H */
