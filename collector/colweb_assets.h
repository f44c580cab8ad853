/*
 * colweb_assets.h: the collector page's files (collector/web/), embedded
 * at build time by aggregator/web/embed.cmake (colweb_assets_data.c), so
 * the page needs nothing installed beside the binary and fetches nothing.
 */
#ifndef LNOB_COLWEB_ASSETS_H
#define LNOB_COLWEB_ASSETS_H

#include <stddef.h>

typedef struct web_asset {
	const char *path;            /* "/index.html", "/app.js", ... */
	const char *content_type;
	const unsigned char *data;
	size_t len;
} web_asset_t;

/* The embedded file at path ("/" is "/index.html"), or NULL. */
const web_asset_t *colweb_asset_find(const char *path);

#endif
