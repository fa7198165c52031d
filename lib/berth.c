/* berth.c - opening and closing the berth handle. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "util/sbuf.h"
#include "util/timefmt.h"

int berth_open(struct berth **out, const char *root, const char *config_path, struct berr *err)
{
	struct berth *b = xcalloc(1, sizeof(*b));

	if (config_load(&b->cfg, config_path, err) < 0) {
		free(b);
		return -1;
	}
	if (store_open(&b->store, root, err) < 0) {
		config_release(&b->cfg);
		free(b);
		return -1;
	}
	*out = b;
	return 0;
}

void berth_close(struct berth *b)
{
	if (!b)
		return;
	store_close(b->store);
	config_release(&b->cfg);
	free(b->exec_root);
	free(b);
}

int berth_image_reference_check(const char *s, struct berr *err)
{
	struct reference ref;

	if (reference_parse(&ref, s, err) < 0)
		return -1;
	reference_release(&ref);
	return 0;
}

void berth_human_duration(char *buf, size_t n, int64_t ns)
{
	human_duration_ns(buf, n, ns);
}
