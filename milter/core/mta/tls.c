/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls.c - the TLS level the MTA will use for mail to Gmail, and the
 * settings that change what Gmail sees of 8-bit mail.  For Postfix the
 * path of a gmail.com message is followed as Postfix would: the transport
 * (transport_maps, else relayhost, else default_transport), that
 * transport's master.cf service and its -o overrides, then the TLS policy
 * table for the next hop.  Tables are queried with postmap(1), so every
 * map type Postfix supports works.
 */
#define _GNU_SOURCE	/* strcasestr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mta/doctor.h"

#define GMAIL_DOMAIN	"gmail.com"

/* the route of a gmail.com message */
struct route {
	char	 transport[64];	/* master.cf service name */
	char	 nexthop[256];	/* "gmail.com" or a relay */
	char	 via[128];	/* which setting decided it */
};

/* map_query - key in the first map of list that has it; 1 found */
static int
map_query(const struct pf_postconf *pc, const char *list, const char *key,
    char *out, size_t len)
{
	char map[512], errline[256], *res, *argv[7];
	const char *p = list;
	size_t n;
	int rc;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " ,\t");
		if ((n = strcspn(p, " ,\t")) == 0)
			break;
		snprintf(map, sizeof(map), "%.*s", (int)n, p);
		p += n;
		argv[0] = access("/usr/sbin/postmap", X_OK) == 0 ?
		    "/usr/sbin/postmap" : "postmap";
		argv[1] = "-c";
		argv[2] = (char *)pf_postconf_dir(pc);
		argv[3] = "-q";
		argv[4] = (char *)key;
		argv[5] = map;
		argv[6] = NULL;
		rc = pf_run(argv, 65536, &res, errline, sizeof(errline));
		if (rc == 0 && res != NULL && res[0] != '\0') {
			snprintf(out, len, "%.*s", (int)strcspn(res, "\n"),
			    res);
			free(res);
			return 1;
		}
		free(res);
	}
	return 0;
}

/* route - how Postfix would send to gmail.com */
static void
route(const struct pf_postconf *pc, struct route *r)
{
	const char *tm = pf_postconf_get(pc, "transport_maps");
	const char *rh = pf_postconf_get(pc, "relayhost");
	const char *dt = pf_postconf_get(pc, "default_transport");
	char hit[512], *colon;

	memset(r, 0, sizeof(*r));
	if (tm != NULL && *tm != '\0' &&
	    map_query(pc, tm, GMAIL_DOMAIN, hit, sizeof(hit))) {
		colon = strchr(hit, ':');
		snprintf(r->transport, sizeof(r->transport), "%.*s",
		    colon ? (int)(colon - hit) : (int)strlen(hit), hit);
		snprintf(r->nexthop, sizeof(r->nexthop), "%s",
		    colon && colon[1] ? colon + 1 : GMAIL_DOMAIN);
		snprintf(r->via, sizeof(r->via), "transport_maps");
	} else {
		snprintf(r->transport, sizeof(r->transport), "%s",
		    dt && *dt ? dt : "smtp");
		r->transport[strcspn(r->transport, ":")] = '\0';
		snprintf(r->nexthop, sizeof(r->nexthop), "%s",
		    rh && *rh ? rh : GMAIL_DOMAIN);
		snprintf(r->via, sizeof(r->via), "%s",
		    rh && *rh ? "relayhost" : "default_transport");
	}
	if (r->transport[0] == '\0')
		snprintf(r->transport, sizeof(r->transport), "smtp");
}

/* transport_service - the master.cf unix service of a transport */
static const struct pf_pc_service *
transport_service(const struct pf_postconf *pc, const char *name)
{
	const struct pf_pc_service *s;
	size_t i;

	for (i = 0; i < pf_postconf_nservices(pc); i++) {
		s = pf_postconf_service(pc, i);
		if (strcmp(s->name, name) == 0 && strcmp(s->type, "unix") == 0)
			return s;
	}
	return NULL;
}

/* svc_value - a parameter as the transport's service sees it */
static const char *
svc_value(const struct pf_postconf *pc, const struct pf_pc_service *s,
    const char *name)
{
	const char *v = s ? pf_postconf_svc_get(pc, s, name) :
	    pf_postconf_get(pc, name);

	return v ? v : "";
}

/* level - the effective smtp_tls_security_level, and where it is set */
static void
level(const struct pf_postconf *pc, const struct pf_pc_service *s,
    const struct route *r, char *lv, size_t len, char *from, size_t flen)
{
	const char *pm = svc_value(pc, s, "smtp_tls_policy_maps");
	char hit[512], key[300];

	snprintf(key, sizeof(key), "%s", r->nexthop);
	if (*pm != '\0' && map_query(pc, pm, key, hit, sizeof(hit))) {
		snprintf(lv, len, "%.*s", (int)strcspn(hit, " \t"), hit);
		snprintf(from, flen, "smtp_tls_policy_maps %.200s", key);
		return;
	}
	snprintf(lv, len, "%s", svc_value(pc, s, "smtp_tls_security_level"));
	snprintf(from, flen, "smtp_tls_security_level%s",
	    s && pf_postconf_svc_has(pc, s, "smtp_tls_security_level") ?
	    " (-o in master.cf)" : "");
	if (*lv == '\0') {
		/* the obsolete switches, when the level is not set */
		if (strcasecmp(svc_value(pc, s, "smtp_enforce_tls"), "yes") == 0)
			snprintf(lv, len, "encrypt");
		else if (strcasecmp(svc_value(pc, s, "smtp_use_tls"), "yes") == 0)
			snprintf(lv, len, "may");
		else
			snprintf(lv, len, "none");
	}
}

