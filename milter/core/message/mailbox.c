/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mailbox.c - finding the messages in files, directories, Maildirs and
 * mboxes, and reading one.
 *
 * An mbox is split the way mboxrd and mboxcl readers do: a separator is a
 * line "From <sender> <date>" at the start of the file or after a blank
 * line (the blank line belongs to the format, not to the message before
 * it); a Content-Length field is honoured when the span it gives ends at
 * the next separator or at the end of the file, so that an unquoted
 * "From " line in a body does not split it.  Reading a message from an
 * mbox undoes the ">From " quoting.  Directories are listed in name order
 * so that runs are repeatable; symbolic links to directories are not
 * followed when recursing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "base/pf.h"
#include "message/mailbox.h"

#define MAX_DEPTH	64

/* add - one item; path copied */
static int
add(struct pf_mlist *l, const char *path, unsigned index, uint64_t off,
    uint64_t len, int mbox, const char *error)
{
	struct pf_mitem *it;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if ((it = realloc(l->item, cap * sizeof(*it))) == NULL)
			return PF_ENOMEM;
		l->item = it;
		l->cap = cap;
	}
	it = &l->item[l->n];
	memset(it, 0, sizeof(*it));
	if ((it->path = strdup(path)) == NULL)
		return PF_ENOMEM;
	if (error != NULL && (it->error = strdup(error)) == NULL) {
		free(it->path);
		return PF_ENOMEM;
	}
	it->index = index;
	it->off = off;
	it->len = len;
	it->mbox = mbox;
	l->n++;
	return PF_OK;
}

/* line_end - the offset just past the line starting at p (its LF) */
static size_t
line_end(const char *buf, size_t len, size_t p)
{
	const char *lf = memchr(buf + p, '\n', len - p);

	return lf != NULL ? (size_t)(lf - buf) + 1 : len;
}

/* postmark - "From " SENDER ... with a time (hh:mm) in it: a separator
 * line, not a sentence that happens to start with "From " */
static int
postmark(const char *buf, size_t len, size_t p)
{
	size_t e = line_end(buf, len, p), i;

	if (e - p < 6 || memcmp(buf + p, "From ", 5) != 0 ||
	    buf[p + 5] == ' ' || buf[p + 5] == '\n' || buf[p + 5] == '\r')
		return 0;
	for (i = p + 5; i + 4 < e; i++)
		if (buf[i] >= '0' && buf[i] <= '9' && buf[i + 2] == ':' &&
		    buf[i + 1] >= '0' && buf[i + 1] <= '9' &&
		    buf[i + 3] >= '0' && buf[i + 3] <= '9')
			return 1;
	return 0;
}

/* blank_at - length of a blank line (LF or CRLF) at p, else 0 */
static size_t
blank_at(const char *buf, size_t len, size_t p)
{
	if (p < len && buf[p] == '\n')
		return 1;
	if (p + 1 < len && buf[p] == '\r' && buf[p + 1] == '\n')
		return 2;
	return 0;
}

/* next_sep - the next separator at or after p that follows a blank
 * line; sets *mend to where the message before it ends (the blank line
 * excluded); len when there is none */
static size_t
next_sep(const char *buf, size_t len, size_t p, size_t *mend)
{
	size_t q = p, b;

	while (q < len) {
		b = blank_at(buf, len, q);
		if (b > 0 && q + b < len && postmark(buf, len, q + b)) {
			*mend = q;
			return q + b;
		}
		q = line_end(buf, len, q);
	}
	/* the last message: a final blank line is the format's */
	*mend = len;
	if (len - p >= 2 && buf[len - 1] == '\n' && buf[len - 2] == '\n')
		*mend = len - 1;
	else if (len - p >= 3 && buf[len - 1] == '\n' &&
	    buf[len - 2] == '\r' && buf[len - 3] == '\n')
		*mend = len - 2;
	return len;
}

/* content_length - Content-Length of the header block at p, the offset
 * where its body starts in *body; -1 without one */
