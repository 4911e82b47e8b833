// A write-fault injector for the tests, loaded with LD_PRELOAD into `lnet`.
// It fails, with errno LNET_FAULT_ERRNO (default EIO), every write, writev, pwrite,
// fsync, fdatasync and close of a descriptor whose file lies under the folder
// LNET_FAULT_FOLDER, once LNET_FAULT_BUDGET bytes (default 0) have been written
// there: a disk that breaks (or fills up) at a chosen point. Without
// LNET_FAULT_FOLDER it does nothing. Built by WriteFaultTests with
// `cc -shared -fPIC`.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long written_so_far = 0;

static int is_faulty(int fd) {
    const char *folder = getenv("LNET_FAULT_FOLDER");
    if (folder == NULL || fd < 0) return 0;
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0) return 0;
    target[n] = 0;
    size_t length = strlen(folder);
    return strncmp(target, folder, length) == 0 && (target[length] == '/' || target[length] == 0);
}

static int fault_errno(void) {
    const char *text = getenv("LNET_FAULT_ERRNO");
    return text ? atoi(text) : EIO;
}

// Whether writing `count` more bytes to `fd` must fail; counts them if not.
static int must_fail(int fd, size_t count) {
    if (!is_faulty(fd)) return 0;
    const char *text = getenv("LNET_FAULT_BUDGET");
    long long budget = text ? atoll(text) : 0;
    if (written_so_far + (long long)count > budget) return 1;
    written_so_far += (long long)count;
    return 0;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buffer, size_t count) {
    if (must_fail(fd, count)) { errno = fault_errno(); return -1; }
    return NEXT(write)(fd, buffer, count);
}

ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset) {
    if (must_fail(fd, count)) { errno = fault_errno(); return -1; }
    return NEXT(pwrite)(fd, buffer, count, offset);
}

ssize_t pwrite64(int fd, const void *buffer, size_t count, off_t offset) {
    if (must_fail(fd, count)) { errno = fault_errno(); return -1; }
    return NEXT(pwrite64)(fd, buffer, count, offset);
}

ssize_t writev(int fd, const struct iovec *vectors, int count) {
    size_t total = 0;
    for (int i = 0; i < count; i++) total += vectors[i].iov_len;
    if (must_fail(fd, total)) { errno = fault_errno(); return -1; }
    return NEXT(writev)(fd, vectors, count);
}

int fsync(int fd) {
    if (must_fail(fd, 1)) { errno = fault_errno(); return -1; }
    return NEXT(fsync)(fd);
}

int fdatasync(int fd) {
    if (must_fail(fd, 1)) { errno = fault_errno(); return -1; }
    return NEXT(fdatasync)(fd);
}

// A failing close still closes the descriptor, as Linux's does.
int close(int fd) {
    int fail = must_fail(fd, 1);
    int result = NEXT(close)(fd);
    if (fail) { errno = fault_errno(); return -1; }
    return result;
}
