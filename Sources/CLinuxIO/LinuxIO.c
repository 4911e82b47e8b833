#define _GNU_SOURCE
#include "CLinuxIO.h"

#ifdef __linux__
#include <fcntl.h>

int lnet_start_writeback(int descriptor) {
    return sync_file_range(descriptor, 0, 0, SYNC_FILE_RANGE_WRITE);
}
#else
int lnet_start_writeback(int descriptor) {
    (void)descriptor;
    return 0;
}
#endif