/* relay_google - RelayViaGoogle: relayhost, port, authentication */
static void
relay_google(struct pf_doctor *d, const struct route *r,
    const struct pf_pc_service *s)
{
	const char *sasl = svc_value(d->pc, s, "smtp_sasl_auth_enable");
	const char *port = strrchr(r->nexthop, ':');

	if (strcasestr(r->nexthop, "smtp-relay.gmail.com") == NULL) {
		pf_report_add(d->rep, PF_MTA_FAIL, "relay.google",
		    "relay-denied-not-registered",
		    "relayhost = [smtp-relay.gmail.com]:587",
		    "RelayViaGoogle yes, but mail to Gmail goes to %s (%s)",
		    r->nexthop, r->via);
		return;
	}
	if (port == NULL || (strcmp(port, ":587") != 0 &&
	    strcmp(port, ":465") != 0))
		pf_report_add(d->rep, PF_MTA_WARN, "relay.google",
		    "relay-denied-not-registered",
		    "relayhost = [smtp-relay.gmail.com]:587",
		    "%s: port 25 works only for IP-registered senders",
		    r->nexthop);
	else if (strcasecmp(sasl, "yes") != 0)
		pf_report_add(d->rep, PF_MTA_WARN, "relay.google",
		    "relay-denied-not-registered",
		    "smtp_sasl_auth_enable = yes with smtp_sasl_password_maps",
		    "%s without SMTP AUTH: only an IP registered in the "
		    "Admin console is relayed", r->nexthop);
	else
		pf_report_add(d->rep, PF_MTA_OK, "relay.google", NULL, NULL,
		    "%s with SMTP AUTH", r->nexthop);
}

/* postfix_tls - the level for gmail.com, judged */
static void
postfix_tls(struct pf_doctor *d)
{
	const struct pf_pc_service *s;
	const char *rule = d->cfg->bulk == PF_BULK_YES ? "bulk-tls" :
	    "tls-required-for-domain";
	struct route r;
	char lv[64], from[300];

	route(d->pc, &r);
	s = transport_service(d->pc, r.transport);
	level(d->pc, s, &r, lv, sizeof(lv), from, sizeof(from));
	if (strcasecmp(lv, "none") == 0)
		pf_report_add(d->rep, PF_MTA_FAIL, "tls.gmail", rule,
		    "smtp_tls_security_level = may (or encrypt)",
		    "%s = none for %s (transport %s, %s)", from, r.nexthop,
		    r.transport, r.via);
	else if (strcasecmp(lv, "may") == 0)
		pf_report_add(d->rep, PF_MTA_WARN, "tls.gmail", rule,
		    "smtp_tls_security_level = encrypt for gmail.com in "
		    "smtp_tls_policy_maps",
		    "%s = may for %s (transport %s, %s): plain text if the "
		    "handshake fails", from, r.nexthop, r.transport, r.via);
	else
		pf_report_add(d->rep, PF_MTA_OK, "tls.gmail", NULL, NULL,
		    "%s = %s for %s (transport %s, %s)", from, lv, r.nexthop,
		    r.transport, r.via);
	if (d->cfg->relay_via_google)
		relay_google(d, &r, s);
}

/* sm_lookup - TAG in the access map for name and each of its parent
 * domains, then the bare tag, as Sendmail's domain lookups go; the
 * entry found is written to at */
static const char *
sm_lookup(const struct pf_sendmailcf *sm, const char *tag, const char *name,
    char *at, size_t len)
{
	const char *v, *dot, *p = name;

	for (;;) {
		if ((v = pf_sendmailcf_access_get(sm, tag, p)) != NULL) {
			snprintf(at, len, "%s:%s %s", tag, p, v);
			return v;
		}
		if (*p == '\0')
			return NULL;
		dot = strchr(p, '.');
		p = dot != NULL ? dot + 1 : "";	/* the bare tag last */
	}
}

/* sm_required - a TLS_Srv or TLS_Rcpt value that asks for encryption */
static int
sm_required(const char *v)
{
	return v != NULL && (strncasecmp(v, "ENCR:", 5) == 0 ||
	    strncasecmp(v, "VERIFY", 6) == 0);
}

/* sendmail_tls - Sendmail uses STARTTLS when the server offers it and
 * it was built with it; the access map can forbid it (Try_TLS: NO) or
 * require it (TLS_Rcpt:, TLS_Srv:).  Gmail's MX hosts are named under
 * l.google.com; a client certificate is not needed */
