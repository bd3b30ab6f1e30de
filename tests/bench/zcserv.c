// SPDX-License-Identifier: GPL-2.0
/*
 * zcserv: the smallest user-space static file server that does the job,
 * for `make bench`: the baseline the classic ways of sending a file cost.
 *
 *   --mode read      read() the file into a buffer, write() it: two copies
 *   --mode mmap      mmap() the file, write() from the mapping: one copy
 *   --mode sendfile  sendfile(): page-cache pages to the socket, no copy
 *
 * One epoll loop per thread (--threads N, SO_REUSEPORT listeners), HTTP/1.1
 * keep-alive, GET of files beneath --root, header with Content-Length; the
 * file is opened and fstat()ed per request as a plain server does. It is a
 * measuring device, not a server: no HEAD, no ranges, no percent-decoding,
 * a path containing ".." is refused, and a client that does not read its
 * response is simply waited for.
 *
 * usage: zcserv --root DIR --port PORT [--mode read|mmap|sendfile]
 *               [--threads N]
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum mode { MODE_READ, MODE_MMAP, MODE_SENDFILE };

static const char *root = ".";
static int port = 8080;
static enum mode mode = MODE_SENDFILE;
static int rootfd;

#define REQ_MAX		8192
#define CHUNK		65536

/* one connection: the request bytes, the response being sent */
struct conn {
	int fd;
	char req[REQ_MAX];
	size_t req_len;
	char hdr[256];
	size_t hdr_len, hdr_off;
	int file;		/* -1: none */
	char *map;		/* MODE_MMAP */
	char *buf;		/* MODE_READ: CHUNK bytes */
	size_t buf_len, buf_off;
	off_t off, size;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void end_response(struct conn *c)
{
	if (c->map)
		munmap(c->map, c->size);
	c->map = NULL;
	if (c->file >= 0)
		close(c->file);
	c->file = -1;
	c->hdr_len = c->hdr_off = 0;
	c->buf_len = c->buf_off = 0;
}

/* Start the response to the request in c->req[0..end). */
static void respond(struct conn *c)
{
	char path[1024];
	const char *status = "404 Not Found";
	struct stat st;
	size_t n;

	c->off = c->size = 0;
	/* "GET /path HTTP/1.1"; anything else is refused as ".." is */
	strcpy(path, "..");
	if (!strncmp(c->req, "GET /", 5)) {
		n = strcspn(c->req + 5, " \r\n");
		if (n < sizeof(path)) {
			memcpy(path, c->req + 5, n);
			path[n] = '\0';
		}
	}
	if (!strstr(path, "..")) {
		if (!path[0] || path[strlen(path) - 1] == '/')
			strncat(path, "index.html", sizeof(path) - strlen(path) - 1);
		c->file = openat(rootfd, path, O_RDONLY | O_CLOEXEC);
		if (c->file >= 0 && !fstat(c->file, &st) && S_ISREG(st.st_mode)) {
			status = "200 OK";
			c->size = st.st_size;
		} else if (c->file >= 0) {
			close(c->file);
			c->file = -1;
		}
	}
	c->hdr_len = snprintf(c->hdr, sizeof(c->hdr),
			      "HTTP/1.1 %s\r\nServer: zcserv\r\n"
			      "Content-Length: %lld\r\n\r\n",
			      status, (long long)c->size);
	if (mode == MODE_MMAP && c->size) {
		c->map = mmap(NULL, c->size, PROT_READ, MAP_SHARED, c->file, 0);
		if (c->map == MAP_FAILED)
			die("mmap");
	}
}

/* Send what the socket takes; 1 when the response is out, 0 if blocked. */
static int send_more(struct conn *c)
{
	ssize_t n = 0;

	while (c->hdr_off < c->hdr_len) {
		n = send(c->fd, c->hdr + c->hdr_off, c->hdr_len - c->hdr_off,
			 MSG_NOSIGNAL | (c->size ? MSG_MORE : 0));
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->hdr_off += n;
	}
	while (c->off < c->size) {
		size_t want = c->size - c->off > CHUNK ? CHUNK : c->size - c->off;

		switch (mode) {
		case MODE_SENDFILE:
			n = sendfile(c->fd, c->file, &c->off, want);
			break;
		case MODE_MMAP:
			n = send(c->fd, c->map + c->off, want, MSG_NOSIGNAL);
			if (n > 0)
				c->off += n;
			break;
		case MODE_READ:
			if (c->buf_off == c->buf_len) {
				n = pread(c->file, c->buf, want, c->off);
				if (n <= 0)
					return -1;
				c->buf_len = n;
				c->buf_off = 0;
			}
			n = send(c->fd, c->buf + c->buf_off,
				 c->buf_len - c->buf_off, MSG_NOSIGNAL);
			if (n > 0) {
				c->buf_off += n;
				c->off += n;
			}
			break;
		}
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (!n)
			return -1;
	}
	end_response(c);
	return 1;
}

/* Receive and answer what is there; -1 to close. */
static int serve(struct conn *c)
{
	char *end;
	ssize_t n;
	int r;

	for (;;) {
		if (c->hdr_len) {
			r = send_more(c);
			if (r <= 0)
				return r;
		}
		end = memmem(c->req, c->req_len, "\r\n\r\n", 4);
		if (end) {
			size_t used = end + 4 - c->req;

			*end = '\0';
			respond(c);
			memmove(c->req, c->req + used, c->req_len - used);
			c->req_len -= used;
			continue;
		}
		if (c->req_len == sizeof(c->req) - 1)
			return -1;
		n = recv(c->fd, c->req + c->req_len,
			 sizeof(c->req) - 1 - c->req_len, 0);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (!n)
			return -1;
		c->req_len += n;
	}
}

static int listener(void)
{
	struct sockaddr_in6 a = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	int one = 1, fd;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(fd, (void *)&a, sizeof(a)) || listen(fd, 4096))
		die("listen");
	return fd;
}

static void *loop(void *arg)
{
	int lfd = listener(), ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	struct epoll_event evs[256];
	int i, n, fd, one = 1;
	struct conn *c;

	(void)arg;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		die("epoll");
	for (;;) {
		n = epoll_wait(ep, evs, 256, -1);
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (c) {
				if (serve(c) < 0) {
					end_response(c);
					close(c->fd);
					free(c->buf);
					free(c);
				}
				continue;
			}
			while ((fd = accept4(lfd, NULL, NULL,
					     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
				c = calloc(1, sizeof(*c));
				if (!c)
					die("calloc");
				c->fd = fd;
				c->file = -1;
				if (mode == MODE_READ && !(c->buf = malloc(CHUNK)))
					die("malloc");
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
					   sizeof(one));
				ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
				ev.data.ptr = c;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
					die("epoll_ctl");
			}
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "threads", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int threads = 1, i, o;
	pthread_t t;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			root = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'm':
			if (!strcmp(optarg, "read"))
				mode = MODE_READ;
			else if (!strcmp(optarg, "mmap"))
				mode = MODE_MMAP;
			else if (!strcmp(optarg, "sendfile"))
				mode = MODE_SENDFILE;
			else
				goto usage;
			break;
		case 't':
			threads = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || port <= 0 || port > 65535 || threads < 1)
		goto usage;
	/* sendfile() to a socket the client closed raises SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		die(root);
	for (i = 1; i < threads; i++)
		if (pthread_create(&t, NULL, loop, NULL))
			die("pthread_create");
	loop(NULL);
	return 0;

usage:
	fprintf(stderr, "usage: zcserv --root DIR --port PORT "
		"[--mode read|mmap|sendfile] [--threads N]\n");
	return 2;
}
