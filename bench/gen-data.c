/*
 * gen-data — deterministic, realistic CRM test data as CSV, fast enough for
 * millions of rows.  The C counterpart of shared/bench/gen-crm-data (same
 * files, columns, proportions and value styles; not the same bytes).
 *
 * Usage: gen-data [--customers N] [--seed S] [--messy] OUTDIR
 *
 * Writes, with the canonical field names of DESIGN.md as CSV headers:
 *
 *   customers.csv  N rows     ext_id E0000001…, name (CJK and Latin companies
 *                             and people), kind, email (unique), phone
 *                             (13800000014, +86 138 0000 0007,
 *                             (138) 0000-0021, +8613800000028), region,
 *                             industry, tier, tags (";"-separated), owner,
 *                             source, created_at, notes
 *   leads.csv      2N rows    ext_id LD…, name, company, email, phone, region,
 *                             source, campaign, status, score, owner,
 *                             created_at
 *   deals.csv      1.5N rows  ext_id DL…, customer (a customer ext_id), title,
 *                             amount, currency, stage, expected_close, owner,
 *                             source, created_at, stage_changed_at,
 *                             closed_at, lost_reason
 *   invoices.csv   ~N rows    number INV…, deal (a won deal), customer (that
 *                             deal's customer), amount, currency, issued_on,
 *                             due_on — a won deal is billed in 1–3 instalments
 *                             whose amounts sum exactly to the deal amount
 *   payments.csv   ~0.8N rows ext_id PAY…, invoice (an invoice number),
 *                             amount, paid_on, method, reference — some
 *                             invoices unpaid, some paid in part or in two
 *                             payments; never more than the invoice amount
 *   tickets.csv    N rows     ext_id TK…, customer, subject, category,
 *                             priority, status, channel, assignee,
 *                             created_at, first_response_at, resolved_at, csat
 *
 * Money has two decimals; timestamps are YYYY-MM-DDTHH:MM:SSZ and dates
 * YYYY-MM-DD, all UTC and never after "now" = 2026-11-01T09:00:00Z.  CSV is
 * RFC 4180: "\n" line ends, fields quoted only when they hold a comma, quote
 * or newline (", Inc." company names do).
 *
 * --messy makes what real exports look like: a UTF-8 BOM, CRLF line ends,
 * quoted notes holding commas, quotes and an embedded newline, stray spaces
 * around names and some e-mails, mixed-case duplicates of earlier customers'
 * e-mails (about 1 %), and one or two blank lines at the end of each file.
 *
 * The same seed gives the same bytes, on any platform: every file has its
 * own splitmix64 stream derived from the seed, and nothing depends on the
 * clock, the locale or rand().  Memory stays constant whatever N is (a bit
 * set of N bits with --messy).  Four processes write the four independent
 * groups of files at once (1,000,000 customers, 7 million rows and 800 MB
 * in all, take a few seconds).
 *
 * Build: cc -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o gen-data gen-data.c
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

static const char *prog = "gen-data";

/* ---- vocabulary -------------------------------------------------------- */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const SURNAMES[] = {
	"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴",
	"徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
	"Smith", "Garcia", "Müller", "Rossi", "Kowalski", "O'Brien",
	"Nguyen", "Silva",
};
static const char *const GIVEN[] = {
	"伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇",
	"Anna", "José", "Chloé", "Liam", "Noah", "Emma", "Søren", "Ivan",
};
static const char *const COMPANY_A[] = {
	"华信", "星辰", "远航", "Acme", "Globex", "Initech", "Umbrella",
	"北辰", "蓝海", "Nordwind",
};
static const char *const COMPANY_B[] = {
	"科技", "制造", "贸易", "Logistics", "Retail", "Health", "教育",
	"Finance", "医药", "Foods",
};
static const char *const REGIONS[] = {
	"北京", "上海", "广州", "深圳", "杭州", "成都", "EMEA", "APAC", "NA",
	"LATAM",
};
static const char *const INDUSTRIES[] = {
	"retail", "finance", "healthcare", "manufacturing", "education",
	"saas", "logistics",
};
static const char *const SOURCES[] = {
	"web", "referral", "trade-show", "sms", "email", "wechat",
	"cold-call", "partner",
};
static const char *const CAMPAIGNS[] = {
	"spring-launch", "webinar-q2", "expo-2026", "renewal-push", "",
};
static const char *const OWNERS[] = {
	"alice", "bob", "chen", "dana", "li.wei", "mario",
};
static const char *const TIERS[] = { "A", "B", "C" };
/* Kept in sorted order: a customer's tags are printed sorted and unique. */
static const char *const TAGS[] = {
	"churn-risk", "gov", "key-account", "newsletter", "partner",
	"reseller", "vip",
};
static const char *const LEAD_STATUS[] = {
	"new", "new", "contacted", "qualified", "disqualified", "converted",
};
/* Closed deals outnumber open ones in any CRM that has run for a while. */
static const char *const STAGES[] = {
	"lead", "qualified", "proposal", "negotiation", "won", "won", "won",
	"lost", "lost",
};
static const char *const DEAL_KINDS[] = {
	"renewal", "renewal", "expansion", "new licence", "pilot", "upgrade",
};
static const char *const LOST_REASONS[] = {
	"price", "competitor", "no-budget", "timing", "no-response",
};
static const char *const CURRENCIES[] = { "CNY", "USD", "EUR" };
static const int DUE_DAYS[] = { 15, 30, 30, 45, 60 };
static const char *const METHODS[] = {
	"bank-transfer", "card", "alipay", "wechat-pay", "cash",
};
static const char *const PRIORITIES[] = {
	"low", "normal", "normal", "normal", "high", "urgent",
};
static const char *const TSTATUS[] = {
	"new", "open", "pending", "resolved", "closed", "closed",
};
static const char *const CHANNELS[] = { "phone", "email", "wechat", "web" };
static const char *const CATEGORIES[] = {
	"billing", "logistics", "quality", "installation", "account", "other",
};
static const char *const SUBJECTS[] = {	/* each has one %u: an order no. */
	"Issue with order #", "Issue with order #", "Refund for order #",
	"Delivery late, order #", "发票问题 订单 #", "Wrong item in order #",
};
static const int CSAT[] = { 1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5 };

