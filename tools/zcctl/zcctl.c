// SPDX-License-Identifier: GPL-2.0
/*
 * zcctl: configure the zchttp in-kernel zero-copy HTTP server.
 *
 * zcctl [OPTIONS] OBJECT COMMAND [ARGS]
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/zchttp.h>

#include "zcctl.h"
#include "json_print.h"

bool json;
bool pretty;

static char json_errmsg[1024];

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: zcctl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"       zcctl help\n"
		"where  OBJECT := { root | stats | cache }\n"
		"       OPTIONS := { -j | --json } { -p | --pretty } { -V | --version } { -h | --help }\n"
		"\n");
	root_usage(f);
	fputc('\n', f);
	stats_usage(f);
	fputc('\n', f);
	cache_usage(f);
}

/* True if word is a non-empty prefix of keyword (iproute2 style). */
bool matches(const char *word, const char *keyword)
{
	size_t len = strlen(word);

	return len && !strncmp(word, keyword, len);
}

static void record_json_error(const char *msg)
{
	if (!json_errmsg[0])
		snprintf(json_errmsg, sizeof(json_errmsg), "%s", msg);
}

/* Error for the JSON {"error": ...} object, when more precise than text. */
void zc_error_json(const char *msg)
{
	record_json_error(msg);
}

/* "zcctl: <message>" on stderr. */
void zc_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "zcctl: %s\n", msg);
	record_json_error(msg);
}

/* Usage error: message as is on stderr; returns EXIT_FAIL. */
int zc_usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", msg);
	record_json_error(msg);
	return EXIT_FAIL;
}

int parse_port(const char *arg, uint16_t *port)
{
	unsigned long val;
	char *end;

	if (arg[0] < '0' || arg[0] > '9')
		goto bad;
	errno = 0;
	val = strtoul(arg, &end, 10);
	if (errno || *end || val == 0 || val > 65535)
		goto bad;
	*port = val;
	return 0;
bad:
	zc_error("invalid port \"%s\"", arg);
	return -1;
}

/* Step from a keyword to its value; error if there is none. */
int next_arg(int *argc, char ***argv)
{
	if (*argc <= 1) {
		zc_error("missing argument after \"%s\"", (*argv)[0]);
		return -1;
	}
	(*argc)--;
	(*argv)++;
	return 0;
}

int zc_duparg(const char *key)
{
	zc_error("duplicate \"%s\"", key);
	return EXIT_FAIL;
}

/*
 * At "@key PORT": step to PORT and parse it, refusing a second one.
 * Return: 0, or EXIT_FAIL after printing why.
 */
int next_port_arg(const char *key, int *argc, char ***argv, uint16_t *port,
		  bool *seen)
{
	if (next_arg(argc, argv))
		return EXIT_FAIL;
	if (*seen)
		return zc_duparg(key);
	if (parse_port(**argv, port))
		return EXIT_FAIL;
	*seen = true;
	return 0;
}

/*
 * Run "OBJECT [ VERB ] [ root PORT ]": @verbs lists the verbs, ending with
 * a NULL name, the first being the default. "root" is tried before the
 * verbs, so a bare "r" is never a verb such as "reset". The request
 * carries the port if one is given; each reply goes to the verb's print
 * function (none: no reply but the ACK) with a pointer to the port (an
 * int, 0 for none).
 */
int zc_port_object(const char *object, const struct zc_verb *verbs,
		   void (*usage)(FILE *f), int argc, char **argv)
{
	const struct zc_verb *v = verbs;
	bool have_port = false;
	uint16_t port = 0;
	char what[64];
	int req_port;

	if (argc > 0 && !matches(*argv, "root")) {
		for (v = verbs; v->name && !matches(*argv, v->name); v++)
			;
		if (!v->name && matches(*argv, "help"))
			goto help;
		if (!v->name)
			return zc_badcmd(object, *argv);
		argc--;
		argv++;
	}
	while (argc > 0) {
		if (matches(*argv, "root")) {
			if (next_port_arg("root", &argc, &argv, &port,
					  &have_port))
				return EXIT_FAIL;
		} else if (matches(*argv, "help")) {
			goto help;
		} else {
			return zc_badarg(object, *argv);
		}
		argc--;
		argv++;
	}
	snprintf(what, sizeof(what), "%s %s", object, v->name);
	req_port = port;
	return zc_nl_port_request(v->cmd, what, have_port, port, v->print,
				  &req_port);

help:
	usage(stdout);
	return EXIT_OK;
}

int zc_badarg(const char *object, const char *arg)
{
	zc_error("unknown argument \"%s\", try \"zcctl %s help\".",
		 arg, object);
	return EXIT_FAIL;
}

int zc_badcmd(const char *object, const char *cmd)
{
	return zc_usage_error("Command \"%s\" is unknown, try \"zcctl %s help\".",
			      cmd, object);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} objects[] = {
	{ "root",	do_root },
	{ "stats",	do_stats },
	{ "cache",	do_cache },
	{ "help",	do_help },
};

static int do_object(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (matches(argv[0], objects[i].name))
			return objects[i].fn(argc - 1, argv + 1);
	return zc_usage_error("Object \"%s\" is unknown, try \"zcctl help\".",
			      argv[0]);
}

int main(int argc, char **argv)
{
	int rc;

	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-' && argv[0][1]) {
		const char *opt = argv[0];

		if (!strcmp(opt, "--")) {
			argc--;
			argv++;
			break;
		}
		if (!strcmp(opt, "-V") || !strcmp(opt, "--version")) {
			printf("zcctl %s (generic netlink family \"%s\" version %d)\n",
			       ZCCTL_VERSION, ZCHTTP_FAMILY_NAME,
			       ZCHTTP_FAMILY_VERSION);
			return EXIT_OK;
		}
		if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!strcmp(opt, "-j") || !strcmp(opt, "--json")) {
			json = true;
		} else if (!strcmp(opt, "-p") || !strcmp(opt, "--pretty")) {
			pretty = true;
		} else {
			fprintf(stderr,
				"Option \"%s\" is unknown, try \"zcctl help\".\n",
				opt);
			return EXIT_FAIL;
		}
		argc--;
		argv++;
	}

	if (argc == 0) {
		usage(stderr);
		return EXIT_FAIL;
	}

	if (output_begin(json, pretty)) {
		perror("zcctl");
		return EXIT_FAIL;
	}
	rc = do_object(argc, argv);
	zc_nl_close();
	output_end(rc == EXIT_OK, json_errmsg);
	return rc;
}
