/* colweb_assets.c: lookup in the table embed.cmake generates. */
#include "colweb_assets.h"

#include <string.h>

/* colweb_assets_data.c (generated): the files, sorted by path. */
extern const web_asset_t lnob_colweb_assets[];
extern const size_t lnob_colweb_assets_count;

const web_asset_t *colweb_asset_find(const char *path)
{
	size_t lo = 0, hi = lnob_colweb_assets_count;

	if (strcmp(path, "/") == 0)
		path = "/index.html";
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(path, lnob_colweb_assets[mid].path);

		if (c == 0)
			return &lnob_colweb_assets[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