/* ---- random numbers: splitmix64 --------------------------------------- */

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n < 2^32 (multiply-shift, bias < 2^-32). */
static inline uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi). */
static inline int64_t range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)below(r, (uint32_t)(hi - lo));
}

/* True with probability p. */
static inline int chance(struct rng *r, double p)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53 < p;
}

#define PICK(r, a) ((a)[below((r), (uint32_t)N_OF(a))])

/* One independent stream per file, so changing one file leaves the others. */
static struct rng stream(uint64_t seed, unsigned which)
{
	struct rng r = { seed ^ (UINT64_C(0xd1b54a32d192ed03) * (which + 1)) };
	rng_next(&r);
	return r;
}

/* ---- time: seconds since 1970, UTC ------------------------------------ */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

#define DAY 86400
static int64_t NOW;	/* 2026-11-01T09:00:00Z, set in main */

/* A moment up to max_days before NOW. */
static inline int64_t back(struct rng *r, uint32_t max_days)
{
	return NOW - 1 - (int64_t)below(r, max_days * DAY);
}

/* ---- buffered CSV output ---------------------------------------------- */

struct out {
	FILE *f;
	char path[4096];
	char *buf;
	size_t len, cap;
	const char *eol;
	size_t eol_len;
};

#define ROW_ROOM 8192	/* no row comes near this; checked once per row */

static void die_io(const char *path)
{
	fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
	exit(EX_IOERR);
}

static void out_flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		die_io(o->path);
	o->len = 0;
}

static inline void row_begin(struct out *o)
{
	if (o->cap - o->len < ROW_ROOM)
		out_flush(o);
}

