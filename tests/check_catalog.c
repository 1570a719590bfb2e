/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_catalog.c - rules/gmail.rules against Google's table.
 *
 * The table (tests/data/seeds/gmail-smtp-errors-and-codes.txt) is a text
 * rendering of the help page: a reply code and status in the first columns
 * of one line, the text wrapped in the third column above, on and below
 * that line, rows mostly but not always separated by blank lines.  Every
 * row must have exactly one entry with its code, status and text (the
 * placeholders marked, white space ignored), and every entry a class; an
 * entry about the message (class content) must have a condition unless it
 * is one of the few explain-only wordings whose trigger another entry owns.
 */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "catalog/rules.h"
#include "lib/pftest.h"

#define SEED_ROWS	119
#define ROWS_MAX	256
#define TEXT_MAX	4096

struct row {
	int	 code;
	char	 status[16];
	char	 text[TEXT_MAX];	/* lines joined by single spaces */
};

static struct row rows[ROWS_MAX];
static size_t nrows;
static struct pf_rules *rules;

/* content entries that share their trigger with an entry that predicts */
static const char *explain_only[] = {
	"message-too-large-short",	/* message-too-large predicts */
	"header-too-large-short",	/* header-too-large predicts */
	"blocked-content-short",	/* blocked-content predicts */
	"message-too-large-old",	/* the 2023 code of message-too-large */
};

/* the table's spellings of its placeholders, in the order to apply */
static const char *seed_ph[][2] = {
	{ "header- name", "{header-name}" },
	{ "[domain-name ]", "[{domain-name}]" },
	{ "address address", "{address}" },
	{ "argument argument", "{argument}" },
	{ "header name header value", "{header-name} header value" },
	{ "num-attachments", "{num-attachments}" },
	{ "ip-address", "{ip-address}" },
	{ "domain-name", "{domain-name}" },
	{ "header-name", "{header-name}" },
	{ "(size bytes)", "({size} bytes)" },
	{ "exceed limit total header bytes or limit header fields",
	  "exceed {limit} total header bytes or {limit-fields} header fields" },
	{ "of limit ", "of {limit} " },
	{ "(command)", "({command})" },
};

/* replace_all - every from in s by to, in place (s has TEXT_MAX bytes);
 * a from already inside braces is left alone */
static void
replace_all(char *s, const char *from, const char *to)
{
	char out[TEXT_MAX];
	size_t fl = strlen(from), tl = strlen(to), o = 0;
	const char *p = s;

	while (*p != '\0' && o + tl + 1 < sizeof(out)) {
		if (strncmp(p, from, fl) == 0 && !(p > s && p[-1] == '{')) {
			memcpy(out + o, to, tl);
			o += tl;
			p += fl;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	memcpy(s, out, o + 1);
}

/* squeeze - s without any white space, into out */
static void
squeeze(const char *s, char *out, size_t osz)
{
	size_t o = 0;

	for (; *s != '\0' && o + 1 < osz; s++)
		if (!isspace((unsigned char)*s))
			out[o++] = *s;
	out[o] = '\0';
}

static void
append(struct row *r, const char *s)
{
	size_t n = strlen(r->text);

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return;
	if (n > 0 && n + 1 < sizeof(r->text))
		r->text[n++] = ' ';
	snprintf(r->text + n, sizeof(r->text) - n, "%s", s);
	/* trailing white space */
	n = strlen(r->text);
	while (n > 0 && isspace((unsigned char)r->text[n - 1]))
		r->text[--n] = '\0';
}

/* code_line - "450   4.2.1  text": code, status and where the text starts */
static int
code_line(const char *l, int *code, char *status, const char **text)
{
	const char *p = l;
	size_t n;

	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]) || !isspace((unsigned char)p[3]))
		return 0;
	*code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	for (p += 3; *p == ' '; p++)
		;
	for (n = 0; p[n] != '\0' && !isspace((unsigned char)p[n]); n++)
		;
	if (n < 5 || n >= 16 || p[1] != '.')
		return 0;
	memcpy(status, p, n);
	status[n] = '\0';
	*text = p + n;
	return 1;
}

