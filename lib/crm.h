/*
 * crm.h — libcrm, the library under every crm tool.  One umbrella over
 * one header per module:
 *
 *   error.h   error codes, details, exit statuses
 *   buf.h     growable buffers and varints
 *   utf8.h    UTF-8 checks and display widths
 *   value.h   money, dates, timestamps, e-mail/phone/name normal forms
 *   schema.h  the entities and their fields
 *   record.h  records in memory and their binary encoding
 *   db.h      the LMDB environment, transactions, settings
 *   store.h   insert, update, delete, look up, iterate
 *   audit.h   the audit log and undo
 *   filter.h  --where and --sort
 *   output.h  table, CSV, TSV, JSON, NDJSON, ids writers
 *   input.h   CSV, TSV, JSON, NDJSON, ids readers
 *   customer.h customer rules: duplicates, merge, references, agenda
 *   ticket.h  ticket rules: SLA, status flow, escalation, assignment
 *   kb.h      knowledge-base search and suggestions
 */
#ifndef CRM_H
#define CRM_H

#include "error.h"
#include "buf.h"
#include "utf8.h"
#include "value.h"
#include "schema.h"
#include "record.h"
#include "db.h"
#include "store.h"
#include "audit.h"
#include "filter.h"
#include "output.h"
#include "input.h"
#include "jsoncheck.h"
#include "customer.h"
#include "ticket.h"
#include "kb.h"

#define CRM_VERSION "0.1.0"

#endif