static inline void put(struct out *o, const char *s, size_t n)
{
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static inline void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static inline void putc_(struct out *o, char c)
{
	o->buf[o->len++] = c;
}

static inline void comma(struct out *o)
{
	putc_(o, ',');
}

static inline void eol(struct out *o)
{
	put(o, o->eol, o->eol_len);
}

/* A free-text field: quoted, quotes doubled, only when it needs to be. */
static void put_text(struct out *o, const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			break;
	if (i == n) {
		put(o, s, n);
		return;
	}
	putc_(o, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			putc_(o, '"');
		putc_(o, s[i]);
	}
	putc_(o, '"');
}

/* Decimal, at least `width` digits with leading zeros. */
static inline void put_num(struct out *o, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		tmp[n++] = '0';
	while (n)
		putc_(o, tmp[--n]);
}

static inline void put_id(struct out *o, const char *prefix, uint64_t i)
{
	puts_(o, prefix);
	put_num(o, i, 7);
}

static inline void put_money(struct out *o, int64_t cents)
{
	put_num(o, (uint64_t)(cents / 100), 1);
	putc_(o, '.');
	put_num(o, (uint64_t)(cents % 100), 2);
}

static void put_date(struct out *o, int64_t t)
{
	int64_t y;
	unsigned m, d;
	civil_from_days(t / DAY, &y, &m, &d);
	put_num(o, (uint64_t)y, 4);
	putc_(o, '-');
	put_num(o, m, 2);
	putc_(o, '-');
	put_num(o, d, 2);
}

static void put_ts(struct out *o, int64_t t)
{
	int64_t s = t % DAY;
	put_date(o, t);
	putc_(o, 'T');
	put_num(o, (uint64_t)(s / 3600), 2);
	putc_(o, ':');
	put_num(o, (uint64_t)(s / 60 % 60), 2);
	putc_(o, ':');
	put_num(o, (uint64_t)(s % 60), 2);
	putc_(o, 'Z');
}

static int messy;

static void out_open(struct out *o, const char *dir, const char *name,
    const char *header)
{
	snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
	o->f = fopen(o->path, "wb");
	if (!o->f)
		die_io(o->path);
	o->cap = 1 << 20;
	o->buf = malloc(o->cap);
	if (!o->buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(EX_OSERR);
	}
	o->len = 0;
	o->eol = messy ? "\r\n" : "\n";
	o->eol_len = strlen(o->eol);
	if (messy)
		puts_(o, "\xEF\xBB\xBF");
	puts_(o, header);
	eol(o);
}

static void out_close(struct out *o, struct rng *r)
{
	if (messy) {
		row_begin(o);
		for (uint32_t k = 1 + below(r, 2); k; k--)
			eol(o);
	}
	out_flush(o);
	if (fclose(o->f) != 0)
		die_io(o->path);
	free(o->buf);
}

/* ---- values ----------------------------------------------------------- */

static inline int is_cjk(const char *s)
{
	return (unsigned char)s[0] >= 0xE0;
}

/* Name of a person or company into buf; returns its length. */
static size_t person(struct rng *r, char *buf, size_t cap)
{
	const char *sur = PICK(r, SURNAMES), *giv = PICK(r, GIVEN);
	const char *sep = is_cjk(sur) && is_cjk(giv) ? "" : " ";
	int n = snprintf(buf, cap, "%s%s%s", sur, sep, giv);
	return (size_t)n;
}

static size_t company(struct rng *r, char *buf, size_t cap)
{
	const char *a = PICK(r, COMPANY_A), *b = PICK(r, COMPANY_B);
	const char *sep = is_cjk(a) || is_cjk(b) ? "" : " ";
	const char *suffix = "";
	if (chance(r, 0.1))
		suffix = is_cjk(b) ? "有限公司" : ", Inc.";
	int n = snprintf(buf, cap, "%s%s%s%s", a, sep, b, suffix);
	return (size_t)n;
}

/* Free text, with stray spaces around it now and then when messy. */
static void put_messy_text(struct out *o, struct rng *r, const char *s,
    size_t n, double p)
{
	if (messy && chance(r, p)) {
		char tmp[512];
		int k = snprintf(tmp, sizeof tmp, "  %.*s ", (int)n, s);
		put_text(o, tmp, (size_t)k);
	} else {
		put_text(o, s, n);
	}
}

/* The same number in the styles people type: mostly bare, some with the
 * country code and spaces, some with an area code in parentheses. */
static void put_phone(struct out *o, struct rng *r, uint64_t i)
{
	char d[16];
	uint64_t v = UINT64_C(13800000000) + i * 7 % 100000000;
	snprintf(d, sizeof d, "%" PRIu64, v);	/* 11 digits */
	uint32_t style = below(r, 100);
	if (style < 55) {
		put(o, d, 11);
	} else if (style < 75) {
		puts_(o, "+86 ");
		put(o, d, 3);
		putc_(o, ' ');
		put(o, d + 3, 4);
		putc_(o, ' ');
		put(o, d + 7, 4);
	} else if (style < 95) {
		putc_(o, '(');
		put(o, d, 3);
		puts_(o, ") ");
		put(o, d + 3, 4);
		putc_(o, '-');
		put(o, d + 7, 4);
	} else {
		puts_(o, "+86");
		put(o, d, 11);
	}
}

/* ---- the files -------------------------------------------------------- */

static void gen_customers(const char *dir, uint64_t seed, uint64_t n)
{
	struct rng r = stream(seed, 0);
	struct out o;
	/* With --messy, rows whose e-mail copies an earlier one; a copy is
	 * always taken from a row that has an e-mail of its own. */
	unsigned char *dup = NULL;
	char name[256], email[128];

	if (messy && !(dup = calloc(n / 8 + 1, 1))) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(EX_OSERR);
	}
	out_open(&o, dir, "customers.csv",
	    "ext_id,name,kind,email,phone,region,industry,tier,tags,owner,"
	    "source,created_at,notes");
	for (uint64_t i = 1; i <= n; i++) {
		row_begin(&o);
		put_id(&o, "E", i);
		comma(&o);

		int is_company = chance(&r, 0.7);
		size_t nl = is_company ? company(&r, name, sizeof name)
				       : person(&r, name, sizeof name);
		put_messy_text(&o, &r, name, nl, 0.03);
		comma(&o);
		puts_(&o, is_company ? "company" : "person");
		comma(&o);

		size_t el;
		if (messy && i > 10 && chance(&r, 0.01)) {
			uint64_t j = 1 + below(&r, (uint32_t)(i - 1));
			while (dup[j / 8] & (1u << (j % 8)))
				j--;
			dup[i / 8] |= (unsigned char)(1u << (i % 8));
			el = (size_t)snprintf(email, sizeof email,
			    "contact%" PRIu64 "@example%" PRIu64 ".com",
			    j, j % 97);
			uint32_t style = below(&r, 3);
			for (size_t k = 0; k < el; k++) {
				char c = email[k];
				if (c >= 'a' && c <= 'z' &&
				    (style == 0 || (style == 1 && k == 0) ||
				     (style == 2 && k > 0 && email[k - 1] == '@')))
					email[k] = (char)(c - 'a' + 'A');
			}
		} else {
			el = (size_t)snprintf(email, sizeof email,
			    "contact%" PRIu64 "@example%" PRIu64 ".com",
			    i, i % 97);
		}
		put_messy_text(&o, &r, email, el, 0.005);
		comma(&o);
		put_phone(&o, &r, i);
		comma(&o);
		puts_(&o, PICK(&r, REGIONS));
		comma(&o);
		puts_(&o, PICK(&r, INDUSTRIES));
		comma(&o);
		puts_(&o, PICK(&r, TIERS));
		comma(&o);

		uint32_t ntags = below(&r, 3), a = below(&r, N_OF(TAGS)),
			 b = below(&r, N_OF(TAGS));
		if (ntags >= 1 && (ntags == 1 || a == b)) {
			puts_(&o, TAGS[a]);
		} else if (ntags == 2) {
			puts_(&o, TAGS[a < b ? a : b]);
			putc_(&o, ';');
			puts_(&o, TAGS[a < b ? b : a]);
		}
		comma(&o);
		puts_(&o, PICK(&r, OWNERS));
		comma(&o);
		puts_(&o, PICK(&r, SOURCES));
		comma(&o);
		put_ts(&o, back(&r, 900));
		comma(&o);
		if (messy && chance(&r, 0.02)) {
			static const char note[] =
			    "Prefers calls after 6pm,\nsee \"notes\" from expo";
			put_text(&o, note, sizeof note - 1);
		}
		eol(&o);
	}
	out_close(&o, &r);
	free(dup);
}

