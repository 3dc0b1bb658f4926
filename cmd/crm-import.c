/*
 * crm-import — bulk load of any entity from CSV, TSV, JSON or NDJSON:
 * header mapping, validation, match rules, one outcome per row, reject
 * file, dry run, all-or-nothing or batched commits, undo of an import.
 *
 *   crm-import ENTITY [FILE...]      (stdin when none, or -)
 *   crm-import --undo BATCH
 *   crm-import --batches
 *
 * Thin: the engine is lib/import.c; this file turns options into a
 * struct crm_import and reports rows, progress and the summary.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli.h"
#include "import.h"
#include "tmp.h"

#define MAX_SHOWN 50	/* rejected rows printed on stderr */

static const char *const on_match_values[] = { "update", "skip", "error",
	NULL };
static const char *const on_new_values[] = { "create", "skip", NULL };

static const struct crm_option import_opts[] = {
	{ "map", 'm', CRM_ARG_REQ, "'COLUMN=FIELD'",
	  "read input column COLUMN as FIELD (repeatable; FIELD empty drops it)",
	  CRM_OPT_MULTI, NULL, NULL },
	{ "map-file", 0, CRM_ARG_REQ, "FILE",
	  "more --map pairs, one COLUMN=FIELD a line", 0, NULL, "file" },
	{ "strict", 0, CRM_ARG_NONE, NULL,
	  "refuse columns that are not fields (else they become custom fields)",
	  0, NULL, NULL },
	{ "match", 0, CRM_ARG_REQ, "RULES",
	  "ordered match rules, such as email,phone,ext_id (default: the "
	  "unique fields)", 0, NULL, "field" },
	{ "on-match", 0, CRM_ARG_REQ, "ACTION",
	  "when a row matches a record (default update)", 0, on_match_values,
	  NULL },
	{ "on-new", 0, CRM_ARG_REQ, "ACTION",
	  "when a row matches none (default create)", 0, on_new_values, NULL },
	{ "reject", 'r', CRM_ARG_REQ, "FILE",
	  "write rejected rows there as CSV, with line and reason", 0, NULL,
	  "file" },
	{ "dry-run", 'n', CRM_ARG_NONE, NULL,
	  "print each row's outcome; change nothing", 0, NULL, NULL },
	{ "skip-invalid", 0, CRM_ARG_NONE, NULL,
	  "write the valid rows and reject the rest (default: all or nothing)",
	  0, NULL, NULL },
	{ "batch", 'b', CRM_ARG_REQ, "N",
	  "commit every N rows; a re-run resumes where it stopped", 0, NULL,
	  NULL },
	CRM_OPT_END
};

static const struct crm_option undo_opts[] = {
	{ "force", 0, CRM_ARG_NONE, NULL,
	  "undo even where records changed since the import", 0, NULL, NULL },
	CRM_OPT_END
};

#define G(...) ((const struct crm_option *const[]){ __VA_ARGS__, NULL })

/* ---- reporting ------------------------------------------------------------ */

struct report {
	struct crm_ctx *ctx;
	FILE *plan;		/* dry run: outcomes, copied to stdout at the end */
	FILE *rej;		/* --reject: rows, renamed into place at the end */
	off_t plan_mark, rej_mark;	/* sizes at the last commit */
	int attempt;
	int rej_header;
	int rej_json;		/* rows kept as JSON lines until the end */
	size_t shown, rejected;
	struct crm_buf msgs;	/* rejected rows for stderr */
	size_t msgs_mark, shown_mark;
	int multi;		/* several inputs: name them */
};

static void
csv_field(FILE *fp, const char *s, size_t len, int first)
{
	size_t i;
	int quote = len > 0 && (memchr(s, ',', len) || memchr(s, '"', len) ||
	    memchr(s, '\n', len) || memchr(s, '\r', len) || s[0] == ' ' ||
	    s[len - 1] == ' ');

	if (!first)
		fputc(',', fp);
	if (quote)
		fputc('"', fp);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', fp);
		fputc(s[i], fp);
	}
	if (quote)
		fputc('"', fp);
}

