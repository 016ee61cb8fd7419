#ifndef ATOMIC_H
#define ATOMIC_H
#include "mk.h"
#endif