static void gen_leads(const char *dir, uint64_t seed, uint64_t n)
{
	struct rng r = stream(seed, 1);
	struct out o;
	char name[256];

	out_open(&o, dir, "leads.csv",
	    "ext_id,name,company,email,phone,region,source,campaign,status,"
	    "score,owner,created_at");
	for (uint64_t i = 1; i <= 2 * n; i++) {
		row_begin(&o);
		put_id(&o, "LD", i);
		comma(&o);
		size_t nl = person(&r, name, sizeof name);
		put_messy_text(&o, &r, name, nl, 0.03);
		comma(&o);
		nl = company(&r, name, sizeof name);
		put_messy_text(&o, &r, name, nl, 0.03);
		comma(&o);
		puts_(&o, "lead");
		put_num(&o, i, 1);
		puts_(&o, "@mail");
		put_num(&o, i % 53, 1);
		puts_(&o, ".cn");
		comma(&o);
		put_phone(&o, &r, n + i);
		comma(&o);
		puts_(&o, PICK(&r, REGIONS));
		comma(&o);
		puts_(&o, PICK(&r, SOURCES));
		comma(&o);
		puts_(&o, PICK(&r, CAMPAIGNS));
		comma(&o);
		puts_(&o, PICK(&r, LEAD_STATUS));
		comma(&o);
		put_num(&o, below(&r, 101), 1);
		comma(&o);
		if (below(&r, N_OF(OWNERS) + 1) < N_OF(OWNERS))
			puts_(&o, PICK(&r, OWNERS));
		comma(&o);
		put_ts(&o, back(&r, 400));
		eol(&o);
	}
	out_close(&o, &r);
}