/*
 * A rejected row, with its line and reason, as the input gave it.  With
 * one CSV or TSV input the columns are the input's; with JSON, or with
 * several inputs whose columns may differ, each row is kept as a JSON
 * line first and the CSV is written at the end over the union of all
 * their columns (finish_rejects).
 */
static void
write_reject(struct report *rp, const struct crm_import_event *ev)
{
	const struct crm_row *row = ev->row;
	char num[32];
	size_t i;

	if (rp->multi || row->keygen != 1) {
		cJSON *o = cJSON_CreateObject(), *c = cJSON_CreateObject();
		char *text = NULL;

		if (o != NULL && c != NULL) {
			cJSON_AddStringToObject(o, "file", ev->file);
			cJSON_AddNumberToObject(o, "line", (double)ev->line);
			cJSON_AddStringToObject(o, "reason", ev->reason);
			for (i = 0; i < row->n; i++) {
				char *v = strndup(row->vals[i], row->lens[i]);

				if (v != NULL && row->keys[i][0] != '\0')
					cJSON_AddStringToObject(c, row->keys[i], v);
				free(v);
			}
			cJSON_AddItemToObject(o, "cols", c);
			c = NULL;
			text = cJSON_PrintUnformatted(o);
		}
		if (text != NULL)
			fprintf(rp->rej, "%s\n", text);
		cJSON_free(text);
		cJSON_Delete(c);
		cJSON_Delete(o);
		rp->rej_json = 1;
		return;
	}
	if (!rp->rej_header) {
		fputs("line,reason", rp->rej);
		/* Columns past the header (a ragged row) have no name. */
		for (i = 0; i < row->n; i++)
			if (row->keys[i][0] != '\0')
				csv_field(rp->rej, row->keys[i], strlen(row->keys[i]),
				    0);
		fputc('\n', rp->rej);
		rp->rej_header = 1;
	}
	snprintf(num, sizeof(num), "%zu", ev->line);
	fputs(num, rp->rej);
	csv_field(rp->rej, ev->reason, strlen(ev->reason), 0);
	for (i = 0; i < row->n; i++)
		csv_field(rp->rej, row->vals[i], row->lens[i], 0);
	if (row->n == 0)
		fputc(',', rp->rej);
	fputc('\n', rp->rej);
}

/* JSON lines of rejected rows to CSV over the union of their columns. */
static int
finish_rejects(struct report *rp, const char *tmp2)
{
	FILE *out = NULL;
	char *line = NULL;
	size_t cap = 0, ncols = 0, i;
	char **cols = NULL;
	int pass, rc = 0;

	out = fopen(tmp2, "w");
	if (out == NULL)
		return errno;
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		if (fflush(rp->rej) != 0 || fseeko(rp->rej, 0, SEEK_SET) != 0) {
			rc = errno;
			break;
		}
		if (pass == 1) {
			fputs(rp->multi ? "file,line,reason" : "line,reason", out);
			for (i = 0; i < ncols; i++)
				csv_field(out, cols[i], strlen(cols[i]), 0);
			fputc('\n', out);
		}
		while (rc == 0 && getline(&line, &cap, rp->rej) > 0) {
			cJSON *o = cJSON_Parse(line), *c, *it;
			char num[32];

			c = cJSON_GetObjectItemCaseSensitive(o, "cols");
			if (o == NULL || c == NULL) {
				cJSON_Delete(o);
				continue;
			}
			if (pass == 0) {
				cJSON_ArrayForEach(it, c) {
					for (i = 0; i < ncols; i++)
						if (strcmp(cols[i], it->string) == 0)
							break;
					if (i == ncols) {
						char **p = realloc(cols, (ncols + 1) *
						    sizeof(*cols));

						if (p == NULL) {
							rc = ENOMEM;
							break;
						}
						cols = p;
						cols[ncols] = strdup(it->string);
						if (cols[ncols] == NULL) {
							rc = ENOMEM;
							break;
						}
						ncols++;
					}
				}
				cJSON_Delete(o);
				continue;
			}
			if (rp->multi) {
				it = cJSON_GetObjectItemCaseSensitive(o, "file");
				csv_field(out, it->valuestring, strlen(it->valuestring),
				    1);
				fputc(',', out);
			}
			it = cJSON_GetObjectItemCaseSensitive(o, "line");
			snprintf(num, sizeof(num), "%.0f", it->valuedouble);
			fputs(num, out);
			it = cJSON_GetObjectItemCaseSensitive(o, "reason");
			csv_field(out, it->valuestring, strlen(it->valuestring), 0);
			for (i = 0; i < ncols; i++) {
				it = cJSON_GetObjectItemCaseSensitive(c, cols[i]);
				if (it != NULL && cJSON_IsString(it))
					csv_field(out, it->valuestring,
					    strlen(it->valuestring), 0);
				else
					fputc(',', out);
			}
			fputc('\n', out);
			cJSON_Delete(o);
		}
	}
	if (fclose(out) != 0 && rc == 0)
		rc = errno;
	for (i = 0; i < ncols; i++)
		free(cols[i]);
	free(cols);
	free(line);
	return rc;
}

