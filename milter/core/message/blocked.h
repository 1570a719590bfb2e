/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * blocked.h - attachment names and contents Gmail blocks: the file types
 * on its list (also compressed, x.exe.gz), executables and shortcuts by
 * their first bytes, and archives listed with libarchive (nested,
 * compressed; an encrypted one that holds an archive), under hard caps
 * that are reported, not fatal.
 */
#ifndef PF_BLOCKED_H
#define PF_BLOCKED_H

#include <stddef.h>
#include <stdint.h>

#define PF_BLOCKED_DEPTH	4		/* nested archives opened */
#define PF_BLOCKED_ENTRIES	10000		/* entries listed, all levels */
#define PF_BLOCKED_BYTES	(64 << 20)	/* bytes decompressed, all */
#define PF_BLOCKED_ENTRY_MAX	(16 << 20)	/* one nested archive read */
#define PF_BLOCKED_RATIO	200		/* decompressed / compressed */

/* what a scan found; the first blocked item wins */
struct pf_blocked_res {
	int	 blocked;
	char	 name[512];	/* "outer.zip/inner/x.exe" */
	char	 why[160];
	int	 limited;	/* a cap stopped the listing */
	size_t	 entries;
	uint64_t bytes;		/* decompressed so far */
};

/* pf_blocked_name_blocked - the blocked extension of a file name (also
 * under a compression suffix: x.exe.gz), or NULL; static */
const char	*pf_blocked_name_blocked(const char *name);

/* pf_blocked_name_is_archive - the name says zip, tar, gz, ... */
int		 pf_blocked_name_is_archive(const char *name);

/* pf_blocked_magic_exec - what the first bytes say the file runs as ("a
 * Windows executable (PE)", "an ELF executable", "a Windows shortcut
 * (LNK)", ...), static; NULL for anything else */
const char	*pf_blocked_magic_exec(const unsigned char *p, size_t len);

/* pf_blocked_magic_archive - the first bytes are an archive or a
 * compressed file (zip, gzip, bzip2, xz, rar, 7z, tar); 1 or 0 */
int		 pf_blocked_magic_archive(const unsigned char *p, size_t len);

/* pf_blocked_magic_decided - the two answers above on these first bytes
 * hold for every longer start of the same content (they read the first
 * 262 bytes only, but for an MZ start's PE header): 1 or 0 */
int		 pf_blocked_magic_decided(const unsigned char *p, size_t len);

/* pf_blocked_scan_mem / _fd - list an archive (or compressed file); the
 * outer name prefixes entry names in the result.  PF_OK even when the
 * archive does not open (not every attachment named .zip is one). */
int	pf_blocked_scan_mem(const void *p, size_t len, const char *outer,
	    struct pf_blocked_res *);
int	pf_blocked_scan_fd(int fd, uint64_t size, const char *outer,
	    struct pf_blocked_res *);

#endif