/*
 * Deals, and for each won deal its invoices, and for each invoice its
 * payments, written side by side in one pass so no list is kept.
 */
static void gen_deals(const char *dir, uint64_t seed, uint64_t n)
{
	struct rng r = stream(seed, 2), ri = stream(seed, 3),
		   rp = stream(seed, 4);
	struct out od, oi, op;
	uint64_t ninv = 0, npay = 0, ndeals = n + n / 2;
	char title[128];

	out_open(&od, dir, "deals.csv",
	    "ext_id,customer,title,amount,currency,stage,expected_close,"
	    "owner,source,created_at,stage_changed_at,closed_at,lost_reason");
	out_open(&oi, dir, "invoices.csv",
	    "number,deal,customer,amount,currency,issued_on,due_on");
	out_open(&op, dir, "payments.csv",
	    "ext_id,invoice,amount,paid_on,method,reference");

	for (uint64_t i = 1; i <= ndeals; i++) {
		uint64_t c = 1 + below(&r, (uint32_t)n);
		const char *stage = PICK(&r, STAGES);
		int won = !strcmp(stage, "won"), lost = !strcmp(stage, "lost");
		int64_t created = back(&r, 500);
		/* One draw per statement: the order in which the operands of
		 * one expression are evaluated is up to the compiler. */
		int64_t changed = created + range(&r, 0, 60) * DAY;
		changed += below(&r, DAY);
		if (changed >= NOW)	/* somewhere between created and now */
			changed = created + below(&r, (uint32_t)(NOW - created));
		int64_t cents = range(&r, 500, 500000) * 100;
		cents += below(&r, 100);
		const char *cur = chance(&r, 0.8) ? "CNY"
		    : CURRENCIES[1 + below(&r, 2)];

		row_begin(&od);
		put_id(&od, "DL", i);
		comma(&od);
		put_id(&od, "E", c);
		comma(&od);
		const char *industry = PICK(&r, INDUSTRIES);
		const char *kind = PICK(&r, DEAL_KINDS);
		size_t tl = (size_t)snprintf(title, sizeof title,
		    "%s %s %" PRIu64, industry, kind, i);
		put_text(&od, title, tl);
		comma(&od);
		put_money(&od, cents);
		comma(&od);
		puts_(&od, cur);
		comma(&od);
		puts_(&od, stage);
		comma(&od);
		put_date(&od, created + range(&r, 14, 180) * DAY);
		comma(&od);
		puts_(&od, PICK(&r, OWNERS));
		comma(&od);
		puts_(&od, PICK(&r, SOURCES));
		comma(&od);
		put_ts(&od, created);
		comma(&od);
		put_ts(&od, changed);
		comma(&od);
		if (won || lost)
			put_date(&od, changed);
		comma(&od);
		if (lost)
			puts_(&od, PICK(&r, LOST_REASONS));
		eol(&od);

		if (!won)
			continue;
		/* 1–3 monthly instalments; the first takes the odd cents. */
		int64_t parts = 1 + below(&ri, 3);
		for (int64_t p = 0; p < parts; p++) {
			int64_t issued = changed + 30 * DAY * p;
			if (issued >= NOW)
				break;
			int64_t share = cents / parts + (p == 0 ? cents % parts : 0);
			int64_t due = issued + DAY * PICK(&ri, DUE_DAYS);
			ninv++;
			row_begin(&oi);
			put_id(&oi, "INV", ninv);
			comma(&oi);
			put_id(&oi, "DL", i);
			comma(&oi);
			put_id(&oi, "E", c);
			comma(&oi);
			put_money(&oi, share);
			comma(&oi);
			puts_(&oi, cur);
			comma(&oi);
			put_date(&oi, issued);
			comma(&oi);
			put_date(&oi, due);
			eol(&oi);

			/* 20 % unpaid, 10 % half paid, 20 % paid in two
			 * halves, the rest in full; none after NOW. */
			uint32_t roll = below(&rp, 100);
			int64_t amt[2] = { share, 0 }, when[2];
			int npays = 1;
			if (roll < 20)
				continue;
			when[0] = issued + range(&rp, 0, 75) * DAY;
			if (roll < 30) {
				amt[0] = share / 2;
			} else if (roll < 50) {
				amt[0] = share / 2;
				amt[1] = share - share / 2;
				when[1] = when[0] + range(&rp, 7, 60) * DAY;
				npays = 2;
			}
			for (int k = 0; k < npays; k++) {
				if (when[k] >= NOW)
					break;
				npay++;
				row_begin(&op);
				put_id(&op, "PAY", npay);
				comma(&op);
				put_id(&op, "INV", ninv);
				comma(&op);
				put_money(&op, amt[k]);
				comma(&op);
				put_date(&op, when[k]);
				comma(&op);
				puts_(&op, PICK(&rp, METHODS));
				comma(&op);
				puts_(&op, "REF-");
				put_num(&op, below(&rp, 1000000000), 1);
				eol(&op);
			}
		}
	}
	out_close(&od, &r);
	out_close(&oi, &ri);
	out_close(&op, &rp);
}