static long long
content_length(const char *buf, size_t len, size_t p, size_t *body)
{
	long long cl = -1;
	size_t e, n;
	int64_t v;

	while (p < len) {
		e = line_end(buf, len, p);
		n = e - p;
		if (blank_at(buf, len, p) == n) {
			*body = e;
			return cl;
		}
		if (n > 15 && strncasecmp(buf + p, "Content-Length:", 15) == 0) {
			const char *s = buf + p + 15, *t = buf + e;

			while (s < t && (*s == ' ' || *s == '\t'))
				s++;
			while (t > s && (t[-1] == '\n' || t[-1] == '\r' ||
			    t[-1] == ' ' || t[-1] == '\t'))
				t--;
			if (pf_strtonum(s, (size_t)(t - s), 0, INT64_MAX,
			    &v) == PF_OK)
				cl = v;
		}
		p = e;
	}
	return -1;
}

/* cl_end - where Content-Length ends the message starting at p, if it
 * lands on the end of the file or on a separator (after a blank line or
 * not); sets *sep to that separator.  0 when it does not apply. */
static int
cl_end(const char *buf, size_t len, size_t p, size_t *mend, size_t *sep)
{
	size_t body = len, c, b;
	long long cl = content_length(buf, len, p, &body);

	if (cl < 0 || body >= len + 1 || (unsigned long long)cl > len - body)
		return 0;
	c = body + (size_t)cl;
	b = blank_at(buf, len, c);
	if (c == len || c + b == len) {
		*mend = c;
		*sep = len;
		return 1;
	}
	if (postmark(buf, len, c + b)) {
		*mend = c;
		*sep = c + b;
		return 1;
	}
	return 0;
}

/* pf_mailbox_split - the spans of the messages of an mbox */
int
pf_mailbox_split(const char *path, const char *buf, size_t len,
    struct pf_mlist *l)
{
	size_t p = 0, start, mend, sep;
	unsigned idx = 0;
	int rc;

	while (p < len) {
		start = p;
		if (len - p >= 5 && memcmp(buf + p, "From ", 5) == 0)
			start = line_end(buf, len, p);
		if (!cl_end(buf, len, start, &mend, &sep))
			sep = next_sep(buf, len, start, &mend);
		if ((rc = add(l, path, ++idx, start, mend - start, 1,
		    NULL)) != PF_OK)
			return rc;
		p = sep;
	}
	if (idx == 0)	/* an empty file is still one (empty) message */
		return add(l, path, 1, 0, 0, 1, NULL);
	return PF_OK;
}

/* mbox_start - the file starts with "From " and a sender, as an mbox
 * does ("From  : x", a field with blanks before its colon, does not) */
static int
mbox_start(const char *p, size_t n)
{
	return n >= 6 && memcmp(p, "From ", 5) == 0 && p[5] != ' ' &&
	    p[5] != '\t' && p[5] != ':' && p[5] != '\r' && p[5] != '\n';
}

/* list_file - one file: an mbox is split, anything else is one */
static int
list_file(const char *path, enum pf_mbox_format fmt, struct pf_mlist *l)
{
	struct stat st;
	char head[6];
	void *map;
	int fd, rc, mbox;
	ssize_t n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return add(l, path, 0, 0, 0, 0, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = add(l, path, 0, 0, 0, 0, strerror(errno));
		close(fd);
		return rc;
	}
	n = read(fd, head, sizeof(head));
	mbox = fmt == PF_MB_MBOX || (fmt == PF_MB_AUTO && n == (ssize_t)
	    sizeof(head) && mbox_start(head, sizeof(head)));
	if (!mbox || st.st_size == 0) {
		close(fd);
		return add(l, path, 0, 0, (uint64_t)st.st_size, 0, NULL);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return add(l, path, 0, 0, 0, 0, strerror(errno));
	rc = pf_mailbox_split(path, map, (size_t)st.st_size, l);
	munmap(map, (size_t)st.st_size);
	return rc;
}

/* cmp_names - for qsort of directory entries */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names - the entries of a directory but dot files, sorted; owned */
static int
names(const char *dir, char ***out, size_t *n, int *err)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL, **nv;
	size_t cap = 0;

	*n = 0;
	*err = 0;
	if ((d = opendir(dir)) == NULL) {
		*err = errno;
		*out = NULL;
		return PF_OK;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if ((v[*n] = strdup(e->d_name)) == NULL)
			goto oom;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_names);
	*out = v;
	return PF_OK;
oom:
	closedir(d);
	while (*n > 0)
		free(v[--(*n)]);
	free(v);
	return PF_ENOMEM;
}

static int list_path(const char *, enum pf_mbox_format, int, int,
    struct pf_mlist *);

