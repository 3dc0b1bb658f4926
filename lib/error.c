/* error.c — names and exit statuses of libcrm's error codes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <lmdb.h>

#include "error.h"

static _Thread_local char detail[1024];
static _Thread_local int detail_code;

static const char *const names[] = {
	[CRM_ENOTFOUND - CRM_EBASE] = "not found",
	[CRM_EUSAGE - CRM_EBASE] = "usage error",
	[CRM_EDATA - CRM_EBASE] = "bad input data",
	[CRM_ENOINPUT - CRM_EBASE] = "input file missing",
	[CRM_EINTERNAL - CRM_EBASE] = "internal error",
	[CRM_ECANTCREAT - CRM_EBASE] = "database cannot be created",
	[CRM_EIO - CRM_EBASE] = "I/O error",
	[CRM_EBUSY - CRM_EBASE] = "database busy, try again",
	[CRM_EFULL - CRM_EBASE] = "database or disk full, try again",
	[CRM_EPERM - CRM_EBASE] = "permission denied",
	[CRM_EVERSION - CRM_EBASE] =
	    "database was written by a newer crm; upgrade crm to open it",
	[CRM_EEXIST - CRM_EBASE] = "already exists",
	[CRM_ECORRUPT - CRM_EBASE] = "database record does not decode",
};

const char *
crm_strerror(int code)
{
	if (code >= CRM_EBASE && code < CRM_ELAST && names[code - CRM_EBASE])
		return names[code - CRM_EBASE];
	if (code == MDB_MAP_FULL)
		return "database map full";
	/* mdb_strerror covers both MDB_* codes and errno values. */
	return mdb_strerror(code);
}

int
crm_seterr(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	detail_code = code;
	return code;
}

void
crm_clearerr(void)
{
	detail[0] = '\0';
	detail_code = 0;
}

const char *
crm_errdetail(int code)
{
	if (detail[0] != '\0' && detail_code == code)
		return detail;
	return crm_strerror(code);
}

int
crm_exitcode(int code)
{
	switch (code) {
	case 0:
		return 0;
	case CRM_ENOTFOUND:
		return 1;
	case CRM_EUSAGE:
		return EX_USAGE;
	case CRM_EDATA:
	case CRM_EEXIST:
		return EX_DATAERR;
	case CRM_ENOINPUT:
	case ENOENT:
		return EX_NOINPUT;
	case CRM_ECANTCREAT:
		return EX_CANTCREAT;
	case CRM_EIO:
	case EIO:
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
	case EPIPE:
		return EX_IOERR;
	case CRM_EBUSY:
	case CRM_EFULL:
	case MDB_MAP_FULL:
	case MDB_READERS_FULL:
	case EAGAIN:
		return EX_TEMPFAIL;
	case CRM_EPERM:
	case EACCES:
	case EPERM:
	case EROFS:
		return EX_NOPERM;
	case CRM_EVERSION:
	case MDB_VERSION_MISMATCH:
	case MDB_INVALID:
		return EX_DATAERR;
	default:
		return EX_SOFTWARE;
	}
}
