/* jsonfile.c - json_file_load (jsonfile.h). */
#include "jsonfile.h"

#include <errno.h>
#include <fcntl.h>

#include "fs.h"
#include "sbuf.h"

int json_file_load(const char *path, size_t max, json_t **out, struct berr *err)
{
	struct sbuf sb = SBUF_INIT;
	struct berr rerr = BERR_INIT;
	json_error_t jerr;

	*out = NULL;
	if (read_file_at(AT_FDCWD, path, &sb, max, &rerr) < 0) {
		sbuf_release(&sb);
		if (rerr.errno_ == ENOENT)
			return 0;
		if (err)
			berr_copy(err, &rerr);
		return berr_wrap(err, "%s", path);
	}
	*out = json_loadb(sbuf_str(&sb), sb.len, 0, &jerr);
	sbuf_release(&sb);
	if (!*out)
		return berr_set(err, BERR_INVALID, "%s: invalid JSON at line %d column %d: %s", path,
				jerr.line, jerr.column, jerr.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return berr_set(err, BERR_INVALID, "%s: the top level must be a JSON object", path);
	}
	return 1;
}