static int
ends_sentence(const char *l)
{
	size_t n = strlen(l);

	while (n > 0 && isspace((unsigned char)l[n - 1]))
		n--;
	return n > 0 && l[n - 1] == '.';
}

/* parse_block - the rows of one block of non-blank lines.  Text above a
 * code line belongs to it; between two code lines, the lines up to the
 * last one that ends a sentence belong to the upper row.  A block with no
 * code line continues the previous row. */
static void
parse_block(char **l, size_t n)
{
	size_t i, j, start = 0, end, cl[ROWS_MAX], ncl = 0;
	const char *text;
	struct row *r;
	int code;
	char status[16];

	for (i = 0; i < n && ncl < ROWS_MAX; i++)
		if (code_line(l[i], &code, status, &text))
			cl[ncl++] = i;
	if (ncl == 0) {
		if (nrows > 0)
			for (i = 0; i < n; i++)
				append(&rows[nrows - 1], l[i]);
		return;
	}
	for (j = 0; j < ncl && nrows < ROWS_MAX; j++) {
		r = &rows[nrows++];
		memset(r, 0, sizeof(*r));
		end = n;
		if (j + 1 < ncl) {
			end = cl[j] + 1;
			for (i = cl[j] + 1; i < cl[j + 1]; i++)
				if (ends_sentence(l[i]))
					end = i + 1;
		}
		for (i = start; i < cl[j]; i++)
			append(r, l[i]);
		code_line(l[cl[j]], &r->code, r->status, &text);
		append(r, text);
		for (i = cl[j] + 1; i < end; i++)
			append(r, l[i]);
		start = end;
	}
}

/* load_seed - the rows of the table */
static void
load_seed(void)
{
	const char *src = getenv("PF_SRCDIR");
	char path[1024], line[1024], *blk[64];
	size_t nb = 0, i;
	int in = 0;
	FILE *fp;

	ck_assert_msg(src != NULL && *src != '\0', "PF_SRCDIR is not set");
	snprintf(path, sizeof(path),
	    "%s/tests/data/seeds/gmail-smtp-errors-and-codes.txt", src);
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	nrows = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!in) {
			if (strncmp(line, "Code  Code", 10) == 0)
				in = 1;
			continue;
		}
		if (strncmp(line, "Was this helpful", 16) == 0)
			break;
		if (line[strspn(line, " \t")] == '\0') {
			parse_block(blk, nb);
			for (i = 0; i < nb; i++)
				free(blk[i]);
			nb = 0;
			continue;
		}
		ck_assert(nb < PF_NELEM(blk));
		blk[nb++] = strdup(line);
	}
	parse_block(blk, nb);
	for (i = 0; i < nb; i++)
		free(blk[i]);
	fclose(fp);
	for (i = 0; i < nrows; i++) {
		size_t k;

		for (k = 0; k < PF_NELEM(seed_ph); k++)
			replace_all(rows[i].text, seed_ph[k][0],
			    seed_ph[k][1]);
	}
}

static void
setup(void)
{
	rules = pf_test_rules();
	load_seed();
}

static void
teardown(void)
{
	pf_rules_free(rules);
	rules = NULL;
}

/* matches - entry r is row w */
static int
matches(const struct pf_rule *r, const struct row *w)
{
	char a[TEXT_MAX], b[TEXT_MAX];

	if (r->reply != w->code || strcmp(r->status, w->status) != 0)
		return 0;
	squeeze(r->text, a, sizeof(a));
	squeeze(w->text, b, sizeof(b));
	return strcmp(a, b) == 0;
}

START_TEST(test_seed_parsed)
{
	size_t i;

	ck_assert_uint_eq(nrows, SEED_ROWS);
	for (i = 0; i < nrows; i++) {
		ck_assert_msg(rows[i].code >= 400 && rows[i].code < 600,
		    "row %zu: code %d", i + 1, rows[i].code);
		ck_assert_msg(rows[i].status[0] == '0' + rows[i].code / 100,
		    "row %zu: %d %s", i + 1, rows[i].code, rows[i].status);
		ck_assert_msg(strlen(rows[i].text) > 10, "row %zu: no text",
		    i + 1);
	}
}
END_TEST

