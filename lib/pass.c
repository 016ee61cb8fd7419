/* pass.c: see pass.h. */
#include "pass.h"