static int
report_row(void *arg, const struct crm_import_event *ev)
{
	struct report *rp = arg;

	/* A rerun after the map grew: forget what the aborted try said. */
	if (ev->attempt != rp->attempt) {
		rp->attempt = ev->attempt;
		if (rp->plan != NULL && (fflush(rp->plan) != 0 ||
		    ftruncate(fileno(rp->plan), rp->plan_mark) != 0 ||
		    fseeko(rp->plan, rp->plan_mark, SEEK_SET) != 0))
			return errno;
		if (rp->rej != NULL && (fflush(rp->rej) != 0 ||
		    ftruncate(fileno(rp->rej), rp->rej_mark) != 0 ||
		    fseeko(rp->rej, rp->rej_mark, SEEK_SET) != 0))
			return errno;
		if (rp->rej_mark == 0)
			rp->rej_header = rp->rej_json = 0;	/* taken back too */
		rp->msgs.len = rp->msgs_mark;
		rp->shown = rp->shown_mark;
	}
	if (rp->plan != NULL) {
		if (rp->multi)
			fprintf(rp->plan, "%s,", ev->file);
		fprintf(rp->plan, "%zu,%s,", ev->line,
		    crm_outcome_name(ev->outcome));
		if (ev->id != 0)
			fprintf(rp->plan, "%llu", (unsigned long long)ev->id);
		if (ev->reason != NULL)
			csv_field(rp->plan, ev->reason, strlen(ev->reason), 0);
		else
			fputc(',', rp->plan);
		fputc('\n', rp->plan);
	}
	if (ev->outcome != CRM_ROW_REJECTED)
		return 0;
	if (rp->rej != NULL)
		write_reject(rp, ev);
	if (rp->shown++ < MAX_SHOWN)
		return crm_buf_printf(&rp->msgs, "%s:%zu: %s\n", ev->file,
		    ev->line, ev->reason);
	return 0;
}

static void
report_commit(void *arg)
{
	struct report *rp = arg;

	if (rp->plan != NULL) {
		fflush(rp->plan);
		rp->plan_mark = ftello(rp->plan);
	}
	if (rp->rej != NULL) {
		fflush(rp->rej);
		rp->rej_mark = ftello(rp->rej);
	}
	rp->msgs_mark = rp->msgs.len;
	rp->shown_mark = rp->shown;
}

static void
report_progress(void *arg, size_t rows, uint64_t bytes, uint64_t total)
{
	(void)arg;
	if (total > 0)
		crm_progress("importing (KiB)", (size_t)(bytes / 1024),
		    (size_t)(total / 1024));
	else
		crm_progress("importing rows", rows, 0);
}

/* ---- options ---------------------------------------------------------------- */

