/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zchttp: the response to a request, or to a request that could not be
 * parsed.
 */

#ifndef _ZCH_RESPOND_H
#define _ZCH_RESPOND_H

#include "conn.h"

int zch_respond_lookup(struct zch_conn *conn, const struct zch_http_req *req);
void zch_respond_error(struct zch_conn *conn, u16 status,
		       const struct zch_http_req *req);

#endif /* _ZCH_RESPOND_H */