static void
sendmail_tls(struct pf_doctor *d)
{
	const char *ca = pf_sendmailcf_opt(d->sm, "CACertFile"), *src, *v;
	const char *rule = d->cfg->bulk == PF_BULK_YES ? "bulk-tls" :
	    "tls-required-for-domain";
	const char *fix = "TLS_Rcpt:gmail.com ENCR:128 in the access map";
	enum pf_sm_access st = pf_sendmailcf_access(d->sm, &src);
	char at[400], note[1200] = "";

	if (st == PF_SM_ACCESS_READ) {
		v = sm_lookup(d->sm, "Try_TLS", "gmail-smtp-in.l.google.com",
		    at, sizeof(at));
		if (v != NULL && strcasecmp(v, "NO") == 0) {
			pf_report_add(d->rep, PF_MTA_FAIL, "tls.gmail", rule,
			    "remove the entry, or narrow it to other hosts",
			    "Sendmail does not try STARTTLS with Gmail's "
			    "servers (%s in %s)", at, src);
			return;
		}
		if (sm_required(sm_lookup(d->sm, "TLS_Rcpt", "gmail.com", at,
		    sizeof(at))) || sm_required(sm_lookup(d->sm, "TLS_Srv",
		    "gmail-smtp-in.l.google.com", at, sizeof(at)))) {
			pf_report_add(d->rep, PF_MTA_OK, "tls.gmail", NULL,
			    NULL, "STARTTLS required towards Gmail (%s in %s)",
			    at, src);
			return;
		}
	} else if (st == PF_SM_ACCESS_UNREAD)
		snprintf(note, sizeof(note), "; access map source %s not "
		    "readable", src ? src : "unnamed");
	else
		snprintf(note, sizeof(note), "; no access map "
		    "(FEATURE(access_db))");
	pf_report_add(d->rep, PF_MTA_WARN, "tls.gmail", rule, fix,
	    "Sendmail uses STARTTLS when Gmail offers it (opportunistic, "
	    "CACertFile %s%s)", ca ? ca : "unset", note);
}

/* pf_mta_tls_level - the level Postfix uses for gmail.com, and the next
 * hop it goes to */
void
pf_mta_tls_level(const struct pf_postconf *pc, char *lv, size_t len,
    char *nexthop, size_t nlen)
{
	const struct pf_pc_service *s;
	struct route r;
	char from[300];

	route(pc, &r);
	s = transport_service(pc, r.transport);
	level(pc, s, &r, lv, len, from, sizeof(from));
	snprintf(nexthop, nlen, "%s", r.nexthop);
}

/* pf_mta_state_load - what the engine needs from the MTA, at start and
 * on each reload: the TLS level towards Gmail; why it is unknown */
void
pf_mta_state_load(const char *postfix_dir, struct pf_mta_state *st)
{
	struct pf_postconf *pc = NULL;
	struct pf_err err = { 0 };
	char buf[600];

	memset(st, 0, sizeof(*st));
	if (postfix_dir == NULL) {
		snprintf(st->why, sizeof(st->why), "no PostfixDir in "
		    "preflight.conf");
		return;
	}
	if (pf_postconf_load(postfix_dir, &pc, &err) != PF_OK) {
		snprintf(st->why, sizeof(st->why), "PostfixDir: %s",
		    pf_err_format(&err, buf, sizeof(buf)));
		return;
	}
	pf_mta_tls_level(pc, st->tls_level, sizeof(st->tls_level),
	    st->nexthop, sizeof(st->nexthop));
	pf_postconf_free(pc);
}

/* pf_doctor_tls - TLS towards Gmail */
void
pf_doctor_tls(struct pf_doctor *d)
{
	if (d->pc != NULL)
		postfix_tls(d);
	if (d->sm != NULL)
		sendmail_tls(d);
}

/* pf_doctor_8bit - SMTPUTF8 and long lines */
void
pf_doctor_8bit(struct pf_doctor *d)
{
	const char *u, *ll;

	if (d->pc == NULL)
		return;
	u = pf_postconf_get(d->pc, "smtputf8_enable");
	ll = pf_postconf_get(d->pc, "smtp_line_length_limit");
	if (u != NULL && strcasecmp(u, "yes") == 0)
		pf_report_add(d->rep, PF_MTA_OK, "smtputf8", NULL, NULL,
		    "smtputf8_enable = yes: UTF-8 addresses go out with "
		    "SMTPUTF8, which Gmail offers");
	else
		pf_report_add(d->rep, PF_MTA_WARN, "smtputf8",
		    NULL, "smtputf8_enable = yes",
		    "smtputf8_enable = %s: mail with UTF-8 addresses is "
		    "bounced or sent as raw 8-bit", u ? u : "unset");
	if (ll != NULL && strcmp(ll, "0") == 0)
		pf_report_add(d->rep, PF_MTA_WARN, "line_length",
		    "message-malformed", "smtp_line_length_limit = 998",
		    "smtp_line_length_limit = 0: lines over 998 characters "
		    "go out as they are (RFC 5322 2.1.1)");
	else
		pf_report_add(d->rep, PF_MTA_OK, "line_length", NULL, NULL,
		    "smtp_line_length_limit = %s: longer lines are folded; "
		    "the smtp client sends CRLF line ends", ll ? ll : "998");
}
