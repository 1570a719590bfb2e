/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c - the libmilter callbacks.  One struct sess per SMTP
 * connection, kept with smfi_setpriv because Debian's libmilter runs a
 * worker pool (one session's callbacks hop threads, one at a time).  Each
 * message pins the engine in service at MAIL FROM and feeds one pf_check
 * as the MTA streams it: envelope, header fields, body chunks.  All
 * per-message state is released at end of message and at abort; close
 * only frees the connection's shell, and nothing depends on it.  What the
 * MTA sends is untrusted; header values are copied with their exact bytes
 * (SMFIP_HDR_LEADSPC), bare LF folded lines become CRLF as the builder
 * expects.  Actions are applied at end of message by act.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "daemon.h"
#include "config/policy.h"
#include "message/mtahdr.h"
#include "config/smtpreply.h"
#include "quickack.h"
#include "session.h"

static atomic_int live;

/* recipients of one message whose domain is looked up before the end */
#define PF_PREFETCH_RCPT	16
static int unix_socket;

/*
 * Stages whose answer is always "continue" (an internal error is kept for
 * end of message, where FailAction applies): over a unix socket the MTA
 * is told not to wait for their answers, and not to send DATA or unknown
 * commands at all.  Over TCP an unanswered packet followed by the MTA's
 * next one stalls ~40 ms on Nagle and the milter's delayed ACK
 * (docs/benchmarks.md), so there the same stages go unanswered only when
 * the connection's ACKs can be sent at once (quickack.c); DATA is then
 * received, not answered, and acknowledged like the others, because the
 * MTA sends its macros even when told not to send the command.  Without
 * that every packet stays answered.
 */
#define PF_NR_UNIX	(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | \
    SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
#define PF_NO_UNIX	(SMFIP_NODATA | SMFIP_NOUNKNOWN)
#define PF_NR_TCP	(PF_NR_UNIX | SMFIP_NR_DATA)
#define PF_NO_TCP	SMFIP_NOUNKNOWN
/*
 * With DNS on, MAIL and RCPT stay answered: Postfix does not flush a
 * packet it needs no answer for, so unanswered MAIL and RCPT (and the
 * connect and HELO before them) reach the milter only with DATA, and the
 * lookups they start (SPF, PTR, MX, the sender memory's guesses) would
 * lose the head start the rest of the dialogue gives them
 * (docs/benchmarks.md, "Known senders").  With DNS off there is nothing
 * to start.
 */
#define PF_NR_DNS	(SMFIP_NR_MAIL | SMFIP_NR_RCPT)

/* pf_session_unix - whether the listener is a unix socket */
void
pf_session_unix(int yes)
{
	unix_socket = yes;
}

/* ack_now - the ACK of an unanswered packet sent at once.  Linux
 * delays ACKs while a connection looks interactive ("pingpong": data
 * was sent soon after data was received) and TCP_QUICKACK ends that
 * mode.  Out of it, a read that empties the receive queue of a pushed
 * segment acknowledges it at once by itself, and only sending data
 * (our answer) brings the mode back: one setsockopt after each answer
 * is enough for the run of unanswered packets that follows
 * (docs/milter.md). */
static void
ack_now(struct sess *s)
{
	if (s->answered) {
		pf_quickack(s->qfd);
		s->answered = 0;
	}
}

/* go - "continue", or no answer at all for a stage under SMFIP_NR_*
 * (over TCP with the ACK of the packet sent at once) */
static sfsistat
go(struct sess *s, unsigned long nr)
{
	if (s == NULL)
		return SMFIS_CONTINUE;
	if ((s->nr & nr) == 0) {
		s->answered = 1;
		return SMFIS_CONTINUE;
	}
	ack_now(s);
	return SMFIS_NOREPLY;
}

/* pf_session_live - sessions not yet freed (for the drain on SIGTERM) */
int
pf_session_live(void)
{
	return atomic_load(&live);
}

/* pf_sess_msg_reset - forget the message: at eom, abort, MAIL, close */
void
pf_sess_msg_reset(struct sess *s)
{
	size_t i;

	/* kept for the next message of the session (sess_check) */
	if (s->chk != NULL) {
		pf_check_free(s->idle);
		s->idle = s->chk;
	}
	s->chk = NULL;
	if (s->eng != NULL)
		pf_engine_unref(s->eng);
	s->eng = NULL;
	for (i = 0; i < s->nours; i++)
		free(s->ours[i].name);
	free(s->ours);
	s->ours = NULL;
	s->nours = 0;
	free(s->mail);
	s->mail = NULL;
	s->failed = 0;
	s->why[0] = '\0';
	s->seen = 0;
	s->nrcpt = 0;
	s->nhdr = 0;
}

/* sess_new - connection state, counted for the drain */
static struct sess *
sess_new(void)
{
	struct sess *s = calloc(1, sizeof(*s));

	if (s != NULL) {
		s->qfd = -1;
		s->answered = 1;	/* the negotiation */
		atomic_fetch_add(&live, 1);
	}
	return s;
}

/* sess_free - the whole connection state */
static void
sess_free(struct sess *s)
{
	if (s == NULL)
		return;
	pf_sess_msg_reset(s);
	pf_snap_idle_give(s->idle);	/* for the next connection */
	free(s->hbuf);
	free(s);
	atomic_fetch_sub(&live, 1);
}

/* pf_sess_fail - remember the first internal error of this message; the
 * message goes to FailAction at its end */
static void
pf_sess_fail(struct sess *s, const char *why)
{
	if (!s->failed) {
		s->failed = 1;
		snprintf(s->why, sizeof(s->why), "%s", why);
	}
}

/* fail_status - what FailAction means where no message is in hand */
static sfsistat
fail_status(void)
{
	struct pf_engine *e = pf_snap_get();
	const struct pf_policy *p;
	sfsistat st = SMFIS_ACCEPT;

	if (e != NULL) {
		p = pf_engine_config(e)->policy;
		if (p->fail_action == PF_A_TEMPFAIL)
			st = SMFIS_TEMPFAIL;
		pf_engine_unref(e);
	}
	return st;
}

/* dns_stages - the stages that must be answered for the lookups they
 * start to begin at once: MAIL and RCPT with DNS on (PF_NR_DNS) */
static unsigned long
dns_stages(void)
{
	struct pf_engine *e = pf_snap_get();
	unsigned long st = 0;

	if (e != NULL) {
		st = pf_engine_config(e)->no_dns ? 0 : PF_NR_DNS;
		pf_engine_unref(e);
	}
	return st;
}

/* cb_negotiate - exact header bytes; our own macro lists; no answers
 * asked for where none is needed (unix socket, see PF_NR_UNIX) */
static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	unsigned long want = SMFIF_ADDHDRS | SMFIF_CHGHDRS |
	    SMFIF_QUARANTINE | SMFIF_SETSYMLIST;
	struct sess *s;

	if ((f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE)) !=
	    (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE)) {
		pf_log(LOG_ERR, "the MTA does not offer the add-header, "
		    "change-header and quarantine actions; not filtering");
		return SMFIS_REJECT;	/* libmilter: do not use this filter */
	}
	*pf0 = want & f0;
	*pf1 = f1 & SMFIP_HDR_LEADSPC;
	*pf2 = 0;
	*pf3 = 0;
	/* the connection state starts here, to remember the header form;
	 * without it a stage may have to refuse, so all stay answered */
	if ((s = sess_new()) != NULL) {
		s->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
		if (smfi_setpriv(ctx, s) != MI_SUCCESS) {
			sess_free(s);
			s = NULL;
		}
	}
	if (s != NULL && unix_socket) {
		s->nr = f1 & PF_NR_UNIX & ~dns_stages();
		*pf1 |= s->nr | (f1 & PF_NO_UNIX);
	} else if (s != NULL && (s->qfd = pf_quickack_fd(ctx)) >= 0) {
		s->nr = f1 & PF_NR_TCP & ~dns_stages();
		*pf1 |= s->nr | (f1 & PF_NO_TCP);
	}
	if (f0 & SMFIF_SETSYMLIST) {
		smfi_setsymlist(ctx, SMFIM_CONNECT,
		    "j {daemon_name} {client_addr} {client_port} _");
		smfi_setsymlist(ctx, SMFIM_ENVFROM,
		    "i {auth_type} {auth_authen} {daemon_name} {mail_addr}");
		smfi_setsymlist(ctx, SMFIM_EOH, "i");
		smfi_setsymlist(ctx, SMFIM_EOM,
		    "i {daemon_name} {auth_authen}");
	}
	return SMFIS_CONTINUE;
}

