/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * blocked.c - blocked attachment types.  Gmail refuses (552 5.7.0) the file
 * types on its list (support.google.com/mail/answer/6590; we block the
 * union of the spellings its copies give, plus .mjs), the same types in
 * compressed form or inside archives, executables recognised by their
 * content whatever their name, and encrypted archives that hold an
 * archive.  Archives are listed with libarchive (every format it reads:
 * zip, tar, gzip, bzip2, xz, rar, 7z, cab, ...).  Input is hostile: nesting,
 * entry count, bytes decompressed and the compression ratio are capped, and
 * a cap reached is reported, not fatal.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/pf.h"
#include "message/blocked.h"

#define MAGIC_PEEK	4096
#define MAGIC_FIXED	262	/* bytes the magic checks read, but for
				 * the PE header an MZ start points at */

/* Gmail's list (support.google.com/mail/answer/6590): the union of the
 * spellings its copies give, plus .mjs */
static const char *const blocked[] = {
	"ade", "adp", "apk", "appx", "appxbundle", "bat", "cab", "chm", "cmd",
	"com", "cpl", "diagcab", "diagcfg", "diagpack", "diagpkg", "dll",
	"dmg", "ex", "ex_", "exe", "hta", "img", "ins", "iso", "isp", "jar",
	"jnlp", "js", "jse", "lib", "lnk", "mde", "mjs", "msc", "msi", "msix",
	"msixbundle", "msp", "mst", "nsh", "pif", "ps1", "scr", "sct", "shb",
	"sys", "vb", "vbe", "vbs", "vhd", "vxd", "wsc", "wsf", "wsh", "xll"
};

/* compression suffixes: Gmail blocks x.exe.gz as it blocks x.exe */
static const char *const compressed[] = {
	"gz", "bz2", "z", "xz", "lz", "lzma", "zst"
};

/* archive suffixes we open (the archives Gmail looks into, and what
 * libarchive reads) */
static const char *const archives[] = {
	"zip", "tar", "tgz", "taz", "tbz", "tbz2", "txz", "gz", "bz2", "z",
	"xz", "rar", "7z", "cab", "lzh", "lha", "arj", "cpio", "iso"
};

/* ext_of - the extension of the last path component of [n, e), after
 * dropping trailing dots and blanks (Windows drops them too) */
static size_t
base_end(const char *n, size_t len)
{
	while (len > 0 && (n[len - 1] == '.' || n[len - 1] == ' '))
		len--;
	return len;
}

/* ext_in - does [n, n+len) end in "." + one of list (lower case, no
 * dots, each once), not right after a path separator?  The suffix
 * length.  Only the text after the last dot can be one. */
static size_t
ext_in(const char *n, size_t len, const char *const *list, size_t cnt,
    const char **which)
{
	const char *ext = n + len;
	size_t i, l;

	while (ext > n && ext[-1] != '.')
		ext--;
	/* ext - 1 is the dot: not the first byte, not after a separator */
	if (ext - n < 2 || ext[-2] == '/' || ext[-2] == '\\')
		return 0;
	if ((l = len - (size_t)(ext - n)) == 0)
		return 0;
	for (i = 0; i < cnt; i++)
		if ((ext[0] | 0x20) == list[i][0] &&
		    strncasecmp(ext, list[i], l) == 0 && list[i][l] == '\0') {
			*which = list[i];
			return l + 1;
		}
	return 0;
}

/* pf_blocked_name_blocked - the blocked extension, or NULL */
const char *
pf_blocked_name_blocked(const char *name)
{
	size_t len = base_end(name, strlen(name)), cut;
	const char *which;
	int i;

	/* the name, then the name under up to two compression suffixes */
	for (i = 0; i < 3 && len > 0; i++) {
		if (ext_in(name, len, blocked, PF_NELEM(blocked), &which))
			return which;
		cut = ext_in(name, len, compressed, PF_NELEM(compressed),
		    &which);
		if (cut == 0)
			break;
		len = base_end(name, len - cut);
	}
	return NULL;
}

/* pf_blocked_name_is_archive - a name we would open as an archive */
int
pf_blocked_name_is_archive(const char *name)
{
	const char *which;

	return ext_in(name, base_end(name, strlen(name)), archives,
	    PF_NELEM(archives), &which) != 0;
}

