#ifndef WOOSHHOOK_CLIBPQ_SHIM_H
#define WOOSHHOOK_CLIBPQ_SHIM_H

// PostgreSQL's own client library (Debian's libpq-dev; pkg-config adds -I/usr/include/postgresql).
#include <libpq-fe.h>

#endif
