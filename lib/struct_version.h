/* Public struct versions: every options struct (and the storage vtable) is
 * read at the API boundary, once, into the library's latest layout. A caller
 * built against older headers passes a shorter struct: it is copied by its
 * own version's size into a zeroed latest struct, so the fields it predates
 * read as zero, which every header documents as the default. */
#ifndef CPOR_STRUCT_VERSION_H
#define CPOR_STRUCT_VERSION_H

#include <stddef.h>
#include <stdint.h>

#define CPOR__MAX_VERSIONS 5

/* The layouts one struct has had. */
typedef struct cpor__layout {
  const char *name;                /* the C type name, for messages */
  uint32_t latest;                 /* this library's version */
  size_t size[CPOR__MAX_VERSIONS]; /* size[v - 1]: the bytes of version v */
} cpor__layout;

extern const cpor__layout cpor__ctx_options_layout, cpor__sqlite_options_layout,
    cpor__claim_spec_layout, cpor__claim_query_layout, cpor__actor_layout,
    cpor__storage_methods_layout, cpor__postgres_options_layout;

/* Reads a caller's struct of any version 1..l->latest into *out (a latest
 * struct): out is zeroed, in copied by its version's size, and out's
 * version set to the latest. in NULL gives the zeroed latest struct. A
 * version of 0 or newer than the library is CPOR_EVERSION, and msg (may be
 * NULL) receives a message naming the struct and both versions. */
int cpor__struct_read(const cpor__layout *l, const void *in, void *out, char *msg, size_t msglen);

/* The cpor_x_init functions: zeroes *s by version's size and sets the
 * version. CPOR_EINVAL for NULL, CPOR_EVERSION for 0 or a newer version. */
int cpor__struct_init(const cpor__layout *l, void *s, uint32_t version);

#endif
