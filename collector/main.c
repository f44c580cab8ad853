/*
 * main.c: lnob-collector's command line: keygen, submit, nominate, stage,
 * run, status, and for a relay enroll, revoke; requeue for parked messages.
 *
 * Usage errors exit 2, every other failure exits 1 with one message on
 * stderr naming the file, line or key at fault. The configuration is parsed
 * and validated in full (unknown keys refused) before anything starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <lmdb.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "codec.h"
#include "conf.h"
#include "campaigns.h"
#include "envelope.h"
#include "hierarchy.h"
#include "identity.h"
#include "intake.h"
#include "lnob_err.h"
#include "log.h"
#include "nominate.h"
#include "outbox.h"
#include "uplink.h"
#include "util.h"

#define S_PROG "lnob-collector"

/* The validated configuration. Strings are borrowed from ini. */
typedef struct s_conf {
	conf_t *ini;
	const char *path;
	const char *node_id;
	const char *identity;
	const char *data_dir;
	size_t map_size;
	const char *server_public;
	uplink_conf_t up;
	bool has_relay;          /* [relay] listen is set */
	relay_conf_t relay;
	size_t attach_max;       /* [nominations] attach_max_bytes */
	const char *nom_campaign;   /* [nominations] campaign, "" when not set */
	bool has_campaigns;      /* [campaign] files and [hierarchy] file are set */
	const char *hier_file;   /* [hierarchy] file, "" when not set */
	enum log_level level;
} s_conf_t;

static void s_usage(FILE *f)
{
	fprintf(f,
		"usage: " S_PROG " keygen --id NODE_ID --out PATH\n"
		"       " S_PROG " submit -c CONF FILE...\n"
		"       " S_PROG " nominate -c CONF FILE.json...\n"
		"       " S_PROG " stage -c CONF --nomination SIGNER/ID --kind KIND [--campaign C]\n"
		"             [--reason TEXT] [--decision-number N --decision-date YYYY-MM-DD --granted FORM]\n"
		"             [--note TEXT] [--at TIME]\n"
		"             KIND: received, appraised, endorsed, returned|rejected (with --reason),\n"
		"             decided (with the decision's number, date and granted form)\n"
		"       " S_PROG " run -c CONF [-n]\n"
		"       " S_PROG " status -c CONF [--json]\n"
		"       " S_PROG " requeue -c CONF (--all | SEQ... | SIGNER:SEQ... | --signer NODE --seq N)\n"
		"       " S_PROG " enroll -c CONF --key NODE.key.pub [--replace]   (relay: admit a downstream node)\n"
		"       " S_PROG " revoke -c CONF NODE                             (relay: refuse it from now on)\n");
}

static int s_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a usage error and the usage; returns exit status 2. */
static int s_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, S_PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	s_usage(stderr);
	return 2;
}

