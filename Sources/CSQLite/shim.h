#ifndef PORTERO_CSQLITE_SHIM_H
#define PORTERO_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast macro Swift cannot import: SQLite copies the bound value.
static inline sqlite3_destructor_type portero_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// SQLITE_STATIC: the bound buffer outlives the statement step (caller guarantees it).
static inline sqlite3_destructor_type portero_sqlite_static(void) {
    return SQLITE_STATIC;
}
#endif