START_TEST(test_every_row_one_entry)
{
	size_t i, j, n, matched = 0;
	int *used;

	used = calloc(rules->nrule, sizeof(*used));
	ck_assert_ptr_nonnull(used);
	for (i = 0; i < nrows; i++) {
		for (j = 0, n = 0; j < rules->nrule; j++) {
			if (!matches(&rules->rule[j], &rows[i]))
				continue;
			n++;
			used[j]++;
		}
		ck_assert_msg(n == 1, "row %zu (%d %s \"%.60s...\"): %zu "
		    "entries", i + 1, rows[i].code, rows[i].status,
		    rows[i].text, n);
		matched++;
	}
	ck_assert_uint_eq(matched, SEED_ROWS);
	/* one entry is one row, and an entry that is no row is dated */
	for (j = 0; j < rules->nrule; j++) {
		ck_assert_msg(used[j] <= 1, "%s is %d rows",
		    rules->rule[j].id, used[j]);
		ck_assert_msg(used[j] == 1 || rules->rule[j].since != NULL,
		    "%s is no row of the table and has no since",
		    rules->rule[j].id);
	}
	free(used);
}
END_TEST

static int
is_explain_only(const char *id)
{
	size_t i;

	for (i = 0; i < PF_NELEM(explain_only); i++)
		if (strcmp(explain_only[i], id) == 0)
			return 1;
	return 0;
}

START_TEST(test_classes_and_conditions)
{
	const struct pf_rule *r, *o;
	size_t i, j;
	int sibling;

	for (i = 0; i < rules->nrule; i++) {
		r = &rules->rule[i];
		ck_assert_msg(strcmp(pf_class_name(r->cls), "?") != 0,
		    "%s has no class", r->id);
		ck_assert_msg(r->cause != NULL && r->fix != NULL &&
		    r->url != NULL && r->whose != NULL, "%s incomplete",
		    r->id);
		ck_assert_msg(strncmp(r->url, "http", 4) == 0, "%s url %s",
		    r->id, r->url);
		if (r->cls != PF_C_CONTENT)
			continue;
		if (!is_explain_only(r->id)) {
			ck_assert_msg(r->when != NULL,
			    "%s is about the message but has no condition",
			    r->id);
			continue;
		}
		ck_assert_msg(r->when == NULL, "%s is explain-only", r->id);
		/* the entry it is a wording of predicts the trigger */
		for (j = 0, sibling = 0; j < rules->nrule; j++) {
			o = &rules->rule[j];
			if (o != r && o->when != NULL &&
			    o->cls == PF_C_CONTENT &&
			    o->reply == r->reply &&
			    strncmp(o->id, r->id, strlen(o->id)) == 0)
				sibling = 1;
		}
		ck_assert_msg(sibling, "%s: no predicting entry", r->id);
	}
}
END_TEST

/* the feedback entries that predict from the learned history (hist.*):
 * a repeat of the same reply to the same recipient is high, a window of
 * the sender's reputation or rate is medium, a recipient domain's rule
 * that may not concern this message is low */
static const struct {
	const char		*id;
	enum pf_confidence	 conf;
} hist_conf[] = {
	{ "mailbox-does-not-exist", PF_CONF_HIGH },
	{ "account-inactive", PF_CONF_HIGH },
	{ "recipient-inbox-full", PF_CONF_HIGH },
	{ "recipient-receiving-rate", PF_CONF_HIGH },
	{ "low-ip-reputation-ratelimit", PF_CONF_MEDIUM },
	{ "low-ip-reputation", PF_CONF_MEDIUM },
	{ "low-domain-reputation-deferred", PF_CONF_MEDIUM },
	{ "low-domain-reputation", PF_CONF_MEDIUM },
	{ "unusual-rate-dkim-domain", PF_CONF_MEDIUM },
	{ "unusual-rate-spf-domain", PF_CONF_MEDIUM },
	{ "policy-prohibits", PF_CONF_LOW },
	{ "ip-not-in-allowlist", PF_CONF_LOW },
};

