/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor.c - the order of the checks.  Identity comes before the probe
 * and the domains: the HELO name it finds is the probe's EHLO argument
 * and SPF's HELO.
 */
#include "mta/doctor.h"

/* pf_doctor_run - every check, in the order the report shows them */
void
pf_doctor_run(struct pf_doctor *d)
{
	pf_doctor_wiring(d);
	pf_doctor_tls(d);
	pf_doctor_identity(d);
	pf_doctor_probe(d);
	pf_doctor_domains(d);
	pf_doctor_8bit(d);
}
