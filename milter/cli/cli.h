/*
 * cli.h - the subcommands of preflight(1).  Each returns the process exit
 * status (sysexits codes for usage and I/O errors).
 */
#ifndef PF_CLI_H
#define PF_CLI_H

int	pf_cli_check(int argc, char **argv);
int	pf_cli_explain(int argc, char **argv);
int	pf_cli_state(int argc, char **argv);
int	pf_cli_doctor(int argc, char **argv);

#endif
