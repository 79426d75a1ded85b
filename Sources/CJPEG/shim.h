#ifndef SCALEFACE_CJPEG_SHIM_H
#define SCALEFACE_CJPEG_SHIM_H
// The TurboJPEG API reports errors as return codes (it keeps libjpeg's setjmp inside C),
// so Swift never meets libjpeg's default error handler, which calls exit().
#include <turbojpeg.h>
#endif