static int s_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints one failure message; returns exit status 1. */
static int s_failure(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, S_PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* ---- configuration ---------------------------------------------------- */

/*
 * The line of section.key in the file, 0 when unknown. conf.h offers no
 * such call, but its messages are specified ("file:12: [s] k: ..."), so a
 * range no value can meet makes conf_u64() name the line.
 */
static unsigned s_conf_line(const conf_t *ini, const char *section, const char *key)
{
	const char *name = conf_name(ini);
	char msg[1024];
	uint64_t dummy;
	unsigned line = 0;
	size_t n = strlen(name);

	if (conf_u64(ini, section, key, false, 0, 1, 0, &dummy, msg, sizeof(msg)) == 0)
		return 0;
	if (strncmp(msg, name, n) != 0 || msg[n] != ':' || sscanf(msg + n + 1, "%u:", &line) != 1)
		return 0;
	return line;
}

static int s_conf_bad(const conf_t *ini, const char *section, const char *key, char *err,
		      size_t errlen, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Formats "file:line: [section] key: <message>" into err; returns
 * LNOB_E_CONFIG. */
static int s_conf_bad(const conf_t *ini, const char *section, const char *key, char *err,
		      size_t errlen, const char *fmt, ...)
{
	char msg[512];
	unsigned line = s_conf_line(ini, section, key);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err, errlen, "%s:%u: [%s] %s: %s", conf_name(ini), line, section, key, msg);
	else
		snprintf(err, errlen, "%s: [%s] %s: %s", conf_name(ini), section, key, msg);
	return LNOB_E_CONFIG;
}

/* A required string that must not be empty. */
static int s_conf_nonempty(const conf_t *ini, const char *section, const char *key,
			   const char **ret, char *err, size_t errlen)
{
	int r = conf_str(ini, section, key, NULL, ret, err, errlen);

	if (r == 0 && !**ret)
		return s_conf_bad(ini, section, key, err, errlen, "empty");
	return r;
}

/* A u32-sized number into *ret. */
static int s_conf_u32(const conf_t *ini, const char *section, const char *key, uint64_t def,
		      uint64_t min, uint64_t max, uint32_t *ret, char *err, size_t errlen)
{
	uint64_t v;
	int r = conf_u64(ini, section, key, false, def, min, max, &v, err, errlen);

	if (r == 0)
		*ret = (uint32_t)v;
	return r;
}

/*
 * Loads and validates the whole configuration at path into *c. Files it
 * names (identity, server_public) are read later by the subcommands that
 * need them. Returns 0 or a negative code with the message in err; c->ini
 * is set (or NULL) either way and must go through s_conf_free().
 */
static int s_conf_load(const char *path, s_conf_t *c, char *err, size_t errlen)
{
	static const char *const keys[] = {
		"node.id", "node.identity", "node.data_dir", "node.map_size_mb",
		"uplink.endpoint", "uplink.server_public", "uplink.window",
		"uplink.heartbeat_ms", "uplink.dead_after_ms", "uplink.resend_after_ms",
		"uplink.backoff_min_ms", "uplink.backoff_max_ms", "relay.listen", "relay.window",
		"nominations.attach_max_bytes", "nominations.campaign", "campaign.files",
		"hierarchy.file", "log.level", NULL,
	};
	const conf_t *ini;
	const char *level, *files;
	uint64_t map_mb, attach;
	int r, lv;

	memset(c, 0, sizeof(*c));
	c->path = path;
	if ((r = conf_load(path, &c->ini, err, errlen)) < 0)
		return r;
	ini = c->ini;
	if ((r = conf_check_keys(ini, keys, err, errlen)) < 0)
		return r;
	if ((r = s_conf_nonempty(ini, "node", "id", &c->node_id, err, errlen)) < 0)
		return r;
	if (!lnob_valid_id(c->node_id))
		return s_conf_bad(ini, "node", "id", err, errlen,
				  "not 1..64 of [A-Za-z0-9._-]: '%s'", c->node_id);
	if ((r = s_conf_nonempty(ini, "node", "identity", &c->identity, err, errlen)) < 0 ||
	    (r = s_conf_nonempty(ini, "node", "data_dir", &c->data_dir, err, errlen)) < 0 ||
	    (r = conf_u64(ini, "node", "map_size_mb", false, 256, 1, 1u << 20, &map_mb,
			  err, errlen)) < 0)
		return r;
	c->map_size = (size_t)map_mb << 20;
	if ((r = s_conf_nonempty(ini, "uplink", "endpoint", &c->up.endpoint, err, errlen)) < 0)
		return r;
	if ((strncmp(c->up.endpoint, "tcp://", 6) != 0 && strncmp(c->up.endpoint, "ipc://", 6) != 0) ||
	    !c->up.endpoint[6])
		return s_conf_bad(ini, "uplink", "endpoint", err, errlen,
				  "not a tcp://HOST:PORT or ipc://PATH endpoint: '%s'", c->up.endpoint);
	if ((r = s_conf_nonempty(ini, "uplink", "server_public", &c->server_public, err, errlen)) < 0 ||
	    (r = s_conf_u32(ini, "uplink", "window", 128, 1, 65536, &c->up.window, err, errlen)) < 0 ||
	    (r = s_conf_u32(ini, "uplink", "heartbeat_ms", 1000, 50, 600000, &c->up.heartbeat_ms,
			    err, errlen)) < 0 ||
	    (r = s_conf_u32(ini, "uplink", "dead_after_ms", 10000, (uint64_t)c->up.heartbeat_ms + 1,
			    3600000, &c->up.dead_after_ms, err, errlen)) < 0 ||
	    (r = s_conf_u32(ini, "uplink", "resend_after_ms", 15000, 100, 86400000,
			    &c->up.resend_after_ms, err, errlen)) < 0 ||
	    (r = s_conf_u32(ini, "uplink", "backoff_min_ms", 200, 1, 600000, &c->up.backoff_min_ms,
			    err, errlen)) < 0 ||
	    (r = s_conf_u32(ini, "uplink", "backoff_max_ms", 30000, c->up.backoff_min_ms, 3600000,
			    &c->up.backoff_max_ms, err, errlen)) < 0)
		return r;
	if ((r = conf_str(ini, "relay", "listen", "", &c->relay.listen, err, errlen)) < 0 ||
	    (r = s_conf_u32(ini, "relay", "window", 128, 1, 65536, &c->relay.window, err,
			    errlen)) < 0)
		return r;
	c->has_relay = c->relay.listen[0] != '\0';
	if (c->has_relay &&
	    ((strncmp(c->relay.listen, "tcp://", 6) != 0 && strncmp(c->relay.listen, "ipc://", 6) != 0) ||
	     !c->relay.listen[6]))
		return s_conf_bad(ini, "relay", "listen", err, errlen,
				  "not a tcp://HOST:PORT or ipc://PATH endpoint: '%s'", c->relay.listen);
	if (c->has_relay && strcmp(c->relay.listen, c->up.endpoint) == 0)
		return s_conf_bad(ini, "relay", "listen", err, errlen,
				  "the same endpoint as [uplink] endpoint: '%s'", c->relay.listen);
	c->relay.heartbeat_ms = c->up.heartbeat_ms;
	c->relay.dead_after_ms = c->up.dead_after_ms;
	if ((r = conf_u64(ini, "nominations", "attach_max_bytes", false, NOMINATE_ATTACH_MAX_DEFAULT,
			  0, NOMINATE_ATTACH_MAX_LIMIT, &attach, err, errlen)) < 0 ||
	    (r = conf_str(ini, "nominations", "campaign", "", &c->nom_campaign, err, errlen)) < 0)
		return r;
	c->attach_max = (size_t)attach;
	if (c->nom_campaign[0] && !lnob_valid_id(c->nom_campaign))
		return s_conf_bad(ini, "nominations", "campaign", err, errlen,
				  "not 1..64 of [A-Za-z0-9._-]: '%s'", c->nom_campaign);
	/* Both or neither: the campaigns' rules need the units' levels. */
	if ((r = conf_str(ini, "campaign", "files", "", &files, err, errlen)) < 0 ||
	    (r = conf_str(ini, "hierarchy", "file", "", &c->hier_file, err, errlen)) < 0)
		return r;
	if (files[0] && !c->hier_file[0])
		return s_conf_bad(ini, "campaign", "files", err, errlen,
				  "needs [hierarchy] file too (the levels of the units)");
	if (c->hier_file[0] && !files[0])
		return s_conf_bad(ini, "hierarchy", "file", err, errlen,
				  "needs [campaign] files too (it is only used to check reports "
				  "against the campaigns)");
	c->has_campaigns = files[0] != '\0';
	if ((r = conf_str(ini, "log", "level", "info", &level, err, errlen)) < 0)
		return r;
	if ((lv = log_level_parse(level)) < 0)
		return s_conf_bad(ini, "log", "level", err, errlen,
				  "not one of error, warn, info, debug: '%s'", level);
	c->level = (enum log_level)lv;
	return 0;
}

/* Frees what s_conf_load() kept (accepts a failed load). */
static void s_conf_free(s_conf_t *c)
{
	conf_destroy(&c->ini);
}

/* Loads the node's identity and checks it belongs to [node] id. */
static int s_load_identity(const s_conf_t *c, identity_t *ret, char *err, size_t errlen)
{
	identity_t id;
	char why[768];
	int r = identity_load(c->identity, &id, why, sizeof(why));

	if (r < 0) {
		s_conf_bad(c->ini, "node", "identity", err, errlen, "%s", why);
		return r;
	}
	if (strcmp(id.pub.node_id, c->node_id) != 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "'%s' is not the id in the identity file %s ('%s')",
			 c->node_id, c->identity, id.pub.node_id);
		identity_wipe(&id);
		return s_conf_bad(c->ini, "node", "id", err, errlen, "%s", msg);
	}
	*ret = id;
	identity_wipe(&id);
	return 0;
}

/*
 * With [campaign] files and [hierarchy] file set, loads the hierarchy into
 * *ret_hier and the campaigns, checked against it, into camps (caller
 * frees both: hier_destroy, campaigns_clear); without them, *ret_hier is
 * NULL and camps empty. Returns 0 or a negative code with err naming the
 * file and line.
 */
static int s_load_campaigns(const s_conf_t *c, hier_t **ret_hier, campaigns_t *camps,
			    char *err, size_t errlen)
{
	hier_t *h = NULL;
	char why[768];
	int r;

	*ret_hier = NULL;
	memset(camps, 0, sizeof(*camps));
	if (!c->has_campaigns)
		return 0;
	if ((r = hier_load_csv(c->hier_file, &h, why, sizeof(why))) < 0) {
		s_conf_bad(c->ini, "hierarchy", "file", err, errlen, "%s", why);
		return r;
	}
	if ((r = campaigns_load(camps, c->ini, h, err, errlen)) < 0) {
		hier_destroy(&h);
		return r;
	}
	*ret_hier = h;
	return 0;
}

/* Parses "-c CONF" style options shared by the subcommands. */
typedef struct s_opts {
	const char *conf;
	bool check;          /* run -n */
	bool json;           /* status --json */
	bool help;
	const char *key;     /* enroll --key */
	bool replace;        /* enroll --replace */
	bool all;            /* requeue --all */
	const char *signer;  /* requeue --signer */
	const char *seq;     /* requeue --seq */
	nominate_stage_args_t stage;   /* stage --nomination, --kind, ... */
} s_opts_t;

/* Which options a subcommand takes besides -c and -h. */
enum s_allow {
	S_ALLOW_N = 1 << 0,
	S_ALLOW_JSON = 1 << 1,
	S_ALLOW_KEY = 1 << 2,      /* --key, --replace */
	S_ALLOW_REQUEUE = 1 << 3,  /* --all, --signer, --seq */
	S_ALLOW_STAGE = 1 << 4,    /* --nomination, --kind, --reason, ... */
};

