/*
 * error.h — one error space for libcrm.
 *
 * Every library function that can fail returns an int: 0 on success,
 * a positive errno value for system errors, an LMDB MDB_* code (passed
 * through unchanged), or one of the CRM_E* codes below, which live in a
 * range under LMDB's so the three never collide.  crm_strerror() names
 * any of them.
 *
 * For data errors the library also records a detail message ("field
 * 'amount': \"12,5\": not a decimal number") that the command prints
 * after its own context; crm_errdetail() returns it.  The library never
 * prints.
 */
#ifndef CRM_ERROR_H
#define CRM_ERROR_H

enum {
	CRM_EBASE = -31000,
	CRM_ENOTFOUND = CRM_EBASE,	/* a named record does not exist */
	CRM_EUSAGE,			/* bad option or argument */
	CRM_EDATA,			/* bad input data */
	CRM_ENOINPUT,			/* input file missing */
	CRM_EINTERNAL,			/* a bug or a broken invariant */
	CRM_ECANTCREAT,			/* database cannot be created */
	CRM_EIO,			/* I/O error */
	CRM_EBUSY,			/* database busy: try again */
	CRM_EFULL,			/* database or disk full */
	CRM_EPERM,			/* permission denied */
	CRM_EVERSION,			/* database written by a newer crm */
	CRM_EEXIST,			/* unique key already taken */
	CRM_ECORRUPT,			/* record or index does not decode */
	CRM_ELAST
};

/* Returns a static string naming code; never NULL. */
const char *crm_strerror(int code);

/*
 * Records a detail for the error being returned (printf-style) and
 * returns code, so a function can `return crm_seterr(CRM_EDATA, ...)`.
 * The detail is per thread and stays until the next crm_seterr or
 * crm_clearerr.
 */
int crm_seterr(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void crm_clearerr(void);

/* The detail of the last crm_seterr, or crm_strerror(code) when none. */
const char *crm_errdetail(int code);

/* The sysexits.h status a command exits with for code (DESIGN.md). */
int crm_exitcode(int code);

#endif
