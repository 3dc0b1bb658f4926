/*
 * tmp.c — temporary files (see tmp.h).  glibc's tmpfile() ignores
 * $TMPDIR, and a /tmp kept in memory (tmpfs) would make a spooled
 * standard input grow the memory with the input: the user must be able
 * to send it elsewhere, as with sort(1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "tmp.h"

const char *
crm_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t != NULL && t[0] != '\0' ? t : "/tmp";
}

int
crm_tmpfile(FILE **fp)
{
	const char *dir = crm_tmpdir();
	char *path = NULL;
	int fd = -1, rc = 0;

	*fp = NULL;
	if (asprintf(&path, "%s/crm-XXXXXX", dir) < 0) {
		path = NULL;
		rc = ENOMEM;
		goto done;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		rc = crm_seterr(errno == EACCES || errno == EPERM ||
		    errno == EROFS ? CRM_EPERM : errno == ENOSPC ||
		    errno == EDQUOT ? errno : CRM_ECANTCREAT,
		    "cannot create a temporary file in %s: %s", dir,
		    strerror(errno));
		goto done;
	}
	(void)unlink(path);
	*fp = fdopen(fd, "w+b");
	if (*fp == NULL) {
		rc = errno;
		goto done;
	}
	fd = -1;
done:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}
