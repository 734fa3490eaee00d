#ifndef PORTERO_CPQ_SHIM_H
#define PORTERO_CPQ_SHIM_H
#include <libpq-fe.h>
#endif
