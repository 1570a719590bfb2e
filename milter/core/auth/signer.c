/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * signer.c - predicting the DKIM signature a later signer will add.  Keys
 * come from `signer` config lines or from OpenDKIM's KeyTable
 * ("name domain:selector:keyfile") and SigningTable ("pattern name"; with
 * a "refile:" path the patterns are wildcards, matched with fnmatch).  The
 * private key's public half is derived with OpenSSL and compared with the
 * p= published at selector._domainkey.domain: a mismatch is a common real
 * failure, caught before the mail is sent.
 * Input trusted: the operator's files (bounded lines); DNS (bounded).
 */
#define _GNU_SOURCE	/* FNM_CASEFOLD */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "auth/signer.h"

#define MAX_KEYS	256
#define MAX_LINE	4096
#define MAX_PUB		2048

struct key {
	char	*name;		/* KeyTable name */
	char	*domain;	/* "%" = the From domain */
	char	*selector;
	char	*keyfile;
	char	 pub[MAX_PUB];	/* base64 p=, "" if unusable */
	unsigned bits;
	int	 ed25519;
	char	 err[600];
};

struct rule {
	char	*pattern;	/* address, domain, or wildcard */
	char	*keyname;
	struct key *key;
};

struct pf_signers {
	struct key	 keys[MAX_KEYS];
	size_t		 nkeys;
	struct rule	 rules[MAX_KEYS];
	size_t		 nrules;
	int		 refile;	/* SigningTable has wildcards */
};

/* pf_signer_pubkey - base64 DER SubjectPublicKeyInfo (RSA) or the raw 32
 * bytes (Ed25519, RFC 8463) of a PEM private key */
int
pf_signer_pubkey(const char *keyfile, char *b64, size_t len, unsigned *bits,
    int *ed25519, struct pf_err *err)
{
	unsigned char der[MAX_PUB], *p = der;
	size_t dlen = sizeof(der);
	EVP_PKEY *k;
	FILE *f;
	int n;

	if ((f = fopen(keyfile, "r")) == NULL)
		return pf_err_set(err, PF_EIO, "%s: %s", keyfile,
		    strerror(errno));
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL)
		return pf_err_set(err, PF_ESYNTAX, "%s: not a PEM private key",
		    keyfile);
	*bits = (unsigned)EVP_PKEY_get_bits(k);
	*ed25519 = EVP_PKEY_get_id(k) == EVP_PKEY_ED25519;
	if (*ed25519) {
		if (EVP_PKEY_get_raw_public_key(k, der, &dlen) != 1)
			dlen = 0;
		*bits = 256;
	} else {
		n = i2d_PUBKEY(k, NULL);
		dlen = n > 0 && (size_t)n <= sizeof(der) &&
		    i2d_PUBKEY(k, &p) == n ? (size_t)n : 0;
	}
	EVP_PKEY_free(k);
	if (dlen == 0 || len < 4 * ((dlen + 2) / 3) + 1)
		return pf_err_set(err, PF_ESYNTAX, "%s: cannot derive the "
		    "public key", keyfile);
	EVP_EncodeBlock((unsigned char *)b64, der, (int)dlen);
	return PF_OK;
}

/* fields - split a line into at most max white-space separated fields */
static size_t
fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		f[n++] = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