/* join - dir "/" name, owned */
static char *
join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *s = malloc(dl + nl + 2);

	if (s == NULL)
		return NULL;
	memcpy(s, dir, dl);
	if (dl > 0 && dir[dl - 1] == '/')
		dl--;
	s[dl] = '/';
	memcpy(s + dl + 1, name, nl + 1);
	return s;
}

/* is_dir - a directory (symbolic links not followed) */
static int
is_dir(const char *path, int follow)
{
	struct stat st;

	if ((follow ? stat(path, &st) : lstat(path, &st)) != 0)
		return 0;
	return S_ISDIR(st.st_mode);
}

/* list_dir - every entry of a directory; subdirectories when recursing */
static int
list_dir(const char *dir, enum pf_mbox_format fmt, int recursive,
    int depth, int files_only, struct pf_mlist *l)
{
	char **v, *p;
	size_t n, i;
	int rc = PF_OK, e;
	struct stat st;

	if ((rc = names(dir, &v, &n, &e)) != PF_OK)
		return rc;
	if (e != 0)
		return add(l, dir, 0, 0, 0, 0, strerror(e));
	for (i = 0; i < n && rc == PF_OK; i++) {
		if ((p = join(dir, v[i])) == NULL) {
			rc = PF_ENOMEM;
			break;
		}
		if (lstat(p, &st) != 0)
			rc = add(l, p, 0, 0, 0, 0, strerror(errno));
		else if (S_ISDIR(st.st_mode)) {
			if (recursive && !files_only)
				rc = list_path(p, fmt, recursive, depth + 1, l);
		} else if (S_ISREG(st.st_mode) ||
		    (S_ISLNK(st.st_mode) && !is_dir(p, 1)))
			rc = list_file(p, files_only ? PF_MB_EML : fmt, l);
		free(p);
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return rc;
}

/* maildir - cur/ or new/ is there */
static int
maildir(const char *dir)
{
	char *c = join(dir, "cur"), *n = join(dir, "new");
	int yes = (c != NULL && is_dir(c, 1)) || (n != NULL && is_dir(n, 1));

	free(c);
	free(n);
	return yes;
}

/* list_maildir - the messages of cur/ then new/, one per file; the
 * folders of a Maildir++ (".Sent") when recursing */
static int
list_maildir(const char *dir, int recursive, int depth, struct pf_mlist *l)
{
	static const char *sub[] = { "cur", "new" };
	char *p;
	size_t i;
	int rc = PF_OK;

	for (i = 0; i < PF_NELEM(sub) && rc == PF_OK; i++) {
		if ((p = join(dir, sub[i])) == NULL)
			return PF_ENOMEM;
		if (is_dir(p, 1))
			rc = list_dir(p, PF_MB_EML, 0, depth, 1, l);
		free(p);
	}
	if (rc != PF_OK || !recursive)
		return rc;
	/* Maildir++ sub-folders are dot directories */
	{
		DIR *d = opendir(dir);
		struct dirent *de;

		if (d == NULL)
			return PF_OK;
		while (rc == PF_OK && (de = readdir(d)) != NULL) {
			if (de->d_name[0] != '.' || strcmp(de->d_name, ".") ==
			    0 || strcmp(de->d_name, "..") == 0)
				continue;
			if ((p = join(dir, de->d_name)) == NULL) {
				rc = PF_ENOMEM;
				break;
			}
			if (is_dir(p, 0) && maildir(p))
				rc = list_maildir(p, 0, depth + 1, l);
			free(p);
		}
		closedir(d);
	}
	return rc;
}

/* list_path - a file, a directory or a Maildir */
static int
list_path(const char *path, enum pf_mbox_format fmt, int recursive,
    int depth, struct pf_mlist *l)
{
	struct stat st;

	if (depth > MAX_DEPTH)
		return add(l, path, 0, 0, 0, 0, "directories nested too deep");
	if (stat(path, &st) != 0)
		return add(l, path, 0, 0, 0, 0, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return list_file(path, fmt == PF_MB_MAILDIR ? PF_MB_EML : fmt,
		    l);
	if (fmt == PF_MB_MAILDIR || (fmt == PF_MB_AUTO && maildir(path))) {
		if (!maildir(path))
			return add(l, path, 0, 0, 0, 0, "not a Maildir (no "
			    "cur/ or new/)");
		return list_maildir(path, recursive, depth, l);
	}
	return list_dir(path, fmt, recursive, depth, 0, l);
}

/* pf_mailbox_list - the messages under one path */
int
pf_mailbox_list(const char *path, enum pf_mbox_format fmt, int recursive,
    struct pf_mlist *l, struct pf_err *err)
{
	int rc = list_path(path, fmt, recursive, 0, l);

	if (rc != PF_OK)
		return pf_err_set(err, rc, "out of memory listing %s", path);
	return PF_OK;
}

/* pf_mailbox_list_mem - the messages of bytes held in memory (standard
 * input), borrowed by the items */
int
pf_mailbox_list_mem(const char *label, const char *buf, size_t len,
    enum pf_mbox_format fmt, struct pf_mlist *l)
{
	size_t first = l->n, i;
	int rc;

	if (fmt == PF_MB_MBOX || (fmt == PF_MB_AUTO && mbox_start(buf, len)))
		rc = pf_mailbox_split(label, buf, len, l);
	else
		rc = add(l, label, 0, 0, len, 0, NULL);
	for (i = first; rc == PF_OK && i < l->n; i++)
		l->item[i].mem = buf;
	return rc;
}

/* pf_mailbox_free - the list and its items */
void
pf_mailbox_free(struct pf_mlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->item[i].path);
		free(l->item[i].error);
	}
	free(l->item);
	memset(l, 0, sizeof(*l));
}