START_TEST(test_hist_confidence)
{
	const struct pf_rule *r = pf_rules_find(rules, hist_conf[_i].id);

	ck_assert_msg(r != NULL, "%s missing", hist_conf[_i].id);
	ck_assert_msg(r->confidence == hist_conf[_i].conf, "%s is %s",
	    r->id, pf_confidence_name(r->confidence));
}
END_TEST

/* medium is for the history windows above only: no other entry has it */
START_TEST(test_medium_only_windows)
{
	size_t i, j;

	for (i = 0; i < rules->nrule; i++) {
		if (rules->rule[i].confidence != PF_CONF_MEDIUM)
			continue;
		for (j = 0; j < PF_NELEM(hist_conf); j++)
			if (strcmp(hist_conf[j].id, rules->rule[i].id) == 0)
				break;
		ck_assert_msg(j < PF_NELEM(hist_conf) &&
		    hist_conf[j].conf == PF_CONF_MEDIUM, "%s is medium",
		    rules->rule[i].id);
	}
}
END_TEST

/* the replies documented after the table */
static const struct {
	const char	*id;
	int		 reply;
	const char	*status;
	int		 predicts;
} newer[] = {
	{ "bulk-dmarc-missing", 550, "5.7.40", 1 },
	{ "bulk-dmarc-missing-ratelimit", 421, "4.7.40", 1 },
	{ "message-too-large-old", 552, "5.2.3", 0 },
	{ "recipient-over-quota", 552, "5.2.2", 0 },
	{ "recipient-quota-exceeded", 550, "5.7.1", 0 },
	{ "starttls-repeated", 454, "5.5.1", 0 },
	{ "auth-argument-not-permitted", 535, "5.5.4", 0 },
};

START_TEST(test_newer_replies)
{
	const struct pf_rule *r = pf_rules_find(rules, newer[_i].id);

	ck_assert_msg(r != NULL, "%s missing", newer[_i].id);
	ck_assert_int_eq(r->reply, newer[_i].reply);
	ck_assert_str_eq(r->status, newer[_i].status);
	ck_assert_ptr_nonnull(r->since);
	ck_assert_int_eq(r->when != NULL, newer[_i].predicts);
}
END_TEST

/* a row that shares code and status with others is told apart by text:
 * a changed word must stop it from matching */
START_TEST(test_text_decides)
{
	const struct pf_rule *r = pf_rules_find(rules, "blocked-content");
	struct row w;

	ck_assert_ptr_nonnull(r);
	memset(&w, 0, sizeof(w));
	w.code = r->reply;
	snprintf(w.status, sizeof(w.status), "%s", r->status);
	snprintf(w.text, sizeof(w.text), "%s", r->text);
	ck_assert(matches(r, &w));
	replace_all(w.text, "message content and", "message and");
	ck_assert(!matches(r, &w));
	ck_assert(matches(pf_rules_find(rules, "blocked-content-short"), &w));
}
END_TEST

/* --- entries that share a trigger predict one at a time --- */

/* families of entries whose conditions are meant to be exclusive */
static const char *fam_from[] = { "from-missing", "from-invalid",
    "from-multiple", "from-multiple-addresses", "from-domain-invalid",
    "duplicate-header", "duplicate-headers", NULL };
static const char *fam_auth[] = { "spf-hardfail", "dmarc-reject",
    "dmarc-temperror", "unauthenticated", "unauthenticated-ratelimit",
    "ipv6-guidelines", "ptr-missing", "ptr-mismatch", "ptr-missing-ratelimit",
    "ptr-missing-ratelimit-ip", NULL };
static const char *fam_bulk[] = { "bulk-spf-fail", "bulk-spf-ratelimit",
    "bulk-dkim-fail", "bulk-dkim-ratelimit", "bulk-tls", "bulk-tls-ratelimit",
    "bulk-dmarc-missing", "bulk-dmarc-missing-ratelimit",
    "bulk-from-not-aligned", NULL };

