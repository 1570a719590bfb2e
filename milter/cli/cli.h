/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli.h - the subcommands of preflight(1).  Each returns the process exit
 * status (sysexits codes for usage and I/O errors).
 */
#ifndef PF_CLI_H
#define PF_CLI_H

int	pf_cli_check(int argc, char **argv);
int	pf_cli_explain(int argc, char **argv);
int	pf_cli_learn(int argc, char **argv);
int	pf_cli_report(int argc, char **argv);

struct pf_engine;
/* pf_cli_state_engine - the engine and store of a configuration (and a
 * rules file over it), for state, learn and report (learn.c); a sysexits
 * status */
int	pf_cli_state_engine(const char *config, const char *rules, int write,
	    struct pf_engine **);
int	pf_cli_state(int argc, char **argv);
int	pf_cli_doctor(int argc, char **argv);

struct pf_rules;
struct pf_delivery;
struct pf_explanation;
/* pf_cli_delivery_explain - what one delivery attempt got: 2 delivered, 1
 * a refusal explained into the explanation, 0 no reply (explain_many.c) */
int	pf_cli_delivery_explain(const struct pf_rules *,
	    const struct pf_delivery *, struct pf_explanation *);
/* pf_cli_explain_many - explain every reply of a log or a bounce for
 * several recipients (explain_many.c); 0 when the input holds one reply */
int	pf_cli_explain_many(const struct pf_rules *, const char *in,
	    size_t len, int json, int *status);

#endif
