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

/// Turns off SQLite's memory statistics, process-wide, before the library initialises:
/// with them on, every allocation of every connection takes one global mutex, which threads
/// reading at once contend for. Returns SQLITE_MISUSE (harmless) if SQLite already started.
static inline int portero_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
