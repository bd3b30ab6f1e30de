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
 * One worker per CPU online at load, bound to it, with a list of the
 * connections ready to run (struct zch_run). A connection is queued on the
 * worker of the CPU that queues it: the one that received its packets, so
 * that with a NIC it stays where its flow is steered, and on loopback it
 * follows its client instead of costing a cross-CPU wakeup per request. A
 * run's state makes it a work item that may move: queued on one list at a
 * time, run by one worker at a time, and run again if queued while it ran.
 * Whatever may block (the lookup path: a path walk, an open, a read from
 * disk) runs on zch_wq instead, so a cold file never stalls the hot ones.
 */

#include <linux/cpu.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <uapi/linux/sched/types.h>

#include "zch.h"
#include "workers.h"

/* zch_run.state bits */
#define ZCH_RUN_QUEUED	BIT(0)	/* on a worker's list, or due again */
#define ZCH_RUN_RUNNING	BIT(1)	/* a worker is in its function */

/**
 * struct zch_worker - the worker of one CPU
 * @ready: runs queued on this CPU, last queued first; lock-free, taken
 *	whole by @task
 * @task: the SCHED_BATCH thread bound to the CPU
 */
struct zch_worker {
	struct llist_head ready;
	struct task_struct *task;
};

/* indexed by CPU; NULL for a CPU that was offline at load. Set at init. */
static struct zch_worker **zch_workers __read_mostly;
static unsigned int zch_first_cpu __read_mostly;

/* Put @run, which no list holds, on this CPU's list (the first's if none). */
static void zch_run_add(struct zch_run *run)
{
	struct zch_worker *w;
	int cpu = get_cpu();

	w = zch_workers[cpu] ?: zch_workers[zch_first_cpu];
	/* the first on the list wakes the worker; the rest find it awake */
	if (llist_add(&run->node, &w->ready))
		wake_up_process(w->task);
	put_cpu();
}

/**
 * zch_run_queue() - queue a run on this CPU's worker
 * @run: the run
 *
 * As queue_work(): a run already queued is not queued twice, and one
 * queued while it runs is run again after it returns. Fully ordered: what
 * was stored before the call is seen by the run this call guarantees.
 *
 * Context: any, with BH disabled or not.
 * Return: false if @run was already queued, else true.
 */
bool zch_run_queue(struct zch_run *run)
{
	int old = atomic_fetch_or(ZCH_RUN_QUEUED, &run->state);

	if (old & ZCH_RUN_QUEUED)
		return false;
	/* a run in progress queues it again in zch_run_done() */
	if (!(old & ZCH_RUN_RUNNING))
		zch_run_add(run);
	return true;
}

/**
 * zch_run_done() - end the current run of a run's function
 * @run: the run, from the function's argument
 *
 * If @run was queued while it ran, it is queued again, behind the runs
 * already waiting. After this, another worker may run it: the function
 * must not look at what the run serves any more, only drop its reference.
 *
 * Context: the run's function, on a worker.
 */
void zch_run_done(struct zch_run *run)
{
	if (atomic_cmpxchg(&run->state, ZCH_RUN_RUNNING, 0) == ZCH_RUN_RUNNING)
		return;
	atomic_set(&run->state, ZCH_RUN_QUEUED);
	zch_run_add(run);
}

static int zch_worker_fn(void *data)
{
	struct zch_worker *w = data;
	struct zch_run *run, *next;
	struct llist_node *batch;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (llist_empty(&w->ready)) {
			/* at unload, once the last run is done */
			if (kthread_should_stop())
				break;
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		/* in the order they were queued */
		batch = llist_reverse_order(llist_del_all(&w->ready));
		llist_for_each_entry_safe(run, next, batch, node) {
			/* fully ordered: the run sees what its queuers stored */
			atomic_xchg(&run->state, ZCH_RUN_RUNNING);
			run->fn(run);
			cond_resched();
		}
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int zch_worker_start(unsigned int cpu)
{
	const struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = SCHED_BATCH,
	};
	struct zch_worker *w;
	int err;

	w = kzalloc_node(sizeof(*w), GFP_KERNEL, cpu_to_node(cpu));
	if (!w)
		return -ENOMEM;
	init_llist_head(&w->ready);
	w->task = kthread_create_on_cpu(zch_worker_fn, w, cpu, "zchttp/%u");
	if (IS_ERR(w->task)) {
		err = PTR_ERR(w->task);
		kfree(w);
		return err;
	}
	err = sched_setattr_nocheck(w->task, &attr);
	if (err) {
		kthread_stop(w->task);
		kfree(w);
		return err;
	}
	zch_workers[cpu] = w;
	wake_up_process(w->task);
	return 0;
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
 * zch_workers_exit() - stop the workers, after the runs they have queued
 *
 * Context: module exit, once no connection is left to queue a run.
 */
void zch_workers_exit(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!zch_workers[cpu])
			continue;
		kthread_stop(zch_workers[cpu]->task);
		kfree(zch_workers[cpu]);
	}
	kfree(zch_workers);
	zch_workers = NULL;
}
