// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: the per-CPU workers that run connections answered from the cache.
 *
 * A connection whose requests the cache answers never blocks, so it need
 * not run on a workqueue, whose workers are shared with the rest of the
 * system and, like any SCHED_NORMAL task just woken, preempt the task that
 * woke them: on a busy machine each request would cost two context
 * switches. These workers are SCHED_BATCH instead. A batch task woken by a
 * packet does not preempt the running task; it runs at the next tick or
 * when that task sleeps, and then answers every connection that became
 * ready in between. Their share of the CPU is that of any nice 0 task.
 *
 * One worker per CPU online at load, bound to it; a connection stays with
 * the worker of the CPU that received its handshake (see zch_conn_create()).
 * Whatever may block (the lookup path: a path walk, an open, a read from
 * disk) runs on zch_wq instead, so a cold file never stalls the hot ones.
 */

#include <linux/cpu.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <uapi/linux/sched/types.h>

#include "zch.h"

/* indexed by CPU; NULL for a CPU that was offline at load. Set at init. */
static struct kthread_worker **zch_workers __read_mostly;
static unsigned int zch_first_cpu __read_mostly;

static int zch_worker_start(unsigned int cpu)
{
	const struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = SCHED_BATCH,
	};
	struct kthread_worker *worker;
	int err;

	worker = kthread_create_worker(0, "zchttp/%u", cpu);
	if (IS_ERR(worker))
		return PTR_ERR(worker);
	err = sched_setattr_nocheck(worker->task, &attr);
	if (!err)
		err = set_cpus_allowed_ptr(worker->task, cpumask_of(cpu));
	if (err) {
		kthread_destroy_worker(worker);
		return err;
	}
	zch_workers[cpu] = worker;
	return 0;
}

/**
 * zch_worker() - the worker for connections received on a CPU
 * @cpu: the CPU, or -1 if unknown
 *
 * Return: the worker of @cpu, or of the first CPU if @cpu has none.
 */
struct kthread_worker *zch_worker(int cpu)
{
	if (cpu >= 0 && cpu < nr_cpu_ids && zch_workers[cpu])
		return zch_workers[cpu];
	return zch_workers[zch_first_cpu];
}

/**
 * zch_workers_init() - start a worker on each online CPU
 *
 * Context: module init.
 * Return: 0, or a negative errno.
 */
int zch_workers_init(void)
{
	unsigned int cpu;
	int err = 0;

	zch_workers = kcalloc(nr_cpu_ids, sizeof(*zch_workers), GFP_KERNEL);
	if (!zch_workers)
		return -ENOMEM;
	cpus_read_lock();
	zch_first_cpu = cpumask_first(cpu_online_mask);
	for_each_online_cpu(cpu) {
		err = zch_worker_start(cpu);
		if (err)
			break;
	}
	cpus_read_unlock();
	if (err)
		zch_workers_exit();
	return err;
}

/**
 * zch_workers_exit() - stop the workers, after the work they have queued
 *
 * Context: module exit, once no connection is left to queue work.
 */
void zch_workers_exit(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (zch_workers[cpu])
			kthread_destroy_worker(zch_workers[cpu]);
	kfree(zch_workers);
	zch_workers = NULL;
}