/* add_key - one key; its public half derived now */
static int
add_key(struct pf_signers *s, const char *name, const char *dom,
    const char *sel, const char *file, struct pf_err *err)
{
	struct key *k;
	struct pf_err kerr;

	if (s->nkeys >= MAX_KEYS)
		return pf_err_set(err, PF_ELIMIT, "more than %d DKIM keys",
		    MAX_KEYS);
	k = &s->keys[s->nkeys++];
	if ((k->name = strdup(name)) == NULL ||
	    (k->domain = strdup(dom)) == NULL ||
	    (k->selector = strdup(sel)) == NULL ||
	    (k->keyfile = strdup(file)) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	memset(&kerr, 0, sizeof(kerr));
	/* an unreadable key is not fatal: predictions say why */
	if (pf_signer_pubkey(file, k->pub, sizeof(k->pub), &k->bits,
	    &k->ed25519, &kerr) != PF_OK) {
		k->pub[0] = '\0';
		snprintf(k->err, sizeof(k->err), "%s", kerr.msg);
	}
	return PF_OK;
}

/* readtable - each line of path split into fields, handed to fn */
static int
readtable(const char *path, struct pf_signers *s,
    int (*fn)(struct pf_signers *, char **, size_t, const char *,
    unsigned, struct pf_err *), struct pf_err *err)
{
	char line[MAX_LINE], *f[4];
	unsigned lineno = 0;
	size_t n;
	FILE *fp;
	int rc = PF_OK;

	if ((fp = fopen(path, "r")) == NULL)
		return pf_err_set(err, PF_EIO, "%s: %s", path,
		    strerror(errno));
	while (rc == PF_OK && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			rc = pf_err_setl(err, PF_ELIMIT, path, lineno,
			    "line too long");
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if ((n = fields(line, f, 4)) == 0)
			continue;
		rc = fn(s, f, n, path, lineno, err);
	}
	fclose(fp);
	return rc;
}

/* keytable_line - "name domain:selector:keyfile" */
static int
keytable_line(struct pf_signers *s, char **f, size_t n, const char *path,
    unsigned line, struct pf_err *err)
{
	char *dom, *sel, *file;

	if (n != 2 || (sel = strchr(f[1], ':')) == NULL ||
	    (file = strchr(sel + 1, ':')) == NULL)
		return pf_err_setl(err, PF_ESYNTAX, path, line,
		    "expected: name domain:selector:keyfile");
	dom = f[1];
	*sel++ = '\0';
	*file++ = '\0';
	if (*dom == '\0' || *sel == '\0' || *file == '\0')
		return pf_err_setl(err, PF_ESYNTAX, path, line,
		    "empty domain, selector or key file");
	return add_key(s, f[0], dom, sel, file, err);
}

/* signingtable_line - "pattern keyname" */
static int
signingtable_line(struct pf_signers *s, char **f, size_t n,
    const char *path, unsigned line, struct pf_err *err)
{
	struct rule *r;
	size_t i;

	if (n != 2)
		return pf_err_setl(err, PF_ESYNTAX, path, line,
		    "expected: pattern keyname");
	if (s->nrules >= MAX_KEYS)
		return pf_err_setl(err, PF_ELIMIT, path, line,
		    "more than %d entries", MAX_KEYS);
	r = &s->rules[s->nrules];
	for (i = 0; i < s->nkeys; i++)
		if (strcmp(s->keys[i].name, f[1]) == 0)
			r->key = &s->keys[i];
	if (r->key == NULL)
		return pf_err_setl(err, PF_ESYNTAX, path, line,
		    "key %s is not in the KeyTable", f[1]);
	if ((r->pattern = strdup(f[0])) == NULL ||
	    (r->keyname = strdup(f[1])) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	s->nrules++;
	return PF_OK;
}

/* table_path - strip OpenDKIM's "file:" / "refile:" prefixes */
static const char *
table_path(const char *p, int *refile)
{
	*refile = 0;
	if (strncmp(p, "refile:", 7) == 0) {
		*refile = 1;
		return p + 7;
	}
	if (strncmp(p, "file:", 5) == 0)
		return p + 5;
	return p;
}

/* pf_signers_load - config lines, then the OpenDKIM tables */
int
pf_signers_load(const struct pf_config *cfg, struct pf_signers **out,
    struct pf_err *err)
{
	struct pf_signers *s;
	const char *kt, *st;
	size_t i;
	int rc = PF_OK, refile;

	*out = NULL;
	if (cfg->nsigner == 0 && cfg->keytable == NULL)
		return PF_OK;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	for (i = 0; i < cfg->nsigner && rc == PF_OK; i++) {
		const struct pf_signer *g = &cfg->signer[i];

		rc = add_key(s, "", g->domain, g->selector, g->keyfile, err);
		if (rc == PF_OK && s->nrules < MAX_KEYS) {
			s->rules[s->nrules].key = &s->keys[s->nkeys - 1];
			s->rules[s->nrules].pattern = strdup(g->match ?
			    g->match : g->domain);
			if (s->rules[s->nrules++].pattern == NULL)
				rc = pf_err_set(err, PF_ENOMEM,
				    "out of memory");
		}
	}
	if (rc == PF_OK && cfg->keytable != NULL) {
		kt = table_path(cfg->keytable, &refile);
		rc = readtable(kt, s, keytable_line, err);
	}
	if (rc == PF_OK && cfg->keytable != NULL && cfg->signingtable != NULL) {
		st = table_path(cfg->signingtable, &s->refile);
		rc = readtable(st, s, signingtable_line, err);
	} else if (rc == PF_OK && cfg->keytable != NULL) {
		/* no SigningTable: each key signs its own domain */
		for (i = cfg->nsigner; i < s->nkeys && s->nrules < MAX_KEYS;
		    i++) {
			s->rules[s->nrules].key = &s->keys[i];
			if ((s->rules[s->nrules++].pattern =
			    strdup(s->keys[i].domain)) == NULL)
				rc = pf_err_set(err, PF_ENOMEM,
				    "out of memory");
		}
	}
	if (rc != PF_OK) {
		pf_signers_free(s);
		return rc;
	}
	*out = s;
	return PF_OK;
}

/* pf_signers_free - NULL is a no-op */
void
pf_signers_free(struct pf_signers *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nkeys; i++) {
		free(s->keys[i].name);
		free(s->keys[i].domain);
		free(s->keys[i].selector);
		free(s->keys[i].keyfile);
	}
	for (i = 0; i < s->nrules; i++) {
		free(s->rules[i].pattern);
		free(s->rules[i].keyname);
	}
	free(s);
}

/* matches - does a SigningTable pattern select mail from addr / domain?
 * Plain tables: the address, or the domain or a parent of it (OpenDKIM
 * looks up user@host, then host).  refile: wildcards on the address. */
static int
matches(const struct pf_signers *s, const char *pat, const char *addr,
    const char *dom, int config_line)
{
	size_t n, m;

	if (s->refile && !config_line)
		return fnmatch(pat, addr, FNM_CASEFOLD) == 0;
	if (strchr(pat, '*') != NULL)
		return fnmatch(pat, addr, FNM_CASEFOLD) == 0 ||
		    fnmatch(pat, dom, FNM_CASEFOLD) == 0;
	if (strcasecmp(pat, addr) == 0 || strcasecmp(pat, dom) == 0)
		return 1;
	/* config lines: the domain and its subdomains */
	n = strlen(dom);
	m = strlen(pat);
	return config_line && n > m && dom[n - m - 1] == '.' &&
	    strcasecmp(dom + n - m, pat) == 0;
}

/* pvalue - the p= tag of a DKIM key record, white space removed */
static int
pvalue(const char *txt, char *out, size_t len)
{
	const char *p = txt;
	size_t o = 0;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		if (*p == 'p' && (p[1] == '=' || p[1] == ' ' || p[1] == '\t')) {
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p++ != '=')
				return 0;
			for (; *p != '\0' && *p != ';'; p++)
				if (!isspace((unsigned char)*p) && o + 1 < len)
					out[o++] = *p;
			out[o] = '\0';
			return 1;
		}
		p += strcspn(p, ";");
	}
	return 0;
}

