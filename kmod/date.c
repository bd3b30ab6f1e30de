// SPDX-License-Identifier: GPL-2.0
/*
 * zchttp: the value of the Date header, formatted once a second per CPU.
 *
 * Two forms: a string, copied into headers built per response, and a
 * page, sent by reference after the prebuilt header of a cache hit. A
 * page handed to TCP is never written again: TCP may still hold it,
 * unsent or unacknowledged, long after the second is over. Each CPU
 * therefore takes a fresh page when the second changes and drops its
 * reference to the old one, which TCP frees with its last reference.
 */

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/timekeeping.h>

#include "date.h"
#include "http.h"

/**
 * struct zch_date - one CPU's Date values
 * @sec: the second of @str
 * @str: zch_http_date() of @sec
 * @page: zch_http_date() of @page_sec at offset 0, or NULL
 * @page_sec: the second of @page
 *
 * Read and written with preemption disabled, by the CPU it belongs to.
 */
struct zch_date {
	time64_t sec;
	char str[ZCH_DATE_LEN + 1];
	struct page *page;
	time64_t page_sec;
};

static DEFINE_PER_CPU(struct zch_date, zch_dates);

/**
 * zch_date_str() - the current Date value as a string
 * @out: receives the value and a NUL
 *
 * Context: any; formats at most once a second per CPU.
 * Return: the current time in seconds since the epoch, that of @out.
 */
time64_t zch_date_str(char out[ZCH_DATE_LEN + 1])
{
	time64_t now = ktime_get_real_seconds();
	struct zch_date *d = get_cpu_ptr(&zch_dates);

	if (d->sec != now) {
		zch_http_date(now, d->str);
		d->sec = now;
	}
	memcpy(out, d->str, ZCH_DATE_LEN + 1);
	put_cpu_ptr(&zch_dates);
	return now;
}

/* Take this CPU's page of the current second, if it has one. */
static struct page *zch_date_page_get(time64_t now)
{
	struct zch_date *d = get_cpu_ptr(&zch_dates);
	struct page *page = NULL;

	if (d->page && d->page_sec == now) {
		page = d->page;
		get_page(page);
	}
	put_cpu_ptr(&zch_dates);
	return page;
}

/**
 * zch_date_page() - the current Date value in a page that TCP may hold
 *
 * The value is the first ZCH_DATE_LEN bytes of the page, which is never
 * written again.
 *
 * Context: process context; allocates once a second per CPU.
 * Return: the page with a reference for the caller, or NULL if none
 * could be allocated.
 */
struct page *zch_date_page(void)
{
	time64_t now = ktime_get_real_seconds();
	struct page *page, *old;
	struct zch_date *d;

	page = zch_date_page_get(now);
	if (likely(page))
		return page;

	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (!page)
		return NULL;
	zch_http_date(now, page_address(page));
	get_page(page);		/* the caller's; the CPU keeps the first */

	d = get_cpu_ptr(&zch_dates);
	old = d->page;
	d->page = page;
	d->page_sec = now;
	put_cpu_ptr(&zch_dates);
	if (old)
		put_page(old);
	return page;
}

/**
 * zch_date_exit() - drop every CPU's page (module unload)
 *
 * Context: no zch_date_page() caller left.
 */
void zch_date_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct zch_date *d = per_cpu_ptr(&zch_dates, cpu);

		if (d->page)
			put_page(d->page);
		d->page = NULL;
	}
}
