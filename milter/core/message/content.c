/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * content.c - the list of content analyzers the drivers attach to each
 * message, and the one-time GMime set-up they share.
 */
#include <pthread.h>
#include <gmime/gmime.h>

#include "base/pf.h"
#include "message/content.h"
#include "message/hdr.h"
#include "message/env.h"
#include "message/mime.h"

static const struct pf_observer *const observers[] = {
	&pf_hdr_observer,
	&pf_mime_observer,
	&pf_env_observer,
};

/* pf_content_observers - the analyzers, in order */
const struct pf_observer *const *
pf_content_observers(size_t *n)
{
	*n = PF_NELEM(observers);
	return observers;
}

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void
gmime_init(void)
{
	g_mime_init();
}

/* pf_content_gmime - g_mime_init, once per process */
void
pf_content_gmime(void)
{
	pthread_once(&gmime_once, gmime_init);
}