/* cb_connect - new connection state; local submissions have no peer */
static sfsistat
cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	struct sess *s = smfi_getpriv(ctx);
	const char *mta;

	/* made at negotiation, unless the MTA's protocol has none */
	if (s == NULL) {
		if ((s = sess_new()) == NULL) {
			pf_log(LOG_ERR, "connect: out of memory; FailAction "
			    "applies");
			return fail_status();
		}
		if (smfi_setpriv(ctx, s) != MI_SUCCESS) {
			sess_free(s);
			return fail_status();
		}
	}
	if (sa == NULL)
		s->local = 1;
	else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, s->client,
		    sizeof(s->client));
		/* no port: a non-SMTP submission; 127/8: this host */
		s->local = in->sin_port == 0 ||
		    (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, s->client,
		    sizeof(s->client));
		s->local = in6->sin6_port == 0 ||
		    IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	if (s->client[0] == '\0')
		snprintf(s->client, sizeof(s->client), "local");
	if ((mta = smfi_getsymval(ctx, "j")) != NULL)
		snprintf(s->mtaname, sizeof(s->mtaname), "%s", mta);
	return go(s, SMFIP_NR_CONN);
}

/* cb_helo - the client's greeting, for the log only: Gmail sees the
 * MTA's own HELO (HELO in the config, else the MTA's name, macro j) */
