#ifndef LNET_CHDF5_SHIM_H
#define LNET_CHDF5_SHIM_H

#include <hdf5.h>

// HDF5's type and property-list identifiers are macros that expand to global
// variables behind H5open(); Swift cannot import such macros, so they are
// re-exported here as functions.
static inline hid_t lnet_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t lnet_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t lnet_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t lnet_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t lnet_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t lnet_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t lnet_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t lnet_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t lnet_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t lnet_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t lnet_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t lnet_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t lnet_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t lnet_H5T_STD_I8LE(void) { return H5T_STD_I8LE; }
static inline hid_t lnet_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t lnet_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t lnet_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t lnet_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t lnet_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t lnet_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t lnet_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t lnet_H5P_DATASET_XFER(void) { return H5P_DATASET_XFER; }
static inline hid_t lnet_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t lnet_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t lnet_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline unsigned lnet_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned lnet_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned lnet_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned lnet_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline size_t lnet_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline hsize_t lnet_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }

// The kind of the link `name` (relative to `loc`): 0 hard, 1 soft, 2 external,
// 3 user-defined, -1 when it cannot be read. For soft and external links,
// `value_size` receives the size of the value H5Lget_val returns. A shim because
// H5L_info_t holds a union and is versioned (H5Lget_info1/2) across releases.
static inline int lnet_link_kind(hid_t loc, const char *name, size_t *value_size) {
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) return -1;
    *value_size = 0;
    switch (info.type) {
    case H5L_TYPE_HARD: return 0;
    case H5L_TYPE_SOFT: *value_size = info.u.val_size; return 1;
    case H5L_TYPE_EXTERNAL: *value_size = info.u.val_size; return 2;
    default: return 3;
    }
}

#endif