/* check_dns - compare the published key with ours */
static void
check_dns(struct pf_dns *dns, const struct key *k, const char *d,
    struct pf_dns_budget *b, struct pf_sign_pred *p)
{
	struct pf_dns_result r;
	char name[400], txt[MAX_PUB * 2], pv[MAX_PUB * 2];
	size_t i;
	int seen = 0;

	snprintf(name, sizeof(name), "%s._domainkey.%s", k->selector, d);
	pf_dns_query(dns, name, PF_DNS_T_TXT, b, &r);
	if (r.rc == PF_DNS_TEMPFAIL) {
		p->match = -1;
		p->undec = r.undec;
		snprintf(p->why, sizeof(p->why), "%s", r.why);
	} else if (r.rc != PF_DNS_ANSWER) {
		snprintf(p->why, sizeof(p->why), "no DKIM key published at %s",
		    name);
	}
	for (i = 0; r.rc == PF_DNS_ANSWER && i < r.n && !p->match; i++) {
		if (pf_dns_txt(r.rdata[i], r.rlen[i], txt, sizeof(txt), NULL)
		    != PF_OK || !pvalue(txt, pv, sizeof(pv)))
			continue;
		seen = 1;
		p->match = strcmp(pv, k->pub) == 0;
	}
	if (r.rc == PF_DNS_ANSWER && !p->match)
		snprintf(p->why, sizeof(p->why), seen ? "the key published at "
		    "%s does not match %s" : "no DKIM key published at %s%s",
		    name, seen ? k->keyfile : "");
	pf_dns_result_reset(&r);
}

/* pf_signers_domain - the domain of one declared key */
const char *
pf_signers_domain(const struct pf_signers *s, size_t i)
{
	return s != NULL && i < s->nkeys ? s->keys[i].domain : NULL;
}

/* pf_signers_predict - the first key whose pattern selects the sender */
int
pf_signers_predict(const struct pf_signers *s, struct pf_dns *dns,
    const char *addr, const char *dom, struct pf_dns_budget *b,
    struct pf_sign_pred *p)
{
	const struct key *k = NULL;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (s == NULL || dom == NULL || *dom == '\0')
		return 0;
	if (addr == NULL)
		addr = dom;
	for (i = 0; i < s->nrules && k == NULL; i++)
		if (matches(s, s->rules[i].pattern, addr, dom,
		    s->rules[i].keyname == NULL))
			k = s->rules[i].key;
	if (k == NULL)
		return 0;
	snprintf(p->domain, sizeof(p->domain), "%s",
	    strcmp(k->domain, "%") == 0 ? dom : k->domain);
	snprintf(p->selector, sizeof(p->selector), "%s", k->selector);
	snprintf(p->alg, sizeof(p->alg), "%s", k->ed25519 ? "ed25519-sha256" :
	    "rsa-sha256");
	p->bits = k->bits;
	if (k->pub[0] == '\0') {
		/* the key file could not be read */
		p->match = -1;
		p->undec = PF_U_NOT_CONFIGURED;
		snprintf(p->why, sizeof(p->why), "%s", k->err);
		return 1;
	}
	check_dns(dns, k, p->domain, b, p);
	return 1;
}
