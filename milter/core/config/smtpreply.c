/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * smtpreply.c - the refusal an action makes, and safe text for the MTA
 * and the log.  Prediction texts come from
 * the rules file with placeholders filled from the message, so they may
 * carry anything the sender put in a header; every byte that leaves here
 * is printable ASCII, bounded, and (for smfi_setreply, which formats its
 * text) has '%' doubled.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/smtpreply.h"

/* pf_smtp_class - 4 or 5 for a refusing action, 0 otherwise */
int
pf_smtp_class(enum pf_action a, const struct pf_pred *p)
{
	if (a == PF_A_TEMPFAIL)
		return 4;
	if (a == PF_A_REJECT)
		return p->rule->reply >= 500 ? 5 : 4;
	return 0;
}

/* pf_smtp_codes - reply code and status for a refusal of class cls, taken
 * from the prediction and moved to that class if it differs */
void
pf_smtp_codes(const struct pf_pred *p, int cls, char *rc, size_t rclen,
    char *xc, size_t xclen)
{
	const struct pf_rule *r = p->rule;
	const char *dot = strchr(r->status, '.');

	if (r->reply / 100 == cls) {
		snprintf(rc, rclen, "%d", r->reply);
		snprintf(xc, xclen, "%s", r->status);
	} else {
		snprintf(rc, rclen, "%d", cls == 4 ? 451 : 550);
		snprintf(xc, xclen, "%d%s", cls, dot != NULL ? dot : ".7.0");
	}
}

/* pf_smtp_clean - printable ASCII, blanks collapsed, bounded */
size_t
pf_smtp_clean(char *dst, size_t max, const char *src, int pct)
{
	size_t n = 0, need;
	int blank = 0;

	if (max == 0)
		return 0;
	for (; src != NULL && *src != '\0'; src++) {
		unsigned char ch = (unsigned char)*src;

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			blank = n > 0;
			continue;
		}
		if (ch < 0x20 || ch > 0x7e)
			ch = '?';
		need = (blank ? 1 : 0) + (pct && ch == '%' ? 2 : 1);
		if (n + need > max - 1) {
			/* cut at a character boundary, with "..." if room */
			if (max > 4) {
				/* every '%' run in dst has even length */
				while (n > 0 && n + 3 > max - 1) {
					n--;
					if (pct && dst[n] == '%' && n > 0)
						n--;
				}
				memcpy(dst + n, "...", 3);
				n += 3;
			}
			dst[n] = '\0';
			return n;
		}
		if (blank)
			dst[n++] = ' ';
		blank = 0;
		dst[n++] = (char)ch;
		if (pct && ch == '%')
			dst[n++] = '%';
	}
	dst[n] = '\0';
	return n;
}

/* pf_smtp_text - the reply a rejected submitter sees */
size_t
pf_smtp_text(char *dst, size_t max, const struct pf_pred *p)
{
	char raw[2048];
	const struct pf_rule *r = p->rule;

	snprintf(raw, sizeof(raw),
	    "preflight: Gmail would answer %d %s (%s): %s Fix: %s",
	    r->reply, r->status, r->id,
	    p->text ? p->text : (r->text ? r->text : ""),
	    r->fix ? r->fix : "see preflight explain");
	return pf_smtp_clean(dst, max < PF_SMTP_REPLY_MAX ? max : PF_SMTP_REPLY_MAX,
	    raw, 1);
}

/* pf_smtp_prediction - " 550 5.7.26 dmarc-reject; confidence=high; text" */
size_t
pf_smtp_prediction(char *dst, size_t max, const struct pf_pred *p)
{
	char raw[1024], clean[PF_SMTP_HDRVAL_MAX];
	const struct pf_rule *r = p->rule;

	pf_smtp_clean(clean, sizeof(clean) - 64,
	    p->text ? p->text : (r->text ? r->text : ""), 0);
	/* ';' separates the short text; keep it out of the id part */
	snprintf(raw, sizeof(raw), " %d %s %s; confidence=%s; %s", r->reply,
	    r->status, r->id, pf_confidence_name(r->confidence), clean);
	snprintf(dst, max, "%s", raw);
	return strlen(dst);
}

/* pf_smtp_logesc - escape untrusted bytes for a log line */
size_t
pf_smtp_logesc(char *dst, size_t max, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, i;

	if (max == 0)
		return 0;
	for (i = 0; src != NULL && i < len; i++) {
		unsigned char ch = (unsigned char)src[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
			if (n + 1 >= max)
				break;
			dst[n++] = (char)ch;
		} else if (ch == '"' || ch == '\\') {
			if (n + 2 >= max)
				break;
			dst[n++] = '\\';
			dst[n++] = (char)ch;
		} else {
			if (n + 4 >= max)
				break;
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[ch >> 4];
			dst[n++] = hex[ch & 15];
		}
	}
	dst[n] = '\0';
	return n;
}

/* pf_smtp_is_ours - a header this daemon owns */
int
pf_smtp_is_ours(const char *name)
{
	return name != NULL && strncasecmp(name, "X-Preflight-", 12) == 0;
}