static const struct {
	const char	*label;
	const char	**family;
	const char	*facts;		/* name=value ...; N, true/false, "s" */
	const char	*want;		/* the family members predicted */
} excl[] = {
	{ "From duplicated", fam_from,
	  "hdr.from_count=2 hdr.duplicate_count=1 from.address_count=1 "
	  "from.valid_count=1", "from-multiple" },
	{ "From and Subject duplicated", fam_from,
	  "hdr.from_count=2 hdr.duplicate_count=2", "from-multiple" },
	{ "Subject duplicated", fam_from, "hdr.duplicate_count=1",
	  "duplicate-header" },
	{ "Subject and To duplicated", fam_from, "hdr.duplicate_count=2",
	  "duplicate-headers" },
	{ "no From", fam_from,
	  "hdr.from_count=0 from.address_count=0 from.valid_count=0",
	  "from-missing" },
	{ "From without a valid address", fam_from,
	  "from.valid_count=0", "from-invalid" },
	{ "two addresses in From", fam_from,
	  "from.address_count=2 from.valid_count=2", "from-multiple-addresses" },
	{ "bad From domain", fam_from, "from.domain_valid=false",
	  "from-domain-invalid" },
	{ "a clean header", fam_from, "", "" },
	{ "SPF -all fails, DMARC reject", fam_auth,
	  "spf.result=\"fail\" spf.hardfail=true auth.pass=false "
	  "dmarc.policy=\"reject\" dmarc.pass=false", "spf-hardfail" },
	{ "DMARC reject, SPF softfail", fam_auth,
	  "spf.result=\"softfail\" auth.pass=false dmarc.policy=\"reject\" "
	  "dmarc.pass=false", "dmarc-reject" },
	{ "DMARC reject, a DKIM key lookup failed", fam_auth,
	  "spf.result=\"softfail\" auth.pass=false dmarc.policy=\"reject\" "
	  "dmarc.pass=false dkim.temperror=true", "dmarc-temperror" },
	{ "no SPF, no DKIM, no DMARC", fam_auth,
	  "spf.result=\"none\" auth.pass=false dmarc.record=\"none\" "
	  "dmarc.policy=\"none\" dmarc.pass=false", "unauthenticated" },
	{ "the same, sender rate-limited", fam_auth,
	  "spf.result=\"none\" auth.pass=false dmarc.record=\"none\" "
	  "dmarc.policy=\"none\" dmarc.pass=false "
	  "cfg.enforcement=\"ratelimit\"", "unauthenticated-ratelimit" },
	{ "the same to Workspace only", fam_auth,
	  "spf.result=\"none\" auth.pass=false dmarc.record=\"none\" "
	  "dmarc.policy=\"none\" dmarc.pass=false rcpt.personal_count=0", "" },
	{ "no PTR", fam_auth, "ptr.present=false ptr.fcrdns=false",
	  "ptr-missing" },
	{ "PTR does not resolve back", fam_auth, "ptr.fcrdns=false",
	  "ptr-mismatch" },
	{ "no PTR, rate-limited", fam_auth, "ptr.present=false ptr.fcrdns=false "
	  "cfg.enforcement=\"ratelimit\"", "ptr-missing-ratelimit-ip" },
	{ "PTR does not resolve back, rate-limited", fam_auth,
	  "ptr.fcrdns=false cfg.enforcement=\"ratelimit\"",
	  "ptr-missing-ratelimit" },
	{ "IPv6 without PTR", fam_auth,
	  "egress.ipv6=true ptr.present=false ptr.fcrdns=false",
	  "ipv6-guidelines" },
	{ "authenticated, PTR fine", fam_auth, "", "" },
	{ "bulk, everything missing", fam_bulk,
	  "cfg.bulk=true spf.result=\"none\" dkim.pass=false cfg.tls=false "
	  "dmarc.record=\"none\" dmarc.pass=false",
	  "bulk-spf-fail bulk-dkim-fail bulk-tls bulk-dmarc-missing "
	  "bulk-from-not-aligned" },
	{ "bulk, everything missing, rate-limited", fam_bulk,
	  "cfg.bulk=true spf.result=\"none\" dkim.pass=false cfg.tls=false "
	  "dmarc.record=\"none\" dmarc.pass=false "
	  "cfg.enforcement=\"ratelimit\"",
	  "bulk-spf-ratelimit bulk-dkim-ratelimit bulk-tls-ratelimit "
	  "bulk-dmarc-missing-ratelimit bulk-from-not-aligned" },
	{ "bulk, DMARC lookup failed", fam_bulk,
	  "cfg.bulk=true dmarc.record=\"temperror\"", "" },
	{ "not bulk", fam_bulk,
	  "spf.result=\"none\" dkim.pass=false cfg.tls=false "
	  "dmarc.record=\"none\" dmarc.pass=false", "" },
};