struct maps {
	char **from, **to;
	size_t n;
	char *filebuf;
};

static int
add_map(struct maps *m, char *pair, const char *where)
{
	char *eq = strrchr(pair, '=');
	char **f, **t;

	if (eq == NULL || eq == pair)
		return crm_seterr(CRM_EUSAGE,
		    "%s \"%s\": expected 'COLUMN=FIELD'", where, pair);
	f = realloc(m->from, (m->n + 1) * sizeof(*f));
	if (f == NULL)
		return ENOMEM;
	m->from = f;
	t = realloc(m->to, (m->n + 1) * sizeof(*t));
	if (t == NULL)
		return ENOMEM;
	m->to = t;
	*eq = '\0';
	m->from[m->n] = pair;
	m->to[m->n] = eq + 1;
	m->n++;
	return 0;
}

static int
read_map_file(struct maps *m, const char *name)
{
	FILE *fp = NULL;
	size_t cap = 0, len = 0, n;
	char *p, *nl, buf[4096];
	int rc = 0, line = 0;

	rc = crm_open_input(name, 0, &fp);
	if (rc != 0)
		return rc;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			p = realloc(m->filebuf, cap);
			if (p == NULL) {
				rc = ENOMEM;
				goto done;
			}
			m->filebuf = p;
		}
		memcpy(m->filebuf + len, buf, n);
		len += n;
	}
	if (m->filebuf == NULL)
		goto done;
	m->filebuf[len] = '\0';
	for (p = m->filebuf; p != NULL && *p != '\0'; p = nl) {
		char where[64];

		line++;
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		if (*p != '\0' && p[strlen(p) - 1] == '\r')
			p[strlen(p) - 1] = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%d:", name, line);
		rc = add_map(m, p, where);
		if (rc != 0)
			break;
	}
done:
	if (fp != NULL && fp != stdin)
		fclose(fp);
	return rc;
}

/* The reject file, complete, takes its name. */
static int
save_rejects(FILE *fp, const char *tmp, const char *name)
{
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0 || rename(tmp, name) != 0)
		return crm_seterr(CRM_EIO, "cannot write %s: %s", name,
		    strerror(errno));
	return 0;
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- commands ---------------------------------------------------------------- */

