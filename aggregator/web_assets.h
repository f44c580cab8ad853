/*
 * web_assets.h: the dashboard's files (aggregator/web/), embedded in the
 * binary at build time (web/embed.cmake writes web_assets_data.c), so the
 * aggregator serves its page with nothing installed beside it and nothing
 * fetched from elsewhere.
 */
#ifndef LNOB_WEB_ASSETS_H
#define LNOB_WEB_ASSETS_H

#include <stddef.h>

typedef struct web_asset {
	const char *path;            /* "/index.html", "/app.js", ... */
	const char *content_type;    /* "text/html; charset=utf-8", ... */
	const unsigned char *data;
	size_t len;
} web_asset_t;

/* The embedded file at path ("/" is "/index.html"), or NULL. */
const web_asset_t *web_asset_find(const char *path);

/* Every embedded file, in path order; *ret_n how many. */
const web_asset_t *web_assets(size_t *ret_n);

#endif