static void gen_tickets(const char *dir, uint64_t seed, uint64_t n)
{
	struct rng r = stream(seed, 5);
	struct out o;
	char subject[128];

	out_open(&o, dir, "tickets.csv",
	    "ext_id,customer,subject,category,priority,status,channel,"
	    "assignee,created_at,first_response_at,resolved_at,csat");
	for (uint64_t i = 1; i <= n; i++) {
		uint64_t c = 1 + below(&r, (uint32_t)n);
		int64_t created = back(&r, 365);
		const char *status = PICK(&r, TSTATUS);
		int64_t first = created + 60 * range(&r, 1, 600);
		int64_t resolved = first + 3600 * range(&r, 1, 200);
		int responded = strcmp(status, "new") != 0;
		int done = !strcmp(status, "resolved") || !strcmp(status, "closed");
		/* Nothing happens after NOW: a late event has not happened yet. */
		if (done && resolved >= NOW) {
			done = 0;
			status = "open";
		}
		if (responded && first >= NOW) {
			responded = 0;
			status = "new";
		}

		row_begin(&o);
		put_id(&o, "TK", i);
		comma(&o);
		put_id(&o, "E", c);
		comma(&o);
		const char *what = PICK(&r, SUBJECTS);
		unsigned order = below(&r, 1000000);
		size_t sl = (size_t)snprintf(subject, sizeof subject, "%s%u",
		    what, order);
		put_text(&o, subject, sl);
		comma(&o);
		puts_(&o, PICK(&r, CATEGORIES));
		comma(&o);
		puts_(&o, PICK(&r, PRIORITIES));
		comma(&o);
		puts_(&o, status);
		comma(&o);
		puts_(&o, PICK(&r, CHANNELS));
		comma(&o);
		if (below(&r, N_OF(OWNERS) + 1) < N_OF(OWNERS))
			puts_(&o, PICK(&r, OWNERS));
		comma(&o);
		put_ts(&o, created);
		comma(&o);
		if (responded)
			put_ts(&o, first);
		comma(&o);
		if (done)
			put_ts(&o, resolved);
		comma(&o);
		if (!strcmp(status, "closed") && chance(&r, 0.6))
			put_num(&o, (uint64_t)PICK(&r, CSAT), 1);
		eol(&o);
	}
	out_close(&o, &r);
}

