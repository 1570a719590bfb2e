/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mimeparam.h - Content-Type and Content-Disposition values read for the
 * MIME walk: the type, subtype (or disposition) and the few parameters it
 * asks for.  Plain values (ASCII, no comments, no quoting escapes, no RFC
 * 2231 or RFC 2047 encoding) are read here without allocating; anything
 * else goes to GMime, whose reading is the reference: on the values read
 * here both give the same result (tests/check_mime compares them).
 */
#ifndef PF_MIMEPARAM_H
#define PF_MIMEPARAM_H

#include <stddef.h>

#define PF_MP_WANT	2	/* parameters asked for at most */

/* a piece of a value: borrowed from the value (or from GMime's object)
 * until pf_mp_reset; p is NULL when absent */
struct pf_mp_str {
	const char	*p;
	size_t		 n;
};

struct pf_mp {
	struct pf_mp_str type;		/* Content-Type: media type;
					 * Content-Disposition: its value */
	struct pf_mp_str subtype;	/* Content-Type only */
	struct pf_mp_str param[PF_MP_WANT];	/* the first of each name */
	void		*obj;		/* GMime's object, when it read it */
	int		 fast;		/* read here, without GMime */
};

/* read a value; pf_mp_reset gives back what it holds */
void	pf_mp_ctype(struct pf_mp *, const char *value,
	    const char *const want[PF_MP_WANT]);
void	pf_mp_disposition(struct pf_mp *, const char *value,
	    const char *const want[PF_MP_WANT]);
void	pf_mp_reset(struct pf_mp *);

/* string helpers over a piece: case-insensitive equality, and a copy
 * as a C string (cut at cap - 1) */
int	pf_mp_is(const struct pf_mp_str *, const char *);
void	pf_mp_copy(const struct pf_mp_str *, char *buf, size_t cap);

/* the plain-value reader alone (tests compare it with GMime): 1 when it
 * read the value, 0 when the value needs GMime */
int	pf_mp_fast_ctype(struct pf_mp *, const char *value,
	    const char *const want[PF_MP_WANT]);
int	pf_mp_fast_disposition(struct pf_mp *, const char *value,
	    const char *const want[PF_MP_WANT]);

#endif
