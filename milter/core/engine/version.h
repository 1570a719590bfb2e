/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * version.h - what --version and -V print: the catalog in use and the
 * versions of the libraries the core runs on.
 */
#ifndef PF_VERSION_H
#define PF_VERSION_H

#include <stdio.h>

#include "config/config.h"

/* pf_version_catalog - "catalog VERSION (DATE) PATH", or why it cannot
 * be read; the rules file is the one cfg names (NULL: the default) */
void	pf_version_catalog(FILE *, const struct pf_config *cfg);
/* pf_version_libs - "libraries: name version, ..." (the core's) */
void	pf_version_libs(FILE *);

#endif
