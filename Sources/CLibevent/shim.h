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

// TLS for the client (`send`, `replay --to`, the forward handler to an https:// URL).
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <event2/bufferevent_ssl.h>

// SSL_set_tlsext_host_name is a macro; Swift needs a function.
static inline int wooshhook_ssl_set_server_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

#endif
