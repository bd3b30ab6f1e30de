/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcctl: configure the zchttp in-kernel HTTP server over generic netlink.
 */
#ifndef _ZCCTL_H
#define _ZCCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <netlink/msg.h>
#include <netlink/attr.h>

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#define ARRAY_SIZE(x)	(sizeof(x) / sizeof((x)[0]))

/* VERSION at the top of the tree, from the Makefile */
#ifndef ZCCTL_VERSION
#error "ZCCTL_VERSION is not defined: build with tools/zcctl/Makefile"
#endif

/* Exit codes */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_NOMOD	2

extern bool json;
extern bool pretty;

/* zcctl.c */
bool matches(const char *word, const char *keyword);
void zc_error(const char *fmt, ...) __printf(1, 2);
void zc_error_json(const char *json_msg);
int zc_usage_error(const char *fmt, ...) __printf(1, 2);
int parse_port(const char *arg, uint16_t *port);
int next_arg(int *argc, char ***argv);
int zc_duparg(const char *key);
int next_port_arg(const char *key, int *argc, char ***argv, uint16_t *port,
		  bool *seen);
int zc_badarg(const char *object, const char *arg);

int zc_badcmd(const char *object, const char *cmd);

/* nl.c */

/*
 * Called for each reply message with its top level attributes parsed
 * (tb has ZCHTTP_A_ROOT_MAX + 1 slots, validated against the reply policy).
 * Return 0, or a negative errno to abort the request.
 */
typedef int (*zc_reply_fn)(struct nlattr **tb, void *arg);

int zc_nl_open(void);
void zc_nl_close(void);
struct nl_msg *zc_nl_msg(uint8_t cmd, bool dump);
int zc_nl_request(struct nl_msg *msg, const char *what,
		  zc_reply_fn fn, void *arg);
int zc_nl_port_request(uint8_t cmd, const char *what, bool have_port,
		       uint16_t port, zc_reply_fn fn, void *arg);

/* a verb of zc_port_object() */
struct zc_verb {
	const char *name;
	uint8_t cmd;
	zc_reply_fn print;
};

int zc_port_object(const char *object, const struct zc_verb *verbs,
		   void (*usage)(FILE *f), int argc, char **argv);

/* root.c, stats.c, cache.c */
int do_root(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_cache(int argc, char **argv);
int stats_parse(struct nlattr **tb, struct nlattr **stb);
int stats_begin(struct nlattr **tb, struct nlattr **stb, int req_port);
int do_stats_monitor(int argc, char **argv);
void root_usage(FILE *f);
void stats_usage(FILE *f);
void cache_usage(FILE *f);

#endif /* _ZCCTL_H */