/* baseline - a message that passes everything, to personal Gmail */
static const char *baseline =
    "hdr.from_count=1 hdr.duplicate_count=0 from.address_count=1 "
    "from.valid_count=1 from.domain_valid=true "
    "spf.result=\"pass\" spf.hardfail=true auth.pass=true dkim.pass=true "
    "dkim.temperror=false dmarc.record=\"present\" dmarc.policy=\"reject\" "
    "dmarc.pass=true egress.ipv6=false ptr.present=true ptr.fcrdns=true "
    "rcpt.personal_count=1 cfg.bulk=false cfg.tls=true "
    "cfg.enforcement=\"block\"";

/* set_facts - "name=value ..." into f */
static void
set_facts(struct pf_facts *f, const char *list)
{
	char buf[1024], *p, *eq, *save = NULL;
	int id;

	snprintf(buf, sizeof(buf), "%s", list);
	for (p = strtok_r(buf, " ", &save); p != NULL;
	    p = strtok_r(NULL, " ", &save)) {
		eq = strchr(p, '=');
		ck_assert_ptr_nonnull(eq);
		*eq++ = '\0';
		id = pf_fact_lookup(p, strlen(p));
		ck_assert_msg(id >= 0, "no fact %s", p);
		if (*eq == '"') {
			eq[strlen(eq) - 1] = '\0';
			ck_assert_int_eq(pf_fact_strz(f, id, eq + 1), PF_OK);
		} else if (strcmp(eq, "true") == 0 || strcmp(eq, "false") == 0) {
			ck_assert_int_eq(pf_fact_bool(f, id, *eq == 't'), PF_OK);
		} else {
			ck_assert_int_eq(pf_fact_num(f, id, strtoll(eq, NULL,
			    10)), PF_OK);
		}
	}
}

START_TEST(test_exclusive)
{
	struct pf_facts *f = pf_facts_new();
	struct pf_verdict v = { 0 };
	char got[512] = "", want[512];
	const char **m;
	size_t i;

	ck_assert_ptr_nonnull(f);
	set_facts(f, baseline);
	set_facts(f, excl[_i].facts);
	ck_assert_int_eq(pf_rules_eval(rules, f, &v), PF_OK);
	/* in family order, so the expectation reads the same way */
	for (m = excl[_i].family; *m != NULL; m++) {
		ck_assert_msg(pf_rules_find(rules, *m) != NULL, "no %s", *m);
		for (i = 0; i < v.npred; i++)
			if (strcmp(v.pred[i].rule->id, *m) == 0)
				snprintf(got + strlen(got), sizeof(got) -
				    strlen(got), "%s%s", got[0] ? " " : "",
				    *m);
		for (i = 0; i < v.nunk; i++)
			ck_assert_msg(strcmp(v.unk[i].rule->id, *m) != 0,
			    "%s: %s undecided (%s)", excl[_i].label, *m,
			    v.unk[i].why);
	}
	snprintf(want, sizeof(want), "%s", excl[_i].want);
	ck_assert_msg(strcmp(got, want) == 0, "%s: predicted \"%s\", want "
	    "\"%s\"", excl[_i].label, got, want);
	pf_verdict_reset(&v);
	pf_facts_free(f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = pf_test_case(s, "seed");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_seed_parsed);
	tcase_add_test(tc, test_every_row_one_entry);
	tcase_add_test(tc, test_classes_and_conditions);
	tcase_add_loop_test(tc, test_newer_replies, 0, PF_NELEM(newer));
	tcase_add_loop_test(tc, test_hist_confidence, 0, PF_NELEM(hist_conf));
	tcase_add_test(tc, test_medium_only_windows);
	tcase_add_test(tc, test_text_decides);
	tcase_add_loop_test(tc, test_exclusive, 0, PF_NELEM(excl));
	return pf_test_run(s);
}
