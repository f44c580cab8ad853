/*
 * aggtest.h: a small aggregator world for unit tests: a store in a fresh
 * directory, a hierarchy and campaigns from text, enrolled signers, and
 * signed reports sent through ingest_batch(), one envelope at a time.
 */
#ifndef LNOB_AGGTEST_H
#define LNOB_AGGTEST_H

#include <stddef.h>
#include <stdint.h>

#include "aggstore.h"
#include "campaigns.h"
#include "hierarchy.h"
#include "identity.h"
#include "ingest.h"

#define AT_CAMPAIGN "lnob-2021-2025"
#define AT_NODES 8
/* A small province: P > D1 > C1 (V1, V2) and C2 (V3). */
#define AT_UNITS                                          \
	"code,name,parent_code,level,kind\n"               \
	"P,Province,,province,administrative\n"            \
	"D1,District 1,P,district,administrative\n"        \
	"C1,Commune 1,D1,commune,administrative\n"         \
	"V1,Village 1,C1,village,administrative\n"         \
	"V2,Village 2,C1,village,administrative\n"         \
	"C2,Commune 2,D1,commune,administrative\n"         \
	"V3,Village 3,C2,village,administrative\n"

typedef struct at_world {
	char *dir;
	store_t *st;
	hier_t *hier;
	campaigns_t camps;
	identity_t ids[AT_NODES];
	uint64_t seqs[AT_NODES];
	int nids;
	ingest_ctx_t ctx;
} at_world_t;

/* A report to send: values as "code=value,code=value" in the order given
 * (an amount's code ends in _vnd); completed_at 0 means 2023-11-28. */
typedef struct at_report {
	const char *period, *unit;
	uint32_t revision, base;
	const char *values;
	const char *narrative;
	int64_t completed_at;
} at_report_t;

/* Sets the world up: a store and the units (CSV text). */
void at_setup(at_world_t *w, const char *units_csv);
/* Configures a campaign (INI text; its baseline_file, if any, relative to
 * the world's directory: write it first with at_file()). */
void at_campaign(at_world_t *w, const char *ini);
/* Writes a file into the world's directory (e.g. a baseline CSV). */
void at_file(at_world_t *w, const char *name, const char *text);
/* Enrolls a signer with its scope; returns its index. */
int at_node(at_world_t *w, const char *id, const char *scope);
/* Sends one report of node n in a batch of its own; returns the verdict
 * (its NACK reason: 0 for an ACK) and copies the detail into detail (may
 * be NULL, at least 256 bytes). */
int at_send(at_world_t *w, int n, const at_report_t *r, char *detail);
/* The sealed envelope of a report (caller frees), for batches of several. */
uint8_t *at_seal(at_world_t *w, int n, const at_report_t *r, size_t *ret_len);
/* Runs verify_store(); returns the differences, their text in out. */
size_t at_verify(at_world_t *w, char *out, size_t outlen);
/* The rollup sum of code at unit in period: its value, its carrier count
 * in *units; -1 when absent. */
int64_t at_sum(at_world_t *w, const char *period, const char *unit, const char *code,
	       uint32_t *units);
void at_teardown(at_world_t *w);

#endif