static int
cmd_import(struct crm_ctx *ctx)
{
	struct crm_import opt;
	struct crm_import_stats st;
	struct crm_import_input *in = NULL;
	struct report rp;
	struct maps maps = { NULL, NULL, 0, NULL };
	struct timespec t0;
	const char *v, *rejname = crm_opt(ctx, "reject");
	char rejtmp[4096] = "";
	char *const *mapv;
	size_t nmap, nin, i;
	int64_t batch;
	double secs;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&opt, 0, sizeof(opt));
	memset(&rp, 0, sizeof(rp));
	rp.ctx = ctx;
	opt.ent = crm_entity_find(ctx->cmd->name);
	mapv = crm_optv(ctx, "map", &nmap);
	for (i = 0, rc = 0; i < nmap && rc == 0; i++)
		rc = add_map(&maps, mapv[i], "--map");
	v = crm_opt(ctx, "map-file");
	if (rc == 0 && v != NULL)
		rc = read_map_file(&maps, v);
	if (rc != 0)
		goto done;
	opt.map_from = (const char *const *)maps.from;
	opt.map_to = (const char *const *)maps.to;
	opt.nmap = maps.n;
	opt.strict = crm_opt(ctx, "strict") != NULL;
	v = crm_opt(ctx, "match");
	if (v != NULL && (rc = crm_import_match_parse(&opt, v)) != 0)
		goto done;
	v = crm_opt(ctx, "on-match");
	opt.on_match = v == NULL || strcmp(v, "update") == 0 ?
	    CRM_ONMATCH_UPDATE : strcmp(v, "skip") == 0 ? CRM_ONMATCH_SKIP :
	    CRM_ONMATCH_ERROR;
	v = crm_opt(ctx, "on-new");
	opt.on_new = v != NULL && strcmp(v, "skip") == 0 ? CRM_ONNEW_SKIP :
	    CRM_ONNEW_CREATE;
	opt.skip_invalid = crm_opt(ctx, "skip-invalid") != NULL;
	opt.dry_run = crm_opt(ctx, "dry-run") != NULL;
	rc = crm_opt_int(ctx, "batch", 0, &batch);
	if (rc != 0)
		goto done;
	opt.batch = (size_t)batch;
	v = crm_opt(ctx, "input-format");
	if (v != NULL && (rc = crm_infmt_parse(v, &opt.fmt)) != 0)
		goto done;
	opt.report = report_row;
	opt.progress = report_progress;
	opt.committed = report_commit;
	opt.arg = &rp;

	/* Inputs: the files named, else stdin; each rewindable. */
	nin = ctx->argc > 0 ? (size_t)ctx->argc : 1;
	in = calloc(nin, sizeof(*in));
	if (in == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i < nin && rc == 0; i++) {
		in[i].name = ctx->argc > 0 ? ctx->argv[i] : "-";
		rc = crm_open_input(in[i].name, 1, &in[i].fp);
	}
	if (rc != 0)
		goto done;
	rp.multi = nin > 1;
	if (opt.dry_run)
		rc = crm_tmpfile(&rp.plan);
	if (rc == 0 && rejname != NULL) {
		/* Next to its name from the start: an unwritable place is
		 * found before anything is imported. */
		snprintf(rejtmp, sizeof(rejtmp), "%s.tmp%ld", rejname,
		    (long)getpid());
		rp.rej = fopen(rejtmp, "w+");
		if (rp.rej == NULL)
			rc = crm_seterr(errno == EACCES ? CRM_EPERM : CRM_ECANTCREAT,
			    "cannot write %s: %s", rejname, strerror(errno));
	}
	if (rc != 0)
		goto done;
	if (rp.plan != NULL) {
		fprintf(rp.plan, "%sline,outcome,id,reason\n",
		    rp.multi ? "file," : "");
		fflush(rp.plan);
		rp.plan_mark = ftello(rp.plan);	/* a rerun keeps the header */
	}

	rc = crm_import_run(ctx->db, &opt, in, nin, &st);
	crm_progress_end();
	secs = seconds_since(&t0);

	/* What the rows said, then the summary, then the error if any. */
	{
		const char *p = rp.msgs.p, *nl;

		while (p != NULL && *p != '\0') {
			nl = strchr(p, '\n');
			crm_warn("%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
			p = nl ? nl + 1 : NULL;
		}
		if (rp.shown > MAX_SHOWN)
			crm_warn("... and %zu more rejected rows%s",
			    rp.shown - MAX_SHOWN,
			    rejname ? "" : " (see --reject FILE)");
	}
	if (rp.plan != NULL) {
		char buf[65536];
		size_t n;

		fflush(rp.plan);
		fseeko(rp.plan, 0, SEEK_SET);
		while ((n = fread(buf, 1, sizeof(buf), rp.plan)) > 0)
			fwrite(buf, 1, n, stdout);
	}
	if (rp.rej != NULL && st.rejected > 0) {
		int rc2 = 0;

		if (rp.rej_json) {
			/* The JSON lines become the CSV, under a second name. */
			char tmp2[4200];

			snprintf(tmp2, sizeof(tmp2), "%s.csv", rejtmp);
			rc2 = finish_rejects(&rp, tmp2);
			if (rc2 == 0 && rename(tmp2, rejtmp) != 0)
				rc2 = errno;
			if (rc2 != 0) {
				unlink(tmp2);
				rc2 = crm_seterr(CRM_EIO, "cannot write %s: %s",
				    rejname, strerror(rc2));
			} else {
				fclose(rp.rej);
				rp.rej = fopen(rejtmp, "r");
				if (rp.rej == NULL)
					rc2 = crm_seterr(CRM_EIO, "cannot write %s: %s",
					    rejname, strerror(errno));
			}
		}
		if (rc2 == 0)
			rc2 = save_rejects(rp.rej, rejtmp, rejname);

		if (rc2 == 0)
			rejtmp[0] = '\0';	/* renamed: nothing to remove */
		if (rc == 0)
			rc = rc2;
		else if (rc2 != 0)
			crm_warn("%s", crm_errdetail(rc2));
	}
	/* Nothing read and a storage or usage error: no summary to give. */
	if (rc == CRM_EUSAGE || (st.read == 0 && rc != 0 && rc != CRM_EDATA))
		goto done;
	crm_warn("%s: read %zu, created %zu, updated %zu, unchanged %zu, "
	    "skipped %zu, rejected %zu in %.2f s (%.0f rows/s)%s%s",
	    opt.ent->name, st.read, st.created, st.updated, st.unchanged,
	    st.skipped, st.rejected, secs, secs > 0 ? (double)st.read / secs : 0.0,
	    opt.dry_run ? "; dry run, nothing written" : "", "");
	if (st.unwritten > 0)
		crm_warn("%zu valid row%s not written (counted as skipped): %s",
		    st.unwritten, st.unwritten == 1 ? "" : "s", opt.batch > 0 ?
		    "their batch was rolled back" : opt.skip_invalid ?
		    "an input could not be read to its end" : "all or nothing; "
		    "fix the rejected rows, or use --skip-invalid");
	if (st.batch != 0 && st.commits > 0)
		crm_warn("batch %llu (undo with: crm-import --undo %llu)",
		    (unsigned long long)st.batch, (unsigned long long)st.batch);
	if (rc == CRM_EDATA && opt.batch == 0 && !opt.dry_run) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%s", crm_errdetail(CRM_EDATA));
		rc = crm_seterr(CRM_EDATA, "nothing imported: %s", msg);
	}
	else if (rc == 0 && opt.dry_run && st.rejected > 0 && !opt.skip_invalid)
		rc = crm_seterr(CRM_EDATA, "%zu row%s would be rejected",
		    st.rejected, st.rejected == 1 ? "" : "s");
