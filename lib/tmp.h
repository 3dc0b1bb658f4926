/*
 * tmp.h — temporary files: where they go ($TMPDIR, else /tmp) and how
 * (unnamed, gone when closed or when the process dies).
 */
#ifndef CRM_TMP_H
#define CRM_TMP_H

#include <stdio.h>

/* $TMPDIR when set and not empty, else "/tmp". */
const char *crm_tmpdir(void);

/*
 * Opens a new file for reading and writing in crm_tmpdir(), already
 * unlinked.  CRM_ECANTCREAT or CRM_EPERM, with a message naming the
 * directory, when it cannot be made there.
 */
int crm_tmpfile(FILE **fp);

#endif
