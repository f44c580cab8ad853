/* jsonkeys.c: the fields an input JSON object may have (see jsonkeys.h). */
#include "jsonkeys.h"

#include <string.h>

const char *jsonkeys_unknown(const json_t *obj, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		size_t i = 0;

		while (known[i] && strcmp(known[i], key) != 0)
			i++;
		if (!known[i])
			return key;
	}
	return NULL;
}
