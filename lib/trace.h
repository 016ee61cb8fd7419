#ifndef TRACE_H
#define TRACE_H
#include "mk.h"
#endif
