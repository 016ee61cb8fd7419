/* mcurl.c: see mcurl.h. */
#include "mcurl.h"
