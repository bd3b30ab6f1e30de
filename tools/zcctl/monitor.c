// SPDX-License-Identifier: GPL-2.0
/*
 * zcctl stats monitor: the counters' rates per interval, one line per
 * interval as vmstat prints them, until interrupted or COUNT lines.
 *
 * Lines go to standard output as they are made (line-buffered), not
 * through json_print's buffer: in JSON form each line is one object
 * (JSON lines), so that a reader can follow it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/zchttp.h>

#include "zcctl.h"

/* The counters at one moment; a line is made from two of them. */
struct sample {
	unsigned long long v[ZCHTTP_A_STATS_MAX + 1];
	struct timespec at;
};

#define C(name)	ZCHTTP_A_STATS_##name

static void monitor_usage(FILE *f)
{
	fprintf(f,
		"Usage: zcctl stats monitor [ root PORT ] [ interval SECONDS ] [ count COUNT ]\n"
		"       zcctl stats -i SECONDS [ -c COUNT ] [ root PORT ]\n"
		"where  SECONDS := 1..3600 (default 1), COUNT := lines before exiting (default: none)\n");
}

static int take_sample(struct nlattr **tb, void *arg)
{
	struct nlattr *stb[ZCHTTP_A_STATS_MAX + 1];
	struct sample *s = arg;
	int i;

	if (stats_parse(tb, stb))
		return -EPROTO;
	for (i = 0; i <= ZCHTTP_A_STATS_MAX; i++)
		s->v[i] = stb[i] ? nla_get_u64(stb[i]) : 0;
	return 0;
}

static int sample(struct sample *s, bool have_port, uint16_t port)
{
	struct nl_msg *msg;

	msg = zc_nl_msg(ZCHTTP_CMD_STATS_GET, false);
	if (!msg || (have_port && nla_put_u16(msg, ZCHTTP_A_ROOT_PORT, port))) {
		nlmsg_free(msg);
		zc_error("stats monitor: %s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &s->at);
	return zc_nl_request(msg, "stats monitor", take_sample, s);
}

/* Growth of counter @i per second; a reset in between counts from 0. */
static double rate(const struct sample *a, const struct sample *b, int i,
		   double secs)
{
	unsigned long long d = b->v[i] >= a->v[i] ? b->v[i] - a->v[i] : b->v[i];

	return d / secs;
}

static void print_line(const struct sample *a, const struct sample *b)
{
	double secs = (b->at.tv_sec - a->at.tv_sec) +
		      (b->at.tv_nsec - a->at.tv_nsec) / 1e9;
	double req = rate(a, b, C(REQUESTS), secs);
	double hits = rate(a, b, C(CACHE_HITS), secs);
	double ref = rate(a, b, C(BODY_BYTES_ZC), secs) / 1e6;
	double copy = rate(a, b, C(BODY_BYTES_COPY), secs) / 1e6;
	double r4 = rate(a, b, C(RESP_4XX), secs);
	double r5 = rate(a, b, C(RESP_5XX), secs);
	double err = rate(a, b, C(PARSE_ERRORS), secs) +
		     rate(a, b, C(TIMEOUTS), secs) +
		     rate(a, b, C(RESP_TORN), secs) +
		     rate(a, b, C(NOMEM), secs);
	unsigned long long conns = b->v[C(CONNS_ACTIVE)];
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (json) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
			 gmtime_r(&now, &tm));
		printf("{\"time\":\"%s\",\"seconds\":%.3f,\"requests_per_s\":%.1f,",
		       when, secs, req);
		if (req > 0)
			printf("\"hit_ratio\":%.4f,", hits / req);
		printf("\"mb_per_s_ref\":%.3f,\"mb_per_s_copy\":%.3f,"
		       "\"conns_active\":%llu,\"resp_4xx_per_s\":%.1f,"
		       "\"resp_5xx_per_s\":%.1f,\"errors_per_s\":%.1f}\n",
		       ref, copy, conns, r4, r5, err);
		return;
	}
	strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&now, &tm));
	printf("%8s %9.0f ", when, req);
	if (req > 0)
		printf("%5.1f ", 100.0 * hits / req);
	else
		printf("%5s ", "-");
	printf("%9.2f %9.2f %7llu %7.0f %7.0f %7.0f\n",
	       ref, copy, conns, r4, r5, err);
}

static int parse_count(const char *key, const char *arg, long max, long *val)
{
	char *end;

	errno = 0;
	*val = strtol(arg, &end, 10);
	if (errno || end == arg || *end || *val < 1 || *val > max)
		return zc_usage_error("%s \"%s\" is invalid: 1..%ld.", key, arg,
				      max);
	return 0;
}

/*
 * zcctl stats monitor ... and zcctl stats -i ...: argv starts after
 * "stats" (and "monitor", if given).
 */
int do_stats_monitor(int argc, char **argv)
{
	long interval = 1, count = 0;
	struct sample s[2];
	bool have_port = false;
	struct timespec next;
	uint16_t port = 0;
	int rc, n;

	while (argc > 0) {
		const char *key = *argv;

		if (matches(key, "help")) {
			monitor_usage(stdout);
			return EXIT_OK;
		}
		if (matches(key, "root")) {
			if (next_port_arg("root", &argc, &argv, &port,
					  &have_port))
				return EXIT_FAIL;
		} else if (!strcmp(key, "-i") || matches(key, "interval")) {
			if (next_arg(&argc, &argv) ||
			    parse_count("interval", *argv, 3600, &interval))
				return EXIT_FAIL;
		} else if (!strcmp(key, "-c") || matches(key, "count")) {
			if (next_arg(&argc, &argv) ||
			    parse_count("count", *argv, INT_MAX, &count))
				return EXIT_FAIL;
		} else {
			return zc_badarg("stats monitor", key);
		}
		argc--;
		argv++;
	}

	rc = zc_nl_open();
	if (rc)
		return rc;
	rc = sample(&s[0], have_port, port);
	if (rc)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!json)
		printf("%8s %9s %5s %9s %9s %7s %7s %7s %7s\n", "time", "req/s",
		       "hit%", "MB/s-ref", "MB/s-copy", "conns", "4xx/s",
		       "5xx/s", "err/s");
	next = s[0].at;
	for (n = 0; !count || n < count; n++) {
		next.tv_sec += interval;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		rc = sample(&s[(n + 1) % 2], have_port, port);
		if (rc)
			return rc;
		print_line(&s[n % 2], &s[(n + 1) % 2]);
	}
	return EXIT_OK;
}