static sfsistat
cb_helo(SMFICTX *ctx, char *name)
{
	struct sess *s = smfi_getpriv(ctx);

	if (s != NULL && name != NULL)
		pf_smtp_logesc(s->helo, sizeof(s->helo), name, strlen(name));
	return go(s, SMFIP_NR_HELO);
}

/* sess_check - the check of a new message: the session's last one (or
 * an idle one a closed connection left) reset in place when it pins the
 * same engine, else (a reload, or a reset that failed) a new one; NULL on
 * ENOMEM */
static struct pf_check *
sess_check(struct sess *s)
{
	struct pf_check *c = s->idle;

	s->idle = NULL;
	if (c == NULL)
		c = pf_snap_idle_take(s->eng);
	if (c != NULL && pf_check_engine(c) == s->eng &&
	    pf_check_reset(c) == PF_OK)
		return c;
	pf_check_free(c);
	return pf_check_new(s->eng);
}

/* cb_envfrom - a new message: pin the engine, start the check */
static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct sess *s = smfi_getpriv(ctx);
	const struct pf_config *cfg;
	struct pf_msg *m;
	size_t i;

	if (s == NULL)
		return fail_status();
	pf_sess_msg_reset(s);
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	if ((s->eng = pf_snap_get()) == NULL) {
		pf_sess_fail(s, "no engine in service");
		return go(s, SMFIP_NR_MAIL);
	}
	cfg = pf_engine_config(s->eng);
	if ((s->chk = sess_check(s)) == NULL) {
		pf_sess_fail(s, "out of memory starting the check");
		return go(s, SMFIP_NR_MAIL);
	}
	m = pf_check_msg(s->chk);
	if (cfg->helo != NULL) {
		if (pf_msg_helo(m, cfg->helo) != PF_OK)
			pf_sess_fail(s, "out of memory (helo)");
	} else if (s->mtaname[0] != '\0' &&
	    pf_msg_helo(m, s->mtaname) != PF_OK)
		pf_sess_fail(s, "out of memory (helo)");
	if (argv[0] != NULL) {
		if (pf_msg_mail(m, argv[0]) != PF_OK)
			pf_sess_fail(s, "out of memory (mail)");
		if ((s->mail = strdup(argv[0])) == NULL)
			pf_sess_fail(s, "out of memory (mail)");
		for (i = 1; argv[i] != NULL; i++)
			if (strcasecmp(argv[i], "SMTPUTF8") == 0)
				pf_msg_smtputf8(m, 1);
	}
	/* the lookups MAIL FROM decides run while the dialogue goes on */
	if (!s->failed)
		pf_check_prefetch_mail(s->chk);
	return go(s, SMFIP_NR_MAIL);
}