done:
	for (i = 0; in != NULL && i < nin; i++)
		if (in[i].fp != NULL && in[i].fp != stdin)
			fclose(in[i].fp);
	free(in);
	if (rp.plan != NULL)
		fclose(rp.plan);
	if (rp.rej != NULL)
		fclose(rp.rej);
	if (rejtmp[0] != '\0')
		unlink(rejtmp);
	crm_buf_free(&rp.msgs);
	free(maps.from);
	free(maps.to);
	free(maps.filebuf);
	return rc;
}

static int
cmd_undo(struct crm_ctx *ctx)
{
	int64_t batch;
	size_t n;
	int rc;

	if (crm_parse_i64(ctx->argv[0], strlen(ctx->argv[0]), 1, INT64_MAX,
	    &batch) != 0)
		return crm_seterr(CRM_EUSAGE, "--undo \"%s\": not a batch number",
		    ctx->argv[0]);
	rc = crm_import_undo(ctx->db, (uint64_t)batch, crm_opt(ctx, "force") !=
	    NULL, &n);
	if (rc == 0)
		crm_warn("undid batch %lld (%zu audit entr%s reversed)",
		    (long long)batch, n, n == 1 ? "y" : "ies");
	return rc;
}

struct listarg {
	struct crm_out *out;
};

