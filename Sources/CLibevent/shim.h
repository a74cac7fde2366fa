#ifndef WOOSHHOOK_CLIBEVENT_SHIM_H
#define WOOSHHOOK_CLIBEVENT_SHIM_H

// System headers first, so that libevent's own includes of them resolve to the same (Glibc) declarations.
#include <sys/types.h>
#include <sys/time.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdarg.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <event2/listener.h>
#include <event2/bufferevent.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#endif