/* cb_envrcpt - one recipient */
static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct sess *s = smfi_getpriv(ctx);

	if (s == NULL)
		return fail_status();
	s->nrcpt++;
	if (s->chk != NULL && !s->failed && argv[0] != NULL) {
		if (pf_msg_rcpt(pf_check_msg(s->chk), argv[0]) != PF_OK)
			pf_sess_fail(s, "out of memory (rcpt)");
		else if (s->nrcpt <= PF_PREFETCH_RCPT)
			pf_check_prefetch_rcpt(s->chk, argv[0]);
	}
	return go(s, SMFIP_NR_RCPT);
}

/* remember_ours - an X-Preflight-* field to delete at eom, by name */
static void
remember_ours(struct sess *s, const char *name)
{
	struct ours *n;
	size_t i;

	for (i = 0; i < s->nours; i++)
		if (strcasecmp(s->ours[i].name, name) == 0) {
			s->ours[i].count++;
			return;
		}
	/* past the cap, still make room for the two names we write, so
	 * that a flood of other X-Preflight-* names cannot shield them */
	if (s->nours >= PF_MAX_OURS &&
	    strcasecmp(name, "X-Preflight-Verdict") != 0 &&
	    strcasecmp(name, "X-Preflight-Prediction") != 0) {
		pf_sess_fail(s, "too many distinct X-Preflight-* fields");
		return;
	}
	if ((n = realloc(s->ours, (s->nours + 1) * sizeof(*n))) == NULL) {
		pf_sess_fail(s, "out of memory (X-Preflight-*)");
		return;
	}
	s->ours = n;
	if ((n[s->nours].name = strdup(name)) == NULL) {
		pf_sess_fail(s, "out of memory (X-Preflight-*)");
		return;
	}
	n[s->nours].count = 1;
	s->nours++;
}

/* crlf - the value with bare LF turned into CRLF; without
 * SMFIP_HDR_LEADSPC the MTA dropped the blank after the colon, and the
 * usual single space is put back.  A value with neither to do is used
 * as it is (*out = v), else it is rebuilt in s->hbuf. */
static int
crlf(struct sess *s, const char *v, const char **out, size_t *outlen)
{
	size_t n = strlen(v), lf = 0, o = 0, need, k;
	int sp = !s->leadspc;
	const char *p, *q, *end = v + n;
	char *b;

	for (p = v; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		if (p == v || p[-1] != '\r')
			lf++;
	if (lf == 0 && !sp) {
		*out = v;
		*outlen = n;
		return PF_OK;
	}
	if (n > SIZE_MAX / 2)
		return PF_ELIMIT;
	need = n + lf + 2;
	if (need > s->hcap) {
		if ((b = realloc(s->hbuf, need)) == NULL)
			return PF_ENOMEM;
		s->hbuf = b;
		s->hcap = need;
	}
	b = s->hbuf;
	if (sp)
		b[o++] = ' ';
	/* the runs between bare LFs as they are, a CR before each LF */
	for (q = v; lf > 0; q = p + 1) {
		p = memchr(q, '\n', (size_t)(end - q));
		k = (size_t)(p - q);
		memcpy(b + o, q, k);
		o += k;
		if (p == v || p[-1] != '\r') {
			b[o++] = '\r';
			lf--;
		}
		b[o++] = '\n';
	}
	memcpy(b + o, q, (size_t)(end - q));
	o += (size_t)(end - q);
	b[o] = '\0';
	*out = b;
	*outlen = o;
	return PF_OK;
}

/* cb_data - the DATA command: nothing to do (over TCP, where it is
 * received to be acknowledged; a unix socket negotiates it away) */
static sfsistat
cb_data(SMFICTX *ctx)
{
	return go(smfi_getpriv(ctx), SMFIP_NR_DATA);
}

/* cb_header - one field; ours are set aside to be stripped */
static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct sess *s = smfi_getpriv(ctx);
	const char *v;
	size_t vlen;

	if (s == NULL)
		return fail_status();
	s->nhdr++;
	if (pf_smtp_is_ours(name)) {
		remember_ours(s, name);
		return go(s, SMFIP_NR_HDR);	/* it will not reach Gmail */
	}
	s->seen |= pf_mtahdr_seen(name);
	if (s->chk == NULL || s->failed)
		return go(s, SMFIP_NR_HDR);
	if (crlf(s, value, &v, &vlen) != PF_OK ||
	    pf_msg_header(pf_check_msg(s->chk), name, strlen(name), v,
	    vlen) != PF_OK)
		pf_sess_fail(s, "out of memory (header)");
	return go(s, SMFIP_NR_HDR);
}

