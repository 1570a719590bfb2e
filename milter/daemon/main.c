/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - preflight-milter: options, configuration, the listening
 * socket, privileges, the pid file, and the signals.  Every signal the
 * daemon acts on is read by the main thread from a signalfd, never by
 * libmilter's own signal thread (signals.c shows why it cannot):
 * SIGHUP wakes the reload thread, which rebuilds the engine (a bad new
 * configuration keeps the old engine and is logged); SIGUSR1 logs the
 * counters in one line; SIGTERM and SIGINT stop accepting connections,
 * drain the sessions in progress for up to DrainTimeout seconds and
 * remove the socket file.  SIGUSR2 and SIGPIPE are ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "autoconf.h"
#include "daemon.h"
#include "stats.h"
#include "nodelay.h"
#include "quickack.h"
#include "config/policy.h"
#include "engine/version.h"
#include "state/state.h"

#include <microhttpd.h>

/* libmilter's MILTER_MDS_1M, which mfdef.h hides behind an FFR flag */
#define PF_MILTER_MAXDATA	((1024 * 1024) - 1)

#ifndef PF_SYSCONFDIR
#define PF_SYSCONFDIR	"/etc"
#endif

struct opts {
	const char	*conf;
	const char	*socket;
	const char	*user;
	const char	*pidfile;
	int		 foreground;
	int		 log_stderr;
	int		 check;
	int		 version;
};

static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rl_cond = PTHREAD_COND_INITIALIZER;
static int rl_wanted, rl_quit;
static int milter_done;		/* under rl_lock */
static const char *conf_path;

/* usage - the synopsis, and EX_USAGE */
static void
usage(void)
{
	fprintf(stderr, "usage: preflight-milter [-efnV] [-c file] "
	    "[-p socket] [-u user] [-P pidfile]\n");
	exit(EX_USAGE);
}

/* catalog_version - the version of the engine's catalog, or "-" */
static const char *
catalog_version(const struct pf_engine *e)
{
	const struct pf_rules *rs = pf_engine_rules(e);

	return rs->version != NULL ? rs->version : "-";
}

/* reloader - rebuild the engine each time SIGHUP asks */
static void *
reloader(void *arg)
{
	struct pf_err err;
	char buf[800];

	pthread_mutex_lock(&rl_lock);
	for (;;) {
		while (!rl_wanted && !rl_quit)
			pthread_cond_wait(&rl_cond, &rl_lock);
		if (rl_quit)
			break;
		rl_wanted = 0;
		pthread_mutex_unlock(&rl_lock);
		memset(&err, 0, sizeof(err));
		if (pf_snap_load(conf_path, &err) == PF_OK) {
			struct pf_engine *e = pf_snap_get();

			pf_stats_reload(1);
			pf_log(LOG_NOTICE, "reloaded %s (reload %llu, catalog "
			    "%s %s)", conf_path, pf_stats_reloads(),
			    e != NULL ? catalog_version(e) : "-",
			    e != NULL && pf_engine_rules(e)->date[0] ?
			    pf_engine_rules(e)->date : "-");
			pf_engine_unref(e);
		} else {
			pf_stats_reload(0);
			pf_log(LOG_ERR, "reload failed, keeping the running "
			    "configuration: %s",
			    pf_err_format(&err, buf, sizeof(buf)));
		}
		pthread_mutex_lock(&rl_lock);
	}
	pthread_mutex_unlock(&rl_lock);
	return NULL;
}

/* runner - libmilter's loop, in its own thread */
static void *
runner(void *arg)
{
	if (smfi_main() != MI_SUCCESS)
		pf_log(LOG_ERR, "the milter loop failed");
	pthread_mutex_lock(&rl_lock);
	milter_done = 1;
	pthread_cond_broadcast(&rl_cond);
	pthread_mutex_unlock(&rl_lock);
	return NULL;
}

/* wait_runner - up to ms for libmilter's loop to return; 0 if it did */
static int
wait_runner(long ms)
{
	struct timespec ts;
	int done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&rl_lock);
	while (!milter_done &&
	    pthread_cond_timedwait(&rl_cond, &rl_lock, &ts) == 0)
		continue;
	done = milter_done;
	pthread_mutex_unlock(&rl_lock);
	return done ? 0 : -1;
}

