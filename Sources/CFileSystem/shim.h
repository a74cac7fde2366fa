#ifndef WOOSHHOOK_CFILESYSTEM_SHIM_H
#define WOOSHHOOK_CFILESYSTEM_SHIM_H

#include <errno.h>
#include <linux/falloc.h>
#include <sys/types.h>

// glibc declares fallocate(2) only under _GNU_SOURCE, and defining that here would change the system headers'
// structs under Swift's Glibc module (the two must agree), so the one prototype is declared here instead.
extern int fallocate(int fd, int mode, off_t offset, off_t length);

// Allocates [offset, offset + length) of the file without changing its size; 0, or the error number.
static inline int wooshhook_preallocate_keeping_size(int fd, off_t offset, off_t length) {
    return fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length) == 0 ? 0 : errno;
}

#endif