/* cb_eoh - end of the header block */
static sfsistat
cb_eoh(SMFICTX *ctx)
{
	struct sess *s = smfi_getpriv(ctx);

	if (s == NULL)
		return fail_status();
	if (s->chk == NULL || s->failed)
		return go(s, SMFIP_NR_EOH);
	if (pf_policy_mta_adds(pf_engine_config(s->eng)->policy, s->local)) {
		struct pf_mtahdr_env env = { s->mtaname, s->mail, time(NULL) };
		const char *why;

		/* what the MTA will add after the milter: a missing
		 * Message-ID it supplies is no Gmail rejection */
		if (pf_mtahdr_add(pf_check_msg(s->chk), s->seen, &env,
		    &why) != PF_OK)
			pf_sess_fail(s, why);
	}
	if (pf_msg_eoh(pf_check_msg(s->chk)) != PF_OK)
		pf_sess_fail(s, "end of header failed");
	return go(s, SMFIP_NR_EOH);
}

/* cb_body - a chunk of the body; the builder keeps none of it */
static sfsistat
cb_body(SMFICTX *ctx, unsigned char *p, size_t len)
{
	struct sess *s = smfi_getpriv(ctx);

	if (s == NULL)
		return fail_status();
	if (s->chk != NULL && !s->failed &&
	    pf_msg_body(pf_check_msg(s->chk), p, len) != PF_OK)
		pf_sess_fail(s, "body failed");
	return go(s, SMFIP_NR_BODY);
}

/* cb_eom - run the check, apply the action, forget the message */
static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct sess *s = smfi_getpriv(ctx);
	sfsistat st;

	if (s == NULL)
		return fail_status();
	st = pf_act_eom(ctx, s);
	pf_sess_msg_reset(s);
	s->answered = 1;
	return st;
}

/* cb_abort - the message is gone; the connection may go on */
static sfsistat
cb_abort(SMFICTX *ctx)
{
	struct sess *s = smfi_getpriv(ctx);

	if (s != NULL) {
		pf_sess_msg_reset(s);
		ack_now(s);	/* never answered: the next MAIL */
	}
	return SMFIS_CONTINUE;
}

/* cb_close - free the connection */
static sfsistat
cb_close(SMFICTX *ctx)
{
	struct sess *s = smfi_getpriv(ctx);

	smfi_setpriv(ctx, NULL);
	sess_free(s);
	return SMFIS_CONTINUE;
}

struct smfiDesc pf_filter = {
	.xxfi_name = "preflight",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE |
	    SMFIF_SETSYMLIST,
	.xxfi_connect = cb_connect,
	.xxfi_helo = cb_helo,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_unknown = NULL,
	.xxfi_data = cb_data,
	.xxfi_negotiate = cb_negotiate,
};
