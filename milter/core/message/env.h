/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * env.h - the envelope observer: MAIL FROM and RCPT TO as RFC 5321 paths,
 * recipient count and domains.
 */
#ifndef PF_ENV_H
#define PF_ENV_H

#include "base/msg.h"

extern const struct pf_observer pf_env_observer;

#endif
