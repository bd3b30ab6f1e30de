/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zchttp: the value of the Date header, per CPU.
 */

#ifndef _ZCH_DATE_H
#define _ZCH_DATE_H

#include <linux/mm_types.h>
#include <linux/types.h>

/* an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", without its NUL */
#define ZCH_DATE_LEN	29

time64_t zch_date_str(char out[ZCH_DATE_LEN + 1]);
struct page *zch_date_page(void);
void zch_date_exit(void);

#endif /* _ZCH_DATE_H */