/* pf_mailbox_unquote - ">From " loses one '>' at each line start; lines
 * are found with memchr and moved only once something was dropped */
size_t
pf_mailbox_unquote(char *buf, size_t len)
{
	size_t r = 0, w = 0, q, n;
	const char *lf;

	while (r < len) {
		/* at a line start */
		for (q = r; q < len && buf[q] == '>'; q++)
			;
		if (q > r && len - q >= 5 && memcmp(buf + q, "From ", 5) == 0)
			r++;	/* drop one '>' */
		lf = memchr(buf + r, '\n', len - r);
		n = lf != NULL ? (size_t)(lf - (buf + r)) + 1 : len - r;
		if (w != r)
			memmove(buf + w, buf + r, n);
		w += n;
		r += n;
	}
	return w;
}

/* pf_mailbox_read - one message's bytes, owned */
int
pf_mailbox_read(const struct pf_mitem *it, char **out, size_t *outlen,
    struct pf_err *err)
{
	char *buf;
	size_t len, got = 0;
	ssize_t n;
	int fd;
	struct stat st;

	*out = NULL;
	*outlen = 0;
	if (it->mem != NULL) {
		if ((buf = malloc((size_t)it->len + 1)) == NULL)
			return pf_err_set(err, PF_ENOMEM, "out of memory");
		memcpy(buf, it->mem + it->off, (size_t)it->len);
		len = it->mbox ? pf_mailbox_unquote(buf, (size_t)it->len) :
		    (size_t)it->len;
		buf[len] = '\0';
		*out = buf;
		*outlen = len;
		return PF_OK;
	}
	if ((fd = open(it->path, O_RDONLY | O_CLOEXEC)) < 0)
		return pf_err_set(err, PF_EIO, "%s", strerror(errno));
	len = (size_t)it->len;
	if (it->index == 0) {
		/* a whole file: its size now, not when it was listed */
		if (fstat(fd, &st) != 0) {
			close(fd);
			return pf_err_set(err, PF_EIO, "%s", strerror(errno));
		}
		len = (size_t)st.st_size;
	}
	if ((uint64_t)len > PF_MAILBOX_MSG_MAX) {
		close(fd);
		return pf_err_set(err, PF_ELIMIT, "larger than %llu MB",
		    (unsigned long long)(PF_MAILBOX_MSG_MAX >> 20));
	}
	if ((buf = malloc(len + 1)) == NULL) {
		close(fd);
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	}
	while (got < len) {
		n = pread(fd, buf + got, len - got, (off_t)it->off + got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got < len) {
		free(buf);
		return pf_err_set(err, PF_EIO, "short read (the file "
		    "changed?)");
	}
	if (it->mbox)
		len = pf_mailbox_unquote(buf, len);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return PF_OK;
}

/* pf_mailbox_label - "path" or "path#n" */
const char *
pf_mailbox_label(const struct pf_mitem *it, char *buf, size_t len)
{
	if (it->index == 0 || (it->index == 1 && !it->mbox))
		snprintf(buf, len, "%s", it->path);
	else
		snprintf(buf, len, "%s#%u", it->path, it->index);
	return buf;
}