/* pf_blocked_magic_exec - executables by content */
const char *
pf_blocked_magic_exec(const unsigned char *p, size_t len)
{
	/* MZ alone starts too much text; a PE file points at "PE\0\0" */
	if (len >= 0x40 && p[0] == 'M' && p[1] == 'Z') {
		uint32_t pe = (uint32_t)p[0x3c] | (uint32_t)p[0x3d] << 8 |
		    (uint32_t)p[0x3e] << 16 | (uint32_t)p[0x3f] << 24;
		if (pe >= 0x40 && pe <= len - 4 &&
		    memcmp(p + pe, "PE\0\0", 4) == 0)
			return "a Windows executable (PE)";
	}
	if (len >= 4 && memcmp(p, "\177ELF", 4) == 0)
		return "an ELF executable";
	if (len >= 4 && (memcmp(p, "\xfe\xed\xfa\xce", 4) == 0 ||
	    memcmp(p, "\xfe\xed\xfa\xcf", 4) == 0 ||
	    memcmp(p, "\xce\xfa\xed\xfe", 4) == 0 ||
	    memcmp(p, "\xcf\xfa\xed\xfe", 4) == 0))
		return "a Mach-O executable";
	/* CAFEBABE: Mach-O universal binary (a Java class has a major
	 * version >= 45 in bytes 6-7; a fat binary a small arch count) */
	if (len >= 8 && memcmp(p, "\xca\xfe\xba\xbe", 4) == 0 &&
	    p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] < 20)
		return "a Mach-O universal executable";
	if (len >= 8 && memcmp(p, "L\0\0\0\001\024\002\0", 8) == 0)
		return "a Windows shortcut (LNK)";
	if (len >= 4 && memcmp(p, "MSCF", 4) == 0)
		return "a Windows cabinet (CAB)";
	return NULL;
}

/* pf_blocked_magic_archive - zip, gzip, bzip2, xz, rar, 7z or tar */
int
pf_blocked_magic_archive(const unsigned char *p, size_t len)
{
	if (len >= 4 && memcmp(p, "PK\003\004", 4) == 0)
		return 1;
	if (len >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9d))
		return 1;
	if (len >= 3 && memcmp(p, "BZh", 3) == 0)
		return 1;
	if (len >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
		return 1;
	if (len >= 6 && memcmp(p, "Rar!\032\007", 6) == 0)
		return 1;
	if (len >= 6 && memcmp(p, "7z\xbc\xaf\x27\x1c", 6) == 0)
		return 1;
	if (len >= 262 && memcmp(p + 257, "ustar", 5) == 0)
		return 1;
	return 0;
}

/* pf_blocked_magic_decided - no longer start of the same content can
 * change what pf_blocked_magic_exec and _archive say of these bytes */
int
pf_blocked_magic_decided(const unsigned char *p, size_t len)
{
	return len >= MAGIC_FIXED && !(p[0] == 'M' && p[1] == 'Z');
}

static void
block(struct pf_blocked_res *r, const char *name, const char *why)
{
	size_t n = strlen(name);

	if (r->blocked++)
		return;
	if (n >= sizeof(r->name))
		n = sizeof(r->name) - 1;	/* cut, as the fact may be */
	memcpy(r->name, name, n);
	r->name[n] = '\0';
	snprintf(r->why, sizeof(r->why), "%s", why);
}

static int scan_open(struct archive *, const char *, int, uint64_t,
    struct pf_blocked_res *);

/* read_entry - read the current entry on into *buf until *len is max,
 * counting the bytes against the caps; 0 or -1 on ENOMEM */
static int
read_entry(struct archive *a, unsigned char **buf, size_t *len, size_t *cap,
    size_t max, uint64_t insize, struct pf_blocked_res *r)
{
	unsigned char *nb;
	la_ssize_t got;
	size_t ncap;

	while (*len < max) {
		if (*len == *cap) {
			ncap = *cap ? *cap * 2 : 8192;
			if (ncap > max)
				ncap = max;
			if ((nb = realloc(*buf, ncap)) == NULL)
				return -1;
			*buf = nb;
			*cap = ncap;
		}
		got = archive_read_data(a, *buf + *len, *cap - *len);
		if (got <= 0)
			break;
		*len += (size_t)got;
		r->bytes += (uint64_t)got;
		if (r->bytes > PF_BLOCKED_BYTES ||
		    r->bytes / PF_BLOCKED_RATIO > insize + 65536) {
			r->limited = 1;	/* a bomb, or just too big */
			break;
		}
	}
	return 0;
}

/* nested - list an archive found inside another */
static void
nested(const unsigned char *buf, size_t len, const char *full, int depth,
    struct pf_blocked_res *r)
{
	struct archive *in;

