// Linux calls that Swift's Glibc module does not show (they need _GNU_SOURCE),
// behind plain C functions.
#ifndef LNET_CLINUXIO_H
#define LNET_CLINUXIO_H

/// Starts writing `descriptor`'s dirty pages to the device without waiting for
/// them (Linux's sync_file_range with SYNC_FILE_RANGE_WRITE over the whole
/// file), so that a later fsync finds most of them written. Returns 0, or -1
/// with errno set. Elsewhere it does nothing and returns 0.
int lnet_start_writeback(int descriptor);

#endif