/* getopt_long values of the stage options (beyond any character). */
enum s_stage_opt {
	S_OPT_NOMINATION = 256, S_OPT_KIND, S_OPT_REASON, S_OPT_DECISION_NUMBER,
	S_OPT_DECISION_DATE, S_OPT_GRANTED, S_OPT_NOTE, S_OPT_AT, S_OPT_CAMPAIGN,
};

/* The field of o->stage a stage option fills, NULL for another option. */
static const char **s_stage_field(s_opts_t *o, int ch)
{
	switch (ch) {
	case S_OPT_NOMINATION: return &o->stage.nomination;
	case S_OPT_KIND: return &o->stage.kind;
	case S_OPT_REASON: return &o->stage.reason;
	case S_OPT_DECISION_NUMBER: return &o->stage.decision_number;
	case S_OPT_DECISION_DATE: return &o->stage.decision_date;
	case S_OPT_GRANTED: return &o->stage.granted;
	case S_OPT_NOTE: return &o->stage.note;
	case S_OPT_AT: return &o->stage.at;
	case S_OPT_CAMPAIGN: return &o->stage.campaign;
	default: return NULL;
	}
}

/* Parses argv (argv[0] is the subcommand) allowing the options in allow
 * (enum s_allow). Returns 0, or 2 after printing a usage error. */
static int s_parse_opts(int argc, char **argv, unsigned allow, s_opts_t *o)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "key", required_argument, NULL, 'k' },
		{ "replace", no_argument, NULL, 'R' },
		{ "all", no_argument, NULL, 'a' },
		{ "signer", required_argument, NULL, 's' },
		{ "seq", required_argument, NULL, 'q' },
		{ "nomination", required_argument, NULL, S_OPT_NOMINATION },
		{ "kind", required_argument, NULL, S_OPT_KIND },
		{ "reason", required_argument, NULL, S_OPT_REASON },
		{ "decision-number", required_argument, NULL, S_OPT_DECISION_NUMBER },
		{ "decision-date", required_argument, NULL, S_OPT_DECISION_DATE },
		{ "granted", required_argument, NULL, S_OPT_GRANTED },
		{ "note", required_argument, NULL, S_OPT_NOTE },
		{ "at", required_argument, NULL, S_OPT_AT },
		{ "campaign", required_argument, NULL, S_OPT_CAMPAIGN },
		{ NULL, 0, NULL, 0 },
	};
	const char **field;
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:nh", lopts, NULL)) != -1) {
		unsigned need = 0;

		switch (ch) {
		case 'n': need = S_ALLOW_N; break;
		case 'j': need = S_ALLOW_JSON; break;
		case 'k': case 'R': need = S_ALLOW_KEY; break;
		case 'a': case 's': case 'q': need = S_ALLOW_REQUEUE; break;
		default: need = s_stage_field(o, ch) ? S_ALLOW_STAGE : 0; break;
		}
		if (need && !(allow & need))
			return s_usage_error("%s: unknown option %s", argv[0], argv[optind - 1]);
		if ((field = s_stage_field(o, ch)) != NULL) {
			if (*field) {
				size_t k = 0;

				while (lopts[k].name && lopts[k].val != ch)
					k++;
				return s_usage_error("%s: option --%s given twice", argv[0],
						     lopts[k].name ? lopts[k].name : "?");
			}
			*field = optarg;
			continue;
		}
		switch (ch) {
		case 'c':
			o->conf = optarg;
			break;
		case 'n':
			o->check = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'R':
			o->replace = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 's':
			o->signer = optarg;
			break;
		case 'q':
			o->seq = optarg;
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			return s_usage_error("%s: option %s needs an argument", argv[0],
					     argv[optind - 1]);
		default:
			return s_usage_error("%s: unknown option %s", argv[0], argv[optind - 1]);
		}
	}
	if (!o->conf)
		return s_usage_error("%s: -c CONF is required", argv[0]);
	return 0;
}

/* ---- limits ----------------------------------------------------------- */

/* Wall-clock text of a Unix ms time, into out[32]. */
static const char *s_time_text(int64_t ms, char out[32]);

/* The limits the upstream last advertised, as the running daemon recorded
 * them in the outbox (all 0 when nothing is known yet, also when no
 * outbox exists yet). Read as a reader beside the daemon. Returns 0, or 1
 * with the message printed. */
static int s_known_limits(const s_conf_t *c, outbox_limits_t *ret)
{
	outbox_t *ob = NULL;
	char err[1024];
	int r;

	memset(ret, 0, sizeof(*ret));
	r = outbox_open(c->data_dir, 0, OUTBOX_RDONLY, &ob, err, sizeof(err));
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return s_failure("%s", err);
	r = outbox_get_limits(ob, ret);
	outbox_destroy(&ob);
	if (r < 0)
		return s_failure("%s: %s", c->data_dir, lnob_strerror(r));
	return 0;
}

/* Where the body limit comes from, for messages, into out[160]: the
 * upstream's advertised max_body, or this collector's own limit. */
static const char *s_limit_origin(const outbox_limits_t *lim, char out[160])
{
	char when[32];

	if (lim->max_body > 0 && lim->max_body <= OUTBOX_BODY_MAX)
		snprintf(out, 160, "the max_body its upstream advertised, last recorded %s",
			 s_time_text(lim->learned_at_ms, when));
	else
		snprintf(out, 160, "this collector's own limit%s", lim->learned_at_ms > 0 ? ""
			 : "; the upstream's is not known yet");
	return out;
}

/* ---- submit ----------------------------------------------------------- */

/* `submit -c CONF FILE...`: parses every file (and, with the campaigns
 * configured, checks each report as the aggregator would), then queues all
 * their reports in one transaction. Returns the exit status. */
