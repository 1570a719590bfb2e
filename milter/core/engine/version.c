/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * version.c - the catalog and library versions for --version and -V.
 * Library versions are the ones loaded at run time where the library can
 * say (a shared library may be newer than the headers built against).
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>

#include <archive.h>
#include <gmime/gmime.h>
#include <idn2.h>
#include <libpsl.h>
#include <opendkim/dkim.h>
#include <openssl/crypto.h>
#include <spf2/spf.h>
#include <unbound.h>

#include "engine/version.h"
#include "catalog/rules.h"

/* pf_version_catalog - the catalog cfg names, loaded to be sure of it */
void
pf_version_catalog(FILE *fp, const struct pf_config *cfg)
{
	struct pf_config *def = NULL;
	struct pf_rules *rs = NULL;
	struct pf_err err = { 0 };
	char buf[800];
	const char *path;

	if (cfg == NULL)
		cfg = def = pf_config_default();
	path = cfg != NULL && cfg->rules != NULL ? cfg->rules : "?";
	if (pf_rules_load(path, &rs, &err) != PF_OK)
		fprintf(fp, "catalog: %s\n", pf_err_format(&err, buf,
		    sizeof(buf)));
	else
		fprintf(fp, "catalog %s (%s) %s, %zu entries\n",
		    rs->version != NULL ? rs->version : "(no version)",
		    rs->date[0] != '\0' ? rs->date : "no date", path,
		    rs->nrule);
	pf_rules_free(rs);
	pf_config_free(def);
}

/* pf_version_libs - one line naming each library and its version */
void
pf_version_libs(FILE *fp)
{
	uint32_t dk = dkim_libversion();
	int sa, sb, sc;

	SPF_get_lib_version(&sa, &sb, &sc);
	fprintf(fp, "libraries: libopendkim %u.%u.%u, libspf2 %d.%d.%d, "
	    "GMime %u.%u.%u, %s, libunbound %s, libpsl %s, libidn2 %s, %s\n",
	    dk >> 24, (dk >> 16) & 0xff, (dk >> 8) & 0xff, sa, sb, sc,
	    gmime_major_version, gmime_minor_version, gmime_micro_version,
	    archive_version_string(), ub_version(), psl_get_version(),
	    idn2_check_version(NULL), OpenSSL_version(OPENSSL_VERSION));
}
