// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: in-kernel zero-copy static file HTTP responder.
 *
 * Module init and exit only; see Documentation/zchttp.rst.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "conn.h"
#include "date.h"

/* runs accept and sweep work, and connections on the lookup path */
struct workqueue_struct *zch_wq __read_mostly;

static int __init zch_init(void)
{
	int err;

	err = zch_stats_init(&zch_global_stats);
	if (err)
		return err;
	err = zch_conn_cache_init();
	if (err)
		goto err_stats;
	zch_wq = alloc_workqueue("zchttp", WQ_MEM_RECLAIM | ZCH_WQ_PERCPU, 0);
	if (!zch_wq) {
		err = -ENOMEM;
		goto err_cache;
	}
	err = zch_workers_init();
	if (err)
		goto err_wq;
	err = zch_cache_module_init();
	if (err)
		goto err_workers;
	err = zch_netlink_init();
	if (err)
		goto err_shrinker;
	pr_info("loaded\n");
	return 0;

err_shrinker:
	zch_cache_module_exit();
err_workers:
	zch_workers_exit();
err_wq:
	destroy_workqueue(zch_wq);
err_cache:
	zch_conn_cache_exit();
err_stats:
	zch_stats_free(&zch_global_stats);
	return err;
}

static void __exit zch_exit(void)
{
	/* no netlink op runs after this, so no root can be added */
	zch_netlink_exit();
	zch_roots_destroy();
	/* connections of a root whose deleter was killed may still run */
	zch_conn_wait_all();
	/* callbacks that loaded a pointer to us before it was restored */
	synchronize_net();
	zch_cache_module_exit();
	/* the last runs, which only drop references; none queues another */
	zch_workers_exit();
	destroy_workqueue(zch_wq);
	/* the RCU callbacks that free cache entry pages */
	rcu_barrier();
	zch_date_exit();
	zch_conn_cache_exit();
	zch_stats_free(&zch_global_stats);
	pr_info("unloaded\n");
}

module_init(zch_init);
module_exit(zch_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(ZCH_VERSION);
MODULE_AUTHOR("The zchttp authors");
MODULE_DESCRIPTION("In-kernel zero-copy static file HTTP server");
MODULE_ALIAS_GENL_FAMILY(ZCHTTP_FAMILY_NAME);
