#ifndef LNET_CMPI_SHIM_H
#define LNET_CMPI_SHIM_H

#include <mpi.h>

// Open MPI's communicators, datatypes and operations are macros over the
// addresses of global objects (`&ompi_mpi_comm_world` …), which Swift cannot
// import; they are re-exported here as functions.
static inline MPI_Comm lnet_MPI_COMM_WORLD(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype lnet_MPI_DOUBLE(void) { return MPI_DOUBLE; }
static inline MPI_Datatype lnet_MPI_INT(void) { return MPI_INT; }
static inline MPI_Op lnet_MPI_SUM(void) { return MPI_SUM; }
static inline MPI_Op lnet_MPI_MAX(void) { return MPI_MAX; }
static inline MPI_Errhandler lnet_MPI_ERRORS_RETURN(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Status *lnet_MPI_STATUS_IGNORE(void) { return MPI_STATUS_IGNORE; }
static inline int lnet_MPI_SUCCESS(void) { return MPI_SUCCESS; }
static inline int lnet_MPI_MAX_ERROR_STRING(void) { return MPI_MAX_ERROR_STRING; }

#endif