/* ---- main ------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [--customers N] [--seed S] [--messy] OUTDIR\n"
	    "Writes customers, leads (2N), deals (1.5N), invoices (~N), "
	    "payments (~0.8N)\nand tickets (N) as CSV into OUTDIR. "
	    "Defaults: N=10000, S=1.\n", prog);
}

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static uint64_t parse_u64(const char *opt, const char *s, uint64_t max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max) {
		fprintf(stderr, "%s: %s: \"%s\": not a number up to %" PRIu64
		    "\n", prog, opt, s, max);
		exit(EX_USAGE);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "customers", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "messy", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n = 10000, seed = 1;
	int c;

	while ((c = getopt_long(argc, argv, "n:s:mh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			/* ids and the 32-bit draws stay exact below this */
			n = parse_u64("--customers", optarg, 1000000000);
			if (n == 0) {
				fprintf(stderr, "%s: --customers: must be at "
				    "least 1\n", prog);
				return EX_USAGE;
			}
			break;
		case 's':
			seed = parse_u64("--seed", optarg, UINT64_MAX);
			break;
		case 'm':
			messy = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EX_USAGE;
	}
	char dir[4000];
	if (snprintf(dir, sizeof dir, "%s", argv[optind]) >= (int)sizeof dir) {
		fprintf(stderr, "%s: OUTDIR too long\n", prog);
		return EX_USAGE;
	}
	if (mkdir_p(dir) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[optind],
		    strerror(errno));
		return EX_CANTCREAT;
	}
	NOW = days_from_civil(2026, 11, 1) * DAY + 9 * 3600;

	/* The four groups of files share nothing, so each is written by its
	 * own process; the bytes are the same however they are scheduled. */
	static void (*const gens[])(const char *, uint64_t, uint64_t) = {
		gen_leads, gen_deals, gen_customers, gen_tickets,
	};
	pid_t pids[N_OF(gens)];
	int rc = 0;
	fflush(NULL);
	for (size_t k = 0; k < N_OF(gens); k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			gens[k](dir, seed, n);
			_exit(0);
		}
		if (pids[k] < 0) {	/* no process to spare: do it here */
			gens[k](dir, seed, n);
		}
	}
	for (size_t k = 0; k < N_OF(gens); k++) {
		int st;
		if (pids[k] <= 0)
			continue;
		if (waitpid(pids[k], &st, 0) < 0 || !WIFEXITED(st)) {
			fprintf(stderr, "%s: a writer process died\n", prog);
			rc = EX_SOFTWARE;
		} else if (WEXITSTATUS(st) && !rc) {
			rc = WEXITSTATUS(st);
		}
	}
	return rc;
}
