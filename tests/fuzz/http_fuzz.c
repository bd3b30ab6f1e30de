// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/http.c: parses the input as a stream of
 * pipelined requests, formats a response for each parsed one and checks
 * the parser's invariants; any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static void path_check(const struct zch_http_req *req)
{
	size_t n = strlen(req->path);

	if (n != req->path_len || n >= ZCH_HTTP_PATH_MAX)
		abort();
	if (n && (req->path[0] == '/' || req->path[n - 1] == '/'))
		abort();
	if (strstr(req->path, "//") || strchr(req->path, '\\') ||
	    !strcmp(req->path, "..") || !strncmp(req->path, "../", 3) ||
	    strstr(req->path, "/../") ||
	    (n >= 3 && !strcmp(req->path + n - 3, "/..")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct zch_http_req req;
	struct zch_http_resp resp;
	char out[1024];
	size_t consumed, len;
	const char *body;
	int ret, rounds;

	zch_http_parse_date(buf, size);
	zch_http_mime_type(buf, size);

	for (rounds = 0; rounds < 64; rounds++) {
		ret = zch_http_parse(buf, size, &req, &consumed);
		if (ret == ZCH_HTTP_INCOMPLETE)
			break;
		if (ret) {
			if (ret != 400 && ret != 405 && ret != 414 &&
			    ret != 431 && ret != 501 && ret != 505)
				abort();
			if (req.keepalive ||
			    (req.version != 10 && req.version != 11))
				abort();
			body = zch_http_error_body((u16)ret, &len);
			if (!body || len != strlen(body))
				abort();
			break;
		}
		if (!consumed || consumed > size)
			abort();
		if (req.method != ZCH_HTTP_GET && req.method != ZCH_HTTP_HEAD)
			abort();
		path_check(&req);

		memset(&resp, 0, sizeof(resp));
		resp.status = 200;
		resp.version = req.version;
		resp.keepalive = req.keepalive;
		resp.content_length = consumed;
		resp.mtime = req.ims;
		resp.now = req.ims;
		resp.content_type = zch_http_mime_type(req.path, req.path_len);
		len = zch_http_format(out, sizeof(out), &resp);
		if (!len || len > sizeof(out) ||
		    memcmp(out + len - 4, "\r\n\r\n", 4))
			abort();
		if (zch_http_format(out, len - 1, &resp))
			abort();

		buf += consumed;
		size -= consumed;
	}
	return 0;
}
