// What an import that copies into fresh memory costs, without LNet: reads a
// file (the cat checkpoint's .safetensors, 5.9 MB) into three fresh anonymous
// mappings of a third each, the way three W1-sized arrays receive it, four ways:
//   plain           pread into untouched pages (each 4 KiB page faulted in);
//   populate_write  madvise(MADV_POPULATE_WRITE) first (the kernel fills every page in one call);
//   map_populate    mmap(MAP_POPULATE);
//   huge_pages      2 MiB more address space and madvise(MADV_HUGEPAGE) (transparent huge pages).
// Prints the fastest and the mean of 30 each, in milliseconds.
//
//     cc -O2 benchmarks/safetensors/fresh_pages.c -o /tmp/fresh_pages && /tmp/fresh_pages FILE.safetensors
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: fresh_pages FILE\n");
        return 2;
    }
    int file = open(argv[1], O_RDONLY);
    if (file < 0) {
        perror(argv[1]);
        return 1;
    }
    size_t size = (size_t)lseek(file, 0, SEEK_END);
    size_t parts[3] = {size / 3, size / 3, size - 2 * (size / 3)};
    const char *names[4] = {"plain", "populate_write", "map_populate", "huge_pages"};
    const size_t huge = 2u << 20;
    for (int mode = 0; mode < 4; mode++) {
        double best = 1e9, total = 0;
        for (int round = 0; round < 30; round++) {
            void *buffers[3];
            size_t lengths[3];
            double start = now();
            size_t offset = 0;
            for (int i = 0; i < 3; i++) {
                lengths[i] = ((parts[i] + 4095) & ~(size_t)4095) + (mode == 3 ? huge : 0);
                buffers[i] = mmap(NULL, lengths[i], PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | (mode == 2 ? MAP_POPULATE : 0), -1, 0);
                if (buffers[i] == MAP_FAILED) {
                    perror("mmap");
                    return 1;
                }
                if (mode == 1) madvise(buffers[i], lengths[i], MADV_POPULATE_WRITE);
                if (mode == 3) madvise(buffers[i], lengths[i], MADV_HUGEPAGE);
                if (pread(file, buffers[i], parts[i], (off_t)offset) != (ssize_t)parts[i]) {
                    perror("pread");
                    return 1;
                }
                offset += parts[i];
            }
            double elapsed = now() - start;
            best = elapsed < best ? elapsed : best;
            total += elapsed;
            for (int i = 0; i < 3; i++) munmap(buffers[i], lengths[i]);
        }
        printf("%-15s fastest %.2f ms, mean %.2f ms\n", names[mode], best * 1e3, total / 30 * 1e3);
    }
    return 0;
}
