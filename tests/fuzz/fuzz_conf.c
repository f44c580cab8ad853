/*
 * fuzz_conf.c: the daemons' configuration loaders on an arbitrary file:
 * col_conf_load() (collector/cmd_context.c: lnob-collector's -c CONF) and
 * aggcmd_conf_load() (aggregator/cmd_context.c, compiled into this
 * target: lnob-aggregator's), each given the input written to a file of
 * fuzz_dir() (they take a path), as cli_main() calls them before any
 * command. Each loader either refuses the file with a message or accepts
 * it with the node id and data_dir it requires set.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_aggregator.h"
#include "cmd_collector.h"

typedef int (*s_load_fn)(cli_ctx_t *ctx, const char *path, char *err, size_t errlen);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	(void)fuzz_dir();
	return 0;
}

/* One loader on path; frees what it set (cli_main()'s part). */
static void s_load(s_load_fn load, const char *what, const char *path)
{
	cli_ctx_t ctx;
	char err[1024] = "";
	int r;

	memset(&ctx, 0, sizeof(ctx));
	ctx.conf_path = path;
	r = load(&ctx, path, err, sizeof(err));
	fuzz_note("%s: %d %s", what, r, err);
	if (r < 0 && !err[0])
		fuzz_die("%s refused the file (%d) without a message", what, r);
	if (r == 0 && (!ctx.node_id || !ctx.node_id[0] || !ctx.data_dir || !ctx.data_dir[0]))
		fuzz_die("%s accepted a file without [node] id or data_dir", what);
	conf_destroy(&ctx.conf);
	free(ctx.daemon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("fuzz.conf", data, size);

	s_load(col_conf_load, "col_conf_load()", path);
	s_load(aggcmd_conf_load, "aggcmd_conf_load()", path);
	return 0;
}
