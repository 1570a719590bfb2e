/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reader.c - lines out of a plain or gzip-compressed log, or a pipe.
 *
 * zlib's gzread reads both (a file without the gzip magic is passed
 * through), so one path serves maillog, maillog.1 and maillog.2.gz.  The
 * reader keeps a buffer of PF_LOGLINE_MAX bytes and hands out the lines in
 * it; a line that does not fit is cut there and the rest of it skipped.
 * When following a growing file, a last line without its newline is held
 * back until the writer finishes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/pf.h"
#include "learn/logline.h"
#include "learn/reader.h"

#define BUF_SIZE	(PF_LOGLINE_MAX + 1)

struct pf_logreader {
	gzFile		 gz;
	int		 fd;
	struct stat	 st;
	int		 compressed;
	int		 hold;		/* keep a partial last line back */
	int		 eof;
	int		 skipping;	/* inside the rest of a cut line */
	char		*buf;
	size_t		 start, end;	/* unread bytes: buf[start, end) */
	off_t		 consumed;	/* bytes before buf[start] */
};

/* is_gzip - does the file start with gzip's magic */
static int
is_gzip(int fd)
{
	unsigned char m[2];
	ssize_t n = pread(fd, m, 2, 0);

	return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

/* pf_logreader_open - open path ("-": standard input) */
int
pf_logreader_open(const char *path, struct pf_logreader **out,
    struct pf_err *err)
{
	struct pf_logreader *r;
	int fd;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		fd = dup(0);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pf_err_set(err, PF_EIO, "%s: %s", path,
		    strerror(errno));
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->buf = malloc(BUF_SIZE)) == NULL) {
		free(r);
		close(fd);
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	}
	r->fd = fd;
	if (fstat(fd, &r->st) != 0)
		memset(&r->st, 0, sizeof(r->st));
	r->compressed = S_ISREG(r->st.st_mode) && is_gzip(fd);
	if ((r->gz = gzdopen(dup(fd), "rb")) == NULL) {
		pf_logreader_free(r);
		return pf_err_set(err, PF_ENOMEM, "%s: cannot read", path);
	}
	gzbuffer(r->gz, 65536);
	*out = r;
	return PF_OK;
}

/* fill - read more into the buffer; 1 read some, 0 none, -1 error */
static int
fill(struct pf_logreader *r)
{
	int n, e;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end >= PF_LOGLINE_MAX)
		return 1;
	n = gzread(r->gz, r->buf + r->end, (unsigned)(PF_LOGLINE_MAX - r->end));
	if (n < 0) {
		gzerror(r->gz, &e);
		return -1;
	}
	if (n == 0) {
		/* a followed file grows: let the next call read again */
		gzclearerr(r->gz);
		return 0;
	}
	r->end += (size_t)n;
	return 1;
}

/* pf_logreader_next - the next line */
int
pf_logreader_next(struct pf_logreader *r, const char **line, size_t *len,
    int *cut)
{
	char *nl;
	size_t n;
	int rc;

	*cut = 0;
	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL) {
			n = (size_t)(nl - (r->buf + r->start));
			*line = r->buf + r->start;
			*len = n;
			r->start += n + 1;
			r->consumed += (off_t)n + 1;
			if (r->skipping) {	/* the tail of a cut line */
				r->skipping = 0;
				continue;
			}
			return 1;
		}
		if (r->end - r->start >= PF_LOGLINE_MAX) {
			/* longer than the buffer: hand out its head */
			n = r->end - r->start;
			*line = r->buf + r->start;
			*len = n;
			r->start = r->end;
			r->consumed += (off_t)n;
			if (r->skipping)
				continue;
			r->skipping = 1;
			*cut = 1;
			return 1;
		}
		if ((rc = fill(r)) < 0)
			return -1;
		if (rc == 0) {
			if (r->hold || r->start == r->end)
				return 0;
			/* a last line without a newline */
			n = r->end - r->start;
			*line = r->buf + r->start;
			*len = n;
			r->start = r->end;
			r->consumed += (off_t)n;
			if (r->skipping) {
				r->skipping = 0;
				return 0;
			}
			return 1;
		}
	}
}

/* pf_logreader_offset - bytes consumed */
off_t
pf_logreader_offset(const struct pf_logreader *r)
{
	return r->consumed;
}

/* pf_logreader_skip - go to offset */
int
pf_logreader_skip(struct pf_logreader *r, off_t offset)
{
	const char *l;
	size_t len;
	int cut;

	if (!r->compressed && S_ISREG(r->st.st_mode)) {
		if (gzseek(r->gz, offset, SEEK_SET) != offset)
			return PF_EIO;
		r->start = r->end = 0;
		r->consumed = offset;
		r->skipping = 0;
		return PF_OK;
	}
	while (r->consumed < offset)
		if (pf_logreader_next(r, &l, &len, &cut) != 1)
			return PF_EIO;
	return r->consumed == offset ? PF_OK : PF_EIO;
}

/* pf_logreader_identity - device and inode */
int
pf_logreader_identity(const struct pf_logreader *r, dev_t *dev, ino_t *ino)
{
	*dev = r->st.st_dev;
	*ino = r->st.st_ino;
	return S_ISREG(r->st.st_mode);
}

/* pf_logreader_compressed - gzip or not */
int
pf_logreader_compressed(const struct pf_logreader *r)
{
	return r->compressed;
}

/* pf_logreader_hold_partial - follow mode */
void
pf_logreader_hold_partial(struct pf_logreader *r, int hold)
{
	r->hold = hold;
}

/* pf_logreader_free - close and release */
void
pf_logreader_free(struct pf_logreader *r)
{
	if (r == NULL)
		return;
	if (r->gz != NULL)
		gzclose(r->gz);
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r);
}