static int
batch_row(const struct crm_batch_info *b, void *arg)
{
	struct listarg *l = arg;
	struct crm_buf t = CRM_BUF_INIT;
	char num[8][24];
	const char *vals[12];
	size_t lens[12], i;
	size_t counts[6] = { b->read, b->created, b->updated, b->unchanged,
		b->skipped, b->rejected };
	int rc;

	rc = crm_time_format(&t, b->at);
	snprintf(num[0], sizeof(num[0]), "%llu", (unsigned long long)b->batch);
	for (i = 0; i < 6; i++)
		snprintf(num[i + 1], sizeof(num[0]), "%zu", counts[i]);
	vals[0] = num[0];
	vals[1] = t.p;
	vals[2] = b->user;
	vals[3] = b->entity;
	vals[4] = b->files;
	for (i = 0; i < 6; i++)
		vals[5 + i] = num[i + 1];
	vals[11] = b->undone ? "yes" : "no";
	for (i = 0; i < 12; i++)
		lens[i] = vals[i] ? strlen(vals[i]) : 0;
	if (rc == 0)
		rc = crm_out_row(l->out, vals, lens);
	crm_buf_free(&t);
	return rc;
}

static int
cmd_batches(struct crm_ctx *ctx)
{
	static const char *const names[] = { "batch", "at", "user", "entity",
		"files", "read", "created", "updated", "unchanged", "skipped",
		"rejected", "undone" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_STR, CRM_K_STR,
		CRM_K_STR, CRM_K_STR, CRM_K_NUM, CRM_K_NUM, CRM_K_NUM, CRM_K_NUM,
		CRM_K_NUM, CRM_K_NUM, CRM_K_BOOL };
	struct listarg l = { NULL };
	int rc;

	rc = crm_ctx_out(ctx, &l.out);
	if (rc == 0)
		rc = crm_out_columns(l.out, names, kinds, 12);
	if (rc == 0)
		rc = crm_import_batches(ctx->db, batch_row, &l);
	if (rc == 0)
		rc = crm_out_end(l.out);
	crm_out_free(l.out);
	return rc;
}

/* One command per entity: the option table is the same for all. */
#define IMPORT(ent, what) \
	{ ent, cmd_import, G(crm_opts_db, crm_opts_input, import_opts), \
	  "[FILE]...", "import " what " (stdin when no FILE, or -)", \
	  CRM_DB_WRITE, 0, -1, ent, 0 }

static const struct crm_cmd cmds[] = {
	IMPORT("customer", "customers"),
	IMPORT("contact", "contacts"),
	IMPORT("activity", "activities"),
	IMPORT("lead", "leads"),
	IMPORT("campaign", "campaigns"),
	IMPORT("deal", "deals"),
	IMPORT("invoice", "invoices"),
	IMPORT("payment", "payments"),
	IMPORT("ticket", "tickets"),
	IMPORT("article", "knowledge-base articles"),
	{ "undo", cmd_undo, G(crm_opts_db, undo_opts), "BATCH",
	  "reverse an import: its creations and updates (also --undo BATCH)",
	  CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "batches", cmd_batches, G(crm_opts_db, crm_opts_output), "",
	  "list past imports and their batch numbers (also --batches)",
	  CRM_DB_READ, 0, 0, NULL, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0 }
};

static const struct crm_tool tool = {
	"crm-import",
	"Bulk load of customers, contacts, activities, leads, campaigns, deals, "
	"invoices, payments, tickets and knowledge-base articles from CSV, "
	"TSV, JSON or NDJSON.",
	cmds,
};

int
main(int argc, char **argv)
{
	int i;

	/* A long write transaction frees and mallocs pages by the million:
	 * keep freed memory instead of returning it to the kernel each time. */
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);

	/* `--undo N` and `--batches` are spelled as options in DESIGN.md;
	 * plural entity names are accepted too. */
	for (i = 1; i < argc; i++) {
		const struct crm_entity *e;

		if (strcmp(argv[i], "--db") == 0) {
			i++;
			continue;
		}
		if (strncmp(argv[i], "--db=", 5) == 0)
			continue;
		if (strcmp(argv[i], "--undo") == 0)
			argv[i] = (char *)"undo";
		else if (strcmp(argv[i], "--batches") == 0)
			argv[i] = (char *)"batches";
		else if (argv[i][0] != '-' && (e = crm_entity_find(argv[i])) != NULL)
			argv[i] = (char *)e->name;
		break;
	}
	return crm_main(&tool, argc, argv);
}
