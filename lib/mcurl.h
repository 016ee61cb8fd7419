#ifndef MCURL_H
#define MCURL_H
#include "mk.h"
#endif
