/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reader.h - the lines of one MTA log: a plain file, a rotated one
 * compressed with gzip (read through zlib, which passes plain files
 * through), or standard input.  Lines longer than PF_LOGLINE_MAX are cut
 * (the rest is skipped and the line marked long); the reader counts what
 * it read.  Its position is the count of bytes consumed (of the
 * uncompressed stream), so that a plain file can be resumed where it was
 * left, with the file's identity (device and inode) to tell a new file
 * from the old one.
 */
#ifndef PF_READER_H
#define PF_READER_H

#include <stddef.h>
#include <sys/types.h>

#include "base/pf.h"

struct pf_logreader;

/* pf_logreader_open - path, or "-" for standard input.  PF_EIO with the
 * reason in err; PF_ENOMEM.  Owned. */
int	pf_logreader_open(const char *path, struct pf_logreader **out,
	    struct pf_err *err);
/* pf_logreader_next - the next whole line, without its newline, borrowed
 * until the next call; *cut is set when the line was longer than the
 * buffer.  1 a line, 0 the end (a last line without newline is returned
 * only at the end of a file that is not followed), -1 a read error. */
int	pf_logreader_next(struct pf_logreader *, const char **line,
	    size_t *len, int *cut);
/* pf_logreader_offset - bytes consumed up to the end of the last line */
off_t	pf_logreader_offset(const struct pf_logreader *);
/* pf_logreader_skip - move to offset (a plain file: seek; compressed or
 * piped: read and drop); PF_EIO when the stream is shorter */
int	pf_logreader_skip(struct pf_logreader *, off_t offset);
/* pf_logreader_identity - the device and inode of the open file; 0 for
 * a pipe */
int	pf_logreader_identity(const struct pf_logreader *, dev_t *, ino_t *);
/* pf_logreader_compressed - the file is gzip-compressed */
int	pf_logreader_compressed(const struct pf_logreader *);
/* pf_logreader_partial - a partial last line is held back (for follow) */
void	pf_logreader_hold_partial(struct pf_logreader *, int hold);
void	pf_logreader_free(struct pf_logreader *);

#endif
