#ifndef SCALEFACE_COPENBLAS_SHIM_H
#define SCALEFACE_COPENBLAS_SHIM_H
#include <cblas.h>

/* LAPACK's symmetric eigensolver (MRRR), which Debian's libopenblas exports; declared here
   because the Debian package ships no lapack.h. Fortran passes every argument by reference;
   the hidden lengths of the one-character arguments may be left out for single characters. */
void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a, const int *lda,
             const double *vl, const double *vu, const int *il, const int *iu, const double *abstol,
             int *m, double *w, double *z, const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info);
#endif