/* socket_path - the file of a local: or unix: spec, else NULL */
static const char *
socket_path(const char *spec)
{
	if (strncasecmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (strncasecmp(spec, "unix:", 5) == 0)
		return spec + 5;
	return NULL;
}

/* lookup_user - uid and gid to run as */
static int
lookup_user(const char *user, const char *group, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	struct group *gr;

	if ((pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "preflight-milter: no user \"%s\"\n", user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			fprintf(stderr, "preflight-milter: no group \"%s\"\n",
			    group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

/* state_prepare - before dropping privileges: the directory of the LMDB
 * state file exists and belongs to the user the daemon runs as */
static void
state_prepare(const struct pf_config *cfg, int owned, uid_t uid, gid_t gid)
{
	char dir[256], *slash;

	if (cfg->state.kind != PF_STATE_LMDB)
		return;
	snprintf(dir, sizeof(dir), "%s", cfg->state.path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0750) == 0 && owned && chown(dir, uid, gid) != 0)
		pf_log(LOG_WARNING, "cannot give %s to the daemon's user: %s",
		    dir, strerror(errno));
}

/* state_probe - make the store (an LMDB file is created by its first
 * write) and say at start whether it can be used; the daemon runs either
 * way (the state facts are then unknown) */
static void
state_probe(struct pf_engine *e)
{
	struct pf_state *st = pf_engine_state(e);
	struct pf_err err;
	int64_t n;

	if (st == NULL)
		return;
	memset(&err, 0, sizeof(err));
	if (pf_state_writable(st, &err) != PF_OK ||
	    pf_state_get(st, "probe", 60, &n, &err) != PF_OK)
		pf_log(LOG_WARNING, "%s; the state.* facts are unknown until "
		    "it can be reached", err.msg);
	else
		pf_log(LOG_INFO, "state store %s ready", pf_state_name(st));
}

/* drop - become the unprivileged user for good; nothing to do when the
 * service manager started us as that user already (systemd User=) */
static int
drop(const char *user, uid_t uid, gid_t gid)
{
	if (getuid() == uid && geteuid() == uid && uid != 0)
		return 0;
	if (setgroups(0, NULL) != 0 && errno != EPERM)
		return -1;
	if (initgroups(user, gid) != 0 || setgid(gid) != 0 ||
	    setuid(uid) != 0)
		return -1;
	/* make sure there is no way back */
	if (uid != 0 && setuid(0) == 0)
		return -1;
	return 0;
}

/* background - detach from the terminal */
static int
background(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/* write_pid - the pid file, replaced atomically */
static int
write_pid(const char *path)
{
	char tmp[4096];
	FILE *fp;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* remove_socket - a local socket's file goes at stop (libmilter removes
 * it only when not root; the directory must be writable by User) */
static void
remove_socket(const char *spec)
{
	const char *path = socket_path(spec);

	if (path != NULL && unlink(path) != 0 && errno != ENOENT)
		pf_log(LOG_WARNING, "cannot remove %s: %s", path,
		    strerror(errno));
}

/* drain - wait for sessions in progress, at most secs seconds */
static void
drain(unsigned secs)
{
	time_t end = time(NULL) + secs;
	int n;

	while ((n = pf_session_live()) > 0 && time(NULL) < end) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (n > 0)
		pf_log(LOG_WARNING, "stopping with %d session(s) still open; "
		    "the MTA applies milter_default_action to them", n);
}

/* stopper - smfi_stop(), which waits for libmilter's listener to leave
 * its poll (up to 5 s), off the main thread */
static void *
stopper(void *arg)
{
	smfi_stop();
	return NULL;
}

/* stop_milter - no new connections: the socket file goes first (a
 * connection by path can no longer arrive), then libmilter is told to
 * stop without waiting for it */
static void
stop_milter(const char *sock)
{
	pthread_attr_t at;
	pthread_t t;

	remove_socket(sock);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, stopper, NULL) != 0)
		smfi_stop();
	pthread_attr_destroy(&at);
}

/* ask_reload - wake the reload thread; signals that come while it
 * works are folded into one more reload after it */
static void
ask_reload(void)
{
	pthread_mutex_lock(&rl_lock);
	rl_wanted = 1;
	pthread_cond_signal(&rl_cond);
	pthread_mutex_unlock(&rl_lock);
}

/* serve - signals until told to stop; returns the exit status */
static int
serve(unsigned drain_secs, const char *sock)
{
	pthread_t run, rl;
	char line[600];
	int sig, rc = 0, done;

	if (pthread_create(&rl, NULL, reloader, NULL) != 0 ||
	    pthread_create(&run, NULL, runner, NULL) != 0) {
		pf_log(LOG_ERR, "cannot start threads");
		return EX_OSERR;
	}
	for (;;) {
		sig = pf_sig_next(1000);
		pthread_mutex_lock(&rl_lock);
		done = milter_done;
		pthread_mutex_unlock(&rl_lock);
		if (done) {
			/* not asked to: a listener error; a non-zero status
			 * lets the service manager start us again */
			pf_log(LOG_ERR, "the milter loop ended on its own");
			rc = EX_SOFTWARE;
			break;
		}
		if (sig != 0)
			pf_stats_signal(sig);
		if (sig == SIGHUP)
			ask_reload();
		else if (sig == SIGUSR1) {
			pf_stats_summary(line, sizeof(line));
			pf_log(LOG_NOTICE, "%s", line);
		} else if (sig == SIGTERM || sig == SIGINT) {
			pf_log(LOG_NOTICE, "stopping on signal %d; draining",
			    sig);
			stop_milter(sock);
			break;
		}
	}
	/* libmilter's loop may take seconds to notice: do not wait for it
	 * unless sessions are still being served */
	drain(drain_secs);
	(void)wait_runner(pf_session_live() > 0 ? 1000 : 50);
	remove_socket(sock);	/* the loop may have ended on its own */
	pthread_mutex_lock(&rl_lock);
	rl_quit = 1;
	pthread_cond_signal(&rl_cond);
	pthread_mutex_unlock(&rl_lock);
	pthread_join(rl, NULL);
	return rc;
}

/* version - -V: the program, the catalog the configuration names, the
 * libraries, libmilter's and libmicrohttpd's own */
static int
version(const char *conf)
{
	struct pf_config *cfg = NULL;
	struct pf_err err;
	unsigned ma = 0, mi = 0, pl = 0;

	memset(&err, 0, sizeof(err));
	printf("preflight-milter %s\n", PACKAGE_VERSION);
	if (access(conf, R_OK) != 0 ||
	    pf_config_load(conf, &cfg, &err) != PF_OK)
		cfg = NULL;
	pf_version_catalog(stdout, cfg);
	pf_version_libs(stdout);
	(void)smfi_version(&ma, &mi, &pl);
	printf("libraries: libmilter %u.%u.%u (API %#x), libmicrohttpd %s\n",
	    ma, mi, pl, SMFI_VERSION, MHD_get_version());
	pf_config_free(cfg);
	return 0;
}

/* check_opt - a command-line value, checked as its preflight.conf key */
static void
check_opt(char opt, const char *key, const char *value)
{
	struct pf_config *c = pf_config_default();
	struct pf_err err;

	if (c == NULL) {
		fprintf(stderr, "preflight-milter: out of memory\n");
		exit(EX_OSERR);
	}
	if (pf_config_set(c, key, value, &err) != PF_OK) {
		fprintf(stderr, "preflight-milter: %s (-%c)\n", err.msg, opt);
		pf_config_free(c);
		usage();
	}
	pf_config_free(c);
}

/* parse_opts - the command line; -V and bad usage exit here */
static void
parse_opts(int argc, char **argv, struct opts *o)
{
	int ch;

	while ((ch = getopt(argc, argv, "c:efnp:P:u:V")) != -1) {
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'e': o->log_stderr = 1; break;
		case 'f': o->foreground = 1; break;
		case 'n': o->check = 1; break;
		case 'p':
			check_opt('p', "Socket", optarg);
			o->socket = optarg;
			break;
		case 'P':
			check_opt('P', "PidFile", optarg);
			o->pidfile = optarg;
			break;
		case 'u':
			check_opt('u', "User", optarg);
			o->user = optarg;
			break;
		case 'V': o->version = 1; break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* settings - socket, user and pid file from the options, else from the
 * config, copied into own[] (the engine they come from may be swapped) */
static int
settings(struct opts *o, const struct pf_daemon_cfg *dc, char *own[3])
{
	if ((own[0] = strdup(o->socket ? o->socket : dc->socket)) == NULL ||
	    (o->user == NULL && dc->user != NULL &&
	    (own[1] = strdup(dc->user)) == NULL) ||
	    (o->pidfile == NULL && dc->pidfile != NULL &&
	    (own[2] = strdup(dc->pidfile)) == NULL))
		return -1;
	o->socket = own[0];
	if (own[1] != NULL)
		o->user = own[1];
	if (own[2] != NULL)
		o->pidfile = own[2];
	if (!dc->background)
		o->foreground = 1;
	return 0;
}

/* socket_gid - the group a local socket gets: SocketGroup, else the
 * group of User; (gid_t)-1 leaves it as created */
static int
socket_gid(const struct opts *o, const struct pf_daemon_cfg *dc, gid_t gid,
    gid_t *out)
{
	struct group *gr;

	*out = o->user != NULL ? gid : (gid_t)-1;
	if (dc->socket_group == NULL)
		return 0;
	if ((gr = getgrnam(dc->socket_group)) == NULL) {
		fprintf(stderr, "preflight-milter: SocketGroup: no group "
		    "\"%s\"\n", dc->socket_group);
		return -1;
	}
	*out = gr->gr_gid;
	return 0;
}

/* socket_dir_missing - say so when the directory of a local socket does
 * not exist: libmilter's own error does not name it */
static void
socket_dir_missing(const char *path)
{
	char dir[4096];
	char *slash;
	struct stat st;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir))
		return;
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (stat(dir, &st) != 0)
		fprintf(stderr, "preflight-milter: %s: %s (create it owned by "
		    "the daemon's user, group of the MTA, mode 0750)\n", dir,
		    strerror(errno));
}

/* own_socket - mode, then owner and group of a local socket; failing is
 * fatal, since the MTA could not connect and would defer every message */
static int
own_socket(const char *path, const struct pf_daemon_cfg *dc, uid_t uid,
    gid_t sgid)
{
	if (chmod(path, dc->socket_mode) != 0 ||
	    ((uid != (uid_t)-1 || sgid != (gid_t)-1) &&
	    chown(path, uid, sgid) != 0)) {
		fprintf(stderr, "preflight-milter: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* listen_on - register with libmilter and bind now (as root if started
 * so) to fail early; a local socket gets its mode and owner */
static int
listen_on(const struct opts *o, const struct pf_daemon_cfg *dc, uid_t uid,
    gid_t gid)
{
	const char *path;
	gid_t sgid;

	/* Postfix sends the whole header field in one packet, up to its
	 * header_size_limit (100 KB by default): libmilter's default of
	 * 64 KB would drop the connection on a large header */
	(void)smfi_setmaxdatasize(PF_MILTER_MAXDATA);
	if (smfi_setconn((char *)o->socket) != MI_SUCCESS ||
	    smfi_settimeout((int)dc->milter_timeout) != MI_SUCCESS ||
	    smfi_register(pf_filter) != MI_SUCCESS) {
		fprintf(stderr, "preflight-milter: cannot set up %s\n",
		    o->socket);
		return EX_SOFTWARE;
	}
	if (socket_gid(o, dc, gid, &sgid) != 0)
		return EX_NOUSER;
	if (smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "preflight-milter: cannot listen on %s\n",
		    o->socket);
		if ((path = socket_path(o->socket)) != NULL)
			socket_dir_missing(path);
		return EX_UNAVAILABLE;
	}
	/* a unix socket can leave packets unanswered (SMFIP_NR_*); TCP
	 * only where each connection's ACKs can be hurried (quickack.c),
	 * else the MTA's side stalls (docs/benchmarks.md) */
	pf_session_unix(socket_path(o->socket) != NULL);
	pf_quickack_listen(socket_path(o->socket) == NULL ? o->socket :
	    NULL);
	/* TCP: answers of several packets must not wait for delayed ACKs */
	if (socket_path(o->socket) == NULL &&
	    pf_nodelay_listener(o->socket) < 0)
		fprintf(stderr, "preflight-milter: TCP_NODELAY on %s: %s\n",
		    o->socket, strerror(errno));
	if ((path = socket_path(o->socket)) != NULL &&
	    own_socket(path, dc, o->user != NULL ? uid : (uid_t)-1,
	    sgid) != 0)
		return EX_NOPERM;
	return 0;
}

/* check_names - for -n: the users and groups the settings name exist */
static int
check_names(const struct pf_config *cfg)
{
	const struct pf_daemon_cfg *dc = &cfg->daemon;
	uid_t uid;
	gid_t gid;

	if (dc->user != NULL && lookup_user(dc->user, dc->group, &uid,
	    &gid) != 0)
		return -1;
	if (dc->socket_group != NULL && getgrnam(dc->socket_group) == NULL) {
		fprintf(stderr, "preflight-milter: SocketGroup: no group "
		    "\"%s\"\n", dc->socket_group);
		return -1;
	}
	return 0;
}

/* become_user - the state directory for the user, then the user itself */
static int
become_user(const struct opts *o, struct pf_engine *e, uid_t uid, gid_t gid)
{
	state_prepare(pf_engine_config(e), o->user != NULL, uid, gid);
	if (o->user != NULL && drop(o->user, uid, gid) != 0) {
		pf_log(LOG_ERR, "cannot become user %s: %s", o->user,
		    strerror(errno));
		return EX_NOPERM;
	}
	if (o->user == NULL && getuid() == 0)
		pf_log(LOG_WARNING, "running as root: set User in %s",
		    o->conf);
	return 0;
}

/* check_only - -n: the configuration loaded and checked; its names */
static int
check_only(void)
{
	struct pf_engine *e = pf_snap_get();
	int rc = check_names(pf_engine_config(e));

	pf_engine_unref(e);
	pf_snap_clear();
	if (rc != 0)
		return EX_NOUSER;
	printf("configuration OK\n");
	return 0;
}

/* log_start - the start-up line: socket, configuration, catalog, mode */
static void
log_start(const struct opts *o, struct pf_engine *e)
{
	const struct pf_rules *r = pf_engine_rules(e);
	const struct pf_config *cfg = pf_engine_config(e);

	pf_log(LOG_NOTICE, "listening on %s (config %s, catalog %s %s %s, "
	    "%s)", o->socket, o->conf, catalog_version(e),
	    r->date[0] ? r->date : "-", r->path,
	    cfg->policy != NULL && cfg->policy->dry_run ?
	    "dry run" : "enforcing");
}

int
main(int argc, char **argv)
{
	struct opts o = { PF_SYSCONFDIR "/preflight.conf", NULL, NULL, NULL,
		0, 0, 0, 0 };
	const struct pf_daemon_cfg *dc;
	struct pf_engine *e;
	struct pf_err err;
	char buf[800];
	uid_t uid = 0;
	gid_t gid = 0;
	char *own[3] = { NULL, NULL, NULL }, *metrics = NULL;
	unsigned drain_secs;
	int rc;

	/* before any thread exists, so that every thread inherits the mask */
	if (pf_sig_block() != 0) {
		fprintf(stderr, "preflight-milter: signals: %s\n",
		    strerror(errno));
		return EX_OSERR;
	}
	parse_opts(argc, argv, &o);
	conf_path = o.conf;
	if (o.version)
		return version(o.conf);
	memset(&err, 0, sizeof(err));
	if (pf_snap_load(o.conf, &err) != PF_OK) {
		fprintf(stderr, "%s\n", pf_err_format(&err, buf, sizeof(buf)));
		return EX_CONFIG;
	}
	if (o.check)
		return check_only();
	e = pf_snap_get();
	dc = &pf_engine_config(e)->daemon;
	if (settings(&o, dc, own) != 0) {
		fprintf(stderr, "preflight-milter: out of memory\n");
		return EX_OSERR;
	}
	/* syslog unless told otherwise, in the foreground too (systemd) */
	pf_log_open("preflight-milter", o.log_stderr, dc->log_facility);
	pf_stats_init();
	if (o.user != NULL && lookup_user(o.user, dc->group, &uid, &gid) != 0)
		return EX_NOUSER;
	if ((rc = listen_on(&o, dc, uid, gid)) != 0)
		return rc;
	if (!o.foreground && background() != 0) {
		fprintf(stderr, "preflight-milter: cannot detach: %s\n",
		    strerror(errno));
		return EX_OSERR;
	}
	if (o.pidfile != NULL && write_pid(o.pidfile) != 0)
		pf_log(LOG_WARNING, "cannot write pid file %s: %s", o.pidfile,
		    strerror(errno));
	if ((rc = become_user(&o, e, uid, gid)) != 0)
		return rc;
	log_start(&o, e);
	state_probe(e);
	pf_engine_warm(e);	/* after fork: the resolver's threads */
	drain_secs = dc->drain_seconds;
	/* after fork and setuid: the listener's thread must live in the
	 * daemon, and needs no privilege (use a port above 1023) */
	if (dc->metrics_listen != NULL &&
	    ((metrics = strdup(dc->metrics_listen)) == NULL ||
	    pf_metrics_start(metrics) != 0)) {
		pf_engine_unref(e);
		return EX_UNAVAILABLE;
	}
	/* the settings above were copied; later reloads own the engine */
	pf_engine_unref(e);
	rc = serve(drain_secs, o.socket);
	pf_metrics_stop();
	free(metrics);
	if (o.pidfile != NULL)
		unlink(o.pidfile);
	pf_snap_clear();
	pf_log(LOG_NOTICE, "stopped");
	free(own[0]);
	free(own[1]);
	free(own[2]);
	return rc;
}
