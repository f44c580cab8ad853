/* web_assets.c: lookup in the table web/embed.cmake generates. */
#include "web_assets.h"

#include <string.h>

/* web_assets_data.c (generated): the files, sorted by path. */
extern const web_asset_t lnob_web_assets[];
extern const size_t lnob_web_assets_count;

const web_asset_t *web_assets(size_t *ret_n)
{
	*ret_n = lnob_web_assets_count;
	return lnob_web_assets;
}

const web_asset_t *web_asset_find(const char *path)
{
	size_t lo = 0, hi = lnob_web_assets_count;

	if (!path)
		return NULL;
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(path, lnob_web_assets[mid].path);

		if (c == 0)
			return &lnob_web_assets[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