static int s_cmd_submit(int argc, char **argv)
{
	intake_list_t list = { 0 };
	campaigns_t camps = { 0 };
	hier_t *hier = NULL;
	outbox_limits_t lim;
	s_conf_t c;
	s_opts_t o;
	identity_t id;
	outbox_t *ob = NULL;
	char err[1024], detail[512], origin[160];
	uint64_t first = 0;
	int64_t now_ms = lnob_now_ms();
	int r, rc = 1;

	if ((r = s_parse_opts(argc, argv, 0, &o)) != 0)
		return r;
	if (o.help) {
		s_usage(stdout);
		return 0;
	}
	if (optind >= argc)
		return s_usage_error("submit: no report files given");
	if (s_conf_load(o.conf, &c, err, sizeof(err)) < 0) {
		s_conf_free(&c);
		return s_failure("%s", err);
	}
	if (s_load_identity(&c, &id, err, sizeof(err)) < 0) {
		s_conf_free(&c);
		return s_failure("%s", err);
	}
	if (s_load_campaigns(&c, &hier, &camps, err, sizeof(err)) < 0) {
		rc = s_failure("%s (nothing queued)", err);
		goto out;
	}
	/* Each report must fit the upstream's max_body as last known, or
	 * the upstream would refuse it: refused here, before anything is
	 * queued. */
	if ((rc = s_known_limits(&c, &lim)) != 0)
		goto out;
	list.max_body = outbox_max_body(&lim);
	for (int i = optind; i < argc; i++) {
		size_t from = list.n;

		r = intake_parse_file(argv[i], now_ms / 1000, &list, err, sizeof(err));
		if (r == LNOB_E_TOOBIG) {
			rc = s_failure("%s (%s; nothing queued)", err, s_limit_origin(&lim, origin));
			goto out;
		}
		if (r < 0 ||
		    (hier && intake_check_campaigns(&list, from, &camps, hier, err, sizeof(err)) < 0)) {
			rc = s_failure("%s (nothing queued)", err);
			goto out;
		}
	}
	if (outbox_open(c.data_dir, c.map_size, 0, &ob, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	detail[0] = '\0';
	r = outbox_enqueue_reports(ob, &id, (const Lnob__Report *const *)list.v, list.n, now_ms,
				   &first, detail, sizeof(detail));
	if (r == MDB_MAP_FULL) {
		rc = s_failure("%s: outbox is full ([node] map_size_mb = %zu); nothing queued",
			       c.data_dir, c.map_size >> 20);
		goto out;
	}
	if (r == LNOB_E_TOOBIG && outbox_get_limits(ob, &lim) == 0) {
		/* The daemon learned a smaller limit meanwhile. */
		rc = s_failure("%s: cannot queue: %s (%s; nothing queued)", c.data_dir, detail,
			       s_limit_origin(&lim, origin));
		goto out;
	}
	if (r < 0) {
		rc = s_failure("%s: cannot queue: %s%s%s (nothing queued)", c.data_dir,
			       lnob_strerror(r), detail[0] ? ": " : "", detail);
		goto out;
	}
	printf("queued %zu reports as seq %" PRIu64 "..%" PRIu64 "\n", list.n, first,
	       first + list.n - 1);
	rc = 0;
out:
	outbox_destroy(&ob);
	intake_list_clear(&list);
	campaigns_clear(&camps);
	hier_destroy(&hier);
	identity_wipe(&id);
	s_conf_free(&c);
	return rc;
}

/* ---- nominate, stage --------------------------------------------------- */

/* Queues bodies[0..n-1] of kind in one transaction. Returns the exit
 * status (1 with the message printed on failure). */
static int s_enqueue(const s_conf_t *c, const identity_t *id, uint32_t kind,
		     const uint8_t *const *bodies, const size_t *lens, size_t n, int64_t now_ms,
		     uint64_t *ret_first)
{
	outbox_t *ob = NULL;
	outbox_limits_t lim;
	char err[1024], origin[160];
	int r;

	if (outbox_open(c->data_dir, c->map_size, 0, &ob, err, sizeof(err)) < 0)
		return s_failure("%s", err);
	r = outbox_enqueue(ob, id, kind, bodies, lens, n, now_ms, ret_first);
	if (r == LNOB_E_TOOBIG && outbox_get_limits(ob, &lim) == 0) {
		size_t big = 0;

		for (size_t i = 0; i < n; i++)
			big = lens[i] > big ? lens[i] : big;
		outbox_destroy(&ob);
		return s_failure("%s: cannot queue: a body of %zu bytes is over the %zu-byte limit "
				 "(%s; nothing queued)", c->data_dir, big, outbox_max_body(&lim),
				 s_limit_origin(&lim, origin));
	}
	outbox_destroy(&ob);
	if (r == MDB_MAP_FULL)
		return s_failure("%s: outbox is full ([node] map_size_mb = %zu); nothing queued",
				 c->data_dir, c->map_size >> 20);
	if (r < 0)
		return s_failure("%s: cannot queue: %s (nothing queued)", c->data_dir,
				 lnob_strerror(r));
	return 0;
}

/* `nominate -c CONF FILE.json...`: parses every nomination file (digests
 * and attachments of their dossiers), then queues them all in one
 * transaction. Returns the exit status. */
static int s_cmd_nominate(int argc, char **argv)
{
	Lnob__Nomination **noms = NULL;
	uint8_t **bodies = NULL;
	size_t *lens = NULL, n = 0, parsed = 0;
	nominate_opts_t no;
	outbox_limits_t lim;
	s_conf_t c;
	s_opts_t o;
	identity_t id;
	char err[1024], origin[160];
	uint64_t first = 0;
	int64_t now_ms = lnob_now_ms();
	int r, rc = 1;

	if ((r = s_parse_opts(argc, argv, 0, &o)) != 0)
		return r;
	if (o.help) {
		s_usage(stdout);
		return 0;
	}
	if (optind >= argc)
		return s_usage_error("nominate: no nomination files given");
	memset(&id, 0, sizeof(id));
	if (s_conf_load(o.conf, &c, err, sizeof(err)) < 0 ||
	    s_load_identity(&c, &id, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	n = (size_t)(argc - optind);
	noms = calloc(n, sizeof(Lnob__Nomination *));
	bodies = calloc(n, sizeof(uint8_t *));
	lens = calloc(n, sizeof(*lens));
	if (!noms || !bodies || !lens) {
		rc = s_failure("out of memory");
		goto out;
	}
	if ((rc = s_known_limits(&c, &lim)) != 0)
		goto out;
	memset(&no, 0, sizeof(no));
	no.signer = c.node_id;
	no.campaign = c.nom_campaign;
	no.attach_max = c.attach_max;
	no.now_s = now_ms / 1000;
	no.max_body = outbox_max_body(&lim);   /* the upstream's, as last known */
	for (size_t i = 0; i < n; i++) {
		const char *path = argv[optind + (int)i];

		r = nominate_parse_file(path, &no, &noms[i], err, sizeof(err));
		/* Over the body limit (not a file too big to read): say whose. */
		if (r == LNOB_E_TOOBIG && strstr(err, "-byte limit")) {
			rc = s_failure("%s (%s; nothing queued)", err, s_limit_origin(&lim, origin));
			goto out;
		}
		if (r < 0) {
			rc = s_failure("%s (nothing queued)", err);
			goto out;
		}
		parsed++;
		for (size_t k = 0; k < i; k++) {
			if (strcmp(noms[k]->id, noms[i]->id) == 0) {
				rc = s_failure("%s: id: '%s' is also the id of %s (nothing queued)",
					       path, noms[i]->id, argv[optind + (int)k]);
				goto out;
			}
		}
		if (codec_pack(&noms[i]->base, &bodies[i], &lens[i]) < 0) {
			rc = s_failure("out of memory");
			goto out;
		}
	}
	if ((rc = s_enqueue(&c, &id, LNOB__KIND__KIND_NOMINATION, (const uint8_t *const *)bodies,
			    lens, n, now_ms, &first)) != 0)
		goto out;
	printf("queued %zu nominations as seq %" PRIu64 "..%" PRIu64 "\n", n, first,
	       first + n - 1);
	for (size_t i = 0; i < n; i++)
		printf("  %s/%s  seq %" PRIu64 "\n", c.node_id, noms[i]->id, first + i);
	rc = 0;
out:
	for (size_t i = 0; i < parsed; i++) {
		nominate_free(&noms[i]);
		free(bodies[i]);
	}
	free(noms);
	free(bodies);
	free(lens);
	identity_wipe(&id);
	s_conf_free(&c);
	return rc;
}

/* `stage -c CONF --nomination SIGNER/ID --kind KIND ...`: queues one
 * stage of a nomination. Returns the exit status. */
static int s_cmd_stage(int argc, char **argv)
{
	Lnob__Stage *st = NULL;
	uint8_t *body = NULL;
	size_t len = 0;
	s_conf_t c;
	s_opts_t o;
	identity_t id;
	char err[1024];
	uint64_t seq = 0;
	int64_t now_ms = lnob_now_ms();
	int r, rc = 1;

	if ((r = s_parse_opts(argc, argv, S_ALLOW_STAGE, &o)) != 0)
		return r;
	if (o.help) {
		s_usage(stdout);
		return 0;
	}
	if (optind != argc)
		return s_usage_error("stage: unexpected argument '%s'", argv[optind]);
	if (!o.stage.nomination)
		return s_usage_error("stage: --nomination SIGNER/ID is required");
	if (!o.stage.kind)
		return s_usage_error("stage: --kind is required (%s)",
				     nominate_code_list(NOMINATE_STAGE));
	memset(&id, 0, sizeof(id));
	if (s_conf_load(o.conf, &c, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	if (!o.stage.campaign && c.nom_campaign[0])
		o.stage.campaign = c.nom_campaign;
	r = nominate_stage_build(&o.stage, now_ms / 1000, &st, err, sizeof(err));
	if (r == -EINVAL) {
		rc = s_usage_error("stage: %s", err);
		goto out;
	}
	if (r < 0) {
		rc = s_failure("stage: %s (nothing queued)", err);
		goto out;
	}
	if (s_load_identity(&c, &id, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	if (codec_pack(&st->base, &body, &len) < 0) {
		rc = s_failure("out of memory");
		goto out;
	}
	if ((rc = s_enqueue(&c, &id, LNOB__KIND__KIND_STAGE, (const uint8_t *const *)&body, &len, 1,
			    now_ms, &seq)) != 0)
		goto out;
	printf("queued stage %s of %s as seq %" PRIu64 "\n",
	       nominate_code_name(NOMINATE_STAGE, st->kind), st->nomination, seq);
	rc = 0;
out:
	free(body);
	nominate_stage_free(&st);
	identity_wipe(&id);
	s_conf_free(&c);
	return rc;
}

/* ---- run -------------------------------------------------------------- */

/* Takes an exclusive lock on data_dir/run.lock so one daemon serves an
 * outbox. Returns the fd (kept open for the run) or -1 with err set. */
static int s_lock_run(const char *dir, char *err, size_t errlen)
{
	char path[4200];
	int fd, r;

	if ((r = lnob_mkdirs(dir)) < 0) {
		snprintf(err, errlen, "%s: cannot create directory: %s", dir, lnob_strerror(r));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/run.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "%.900s: %s", path, errno == EWOULDBLOCK
			 ? "another lnob-collector run is using this outbox" : strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* `run -c CONF [-n]`: validates everything, then (without -n) runs the
 * uplink until SIGTERM/SIGINT. Returns the exit status. */
static int s_cmd_run(int argc, char **argv)
{
	s_conf_t c;
	s_opts_t o;
	identity_t id;
	identity_pub_t server;
	outbox_t *ob = NULL;
	sigset_t mask;
	char err[1024], why[768];
	int r, rc = 1, lockfd = -1, sigfd = -1;

	if ((r = s_parse_opts(argc, argv, S_ALLOW_N, &o)) != 0)
		return r;
	if (o.help) {
		s_usage(stdout);
		return 0;
	}
	if (optind != argc)
		return s_usage_error("run: unexpected argument '%s'", argv[optind]);
	/* Blocked first thing: a SIGTERM during start-up waits for the
	 * signalfd (made below) and ends the run cleanly, exit 0, instead of
	 * killing the process half-way. Blocked before libzmq starts its
	 * threads, too, so they inherit the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return s_failure("sigprocmask: %s", strerror(errno));
	memset(&id, 0, sizeof(id));
	if (s_conf_load(o.conf, &c, err, sizeof(err)) < 0 ||
	    s_load_identity(&c, &id, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	if (identity_load_public(c.server_public, &server, why, sizeof(why)) < 0) {
		s_conf_bad(c.ini, "uplink", "server_public", err, sizeof(err), "%s", why);
		rc = s_failure("%s", err);
		goto out;
	}
	memcpy(c.up.server_curve_pk, server.curve_pk, 32);
	{
		/* Only submit uses them; checked here so that a bad file is
		 * found by -n and at start, not at the next submit. */
		campaigns_t camps;
		hier_t *hier = NULL;

		r = s_load_campaigns(&c, &hier, &camps, err, sizeof(err));
		campaigns_clear(&camps);
		hier_destroy(&hier);
		if (r < 0) {
			rc = s_failure("%s", err);
			goto out;
		}
	}
	if (o.check) {
		printf("configuration OK\n");
		rc = 0;
		goto out;
	}
	log_init(S_PROG, c.level);
	if (sodium_init() < 0) {
		rc = s_failure("libsodium cannot start");
		goto out;
	}
	if ((lockfd = s_lock_run(c.data_dir, err, sizeof(err))) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	if (outbox_open(c.data_dir, c.map_size, 0, &ob, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	if ((sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		rc = s_failure("signalfd: %s", strerror(errno));
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	log_info("node %s: uplink to %s, window %" PRIu32 ", outbox in %s%s%s", c.node_id,
		 c.up.endpoint, c.up.window, c.data_dir, c.has_relay ? ", relay on " : "",
		 c.has_relay ? c.relay.listen : "");
	r = uplink_run(&c.up, c.has_relay ? &c.relay : NULL, &id, ob, sigfd);
	rc = r < 0 ? 1 : 0;
out:
	if (sigfd >= 0)
		close(sigfd);
	outbox_destroy(&ob);
	if (lockfd >= 0)
		close(lockfd);
	identity_wipe(&id);
	s_conf_free(&c);
	return rc;
}

/* ---- status ----------------------------------------------------------- */

/* "out_of_scope" for NACK_OUT_OF_SCOPE: the enum name lower-cased without
 * its prefix, into out[64]. */
static const char *s_reason_name(int reason, char out[64])
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&lnob__nack_reason__descriptor, reason);
	const char *name;
	size_t i = 0;

	if (!v) {
		snprintf(out, 64, "reason_%d", reason);
		return out;
	}
	name = strncmp(v->name, "NACK_", 5) == 0 ? v->name + 5 : v->name;
	for (; name[i] && i < 63; i++)
		out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	out[i] = '\0';
	return out;
}

/* json_object_set_new() that remembers a failure in *ok. */
static void s_jset(json_t *obj, const char *key, json_t *v, bool *ok)
{
	if (!v || json_object_set_new(obj, key, v) != 0)
		*ok = false;
}

/* What the parked-item callbacks need. */
typedef struct s_parked_ctx {
	const char *own_id;
	json_t *arr;      /* JSON output, or NULL for the table */
} s_parked_ctx_t;

/* Wall-clock text of a Unix ms time, into out[32]. */
static const char *s_time_text(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "?");
	return out;
}

/* What a parked envelope carries, for the listing. */
typedef struct s_parked_what {
	const char *kind;                     /* "report", "nomination", "stage", "unknown" */
	char nomination[NOMINATE_KEY_SIZE];   /* nomination, stage: the nomination's key, else "" */
	const char *stage;                    /* stage: its kind, else NULL */
} s_parked_what_t;

/* Decodes the envelope of a parked item (and a nomination's or stage's
 * body) far enough to say what it is. Never fails: what does not decode
 * is "unknown". */
static void s_parked_what(const Lnob__ParkedItem *p, s_parked_what_t *w)
{
	Lnob__Envelope *env = NULL;
	ProtobufCMessage *m = NULL;

	w->kind = "unknown";
	w->nomination[0] = '\0';
	w->stage = NULL;
	if (envelope_open(p->envelope.data, p->envelope.len, p->envelope.len, &env) < 0)
		return;
	switch (env->kind) {
	case LNOB__KIND__KIND_REPORT:
		w->kind = "report";
		break;
	case LNOB__KIND__KIND_NOMINATION:
		w->kind = "nomination";
		if (codec_unpack(&lnob__nomination__descriptor, env->body.data, env->body.len,
				 env->body.len, &m) == 0)
			snprintf(w->nomination, sizeof(w->nomination), "%s/%s", env->signer,
				 ((Lnob__Nomination *)m)->id);
		break;
	case LNOB__KIND__KIND_STAGE:
		w->kind = "stage";
		if (codec_unpack(&lnob__stage__descriptor, env->body.data, env->body.len,
				 env->body.len, &m) == 0) {
			snprintf(w->nomination, sizeof(w->nomination), "%s",
				 ((Lnob__Stage *)m)->nomination);
			w->stage = nominate_code_name(NOMINATE_STAGE, ((Lnob__Stage *)m)->kind);
		}
		break;
	default:
		break;
	}
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
	lnob__envelope__free_unpacked(env, NULL);
}

/* outbox_parked_foreach_all() callback: one parked item as a JSON object
 * or a table row. */
static int s_parked_item(void *ctx, const char *signer, uint64_t seq, const Lnob__ParkedItem *p)
{
	s_parked_ctx_t *pc = ctx;
	const char *who = signer[0] ? signer : pc->own_id;
	char reason[64], when[32];
	s_parked_what_t what;
	json_t *item;
	bool ok;

	s_parked_what(p, &what);
	if (!pc->arr) {
		char about[NOMINATE_KEY_SIZE + 64] = "";

		if (what.stage)
			snprintf(about, sizeof(about), "  [stage %s of %s]", what.stage,
				 what.nomination);
		else if (what.nomination[0])
			snprintf(about, sizeof(about), "  [nomination %s]", what.nomination);
		printf("  %-10s %s%s seq %" PRIu64 "  %s  parked %s  %s%s\n", what.kind,
		       signer[0] ? "relayed " : "", who, seq, s_reason_name(p->reason, reason),
		       s_time_text(p->parked_at_ms, when), p->detail ? p->detail : "", about);
		return 0;
	}
	item = json_object();
	ok = item != NULL;
	if (ok) {
		s_jset(item, "seq", json_integer((json_int_t)seq), &ok);
		s_jset(item, "signer", json_string(who), &ok);
		s_jset(item, "relayed", json_boolean(signer[0] != '\0'), &ok);
		s_jset(item, "kind", json_string(what.kind), &ok);
		if (what.nomination[0])
			s_jset(item, "nomination", json_string(what.nomination), &ok);
		if (what.stage)
			s_jset(item, "stage", json_string(what.stage), &ok);
		s_jset(item, "reason", json_string(s_reason_name(p->reason, reason)), &ok);
		s_jset(item, "detail", json_string(p->detail ? p->detail : ""), &ok);
		s_jset(item, "parked_at_ms", json_integer(p->parked_at_ms), &ok);
		s_jset(item, "queued_at_ms", json_integer(p->queued_at_ms), &ok);
	}
	if (!ok) {
		json_decref(item);
		return -ENOMEM;
	}
	if (json_array_append_new(pc->arr, item) != 0)   /* takes item either way */
		return -ENOMEM;
	return 0;
}

/* outbox_downstream_foreach() callback: one downstream node as a JSON
 * object (ctx an array) or a table row (ctx NULL). */
static int s_downstream_item(void *ctx, const outbox_node_t *n)
{
	json_t *arr = ctx, *item, *h = NULL;
	char when[32];
	bool ok;

	if (!arr) {
		printf("  %-20s %-8s %-24s", n->pub.node_id, n->revoked ? "revoked" : "admitted",
		       n->last_seen_ms > 0 ? s_time_text(n->last_seen_ms, when) : "never seen");
		if (n->has_health)
			printf(" queued %" PRIu64 ", parked %" PRIu64, n->queued, n->parked);
		putchar('\n');
		return 0;
	}
	item = json_object();
	ok = item != NULL;
	if (ok) {
		s_jset(item, "id", json_string(n->pub.node_id), &ok);
		s_jset(item, "revoked", json_boolean(n->revoked), &ok);
		s_jset(item, "enrolled_at", json_integer(n->enrolled_at), &ok);
		s_jset(item, "revoked_at", n->revoked ? json_integer(n->revoked_at) : json_null(), &ok);
		s_jset(item, "last_contact_ms", n->last_seen_ms > 0
		       ? json_integer(n->last_seen_ms) : json_null(), &ok);
		if (n->has_health) {
			h = json_object();
			ok = ok && h != NULL;
			if (h) {
				s_jset(h, "queued", json_integer((json_int_t)n->queued), &ok);
				s_jset(h, "parked", json_integer((json_int_t)n->parked), &ok);
				s_jset(h, "oldest_queued_at_ms", json_integer(n->oldest_queued_at_ms), &ok);
				s_jset(h, "next_seq", json_integer((json_int_t)n->next_seq), &ok);
			}
		}
		s_jset(item, "health", h ? h : json_null(), &ok);
	}
	if (!ok) {
		json_decref(item);
		return -ENOMEM;
	}
	if (json_array_append_new(arr, item) != 0)   /* takes item either way */
		return -ENOMEM;
	return 0;
}

/* The status as a table. Returns the exit status. */
static int s_status_table(const s_conf_t *c, outbox_t *ob, const outbox_stats_t *st, double age)
{
	s_parked_ctx_t pc = { .own_id = c->node_id, .arr = NULL };
	char when[32];
	int r;

	printf("node: %s\n", c->node_id);
	printf("queued: %" PRIu64 " (own %" PRIu64 ", relayed %" PRIu64 ")\n", st->queued,
	       st->queued_own, st->queued_relayed);
	printf("in_flight: %" PRIu64 "\n", st->state.in_flight);
	printf("parked: %" PRIu64 " (own %" PRIu64 ", relayed %" PRIu64 ")\n", st->parked,
	       st->parked_own, st->parked_relayed);
	if (st->queued)
		printf("oldest_unacked_age_s: %.3f\n", age);
	else
		printf("oldest_unacked_age_s: -\n");
	if (st->state.last_contact_ms > 0)
		printf("last_contact_ms: %" PRId64 " (%s)\n", st->state.last_contact_ms,
		       s_time_text(st->state.last_contact_ms, when));
	else
		printf("last_contact_ms: - (never)\n");
	printf("next_seq: %" PRIu64 "\n", st->next_seq);
	printf("max_body: %zu (%s)\n", outbox_max_body(&st->limits),
	       st->limits.max_body > 0 && st->limits.max_body <= OUTBOX_BODY_MAX
	       ? "advertised by the upstream" : st->limits.learned_at_ms > 0
	       ? "this collector's own; the upstream says no smaller"
	       : "this collector's own; not heard from the upstream yet");
	if (st->limits.max_frame > 0)
		printf("max_frame: %" PRIu64 "\n", st->limits.max_frame);
	else
		printf("max_frame: - (not said)\n");
	printf("relay: %s\n", c->has_relay ? c->relay.listen : "-");
	printf("parked_items:%s\n", st->parked ? "" : " -");
	if (ob && (r = outbox_parked_foreach_all(ob, s_parked_item, &pc)) < 0)
		return s_failure("%s: %s", c->data_dir, lnob_strerror(r));
	printf("downstream:%s\n", st->downstream ? "" : " -");
	if (ob && (r = outbox_downstream_foreach(ob, s_downstream_item, NULL)) < 0)
		return s_failure("%s: %s", c->data_dir, lnob_strerror(r));
	return 0;
}

/* `status -c CONF [--json]`: reads the outbox as a reader beside a
 * running daemon. Returns the exit status. */
static int s_cmd_status(int argc, char **argv)
{
	s_conf_t c;
	s_opts_t o;
	s_parked_ctx_t pc;
	outbox_t *ob = NULL;
	outbox_stats_t st;
	json_t *root = NULL, *parked = NULL, *down = NULL;
	char err[1024];
	int64_t now = lnob_now_ms();
	double age = 0;
	bool ok = true;
	int r, rc = 1;

	if ((r = s_parse_opts(argc, argv, S_ALLOW_JSON, &o)) != 0)
		return r;
	if (o.help) {
		s_usage(stdout);
		return 0;
	}
	if (optind != argc)
		return s_usage_error("status: unexpected argument '%s'", argv[optind]);
	if (s_conf_load(o.conf, &c, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	r = outbox_open(c.data_dir, 0, OUTBOX_RDONLY, &ob, err, sizeof(err));
	if (r == -ENOENT) {
		/* Nothing was ever queued here: an empty outbox. */
		memset(&st, 0, sizeof(st));
		st.next_seq = 1;
	} else if (r < 0) {
		rc = s_failure("%s", err);
		goto out;
	} else if ((r = outbox_stats(ob, &st)) < 0) {
		rc = s_failure("%s: %s", c.data_dir, lnob_strerror(r));
		goto out;
	}
	if (st.queued)
		age = now > st.oldest_queued_at_ms ? (double)(now - st.oldest_queued_at_ms) / 1000.0 : 0;
	if (!o.json) {
		rc = s_status_table(&c, ob, &st, age);
		goto out;
	}
	root = json_object();
	parked = json_array();
	down = json_array();
	if (!root || !parked || !down) {
		rc = s_failure("out of memory");
		goto out;
	}
	pc.own_id = c.node_id;
	pc.arr = parked;
	if (ob && ((r = outbox_parked_foreach_all(ob, s_parked_item, &pc)) < 0 ||
		   (r = outbox_downstream_foreach(ob, s_downstream_item, down)) < 0)) {
		rc = s_failure("%s: %s", c.data_dir, lnob_strerror(r));
		goto out;
	}
	s_jset(root, "node", json_string(c.node_id), &ok);
	s_jset(root, "queued", json_integer((json_int_t)st.queued), &ok);
	s_jset(root, "queued_own", json_integer((json_int_t)st.queued_own), &ok);
	s_jset(root, "queued_relayed", json_integer((json_int_t)st.queued_relayed), &ok);
	s_jset(root, "in_flight", json_integer((json_int_t)st.state.in_flight), &ok);
	s_jset(root, "parked", json_integer((json_int_t)st.parked), &ok);
	s_jset(root, "parked_own", json_integer((json_int_t)st.parked_own), &ok);
	s_jset(root, "parked_relayed", json_integer((json_int_t)st.parked_relayed), &ok);
	s_jset(root, "oldest_queued_at_ms", st.queued
	       ? json_integer(st.oldest_queued_at_ms) : json_null(), &ok);
	s_jset(root, "oldest_unacked_age_s", st.queued ? json_real(age) : json_null(), &ok);
	s_jset(root, "last_contact_ms", st.state.last_contact_ms > 0
	       ? json_integer(st.state.last_contact_ms) : json_null(), &ok);
	s_jset(root, "next_seq", json_integer((json_int_t)st.next_seq), &ok);
	s_jset(root, "max_body", json_integer((json_int_t)outbox_max_body(&st.limits)), &ok);
	s_jset(root, "max_frame", st.limits.max_frame > 0
	       ? json_integer((json_int_t)st.limits.max_frame) : json_null(), &ok);
	s_jset(root, "limits_learned_at_ms", st.limits.learned_at_ms > 0
	       ? json_integer(st.limits.learned_at_ms) : json_null(), &ok);
	s_jset(root, "parked_items", parked, &ok);
	parked = NULL;
	s_jset(root, "relay", c.has_relay ? json_string(c.relay.listen) : json_null(), &ok);
	s_jset(root, "downstream", down, &ok);
	down = NULL;
	if (!ok || json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			      JSON_REAL_PRECISION(12)) != 0) {
		rc = s_failure("cannot write the status");
		goto out;
	}
	putchar('\n');
	rc = 0;
out:
	json_decref(down);
	json_decref(parked);
	json_decref(root);
	outbox_destroy(&ob);
	s_conf_free(&c);
	return rc;
}

/* ---- requeue ---------------------------------------------------------- */

/* Parses a seq: decimal digits only, >= 1. Returns 0 or -EINVAL. */
static int s_parse_seq(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* Fills ref from SIGNER and SEQ texts (signer NULL or own id: an own
 * seq). Returns 0, or 2 after a usage error. */
static int s_make_ref(const s_conf_t *c, const char *signer, const char *seq, const char *arg,
		      outbox_ref_t *ref)
{
	memset(ref, 0, sizeof(*ref));
	if (s_parse_seq(seq, &ref->seq) < 0)
		return s_usage_error("requeue: '%s': not a seq (a whole number >= 1)", arg);
	if (!signer || strcmp(signer, c->node_id) == 0)
		return 0;
	if (!lnob_valid_id(signer))
		return s_usage_error("requeue: '%s': '%s' is not a node id", arg, signer);
	lnob_strlcpy(ref->signer, signer, sizeof(ref->signer));
	return 0;
}

/* The text of a ref for messages, into out[96]. */
static const char *s_ref_text(const s_conf_t *c, const outbox_ref_t *ref, char out[96])
{
	if (ref->signer[0])
		snprintf(out, 96, "%s:%" PRIu64, ref->signer, ref->seq);
	else
		snprintf(out, 96, "seq %" PRIu64, ref->seq);
	(void)c;
	return out;
}

/* outbox_requeue() callback: says what moved. */
static void s_requeued(void *ctx, const char *signer, uint64_t seq)
{
	(void)ctx;
	if (signer[0])
		printf("requeued relayed %s:%" PRIu64 "\n", signer, seq);
	else
		printf("requeued seq %" PRIu64 "\n", seq);
}

/* `requeue -c CONF (--all | SEQ... | SIGNER:SEQ... | --signer NODE --seq
 * N)`: moves parked items back to the queue in one transaction, beside a
 * running daemon. Returns the exit status. */
static int s_cmd_requeue(int argc, char **argv)
{
	s_conf_t c;
	s_opts_t o;
	outbox_t *ob = NULL;
	outbox_ref_t *refs = NULL, bad;
	size_t n = 0, moved = 0;
	char err[1024], text[96];
	int r, rc = 1;

	if ((r = s_parse_opts(argc, argv, S_ALLOW_REQUEUE, &o)) != 0)
		return r;
	if (o.help) {
		s_usage(stdout);
		return 0;
	}
	if ((o.signer != NULL) != (o.seq != NULL))
		return s_usage_error("requeue: --signer and --seq go together");
	if (o.all && (optind != argc || o.signer))
		return s_usage_error("requeue: --all takes no seqs");
	if (!o.all && optind == argc && !o.signer)
		return s_usage_error("requeue: name the parked seqs (SEQ or SIGNER:SEQ), or --all");
	if (s_conf_load(o.conf, &c, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	if (!o.all) {
		refs = calloc((size_t)(argc - optind) + 1, sizeof(*refs));
		if (!refs) {
			rc = s_failure("out of memory");
			goto out;
		}
		if (o.signer && (rc = s_make_ref(&c, o.signer, o.seq, o.seq, &refs[n++])) != 0)
			goto out;
		for (int i = optind; i < argc; i++) {
			const char *colon = strrchr(argv[i], ':');
			char signer[LNOB_ID_MAX + 2];

			if (colon) {
				size_t sl = (size_t)(colon - argv[i]);

				if (sl == 0 || sl > LNOB_ID_MAX) {
					rc = s_usage_error("requeue: '%s': not SIGNER:SEQ", argv[i]);
					goto out;
				}
				memcpy(signer, argv[i], sl);
				signer[sl] = '\0';
			}
			if ((rc = s_make_ref(&c, colon ? signer : NULL, colon ? colon + 1 : argv[i],
					     argv[i], &refs[n++])) != 0)
				goto out;
		}
		rc = 1;
	}
	if (outbox_open(c.data_dir, c.map_size, 0, &ob, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	memset(&bad, 0, sizeof(bad));
	r = outbox_requeue(ob, refs, n, o.all, s_requeued, NULL, &moved, &bad);
	if (r == LNOB_E_NOTFOUND) {
		rc = s_failure("requeue: %s is not parked (nothing requeued)", s_ref_text(&c, &bad, text));
		goto out;
	}
	if (r == LNOB_E_EXISTS) {
		rc = s_failure("requeue: %s is parked and queued at once; the outbox is inconsistent "
			       "(nothing requeued)", s_ref_text(&c, &bad, text));
		goto out;
	}
	if (r < 0) {
		rc = s_failure("requeue: %s: %s (nothing requeued)", c.data_dir, lnob_strerror(r));
		goto out;
	}
	printf("requeued %zu parked item%s\n", moved, moved == 1 ? "" : "s");
	rc = 0;
out:
	free(refs);
	outbox_destroy(&ob);
	s_conf_free(&c);
	return rc;
}

/* ---- enroll, revoke (relay) ------------------------------------------- */

/* `enroll -c CONF --key NODE.key.pub [--replace]`: admits a downstream
 * node below this relay. Returns the exit status. */
static int s_cmd_enroll(int argc, char **argv)
{
	s_conf_t c;
	s_opts_t o;
	identity_pub_t pub;
	outbox_t *ob = NULL;
	char err[1024];
	int r, rc = 1;

	if ((r = s_parse_opts(argc, argv, S_ALLOW_KEY, &o)) != 0)
		return r;
	if (o.help) {
		s_usage(stdout);
		return 0;
	}
	if (!o.key)
		return s_usage_error("enroll: --key NODE.key.pub is required");
	if (optind != argc)
		return s_usage_error("enroll: unexpected argument '%s'", argv[optind]);
	if (s_conf_load(o.conf, &c, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	if (identity_load_public(o.key, &pub, err, sizeof(err)) < 0) {
		rc = s_failure("enroll: %s", err);
		goto out;
	}
	if (strcmp(pub.node_id, c.node_id) == 0) {
		rc = s_failure("enroll: %s: '%s' is this node itself; a relay forwards only other "
			       "nodes' envelopes", o.key, pub.node_id);
		goto out;
	}
	if (outbox_open(c.data_dir, c.map_size, 0, &ob, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	r = outbox_downstream_enroll(ob, &pub, o.replace, lnob_now_s());
	if (r == LNOB_E_EXISTS) {
		rc = s_failure("enroll: node '%s' or its CURVE key is enrolled already (use --replace "
			       "to re-key a node)", pub.node_id);
		goto out;
	}
	if (r < 0) {
		rc = s_failure("enroll: %s: %s", c.data_dir, lnob_strerror(r));
		goto out;
	}
	printf("enrolled %s downstream of %s%s\n", pub.node_id, c.node_id,
	       c.has_relay ? "" : " (no [relay] listen yet: it cannot connect until one is set)");
	rc = 0;
out:
	outbox_destroy(&ob);
	s_conf_free(&c);
	return rc;
}

/* `revoke -c CONF NODE`: refuses a downstream node from now on (its next
 * handshake, its next envelope). Returns the exit status. */
static int s_cmd_revoke(int argc, char **argv)
{
	s_conf_t c;
	s_opts_t o;
	outbox_t *ob = NULL;
	char err[1024];
	int r, rc = 1;

	if ((r = s_parse_opts(argc, argv, 0, &o)) != 0)
		return r;
	if (o.help) {
		s_usage(stdout);
		return 0;
	}
	if (optind != argc - 1)
		return s_usage_error("revoke: name one node");
	if (s_conf_load(o.conf, &c, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	if (outbox_open(c.data_dir, c.map_size, 0, &ob, err, sizeof(err)) < 0) {
		rc = s_failure("%s", err);
		goto out;
	}
	r = outbox_downstream_revoke(ob, argv[optind], lnob_now_s());
	if (r == LNOB_E_NOTFOUND) {
		rc = s_failure("revoke: node '%s' is not enrolled downstream of %s", argv[optind],
			       c.node_id);
		goto out;
	}
	if (r < 0) {
		rc = s_failure("revoke: %s: %s", c.data_dir, lnob_strerror(r));
		goto out;
	}
	printf("revoked %s\n", argv[optind]);
	rc = 0;
out:
	outbox_destroy(&ob);
	s_conf_free(&c);
	return rc;
}

/* ---- main ------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		return s_usage_error("no subcommand given");
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		s_usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "keygen") == 0)
		return cli_keygen(S_PROG, argc - 1, argv + 1);
	if (strcmp(cmd, "submit") == 0)
		return s_cmd_submit(argc - 1, argv + 1);
	if (strcmp(cmd, "nominate") == 0)
		return s_cmd_nominate(argc - 1, argv + 1);
	if (strcmp(cmd, "stage") == 0)
		return s_cmd_stage(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return s_cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "status") == 0)
		return s_cmd_status(argc - 1, argv + 1);
	if (strcmp(cmd, "requeue") == 0)
		return s_cmd_requeue(argc - 1, argv + 1);
	if (strcmp(cmd, "enroll") == 0)
		return s_cmd_enroll(argc - 1, argv + 1);
	if (strcmp(cmd, "revoke") == 0)
		return s_cmd_revoke(argc - 1, argv + 1);
	return s_usage_error("unknown subcommand '%s'", cmd);
}
