/* The example backend's data: one row struct per table, and tables that are
 * growable arrays of row pointers kept sorted by primary key (backend.c says
 * why). A key to search for is a row with only its key fields set. */
#ifndef EXAMPLE_STORAGE_TABLES_H
#define EXAMPLE_STORAGE_TABLES_H

#include <cpor/sys/storage.h>

typedef struct obj_row { /* key (kind, id) */
  uint32_t kind;
  char *id, *owner, *ref; /* owner and ref may be NULL */
  int32_t state;
  uint64_t revision;
  void *data;
  size_t len;
} obj_row;

typedef struct line_row { /* kept in (unit, claim_id, line) order: the LINES query's */
  char *claim_id;
  uint32_t line;
  char *unit, *partner_id; /* partner_id may be NULL */
  int32_t status;
} line_row;

typedef struct key_row { /* key (key): each key held by one claim */
  char *key, *claim_id;
} key_row;

typedef struct deadline_row { /* key (kind, due, claim_id) */
  uint32_t kind;
  cpor_time due;
  char *claim_id;
} deadline_row;

typedef struct event_row { /* key (claim_id, seq) */
  char *claim_id;
  uint32_t seq;
  void *data;
  size_t len;
} event_row;

/* Deep copies of the caller's rows (NULL when out of memory), and views of
 * ours as the vtable's structs (pointing into the row). obj_new stores the
 * revision it is given, not o->revision. */
obj_row *obj_new(const cpor_store_object *o, uint64_t revision);
line_row *line_new(const cpor_store_line *l);
key_row *key_new(const char *key, const char *claim_id);
deadline_row *deadline_new(uint32_t kind, cpor_time due, const char *claim_id);
event_row *event_new(const char *claim_id, uint32_t seq, const void *data, size_t len);
cpor_store_object obj_view(const obj_row *r);
cpor_store_line line_view(const line_row *r);

/* Key orders (strings bytewise, as strcmp compares unsigned chars): the
 * orders the queries return. Each takes two rows of its table. */
int obj_cmp(const void *a, const void *b);
int line_cmp(const void *a, const void *b);
int key_cmp(const void *a, const void *b);
int deadline_cmp(const void *a, const void *b);
int event_cmp(const void *a, const void *b);
/* Free a row and everything it owns; NULL is a no-op. */
void obj_free(void *row);
void line_free(void *row);
void key_free(void *row);
void deadline_free(void *row);
void event_free(void *row);

/* The same per table, for generic code: row_types[OBJS] etc. */
typedef struct row_type {
  int (*cmp)(const void *a, const void *b);
  void *(*copy)(const void *row); /* a deep copy, or NULL */
  void (*free)(void *row);
} row_type;

enum { OBJS, LINES, KEYS, DEADLINES, EVENTS, NTABLES };
extern const row_type row_types[NTABLES];

typedef struct table {
  void **rows; /* sorted by row_types[k].cmp */
  size_t n, cap;
} table;

typedef struct db {
  table t[NTABLES];
} db;

/* The first position whose row is not less than key. */
size_t table_lower_bound(const table *t, const void *key, int (*cmp)(const void *, const void *));
/* Replaces rows [at, at + nremove) with add[0, nadd), freeing the removed
 * rows. CPOR_ENOMEM changes nothing (and cannot happen when the table does
 * not grow). */
int table_splice(table *t, size_t at, size_t nremove, void *const *add, size_t nadd,
                 void (*free_row)(void *));
/* Removes (and frees) every row for which drop(row, arg) is true and adds
 * add[0, nadd) (sorted by cmp) at their places: one pass over the table.
 * CPOR_ENOMEM changes nothing. */
int table_replace_where(table *t, int (*drop)(const void *row, const void *arg), const void *arg,
                        void *const *add, size_t nadd, int (*cmp)(const void *, const void *),
                        void (*free_row)(void *));

/* Frees every row; *d is empty afterwards. */
void db_free(db *d);
/* A deep copy of src into *dst; 0 when out of memory (*dst is then empty). */
int db_copy(db *dst, const db *src);

#endif
