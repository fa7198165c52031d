/* err.h - the error convention lives in the public header <berth/error.h>
 * because the CLI reports library errors; this is its internal name. */
#include <berth/error.h>
