/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * signals.c - the daemon's signals, without races.  libmilter starts a
 * thread of its own in smfi_main() that calls sigwait() on {SIGHUP,
 * SIGTERM, SIGINT} and stops the filter on any of them (libmilter
 * signal.c, mi_signal_thread).  Blocking those signals does not keep them
 * from that thread: sigwait() takes a blocked signal that is pending for
 * the process, so any other receiver (a sigtimedwait() in the main thread,
 * a signalfd) only races it, and a SIGHUP that it wins stops the daemon.
 *
 * So the daemon owns its signals by construction:
 *  - pf_sig_block(), first thing in main() and before any thread exists,
 *    blocks SIGHUP, SIGTERM, SIGINT and SIGUSR1 (every later thread,
 *    libmilter's included, inherits the mask) and ignores SIGUSR2 and
 *    SIGPIPE (an ignored, unblocked signal is discarded when sent);
 *  - the only sigwait() libmilter can call is the one below: it takes
 *    our signals out of the set before waiting, so libmilter's thread
 *    waits on what is left (nothing) and can never consume one;
 *  - the main thread reads them from a signalfd (pf_sig_next).
 * The sigwait() here is found before libc's by the dynamic linker (the
 * executable comes first in the lookup scope), and by the static linker
 * for libmilter.a; pf_sig_milter_waits() tells whether libmilter's call
 * came through it.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon.h"

static int sfd = -1;
static atomic_int milter_waits;

/* owned - the signals the daemon reads itself */
static void
owned(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGUSR1);
}

/* pf_sig_block - block ours in this (the only) thread, ignore the rest,
 * and open the signalfd; -1 with errno on failure */
int
pf_sig_block(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) != 0 ||
	    sigaction(SIGUSR2, &sa, NULL) != 0)
		return -1;
	owned(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		return -1;
	return 0;
}

/* pf_sig_next - the next signal of ours, waiting at most ms (-1: no
 * limit); 0 when none came in time */
int
pf_sig_next(int ms)
{
	struct signalfd_siginfo si;
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = read(sfd, &si, sizeof(si));
	if (n != (ssize_t)sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}

/* pf_sig_milter_waits - whether libmilter's signal thread is waiting in
 * the sigwait() below, i.e. on none of our signals */
int
pf_sig_milter_waits(void)
{
	return atomic_load(&milter_waits);
}

/* sigwait - libmilter's signal thread calls this one: it waits only on
 * what is left of the set once ours are taken out, which for libmilter's
 * set is nothing, so it sleeps for the life of the process.  Process exit
 * or smfi_stop() ends the filter, never a signal through this door. */
int
sigwait(const sigset_t *set, int *sig)
{
	sigset_t rest, ours;
	int s, i, any = 0;

	owned(&ours);
	rest = *set;
	for (i = 1; i < NSIG; i++)
		if (sigismember(&ours, i) == 1)
			sigdelset(&rest, i);
	for (i = 1; i < NSIG && !any; i++)
		any = sigismember(&rest, i) == 1;
	atomic_store(&milter_waits, 1);
	if (!any)
		for (;;)
			pause();	/* every signal of ours is blocked */
	while ((s = sigtimedwait(&rest, NULL, NULL)) < 0 && errno == EINTR)
		continue;
	if (s < 0)
		return errno;
	*sig = s;
	return 0;
}