	if (depth + 1 >= PF_BLOCKED_DEPTH) {
		r->limited = 1;
		return;
	}
	if ((in = archive_read_new()) == NULL)
		return;
	archive_read_support_filter_all(in);
	archive_read_support_format_all(in);
	archive_read_support_format_raw(in);
	if (archive_read_open_memory(in, buf, len) == ARCHIVE_OK)
		scan_open(in, full, depth + 1, len, r);
	archive_read_free(in);
}

/* entry - one member: its name, content, and what it holds */
static int
entry(struct archive *a, struct archive_entry *e, const char *prefix,
    int depth, uint64_t insize, struct pf_blocked_res *r)
{
	const char *nm, *ext, *ex;
	char full[1024], why[160];
	unsigned char *buf;
	size_t len, cap;
	int arch;

	if ((nm = archive_entry_pathname_utf8(e)) == NULL &&
	    (nm = archive_entry_pathname(e)) == NULL)
		nm = "";
	snprintf(full, sizeof(full), "%s/%s", prefix, nm);
	if ((ext = pf_blocked_name_blocked(nm)) != NULL) {
		snprintf(why, sizeof(why), "blocked file type .%s inside an "
		    "archive", ext);
		block(r, full, why);
		return 1;
	}
	arch = pf_blocked_name_is_archive(nm);
	if (archive_entry_is_encrypted(e)) {
		/* Gmail cannot look inside: an archive in it is refused */
		if (arch) {
			block(r, full, "an encrypted archive that holds an "
			    "archive");
			return 1;
		}
		return 0;
	}
	if (archive_entry_filetype(e) != AE_IFREG &&
	    archive_entry_filetype(e) != 0)
		return 0;
	buf = NULL;
	len = cap = 0;
	if (read_entry(a, &buf, &len, &cap, MAGIC_PEEK, insize, r) != 0)
		goto nomem;
	if ((ex = pf_blocked_magic_exec(buf, len)) != NULL) {
		snprintf(why, sizeof(why), "%s inside an archive", ex);
		block(r, full, why);
		free(buf);
		return 1;
	}
	if (!r->limited && (arch || pf_blocked_magic_archive(buf, len))) {
		if (read_entry(a, &buf, &len, &cap, PF_BLOCKED_ENTRY_MAX,
		    insize, r) != 0)
			goto nomem;
		if (len == PF_BLOCKED_ENTRY_MAX)
			r->limited = 1;
		else if (!r->limited)
			nested(buf, len, full, depth, r);
	}
	free(buf);
	return r->blocked ? 1 : 0;
nomem:
	free(buf);
	return -1;
}

/* scan_open - walk an opened archive */
static int
scan_open(struct archive *a, const char *prefix, int depth, uint64_t insize,
    struct pf_blocked_res *r)
{
	struct archive_entry *e;
	int rc;

	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
	    rc == ARCHIVE_WARN) {
		if (++r->entries > PF_BLOCKED_ENTRIES) {
			r->limited = 1;
			return PF_OK;
		}
		if ((rc = entry(a, e, prefix, depth, insize, r)) < 0)
			return PF_ENOMEM;
		if (rc > 0 || r->limited)
			return PF_OK;
	}
	return PF_OK;
}

/* new_reader - every format and filter libarchive has */
static struct archive *
new_reader(void)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	archive_read_support_format_raw(a);
	return a;
}

/* pf_blocked_scan_mem - list an archive held in memory */
int
pf_blocked_scan_mem(const void *p, size_t len, const char *outer,
    struct pf_blocked_res *r)
{
	struct archive *a = new_reader();
	int rc = PF_OK;

	if (a == NULL)
		return PF_ENOMEM;
	if (archive_read_open_memory(a, p, len) == ARCHIVE_OK)
		rc = scan_open(a, outer, 0, len, r);
	archive_read_free(a);
	return rc;
}

/* pf_blocked_scan_fd - list an archive spooled to a file */
int
pf_blocked_scan_fd(int fd, uint64_t size, const char *outer,
    struct pf_blocked_res *r)
{
	struct archive *a;
	int rc = PF_OK;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return PF_EIO;
	if ((a = new_reader()) == NULL)
		return PF_ENOMEM;
	if (archive_read_open_fd(a, fd, 65536) == ARCHIVE_OK)
		rc = scan_open(a, outer, 0, size, r);
	archive_read_free(a);
	return rc;
}
